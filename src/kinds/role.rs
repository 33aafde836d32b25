//! Roles: only the comment is managed; observed with one `SHOW ROLES`.

use crate::diff::{Action, Change, Hazard};
use crate::model::{Ident, ObjectId, ObjectKind, ObjectName, RoleSpec, Spec};

use super::common::{self, Props, change, stmt};
use super::{Context, Query, Results, Scope};

pub fn normalize(spec: &RoleSpec, _ctx: &Context) -> RoleSpec {
    RoleSpec {
        comment: spec.comment.clone(),
    }
}

pub fn create(id: &ObjectId, spec: &RoleSpec, _ctx: &Context) -> Change {
    let mut props = Props::default();
    props.declare("comment", &spec.comment, common::show_str);
    let sql = format!(
        "CREATE ROLE {}{}",
        id.name.sql(),
        common::comment_clause(&spec.comment)
    );
    change(id, Action::Create, None, props, vec![stmt(sql)], vec![])
}

pub fn update(
    id: &ObjectId,
    desired: &RoleSpec,
    observed: &RoleSpec,
    _ctx: &Context,
) -> Option<Change> {
    let mut props = Props::default();
    let mut statements = Vec::new();
    common::alter_comment(
        &mut props,
        &mut statements,
        &format!("ROLE {}", id.name.sql()),
        &desired.comment,
        &observed.comment,
    );
    common::altered(id, props, statements, vec![])
}

pub fn drop(id: &ObjectId, _observed: &RoleSpec) -> Change {
    let sql = format!("DROP ROLE IF EXISTS {}", id.name.sql());
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(sql)],
        vec![Hazard::LosesGrants],
    )
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    let mut out = Vec::new();
    for row in results.get(&Query::Show(ObjectKind::Role)).iter() {
        let Some(name) = row.get("name") else {
            continue;
        };
        let name = ObjectName::account_level(Ident::from_stored(name));
        if !scope.is_declared(ObjectKind::Role, &name) {
            continue;
        }
        let spec = RoleSpec {
            comment: common::comment(row.get("comment")),
        };
        out.push((
            ObjectId::new(scope.account(), ObjectKind::Role, name),
            Spec::Role(spec),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    #[test]
    fn parses_show_roles_for_declared_roles_only() {
        let r = rows(
            &[
                "created_on",
                "name",
                "is_default",
                "is_current",
                "is_inherited",
                "assigned_to_users",
                "granted_to_roles",
                "granted_roles",
                "owner",
                "comment",
            ],
            &[
                &[
                    Some("t"),
                    Some("ACCOUNTADMIN"),
                    Some("N"),
                    Some("Y"),
                    Some("N"),
                    Some("1"),
                    Some("0"),
                    Some("2"),
                    Some(""),
                    Some(""),
                ],
                &[
                    Some("t"),
                    Some("ANALYST"),
                    Some("N"),
                    Some("N"),
                    Some("N"),
                    Some("0"),
                    Some("0"),
                    Some("0"),
                    Some("USERADMIN"),
                    Some("reads scores"),
                ],
            ],
        );
        let mut results = Results::default();
        results.insert(Query::Show(ObjectKind::Role), r);
        let found = observe(&results, &Scope::from_desired(&bank(), &sample()));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].1,
            Spec::Role(RoleSpec {
                comment: Some("reads scores".into())
            })
        );
    }
}
