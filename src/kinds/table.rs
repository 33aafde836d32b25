//! Tables: columns, change tracking, clustering, retention, comment.
//!
//! Columns are matched by name (order is not compared: Snowflake appends added
//! columns). In place: add/drop a column, comment, nullability, VARCHAR and NUMBER
//! precision growth, change tracking, clustering, retention, comment. A TRANSIENT
//! toggle, any other type change or a default change rebuilds the table
//! (`CREATE OR REPLACE … COPY GRANTS`, which loses the rows: `drops_data`).
//! Columns are read for every table of a managed database with one
//! INFORMATION_SCHEMA query.

use std::collections::BTreeMap;

use crate::diff::{Action, Change, Hazard, PropertyChange};
use crate::model::{ColumnSpec, Ident, ObjectId, ObjectKind, ObjectName, Spec, TableSpec};
use crate::sql;

use super::common::{self, Props, change, stmt};
use super::scope::schema_object_name;
use super::{Context, Query, Results, Scope, types};

fn normalize_cluster(exprs: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for e in exprs {
        let mut e = common::collapse_ws(e);
        // SHOW TABLES prints `LINEAR(C1, C3)`.
        if e.to_ascii_uppercase().starts_with("LINEAR(") && e.ends_with(')') {
            e = e[7..e.len() - 1].to_string();
        }
        for part in common::split_top_level(&e) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            out.push(if part.contains('"') || part.contains('\'') {
                part.to_string()
            } else {
                part.to_ascii_uppercase()
            });
        }
    }
    out
}

pub fn normalize_column(c: &ColumnSpec) -> ColumnSpec {
    ColumnSpec {
        name: c.name.clone(),
        data_type: types::normalize(&c.data_type),
        nullable: c.nullable,
        default: c.default.as_ref().map(|d| d.trim().to_string()),
        comment: c.comment.clone(),
    }
}

pub fn normalize(spec: &TableSpec, _ctx: &Context) -> TableSpec {
    TableSpec {
        transient: spec.transient,
        columns: spec.columns.iter().map(normalize_column).collect(),
        change_tracking: spec.change_tracking,
        cluster_by: spec.cluster_by.as_ref().map(|c| normalize_cluster(c)),
        data_retention_time_in_days: spec.data_retention_time_in_days,
        comment: spec.comment.clone(),
    }
}

fn column_sql(c: &ColumnSpec) -> String {
    let mut sql = format!("{} {}", c.name.sql(), c.data_type);
    if c.nullable == Some(false) {
        sql.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        sql.push_str(&format!(" DEFAULT {d}"));
    }
    if let Some(comment) = &c.comment {
        sql.push_str(&format!(" COMMENT {}", sql::literal(comment)));
    }
    sql
}

/// A column as an item of the `columns` list in plans: its definition, without the
/// empty comment an observed column reports.
fn column_item(c: &ColumnSpec) -> String {
    let mut c = c.clone();
    c.comment = c.comment.filter(|text| !text.is_empty());
    column_sql(&c)
}

fn create_sql(id: &ObjectId, spec: &TableSpec, replace: bool) -> String {
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
    let cols: Vec<String> = spec.columns.iter().map(column_sql).collect();
    let mut sql = format!(
        "{verb} {transient}TABLE {} ({})",
        id.name.sql(),
        cols.join(", ")
    );
    if let Some(c) = spec.cluster_by.as_ref().filter(|c| !c.is_empty()) {
        sql.push_str(&format!(" CLUSTER BY ({})", c.join(", ")));
    }
    if let Some(days) = spec.data_retention_time_in_days {
        sql.push_str(&format!(" DATA_RETENTION_TIME_IN_DAYS = {days}"));
    }
    if let Some(ct) = spec.change_tracking {
        sql.push_str(&format!(" CHANGE_TRACKING = {}", common::bool_sql(ct)));
    }
    if replace {
        sql.push_str(" COPY GRANTS");
    }
    sql.push_str(&common::comment_clause(&spec.comment));
    sql
}

fn show_columns(cols: &[ColumnSpec]) -> Vec<String> {
    cols.iter()
        .map(|c| format!("{} {}", c.name.sql(), c.data_type))
        .collect()
}

