//! Schemas: managed access, retention and comment in place; TRANSIENT by replace.

use crate::diff::{Action, Change, Hazard};
use crate::model::{Ident, ObjectId, ObjectKind, ObjectName, SchemaSpec, Spec};

use super::common::{self, Props, change, stmt};
use super::{Context, Query, Results, Scope};

pub fn normalize(spec: &SchemaSpec, _ctx: &Context) -> SchemaSpec {
    spec.clone()
}

fn create_sql(id: &ObjectId, spec: &SchemaSpec, replace: bool) -> String {
    let verb = if replace {
        "CREATE OR REPLACE"
    } else {
        "CREATE"
    };
    let transient = if spec.transient == Some(true) {
        "TRANSIENT "
    } else {
        ""
    };
    let mut sql = format!("{verb} {transient}SCHEMA {}", id.name.sql());
    if spec.managed_access == Some(true) {
        sql.push_str(" WITH MANAGED ACCESS");
    }
    if let Some(days) = spec.data_retention_time_in_days {
        sql.push_str(&format!(" DATA_RETENTION_TIME_IN_DAYS = {days}"));
    }
    sql.push_str(&common::comment_clause(&spec.comment));
    sql
}

pub fn create(id: &ObjectId, spec: &SchemaSpec, _ctx: &Context) -> Change {
    let mut p = Props::default();
    p.declare("transient", &spec.transient, common::show_bool);
    p.declare("managed_access", &spec.managed_access, common::show_bool);
    p.declare(
        "data_retention_time_in_days",
        &spec.data_retention_time_in_days,
        |v| *v,
    );
    p.declare("comment", &spec.comment, common::show_str);
    change(
        id,
        Action::Create,
        None,
        p,
        vec![stmt(create_sql(id, spec, false))],
        vec![],
    )
}

pub fn update(
    id: &ObjectId,
    desired: &SchemaSpec,
    observed: &SchemaSpec,
    _ctx: &Context,
) -> Option<Change> {
    let mut props = Props::default();
    let name = id.name.sql();
    let observed_transient = Some(observed.transient.unwrap_or(false));
    if props.cmp(
        "transient",
        &desired.transient,
        &observed_transient,
        common::show_bool,
    ) {
        let hazards = vec![
            Hazard::DropsData,
            Hazard::RecreatesObject,
            Hazard::LosesGrants,
        ];
        return Some(change(
            id,
            Action::Replace,
            Some("TRANSIENT cannot be changed in place".into()),
            props,
            vec![stmt(create_sql(id, desired, true))],
            hazards,
        ));
    }
    let mut statements = Vec::new();
    let observed_managed = Some(observed.managed_access.unwrap_or(false));
    if props.cmp(
        "managed_access",
        &desired.managed_access,
        &observed_managed,
        common::show_bool,
    ) {
        let verb = if desired.managed_access == Some(true) {
            "ENABLE"
        } else {
            "DISABLE"
        };
        statements.push(stmt(format!("ALTER SCHEMA {name} {verb} MANAGED ACCESS")));
    }
    let target = format!("SCHEMA {name}");
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

pub fn drop(id: &ObjectId, _observed: &SchemaSpec) -> Change {
    let sql = format!("DROP SCHEMA IF EXISTS {}", id.name.sql());
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(sql)],
        vec![Hazard::DropsData, Hazard::LosesGrants],
    )
}

pub fn parse_row(row: &crate::runtime::session::Row<'_>) -> Option<(ObjectName, SchemaSpec)> {
    let name = ObjectName::in_database(
        Ident::from_stored(row.get("database_name")?),
        Ident::from_stored(row.get("name")?),
    );
    let options = row.get("options").unwrap_or("").to_ascii_uppercase();
    let spec = SchemaSpec {
        transient: Some(options.contains("TRANSIENT")),
        managed_access: Some(options.contains("MANAGED ACCESS")),
        data_retention_time_in_days: common::parse_num(row.get("retention_time")),
        comment: common::comment(row.get("comment")),
    };
    Some((name, spec))
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    let mut out = Vec::new();
    for row in results.get(&Query::Show(ObjectKind::Schema)).iter() {
        let Some((name, spec)) = parse_row(&row) else {
            continue;
        };
        let db = name.database.as_ref().map(Ident::as_str).unwrap_or("");
        if !scope.in_managed_database(db, name.name.as_str()) {
            continue;
        }
        out.push((
            ObjectId::new(scope.account(), ObjectKind::Schema, name),
            Spec::Schema(spec),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    #[test]
    fn parses_options_and_skips_information_schema() {
        let r = rows(
            &[
                "created_on",
                "name",
                "is_default",
                "is_current",
                "database_name",
                "owner",
                "comment",
                "options",
                "retention_time",
                "owner_role_type",
                "object_visibility",
                "is_nested",
            ],
            &[
                &[
                    Some("t"),
                    Some("INFORMATION_SCHEMA"),
                    Some("N"),
                    Some("N"),
                    Some("DB"),
                    Some(""),
                    Some("Views describing the contents of schemas in this database"),
                    Some(""),
                    Some("1"),
                    Some(""),
                    None,
                    Some("N"),
                ],
                &[
                    Some("t"),
                    Some("S"),
                    Some("N"),
                    Some("N"),
                    Some("DB"),
                    Some("SYSADMIN"),
                    Some(""),
                    Some("TRANSIENT, MANAGED ACCESS"),
                    Some("1"),
                    Some("ROLE"),
                    None,
                    Some("N"),
                ],
                &[
                    Some("t"),
                    Some("OTHER"),
                    Some("N"),
                    Some("N"),
                    Some("UNMANAGED"),
                    Some("SYSADMIN"),
                    Some(""),
                    Some(""),
                    Some("1"),
                    Some("ROLE"),
                    None,
                    Some("N"),
                ],
            ],
        );
        let mut results = Results::default();
        results.insert(Query::Show(ObjectKind::Schema), r);
        let mut desired = crate::model::Catalog::new();
        desired.insert(
            id(&bank(), ObjectKind::Database, "db"),
            Spec::Database(Default::default()),
        );
        let scope = Scope::from_desired(&bank(), &desired);
        let found = observe(&results, &scope);
        assert_eq!(found.len(), 1);
        let Spec::Schema(s) = &found[0].1 else {
            panic!()
        };
        assert_eq!((s.transient, s.managed_access), (Some(true), Some(true)));
    }

    #[test]
    fn managed_access_is_altered_in_place() {
        let sid = id(&bank(), ObjectKind::Schema, "db.s");
        let desired = SchemaSpec {
            managed_access: Some(true),
            ..Default::default()
        };
        let observed = SchemaSpec {
            managed_access: Some(false),
            transient: Some(false),
            ..Default::default()
        };
        let c = update(&sid, &desired, &observed, &ctx()).unwrap();
        assert_eq!(
            c.statements[0].to_string(),
            "ALTER SCHEMA DB.S ENABLE MANAGED ACCESS"
        );
    }
}
