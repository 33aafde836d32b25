//! Databases: local, mounted from a share, or mounted from a listing.
//!
//! A database mounted from a listing of a project account is *compared* as the share
//! that listing publishes (SHOW DATABASES reports the share in `origin`), but
//! *created* with `FROM LISTING` and the listing's global name, resolved at apply
//! time. Changing the source or TRANSIENT means drop and create again.

use crate::diff::{Action, Change, Hazard};
use crate::model::{
    AccountRef, DatabaseSource, DatabaseSpec, Ident, ObjectId, ObjectKind, ObjectName, Spec,
};
use crate::sql::{self, Deferred, Statement};

use super::common::{self, Props, change, stmt};
use super::{Context, Query, Results, Scope};

pub fn normalize(spec: &DatabaseSpec, ctx: &Context) -> DatabaseSpec {
    let source = match &spec.source {
        DatabaseSource::Share { provider, share } => DatabaseSource::Share {
            provider: common::resolve_account(provider, ctx),
            share: share.clone(),
        },
        other => other.clone(),
    };
    DatabaseSpec {
        source,
        transient: spec.transient,
        data_retention_time_in_days: spec.data_retention_time_in_days,
        comment: spec.comment.clone(),
    }
}

/// The source as it can be compared with SHOW DATABASES `origin`: a listing of a
/// project account becomes the provider's share.
pub fn comparable_source(source: &DatabaseSource, ctx: &Context) -> DatabaseSource {
    match source {
        DatabaseSource::Listing {
            provider: Some(provider),
            listing,
            ..
        } => {
            match (
                ctx.listing_shares.get(&(provider.clone(), listing.clone())),
                ctx.account_identifiers.get(provider),
            ) {
                (Some(share), Some(ident)) => DatabaseSource::Share {
                    provider: AccountRef::Identifier(ident.to_ascii_uppercase()),
                    share: share.clone(),
                },
                _ => source.clone(),
            }
        }
        DatabaseSource::Share { provider, share } => DatabaseSource::Share {
            provider: common::resolve_account(provider, ctx),
            share: share.clone(),
        },
        other => other.clone(),
    }
}

fn show_source(source: &DatabaseSource) -> String {
    match source {
        DatabaseSource::Local => "local".into(),
        DatabaseSource::Share { provider, share } => {
            format!(
                "share {}.{}",
                common::account_text(provider),
                share.as_str()
            )
        }
        DatabaseSource::Listing {
            provider,
            listing,
            global_name,
        } => match (provider, global_name) {
            (_, Some(g)) => format!("listing {g}"),
            (Some(p), None) => format!("listing {p}.{}", listing.as_str()),
            (None, None) => format!("listing {}", listing.as_str()),
        },
    }
}

fn create_statement(id: &ObjectId, spec: &DatabaseSpec, replace: bool) -> Statement {
    let name = id.name.sql();
    match &spec.source {
        DatabaseSource::Local => {
            let transient = if spec.transient == Some(true) {
                "TRANSIENT "
            } else {
                ""
            };
            let verb = if replace {
                "CREATE OR REPLACE"
            } else {
                "CREATE"
            };
            let mut sql = format!("{verb} {transient}DATABASE {name}");
            if let Some(days) = spec.data_retention_time_in_days {
                sql.push_str(&format!(" DATA_RETENTION_TIME_IN_DAYS = {days}"));
            }
            sql.push_str(&common::comment_clause(&spec.comment));
            stmt(sql)
        }
        DatabaseSource::Share { provider, share } => stmt(format!(
            "CREATE DATABASE {name} FROM SHARE {}.{}",
            common::account_sql(provider),
            share.sql()
        )),
        DatabaseSource::Listing {
            provider,
            listing,
            global_name,
        } => {
            let mut s = stmt(format!("CREATE DATABASE {name} FROM LISTING "));
            match (global_name, provider) {
                (Some(g), _) => {
                    s.push(sql::literal(g));
                }
                (None, Some(account)) => {
                    s.push_deferred(Deferred::ListingGlobalName {
                        account: account.clone(),
                        listing: listing.as_str().to_string(),
                    });
                }
                (None, None) => {
                    s.push(sql::literal(listing.as_str()));
                }
            }
            s
        }
    }
}