pub fn create(id: &ObjectId, spec: &TableSpec, _ctx: &Context) -> Change {
    let mut p = Props::default();
    p.declare("transient", &spec.transient, common::show_bool);
    p.push_list("columns", None, Some(&show_columns(&spec.columns)));
    p.declare("change_tracking", &spec.change_tracking, common::show_bool);
    p.declare("cluster_by", &spec.cluster_by, |c| c.join(", "));
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

fn replace(id: &ObjectId, desired: &TableSpec, props: Props, reason: String) -> Change {
    change(
        id,
        Action::Replace,
        Some(reason),
        props,
        vec![stmt(create_sql(id, desired, true))],
        vec![Hazard::DropsData, Hazard::RecreatesObject],
    )
}

pub fn update(
    id: &ObjectId,
    desired: &TableSpec,
    observed: &TableSpec,
    _ctx: &Context,
) -> Option<Change> {
    let name = id.name.sql();
    let mut props = Props::default();
    let observed_transient = Some(observed.transient.unwrap_or(false));
    if props.cmp(
        "transient",
        &desired.transient,
        &observed_transient,
        common::show_bool,
    ) {
        return Some(replace(
            id,
            desired,
            props,
            "TRANSIENT cannot be changed in place".into(),
        ));
    }
    let have: BTreeMap<&Ident, &ColumnSpec> =
        observed.columns.iter().map(|c| (&c.name, c)).collect();
    let want: BTreeMap<&Ident, &ColumnSpec> =
        desired.columns.iter().map(|c| (&c.name, c)).collect();
    let mut statements = Vec::new();
    let mut hazards = Vec::new();
    let mut rebuild: Option<String> = None;
    // Added and dropped columns are one list property, shown as `+`/`-` items; the
    // list is the table's columns before and after (ADD COLUMN appends).
    let columns_at = props.0.len();
    let mut added = Vec::new();
    for c in &desired.columns {
        let col = format!("column {}", c.name.sql());
        let Some(o) = have.get(&c.name) else {
            added.push(column_item(c));
            statements.push(stmt(format!(
                "ALTER TABLE {name} ADD COLUMN {}",
                column_sql(c)
            )));
            continue;
        };
        if c.data_type != o.data_type {
            props.push(
                &format!("{col} type"),
                Some(o.data_type.clone()),
                Some(c.data_type.clone()),
            );
            if types::widening_in_place(&o.data_type, &c.data_type) {
                statements.push(stmt(format!(
                    "ALTER TABLE {name} ALTER COLUMN {} SET DATA TYPE {}",
                    c.name.sql(),
                    c.data_type
                )));
            } else {
                rebuild.get_or_insert(format!(
                    "column {} cannot change from {} to {} in place",
                    c.name.sql(),
                    o.data_type,
                    c.data_type
                ));
            }
        }
        if props.cmp(
            &format!("{col} default"),
            &c.default,
            &o.default,
            common::show_str,
        ) {
            rebuild.get_or_insert(format!(
                "the default of column {} cannot be changed in place",
                c.name.sql()
            ));
        }
        let observed_nullable = Some(o.nullable.unwrap_or(true));
        if props.cmp(
            &format!("{col} nullable"),
            &c.nullable,
            &observed_nullable,
            common::show_bool,
        ) {
            let verb = if c.nullable == Some(false) {
                "SET NOT NULL"
            } else {
                "DROP NOT NULL"
            };
            statements.push(stmt(format!(
                "ALTER TABLE {name} ALTER COLUMN {} {verb}",
                c.name.sql()
            )));
        }
        let observed_comment = Some(o.comment.clone().unwrap_or_default());
        if props.cmp(
            &format!("{col} comment"),
            &c.comment,
            &observed_comment,
            common::show_str,
        ) {
            let comment = c.comment.clone().unwrap_or_default();
            statements.push(stmt(if comment.is_empty() {
                format!(
                    "ALTER TABLE {name} ALTER COLUMN {} UNSET COMMENT",
                    c.name.sql()
                )
            } else {
                format!(
                    "ALTER TABLE {name} ALTER COLUMN {} COMMENT {}",
                    c.name.sql(),
                    sql::literal(&comment)
                )
            }));
        }
    }
    // No declared columns means the columns are not managed: nothing is dropped.
    let columns_declared = !desired.columns.is_empty();
    let mut kept = Vec::new();
    for o in &observed.columns {
        if columns_declared && !want.contains_key(&o.name) {
            statements.push(stmt(format!(
                "ALTER TABLE {name} DROP COLUMN {}",
                o.name.sql()
            )));
            hazards.push(Hazard::DropsData);
        } else {
            kept.push(column_item(o));
        }
    }
    if !added.is_empty() || kept.len() != observed.columns.len() {
        let before: Vec<String> = observed.columns.iter().map(column_item).collect();
        kept.extend(added);
        props.0.insert(
            columns_at,
            PropertyChange::list("columns", Some(&before), Some(&kept)),
        );
    }
    if let Some(reason) = rebuild {
        return Some(replace(id, desired, props, reason));
    }
    let observed_ct = Some(observed.change_tracking.unwrap_or(false));
    if props.cmp(
        "change_tracking",
        &desired.change_tracking,
        &observed_ct,
        common::show_bool,
    ) {
        statements.push(stmt(format!(
            "ALTER TABLE {name} SET CHANGE_TRACKING = {}",
            common::bool_sql(desired.change_tracking == Some(true))
        )));
    }
    let observed_cluster = Some(observed.cluster_by.clone().unwrap_or_default());
    if props.cmp("cluster_by", &desired.cluster_by, &observed_cluster, |c| {
        c.join(", ")
    }) {
        match desired.cluster_by.as_ref().filter(|c| !c.is_empty()) {
            Some(c) => statements.push(stmt(format!(
                "ALTER TABLE {name} CLUSTER BY ({})",
                c.join(", ")
            ))),
            None => statements.push(stmt(format!("ALTER TABLE {name} DROP CLUSTERING KEY"))),
        }
    }
    let target = format!("TABLE {name}");
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
    common::altered(id, props, statements, hazards)
}

pub fn drop(id: &ObjectId, _observed: &TableSpec) -> Change {
    let sql = format!("DROP TABLE IF EXISTS {}", id.name.sql());
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(sql)],
        vec![Hazard::DropsData, Hazard::LosesGrants],
    )
}

