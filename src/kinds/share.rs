//! Shares: grants to the share and consumer accounts.
//!
//! Statements follow Snowflake's order: revoke what goes away, grant USAGE on the
//! database, then on schemas, then SELECT on tables, and only then add accounts.

use crate::diff::{Action, Change, Hazard};
use crate::model::{
    AccountRef, Ident, ObjectId, ObjectKind, ObjectName, ShareGrant, ShareSpec, Spec,
};
use crate::sql;

use super::common::{self, Props, change, stmt};
use super::{Context, Query, Results, Scope};

pub fn normalize(spec: &ShareSpec, ctx: &Context) -> ShareSpec {
    let mut grants: Vec<ShareGrant> = spec
        .grants
        .iter()
        .map(|g| ShareGrant {
            privilege: common::collapse_ws(&g.privilege).to_ascii_uppercase(),
            on_kind: g.on_kind,
            on: g.on.clone(),
        })
        .collect();
    grants.sort_by_key(grant_order);
    grants.dedup();
    let mut accounts: Vec<AccountRef> = spec
        .accounts
        .iter()
        .map(|a| common::resolve_account(a, ctx))
        .collect();
    accounts.sort();
    accounts.dedup();
    ShareSpec {
        database: spec.database.clone(),
        grants,
        accounts,
        comment: spec.comment.clone(),
    }
}

/// Database grants first, then schemas, then everything else; then by name.
fn grant_order(g: &ShareGrant) -> (u8, ObjectName, String) {
    let rank = match g.on_kind {
        ObjectKind::Database => 0,
        ObjectKind::Schema => 1,
        _ => 2,
    };
    (rank, g.on.clone(), g.privilege.clone())
}

fn privilege_sql(privilege: &str) -> String {
    if privilege
        .chars()
        .all(|c| c.is_ascii_uppercase() || c == '_' || c == ' ')
        && !privilege.is_empty()
    {
        privilege.to_string()
    } else {
        sql::literal(privilege)
    }
}

pub fn grant_text(g: &ShareGrant) -> String {
    format!(
        "{} ON {} {}",
        g.privilege,
        g.on_kind.sql_keyword(),
        g.on.sql()
    )
}

fn grant_sql(share: &ObjectName, g: &ShareGrant) -> String {
    format!(
        "GRANT {} ON {} {} TO SHARE {}",
        privilege_sql(&g.privilege),
        g.on_kind.sql_keyword(),
        g.on.sql(),
        share.sql()
    )
}

fn revoke_sql(share: &ObjectName, g: &ShareGrant) -> String {
    format!(
        "REVOKE {} ON {} {} FROM SHARE {}",
        privilege_sql(&g.privilege),
        g.on_kind.sql_keyword(),
        g.on.sql(),
        share.sql()
    )
}

fn accounts_sql(accounts: &[&AccountRef]) -> String {
    accounts
        .iter()
        .map(|a| common::account_sql(a))
        .collect::<Vec<_>>()
        .join(", ")
}

fn accounts_text(accounts: &[AccountRef]) -> Vec<String> {
    accounts.iter().map(common::account_text).collect()
}

fn grants_text(grants: &[ShareGrant]) -> Vec<String> {
    grants.iter().map(grant_text).collect()
}

pub fn create(id: &ObjectId, spec: &ShareSpec, _ctx: &Context) -> Change {
    let mut p = Props::default();
    p.declare("database", &spec.database, |d| d.sql());
    p.push_list("grants", None, Some(&grants_text(&spec.grants)));
    if !spec.accounts.is_empty() {
        p.push_list("accounts", None, Some(&accounts_text(&spec.accounts)));
    }
    p.declare("comment", &spec.comment, common::show_str);
    let mut statements = vec![stmt(format!(
        "CREATE SHARE {}{}",
        id.name.sql(),
        common::comment_clause(&spec.comment)
    ))];
    statements.extend(spec.grants.iter().map(|g| stmt(grant_sql(&id.name, g))));
    if !spec.accounts.is_empty() {
        let all: Vec<&AccountRef> = spec.accounts.iter().collect();
        statements.push(stmt(format!(
            "ALTER SHARE {} ADD ACCOUNTS = {}",
            id.name.sql(),
            accounts_sql(&all)
        )));
    }
    change(id, Action::Create, None, p, statements, vec![])
}