fn declared(spec: &DatabaseSpec) -> Props {
    let mut p = Props::default();
    p.push("source", None, Some(show_source(&spec.source)));
    p.declare("transient", &spec.transient, common::show_bool);
    p.declare(
        "data_retention_time_in_days",
        &spec.data_retention_time_in_days,
        |v| *v,
    );
    p.declare("comment", &spec.comment, common::show_str);
    p
}

pub fn create(id: &ObjectId, spec: &DatabaseSpec, _ctx: &Context) -> Change {
    change(
        id,
        Action::Create,
        None,
        declared(spec),
        vec![create_statement(id, spec, false)],
        vec![],
    )
}

pub fn update(
    id: &ObjectId,
    desired: &DatabaseSpec,
    observed: &DatabaseSpec,
    ctx: &Context,
) -> Option<Change> {
    let want = comparable_source(&desired.source, ctx);
    let have = comparable_source(&observed.source, ctx);
    let local = observed.source == DatabaseSource::Local;
    // A listing whose share cannot be resolved (a listing outside the project, or a
    // provider whose identifier is unknown) cannot be told apart from the share it
    // was mounted from: an imported database is taken to match rather than replaced.
    let unresolved_listing = matches!(want, DatabaseSource::Listing { .. })
        && matches!(have, DatabaseSource::Share { .. });
    let mut props = Props::default();
    if want != have && !unresolved_listing {
        props.push(
            "source",
            Some(show_source(&have)),
            Some(show_source(&desired.source)),
        );
        let mut statements = vec![stmt(format!("DROP DATABASE IF EXISTS {}", id.name.sql()))];
        statements.push(create_statement(id, desired, false));
        let mut hazards = vec![Hazard::RecreatesObject, Hazard::LosesGrants];
        if local {
            hazards.push(Hazard::DropsData);
        }
        let reason = "database source changed: a database cannot change where it is mounted from";
        return Some(change(
            id,
            Action::Replace,
            Some(reason.into()),
            props,
            statements,
            hazards,
        ));
    }
    if !local {
        // Imported databases are read-only: nothing else applies to them.
        return None;
    }
    let observed_transient = Some(observed.transient.unwrap_or(false));
    if props.cmp(
        "transient",
        &desired.transient,
        &observed_transient,
        common::show_bool,
    ) {
        let statements = vec![create_statement(id, desired, true)];
        let hazards = vec![
            Hazard::DropsData,
            Hazard::RecreatesObject,
            Hazard::LosesGrants,
        ];
        let reason = "TRANSIENT cannot be changed in place";
        return Some(change(
            id,
            Action::Replace,
            Some(reason.into()),
            props,
            statements,
            hazards,
        ));
    }
    let mut statements = Vec::new();
    let target = format!("DATABASE {}", id.name.sql());
    common::alter_retention(
        &mut props,
        &mut statements,
        &target,
        &desired.data_retention_time_in_days,
        &observed.data_retention_time_in_days,
    );
    common::alter_comment(
        &mut props,
        &mut statements,
        &target,
        &desired.comment,
        &observed.comment,
    );
    common::altered(id, props, statements, vec![])
}

pub fn drop(id: &ObjectId, observed: &DatabaseSpec) -> Change {
    let sql = format!("DROP DATABASE IF EXISTS {}", id.name.sql());
    let mut hazards = vec![Hazard::LosesGrants];
    if observed.source == DatabaseSource::Local {
        hazards.push(Hazard::DropsData);
    }
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(sql)],
        hazards,
    )
}

/// SHOW DATABASES `origin` (`ORG.ACCOUNT.SHARE`) → the share source; `''` → local.
pub fn parse_origin(origin: Option<&str>) -> DatabaseSource {
    let Some(origin) = common::clean(origin) else {
        return DatabaseSource::Local;
    };
    let parts = crate::model::split_dotted(&origin);
    let unquote = |p: &str| p.trim().trim_matches('"').to_string();
    match parts.len() {
        n if n >= 2 => {
            let share = Ident::from_stored(unquote(&parts[n - 1]));
            let provider = parts[..n - 1]
                .iter()
                .map(|p| unquote(p))
                .collect::<Vec<_>>()
                .join(".");
            DatabaseSource::Share {
                provider: AccountRef::Identifier(provider.to_ascii_uppercase()),
                share,
            }
        }
        _ => DatabaseSource::Share {
            provider: AccountRef::Identifier(origin.clone()),
            share: Ident::from_stored(origin),
        },
    }
}