pub fn parse_row(row: &crate::runtime::session::Row<'_>) -> Option<(ObjectName, TableSpec)> {
    let name = schema_object_name(row)?;
    let kind = row.get("kind").unwrap_or("TABLE").to_ascii_uppercase();
    let cluster = common::clean(row.get("cluster_by"));
    let spec = TableSpec {
        transient: Some(kind == "TRANSIENT"),
        columns: Vec::new(),
        change_tracking: Some(common::parse_bool(row.get("change_tracking")).unwrap_or(false)),
        cluster_by: Some(cluster.map(|c| vec![c]).unwrap_or_default()),
        data_retention_time_in_days: common::parse_num(row.get("retention_time")),
        comment: common::comment(row.get("comment")),
    };
    Some((name, spec))
}

/// A column type from INFORMATION_SCHEMA.COLUMNS (`TEXT` + length → `VARCHAR(n)`).
pub fn info_schema_type(row: &crate::runtime::session::Row<'_>) -> String {
    let base = row
        .get("DATA_TYPE")
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    if base.contains('(') {
        return types::normalize(&base);
    }
    let num = |c: &str| common::clean(row.get(c));
    let t = match base.as_str() {
        "TEXT" | "VARCHAR" | "STRING" => match num("CHARACTER_MAXIMUM_LENGTH") {
            Some(n) => format!("VARCHAR({n})"),
            None => "VARCHAR".into(),
        },
        "BINARY" => match num("CHARACTER_MAXIMUM_LENGTH") {
            Some(n) => format!("BINARY({n})"),
            None => "BINARY".into(),
        },
        "NUMBER" | "FIXED" | "DECIMAL" => match (num("NUMERIC_PRECISION"), num("NUMERIC_SCALE")) {
            (Some(p), Some(s)) => format!("NUMBER({p},{s})"),
            (Some(p), None) => format!("NUMBER({p},0)"),
            _ => "NUMBER".into(),
        },
        "TIMESTAMP_NTZ" | "TIMESTAMP_LTZ" | "TIMESTAMP_TZ" | "TIME" => {
            match num("DATETIME_PRECISION") {
                Some(p) => format!("{base}({p})"),
                None => base.clone(),
            }
        }
        _ => base.clone(),
    };
    types::normalize(&t)
}