pub fn update(
    id: &ObjectId,
    desired: &ShareSpec,
    observed: &ShareSpec,
    _ctx: &Context,
) -> Option<Change> {
    let name = &id.name;
    let mut props = Props::default();
    let mut statements = Vec::new();
    let removed_accounts: Vec<&AccountRef> = observed
        .accounts
        .iter()
        .filter(|a| !desired.accounts.contains(a))
        .collect();
    let added_accounts: Vec<&AccountRef> = desired
        .accounts
        .iter()
        .filter(|a| !observed.accounts.contains(a))
        .collect();
    let revoked: Vec<&ShareGrant> = observed
        .grants
        .iter()
        .filter(|g| !desired.grants.contains(g))
        .collect();
    let granted: Vec<&ShareGrant> = desired
        .grants
        .iter()
        .filter(|g| !observed.grants.contains(g))
        .collect();
    if !removed_accounts.is_empty() {
        statements.push(stmt(format!(
            "ALTER SHARE {} REMOVE ACCOUNTS = {}",
            name.sql(),
            accounts_sql(&removed_accounts)
        )));
    }
    // Objects before containers when revoking.
    for g in revoked.iter().rev() {
        statements.push(stmt(revoke_sql(name, g)));
    }
    for g in &granted {
        statements.push(stmt(grant_sql(name, g)));
    }
    if !revoked.is_empty() || !granted.is_empty() {
        props.push_list(
            "grants",
            Some(&grants_text(&observed.grants)),
            Some(&grants_text(&desired.grants)),
        );
    }
    if !added_accounts.is_empty() {
        statements.push(stmt(format!(
            "ALTER SHARE {} ADD ACCOUNTS = {}",
            name.sql(),
            accounts_sql(&added_accounts)
        )));
    }
    if !added_accounts.is_empty() || !removed_accounts.is_empty() {
        props.push_list(
            "accounts",
            Some(&accounts_text(&observed.accounts)),
            Some(&accounts_text(&desired.accounts)),
        );
    }
    if props.cmp_comment(&desired.comment, &observed.comment) {
        let c = desired.comment.clone().unwrap_or_default();
        statements.push(stmt(format!(
            "ALTER SHARE {} SET COMMENT = {}",
            name.sql(),
            sql::literal(&c)
        )));
    }
    if props.is_empty() {
        return None;
    }
    Some(change(id, Action::Alter, None, props, statements, vec![]))
}

pub fn drop(id: &ObjectId, _observed: &ShareSpec) -> Change {
    let sql = format!("DROP SHARE IF EXISTS {}", id.name.sql());
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(sql)],
        vec![Hazard::RecreatesObject],
    )
}

/// `granted_on` of SHOW GRANTS (with underscores) → the kind.
pub fn granted_on_kind(text: &str) -> Option<ObjectKind> {
    Some(
        match text.trim().to_ascii_uppercase().replace(' ', "_").as_str() {
            "DATABASE" => ObjectKind::Database,
            "SCHEMA" => ObjectKind::Schema,
            "TABLE" => ObjectKind::Table,
            "FUNCTION" => ObjectKind::Function,
            "PROCEDURE" => ObjectKind::Procedure,
            "WAREHOUSE" => ObjectKind::Warehouse,
            "STAGE" => ObjectKind::Stage,
            "FILE_FORMAT" => ObjectKind::FileFormat,
            "STREAM" => ObjectKind::Stream,
            "TASK" => ObjectKind::Task,
            "MODULE" | "MODEL" => ObjectKind::Model,
            "ROLE" => ObjectKind::Role,
            "SHARE" => ObjectKind::Share,
            "LISTING" => ObjectKind::Listing,
            _ => return None,
        },
    )
}

/// A stored name from SHOW output, possibly with quoted parts, as an ObjectName.
pub fn parse_stored_name(text: &str) -> Option<ObjectName> {
    let parts: Vec<Ident> = crate::model::split_dotted(text)
        .into_iter()
        .map(|p| {
            let p = p.trim();
            match p.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
                Some(inner) => Ident::from_stored(inner.replace("\"\"", "\"")),
                None => Ident::from_stored(p),
            }
        })
        .collect();
    match parts.as_slice() {
        [n] => Some(ObjectName::account_level(n.clone())),
        [d, n] => Some(ObjectName::in_database(d.clone(), n.clone())),
        [d, s, n] => Some(ObjectName::in_schema(d.clone(), s.clone(), n.clone())),
        _ => None,
    }
}

pub fn parse_grants(rows: &crate::runtime::session::Rows) -> Vec<ShareGrant> {
    let mut out = Vec::new();
    for row in rows.iter() {
        let (Some(privilege), Some(on), Some(name)) =
            (row.get("privilege"), row.get("granted_on"), row.get("name"))
        else {
            continue;
        };
        let Some(on_kind) = granted_on_kind(on) else {
            continue;
        };
        let Some(on) = parse_stored_name(name) else {
            continue;
        };
        out.push(ShareGrant {
            privilege: privilege.to_ascii_uppercase(),
            on_kind,
            on,
        });
    }
    out
}

