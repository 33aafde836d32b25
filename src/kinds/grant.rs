//! Grants of privileges (and roles) to roles. A grant is its own identity: it is
//! either there or not, so the only changes are GRANT and REVOKE. Observed with
//! `SHOW GRANTS TO ROLE` per declared role and per role that receives a desired
//! grant; grants by SYSTEM (empty `granted_by`) are ignored. Granting a system role
//! or OWNERSHIP is flagged as privilege escalation.

use crate::diff::{Action, Change, Hazard};
use crate::model::{GrantOn, GrantSpec, Ident, ObjectId, ObjectKind, ObjectName, Spec};
use crate::sql;

use super::common::{self, Props, change, stmt};
use super::routine;
use super::share::{granted_on_kind, parse_stored_name};
use super::{Context, Query, Results, Scope, types};

pub fn normalize(spec: &GrantSpec, _ctx: &Context) -> GrantSpec {
    let on = match &spec.on {
        GrantOn::Object {
            kind,
            name,
            signature,
        } => GrantOn::Object {
            kind: *kind,
            name: name.clone(),
            signature: signature
                .as_ref()
                .map(|s| s.iter().map(|t| types::legacy(t)).collect()),
        },
        other => other.clone(),
    };
    GrantSpec {
        privilege: common::collapse_ws(&spec.privilege).to_ascii_uppercase(),
        on,
        to_role: spec.to_role.clone(),
    }
}

fn privilege_sql(p: &str) -> String {
    if !p.is_empty()
        && p.chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c == ' ')
    {
        p.to_string()
    } else {
        sql::literal(p)
    }
}

fn target_sql(on: &GrantOn) -> String {
    match on {
        GrantOn::Account => "ACCOUNT".into(),
        GrantOn::Object {
            kind,
            name,
            signature,
        } => {
            let sig = signature
                .as_ref()
                .map(|s| format!("({})", s.join(", ")))
                .unwrap_or_default();
            format!("{} {}{}", kind.sql_keyword(), name.sql(), sig)
        }
        GrantOn::Role(r) => r.sql(),
    }
}

pub fn grant_sql(spec: &GrantSpec) -> String {
    match &spec.on {
        GrantOn::Role(r) => format!("GRANT ROLE {} TO ROLE {}", r.sql(), spec.to_role.sql()),
        on => format!(
            "GRANT {} ON {} TO ROLE {}",
            privilege_sql(&spec.privilege),
            target_sql(on),
            spec.to_role.sql()
        ),
    }
}

pub fn revoke_sql(spec: &GrantSpec) -> String {
    match &spec.on {
        GrantOn::Role(r) => format!("REVOKE ROLE {} FROM ROLE {}", r.sql(), spec.to_role.sql()),
        on => format!(
            "REVOKE {} ON {} FROM ROLE {}",
            privilege_sql(&spec.privilege),
            target_sql(on),
            spec.to_role.sql()
        ),
    }
}

/// Roles Snowflake creates in every account whose holder administers the account.
pub const SYSTEM_ADMIN_ROLES: [&str; 5] = [
    "ACCOUNTADMIN",
    "SECURITYADMIN",
    "SYSADMIN",
    "ORGADMIN",
    "USERADMIN",
];

/// True when the grant hands out a system administration role or OWNERSHIP.
pub fn is_escalation(spec: &GrantSpec) -> bool {
    match &spec.on {
        GrantOn::Role(role) => SYSTEM_ADMIN_ROLES.contains(&role.as_str()),
        _ => spec.privilege.eq_ignore_ascii_case("OWNERSHIP"),
    }
}

pub fn create(id: &ObjectId, spec: &GrantSpec, _ctx: &Context) -> Change {
    // The grant's key is its identity, already in the step's header: no properties.
    let hazards = if is_escalation(spec) {
        vec![Hazard::EscalatesPrivilege]
    } else {
        vec![]
    };
    change(
        id,
        Action::Create,
        None,
        Props::default(),
        vec![stmt(grant_sql(spec))],
        hazards,
    )
}

pub fn update(
    _id: &ObjectId,
    _desired: &GrantSpec,
    _observed: &GrantSpec,
    _ctx: &Context,
) -> Option<Change> {
    // The key is the whole grant: same identity means same grant.
    None
}

pub fn drop(id: &ObjectId, observed: &GrantSpec) -> Change {
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(revoke_sql(observed))],
        vec![Hazard::RevokesAccess],
    )
}

/// `P(A VARCHAR, B NUMBER):VARCHAR(16777216)` (the last part of a routine grant's
/// `name`) → (`P`, `["VARCHAR", "NUMBER"]`).
pub fn parse_routine_name(text: &str) -> Option<(Ident, Vec<String>)> {
    let open = text.find('(')?;
    let close = text.rfind("):").or_else(|| text.rfind(')'))?;
    let name = Ident::from_stored(&text[..open]);
    let args = routine::parse_signature(&text[open..=close]);
    Some((
        name,
        args.iter().map(|a| types::legacy(&a.data_type)).collect(),
    ))
}