pub fn parse_row(row: &crate::runtime::session::Row<'_>) -> Option<(ObjectName, DatabaseSpec)> {
    let name = ObjectName::account_level(Ident::from_stored(row.get("name")?));
    let options = row.get("options").unwrap_or("").to_ascii_uppercase();
    let spec = DatabaseSpec {
        source: parse_origin(row.get("origin")),
        transient: Some(options.contains("TRANSIENT")),
        data_retention_time_in_days: common::parse_num(row.get("retention_time")),
        comment: common::comment(row.get("comment")),
    };
    Some((name, spec))
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    results
        .get(&Query::Show(ObjectKind::Database))
        .iter()
        .filter_map(|row| parse_row(&row))
        .filter(|(name, _)| scope.is_declared(ObjectKind::Database, name))
        .map(|(name, spec)| {
            (
                ObjectId::new(scope.account(), ObjectKind::Database, name),
                Spec::Database(spec),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    const COLUMNS: [&str; 13] = [
        "created_on",
        "name",
        "is_default",
        "is_current",
        "origin",
        "owner",
        "comment",
        "options",
        "retention_time",
        "kind",
        "owner_role_type",
        "object_visibility",
        "resharing_settings",
    ];

    #[test]
    fn parses_local_transient_and_imported_databases() {
        let r = rows(
            &COLUMNS,
            &[
                &[
                    Some("2024-01-01"),
                    Some("DATA_SHARING_DEMO"),
                    Some("N"),
                    Some("N"),
                    Some(""),
                    Some("ACCOUNTADMIN"),
                    Some(""),
                    Some(""),
                    Some("1"),
                    Some("STANDARD"),
                    Some("ROLE"),
                    None,
                    None,
                ],
                &[
                    Some("2024-01-01"),
                    Some("TMP"),
                    Some("N"),
                    Some("N"),
                    Some(""),
                    Some("ACCOUNTADMIN"),
                    Some("scratch"),
                    Some("TRANSIENT"),
                    Some("0"),
                    Some("STANDARD"),
                    Some("ROLE"),
                    None,
                    None,
                ],
                &[
                    Some("2024-01-01"),
                    Some("CC_DEFAULT_TRAINING_DATA"),
                    Some("N"),
                    Some("N"),
                    Some("LOCALORG.BANK.DATA_SHARING_DEMO"),
                    Some("ACCOUNTADMIN"),
                    None,
                    Some(""),
                    Some("0"),
                    Some("IMPORTED DATABASE"),
                    Some("ROLE"),
                    None,
                    None,
                ],
            ],
        );
        let parsed: Vec<_> = r.iter().map(|row| parse_row(&row).unwrap()).collect();
        assert_eq!(parsed[0].1.source, DatabaseSource::Local);
        assert_eq!(parsed[0].1.transient, Some(false));
        assert_eq!(parsed[1].1.transient, Some(true));
        assert_eq!(parsed[1].1.data_retention_time_in_days, Some(0));
        assert_eq!(
            parsed[2].1.source,
            DatabaseSource::Share {
                provider: AccountRef::Identifier("LOCALORG.BANK".into()),
                share: Ident::from_stored("DATA_SHARING_DEMO")
            }
        );
    }

    #[test]
    fn listing_source_compares_as_its_share() {
        let c = ctx();
        let desired = DatabaseSpec {
            source: DatabaseSource::Listing {
                provider: Some(bank()),
                listing: ident("cc_listing"),
                global_name: None,
            },
            ..Default::default()
        };
        let observed = DatabaseSpec {
            source: parse_origin(Some("LOCALORG.BANK.DATA_SHARING_DEMO")),
            ..Default::default()
        };
        let did = id(&partner(), ObjectKind::Database, "cc");
        assert!(
            update(
                &did,
                &normalize(&desired, &c),
                &normalize(&observed, &c),
                &c
            )
            .is_none()
        );
        // Without the provider's identifier the listing cannot be matched: an imported
        // database is taken as mounted from it, a local one is replaced.
        let unknown = Context::default();
        assert!(update(&did, &desired, &observed, &unknown).is_none());
        let local = DatabaseSpec {
            transient: Some(false),
            ..Default::default()
        };
        let change = update(&did, &desired, &local, &unknown).unwrap();
        assert_eq!(change.action, Action::Replace);
        assert!(change.hazards.contains(&Hazard::DropsData));
        assert!(change.statements[1].is_deferred());
    }
}