/// Columns per table from one database's INFORMATION_SCHEMA.COLUMNS rows.
pub fn parse_columns(
    rows: &crate::runtime::session::Rows,
    database: &Ident,
) -> BTreeMap<ObjectName, Vec<(i64, ColumnSpec)>> {
    let mut out: BTreeMap<ObjectName, Vec<(i64, ColumnSpec)>> = BTreeMap::new();
    for row in rows.iter() {
        let (Some(schema), Some(table), Some(column)) = (
            row.get("TABLE_SCHEMA"),
            row.get("TABLE_NAME"),
            row.get("COLUMN_NAME"),
        ) else {
            continue;
        };
        if schema == "INFORMATION_SCHEMA" {
            continue;
        }
        let name = ObjectName::in_schema(
            database.clone(),
            Ident::from_stored(schema),
            Ident::from_stored(table),
        );
        let position = common::parse_num(row.get("ORDINAL_POSITION")).unwrap_or(i64::MAX);
        let spec = ColumnSpec {
            name: Ident::from_stored(column),
            data_type: info_schema_type(&row),
            nullable: common::parse_bool(row.get("IS_NULLABLE")),
            default: common::clean(row.get("COLUMN_DEFAULT")),
            comment: Some(row.get("COMMENT").unwrap_or("").to_string()),
        };
        out.entry(name).or_default().push((position, spec));
    }
    out
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    let mut columns = BTreeMap::new();
    for db in &scope.local_databases {
        columns.extend(parse_columns(results.get(&Query::Columns(db.clone())), db));
    }
    let mut out = Vec::new();
    for row in results.get(&Query::Show(ObjectKind::Table)).iter() {
        let Some((name, mut spec)) = parse_row(&row) else {
            continue;
        };
        if !scope.manages(&name) && !scope.stream_tables.contains(&name) {
            continue;
        }
        if let Some(mut cols) = columns.remove(&name) {
            cols.sort_by_key(|(p, _)| *p);
            spec.columns = cols.into_iter().map(|(_, c)| c).collect();
        }
        out.push((
            ObjectId::new(scope.account(), ObjectKind::Table, name),
            Spec::Table(spec),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    fn show_tables() -> crate::runtime::session::Rows {
        rows(
            &[
                "created_on",
                "name",
                "database_name",
                "schema_name",
                "kind",
                "comment",
                "cluster_by",
                "rows",
                "bytes",
                "owner",
                "retention_time",
                "automatic_clustering",
                "change_tracking",
                "search_optimization",
                "search_optimization_progress",
                "search_optimization_bytes",
                "is_external",
                "enable_schema_evolution",
                "owner_role_type",
                "is_event",
                "is_hybrid",
                "is_iceberg",
                "is_immutable",
            ],
            &[
                &[
                    Some("t"),
                    Some("CC"),
                    Some("DB"),
                    Some("S"),
                    Some("TABLE"),
                    Some(""),
                    Some(""),
                    Some("0"),
                    Some("0"),
                    Some("SYSADMIN"),
                    Some("1"),
                    Some("OFF"),
                    Some("ON"),
                    Some("OFF"),
                    None,
                    None,
                    Some("N"),
                    Some("N"),
                    Some("ROLE"),
                    Some("N"),
                    Some("N"),
                    Some("N"),
                    Some("N"),
                ],
                &[
                    Some("t"),
                    Some("TMP"),
                    Some("DB"),
                    Some("S"),
                    Some("TRANSIENT"),
                    Some("x"),
                    Some("LINEAR(A, to_date(B))"),
                    Some("0"),
                    Some("0"),
                    Some("SYSADMIN"),
                    Some("0"),
                    Some("OFF"),
                    Some("OFF"),
                    Some("OFF"),
                    None,
                    None,
                    Some("N"),
                    Some("N"),
                    Some("ROLE"),
                    Some("N"),
                    Some("N"),
                    Some("N"),
                    Some("N"),
                ],
            ],
        )
    }

    fn columns() -> crate::runtime::session::Rows {
        let cols = [
            "TABLE_CATALOG",
            "TABLE_SCHEMA",
            "TABLE_NAME",
            "COLUMN_NAME",
            "ORDINAL_POSITION",
            "COLUMN_DEFAULT",
            "IS_NULLABLE",
            "DATA_TYPE",
            "CHARACTER_MAXIMUM_LENGTH",
            "NUMERIC_PRECISION",
            "NUMERIC_SCALE",
            "DATETIME_PRECISION",
            "COMMENT",
        ];
        rows(
            &cols,
            &[
                &[
                    Some("DB"),
                    Some("S"),
                    Some("CC"),
                    Some("S_2"),
                    Some("2"),
                    None,
                    Some("YES"),
                    Some("DATE"),
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
                &[
                    Some("DB"),
                    Some("S"),
                    Some("CC"),
                    Some("customer_ID"),
                    Some("1"),
                    None,
                    Some("NO"),
                    Some("TEXT"),
                    Some("16777216"),
                    None,
                    None,
                    None,
                    Some("id"),
                ],
                &[
                    Some("DB"),
                    Some("S"),
                    Some("CC"),
                    Some("B_1"),
                    Some("3"),
                    Some("0"),
                    Some("YES"),
                    Some("NUMBER"),
                    None,
                    Some("38"),
                    Some("0"),
                    None,
                    None,
                ],
                &[
                    Some("DB"),
                    Some("S"),
                    Some("CC"),
                    Some("T"),
                    Some("4"),
                    None,
                    Some("YES"),
                    Some("TIMESTAMP_NTZ"),
                    None,
                    None,
                    None,
                    Some("9"),
                    None,
                ],
                &[
                    Some("DB"),
                    Some("INFORMATION_SCHEMA"),
                    Some("TABLES"),
                    Some("X"),
                    Some("1"),
                    None,
                    Some("YES"),
                    Some("TEXT"),
                    Some("10"),
                    None,
                    None,
                    None,
                    None,
                ],
            ],
        )
    }

    #[test]
    fn parses_show_tables_and_information_schema_columns() {
        let mut results = Results::default();
        results.insert(Query::Show(ObjectKind::Table), show_tables());
        results.insert(Query::Columns(ident("db")), columns());
        let mut desired = crate::model::Catalog::new();
        desired.insert(
            id(&bank(), ObjectKind::Database, "db"),
            Spec::Database(Default::default()),
        );
        let scope = Scope::from_desired(&bank(), &desired);
        let found = observe(&results, &scope);
        assert_eq!(found.len(), 2);
        let Spec::Table(cc) = &found[0].1 else {
            panic!()
        };
        assert_eq!(cc.change_tracking, Some(true));
        let cols: Vec<String> = cc
            .columns
            .iter()
            .map(|c| format!("{} {}", c.name.sql(), c.data_type))
            .collect();
        assert_eq!(
            cols,
            [
                "\"customer_ID\" VARCHAR(16777216)",
                "S_2 DATE",
                "B_1 NUMBER(38,0)",
                "T TIMESTAMP_NTZ(9)"
            ]
        );
        assert_eq!(cc.columns[0].nullable, Some(false));
        let Spec::Table(tmp) = &found[1].1 else {
            panic!()
        };
        assert_eq!(tmp.transient, Some(true));
        assert_eq!(
            normalize(tmp, &ctx()).cluster_by,
            Some(vec!["A".to_string(), "TO_DATE(B)".to_string()])
        );
        // The manifest spelling of the same table is not drift.
        let desired = TableSpec {
            columns: vec![
                column("\"customer_ID\"", "string"),
                column("s_2", "date"),
                column("b_1", "int"),
                column("t", "timestamp"),
            ],
            change_tracking: Some(true),
            ..Default::default()
        };
        let c = ctx();
        let tid = id(&bank(), ObjectKind::Table, "db.s.cc");
        assert!(update(&tid, &normalize(&desired, &c), &normalize(cc, &c), &c).is_none());
    }

    #[test]
    fn column_changes_in_place_and_by_rebuild() {
        let c = ctx();
        let tid = id(&bank(), ObjectKind::Table, "db.s.t");
        let observed = normalize(
            &TableSpec {
                columns: vec![
                    column("a", "varchar(10)"),
                    column("b", "number(10,2)"),
                    column("gone", "int"),
                ],
                ..Default::default()
            },
            &c,
        );
        let grow = normalize(
            &TableSpec {
                columns: vec![column("a", "varchar(20)"), column("b", "number(12,2)")],
                ..Default::default()
            },
            &c,
        );
        let change = update(&tid, &grow, &observed, &c).unwrap();
        assert_eq!(change.action, Action::Alter);
        assert_eq!(
            change
                .statements
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
            [
                "ALTER TABLE DB.S.T ALTER COLUMN A SET DATA TYPE VARCHAR(20)",
                "ALTER TABLE DB.S.T ALTER COLUMN B SET DATA TYPE NUMBER(12,2)",
                "ALTER TABLE DB.S.T DROP COLUMN GONE",
            ]
        );
        assert_eq!(change.hazards, vec![Hazard::DropsData]);
        let undeclared = TableSpec {
            columns: vec![],
            ..observed.clone()
        };
        assert!(update(&tid, &undeclared, &observed, &c).is_none());
        let scale = normalize(
            &TableSpec {
                columns: vec![
                    column("a", "varchar(10)"),
                    column("b", "number(10,3)"),
                    column("gone", "int"),
                ],
                ..Default::default()
            },
            &c,
        );
        let change = update(&tid, &scale, &observed, &c).unwrap();
        assert_eq!(change.action, Action::Replace);
        assert!(
            change
                .reason
                .unwrap()
                .contains("cannot change from NUMBER(10,2) to NUMBER(10,3)")
        );
        let ct = TableSpec {
            change_tracking: Some(true),
            ..observed.clone()
        };
        let change = update(&tid, &ct, &observed, &c).unwrap();
        assert_eq!(
            change.statements[0].to_string(),
            "ALTER TABLE DB.S.T SET CHANGE_TRACKING = TRUE"
        );
    }
}