/// One SHOW GRANTS TO ROLE row → the grant.
pub fn parse_row(row: &crate::runtime::session::Row<'_>) -> Option<GrantSpec> {
    common::clean(row.get("granted_by"))?;
    if let Some(to) = row.get("granted_to")
        && !to.eq_ignore_ascii_case("ROLE")
    {
        return None;
    }
    let to_role = Ident::from_stored(row.get("grantee_name")?);
    let privilege = row.get("privilege")?.trim().to_ascii_uppercase();
    let granted_on = row.get("granted_on")?.trim().to_ascii_uppercase();
    let name = row.get("name")?;
    let on = match granted_on.as_str() {
        "ACCOUNT" => GrantOn::Account,
        "ROLE" => {
            return Some(GrantSpec {
                privilege: String::new(),
                on: GrantOn::Role(Ident::from_stored(name)),
                to_role,
            });
        }
        other => {
            let kind = granted_on_kind(other)?;
            if matches!(kind, ObjectKind::Procedure | ObjectKind::Function) {
                let parts = crate::model::split_dotted(name);
                let [db, schema, last] = parts.as_slice() else {
                    return None;
                };
                let (routine, sig) = parse_routine_name(last.trim_matches('"'))?;
                let unq = |s: &str| Ident::from_stored(s.trim_matches('"'));
                GrantOn::Object {
                    kind,
                    name: ObjectName::in_schema(unq(db), unq(schema), routine),
                    signature: Some(sig),
                }
            } else {
                GrantOn::Object {
                    kind,
                    name: parse_stored_name(name)?,
                    signature: None,
                }
            }
        }
    };
    Some(GrantSpec {
        privilege,
        on,
        to_role,
    })
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    let mut out = Vec::new();
    for role in &scope.grant_roles {
        for row in results.get(&Query::RoleGrants(role.clone())).iter() {
            let Some(grant) = parse_row(&row) else {
                continue;
            };
            let id = ObjectId::new(
                scope.account(),
                ObjectKind::Grant,
                ObjectName::account_level(Ident::from_stored(grant.key())),
            );
            out.push((id, Spec::Grant(grant)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    #[test]
    fn system_roles_and_ownership_escalate() {
        let grant = |privilege: &str, on: GrantOn| GrantSpec {
            privilege: privilege.into(),
            on,
            to_role: Ident::from_stored("ANALYST"),
        };
        let role = |r: &str| GrantOn::Role(Ident::from_stored(r));
        let table = GrantOn::Object {
            kind: ObjectKind::Table,
            name: ObjectName::parse("d.s.t").unwrap(),
            signature: None,
        };
        assert!(is_escalation(&grant("", role("ACCOUNTADMIN"))));
        assert!(is_escalation(&grant("", role("USERADMIN"))));
        assert!(!is_escalation(&grant("", role("READER"))));
        assert!(is_escalation(&grant("OWNERSHIP", table.clone())));
        assert!(!is_escalation(&grant("SELECT", table)));
        let id = ObjectId::new(
            bank(),
            ObjectKind::Grant,
            ObjectName::account_level(Ident::from_stored("k")),
        );
        let create = super::create(&id, &grant("", role("SYSADMIN")), &Context::default());
        assert_eq!(create.hazards, vec![Hazard::EscalatesPrivilege]);
        let revoke = super::drop(&id, &grant("SELECT", GrantOn::Account));
        assert_eq!(revoke.hazards, vec![Hazard::RevokesAccess]);
    }

    #[test]
    fn parses_show_grants_to_role_and_matches_keys() {
        let r = rows(
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
                    Some("USAGE"),
                    Some("WAREHOUSE"),
                    Some("QUERY_WH"),
                    Some("ROLE"),
                    Some("ANALYST"),
                    Some("false"),
                    Some("ACCOUNTADMIN"),
                ],
                &[
                    Some("t"),
                    Some("USAGE"),
                    Some("PROCEDURE"),
                    Some("SCORING.ML.\"SCORE(SRC VARCHAR, DST VARCHAR):VARCHAR(16777216)\""),
                    Some("ROLE"),
                    Some("ANALYST"),
                    Some("false"),
                    Some("ACCOUNTADMIN"),
                ],
                &[
                    Some("t"),
                    Some("USAGE"),
                    Some("ROLE"),
                    Some("READER"),
                    Some("ROLE"),
                    Some("ANALYST"),
                    Some("false"),
                    Some("SECURITYADMIN"),
                ],
                &[
                    Some("t"),
                    Some("USAGE"),
                    Some("DATABASE_ROLE"),
                    Some("SNOWFLAKE.ML_USER"),
                    Some("ROLE"),
                    Some("ANALYST"),
                    Some("false"),
                    Some(""),
                ],
            ],
        );
        let parsed: Vec<GrantSpec> = r.iter().filter_map(|row| parse_row(&row)).collect();
        assert_eq!(parsed.len(), 3);
        assert_eq!(
            parsed[0].key(),
            "USAGE ON WAREHOUSE QUERY_WH TO ROLE ANALYST"
        );
        assert_eq!(
            parsed[1].key(),
            "USAGE ON PROCEDURE SCORING.ML.SCORE(VARCHAR, VARCHAR) TO ROLE ANALYST"
        );
        assert_eq!(parsed[2].key(), "ROLE READER TO ROLE ANALYST");
        assert_eq!(
            grant_sql(&parsed[1]),
            "GRANT USAGE ON PROCEDURE SCORING.ML.SCORE(VARCHAR, VARCHAR) TO ROLE ANALYST"
        );
        assert_eq!(
            revoke_sql(&parsed[2]),
            "REVOKE ROLE READER FROM ROLE ANALYST"
        );
    }
}