pub fn parse_row(row: &crate::runtime::session::Row<'_>) -> Option<(ObjectName, ShareSpec)> {
    if !row
        .get("kind")
        .unwrap_or("OUTBOUND")
        .eq_ignore_ascii_case("OUTBOUND")
    {
        return None;
    }
    let raw = row.get("name")?;
    // Before BCR-1180 the name was `ORG.ACCOUNT.SHARE`.
    let short = crate::model::split_dotted(raw).pop().unwrap_or_default();
    let name = ObjectName::account_level(Ident::from_stored(short));
    let accounts = row
        .get("to")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| AccountRef::Identifier(a.to_ascii_uppercase()))
        .collect();
    let spec = ShareSpec {
        database: common::clean(row.get("database_name")).map(Ident::from_stored),
        grants: Vec::new(),
        accounts,
        comment: common::comment(row.get("comment")),
    };
    Some((name, spec))
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    let mut out = Vec::new();
    for row in results.get(&Query::Show(ObjectKind::Share)).iter() {
        let Some((name, mut spec)) = parse_row(&row) else {
            continue;
        };
        if !scope.is_declared(ObjectKind::Share, &name) {
            continue;
        }
        spec.grants = parse_grants(results.get(&Query::ShareGrants(name.name.clone())));
        spec.grants.sort_by_key(grant_order);
        out.push((
            ObjectId::new(scope.account(), ObjectKind::Share, name),
            Spec::Share(spec),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    #[test]
    fn parses_show_shares_and_grants_to_share() {
        let shares = rows(
            &[
                "created_on",
                "kind",
                "owner_account",
                "name",
                "database_name",
                "to",
                "owner",
                "comment",
                "listing_global_name",
            ],
            &[
                &[
                    Some("t"),
                    Some("OUTBOUND"),
                    Some("LOCALORG.BANK"),
                    Some("DATA_SHARING_DEMO"),
                    Some("DATA_SHARING_DEMO"),
                    Some("LOCALORG.PARTNER, LOCALORG.OTHER"),
                    Some("ACCOUNTADMIN"),
                    Some(""),
                    Some(""),
                ],
                &[
                    Some("t"),
                    Some("INBOUND"),
                    Some("LOCALORG.PARTNER"),
                    Some("SCORES"),
                    Some(""),
                    Some(""),
                    Some(""),
                    Some(""),
                    Some(""),
                ],
            ],
        );
        let grants = rows(
            &[
                "created_on",
                "privilege",
                "granted_on",
                "name",
                "granted_to",
                "grantee_name",
                "grant_option",
                "granted_by",
            ],
            &[
                &[
                    Some("t"),
                    Some("SELECT"),
                    Some("TABLE"),
                    Some("DATA_SHARING_DEMO.DATA_SHARING_DEMO.\"customer data\""),
                    Some("SHARE"),
                    Some("XY123.DATA_SHARING_DEMO"),
                    Some("false"),
                    Some("ACCOUNTADMIN"),
                ],
                &[
                    Some("t"),
                    Some("USAGE"),
                    Some("DATABASE"),
                    Some("DATA_SHARING_DEMO"),
                    Some("SHARE"),
                    Some("XY123.DATA_SHARING_DEMO"),
                    Some("false"),
                    Some("ACCOUNTADMIN"),
                ],
                &[
                    Some("t"),
                    Some("USAGE"),
                    Some("SCHEMA"),
                    Some("DATA_SHARING_DEMO.DATA_SHARING_DEMO"),
                    Some("SHARE"),
                    Some("XY123.DATA_SHARING_DEMO"),
                    Some("false"),
                    Some("ACCOUNTADMIN"),
                ],
            ],
        );
        let mut results = Results::default();
        results.insert(Query::Show(ObjectKind::Share), shares);
        results.insert(Query::ShareGrants(ident("data_sharing_demo")), grants);
        let mut desired = crate::model::Catalog::new();
        desired.insert(
            id(&bank(), ObjectKind::Share, "data_sharing_demo"),
            Spec::Share(Default::default()),
        );
        desired.insert(
            id(&bank(), ObjectKind::Share, "scores"),
            Spec::Share(Default::default()),
        );
        let found = observe(&results, &Scope::from_desired(&bank(), &desired));
        assert_eq!(found.len(), 1, "inbound shares are not ours");
        let Spec::Share(s) = &found[0].1 else {
            panic!()
        };
        assert_eq!(s.accounts.len(), 2);
        assert_eq!(s.grants[0].on_kind, ObjectKind::Database);
        assert_eq!(s.grants[2].on.name.as_str(), "customer data");
    }

    #[test]
    fn revokes_before_grants_and_accounts_last() {
        let c = ctx();
        let sid = id(&bank(), ObjectKind::Share, "s");
        let g = |p: &str, k, n: &str| ShareGrant {
            privilege: p.into(),
            on_kind: k,
            on: name(n),
        };
        let observed = normalize(
            &ShareSpec {
                grants: vec![
                    g("USAGE", ObjectKind::Database, "a"),
                    g("SELECT", ObjectKind::Table, "a.s.old"),
                ],
                ..Default::default()
            },
            &c,
        );
        let desired = normalize(
            &ShareSpec {
                grants: vec![
                    g("usage", ObjectKind::Database, "a"),
                    g("usage", ObjectKind::Schema, "a.s"),
                    g("select", ObjectKind::Table, "a.s.t"),
                ],
                accounts: vec![AccountRef::Project(partner())],
                ..Default::default()
            },
            &c,
        );
        let change = update(&sid, &desired, &observed, &c).unwrap();
        let sql: Vec<String> = change.statements.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            sql,
            [
                "REVOKE SELECT ON TABLE A.S.OLD FROM SHARE S",
                "GRANT USAGE ON SCHEMA A.S TO SHARE S",
                "GRANT SELECT ON TABLE A.S.T TO SHARE S",
                "ALTER SHARE S ADD ACCOUNTS = LOCALORG.PARTNER",
            ]
        );
    }
}
