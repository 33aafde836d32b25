//! File formats: type options and comment in place; a TYPE change is a replace.
//! SHOW FILE FORMATS `format_options` carries every option with its default, so only
//! the options the manifest declares are compared.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diff::{Action, Change, Hazard, Shown};
use crate::model::{FileFormatSpec, Ident, ObjectId, ObjectKind, Spec};
use crate::sql;

use super::common::{self, Props, change, keyword, stmt};
use super::scope::schema_object_name;
use super::{Context, Results, Scope};

/// Options whose values are keywords compared case-insensitively.
const KEYWORD_OPTIONS: [&str; 5] = [
    "COMPRESSION",
    "BINARY_FORMAT",
    "ENCODING",
    "TYPE",
    "ON_ERROR",
];

fn normalize_value(key: &str, value: &Value) -> Value {
    match value {
        Value::String(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
        Value::String(s) if KEYWORD_OPTIONS.contains(&key) => Value::String(s.to_ascii_uppercase()),
        Value::String(s) if key == "SKIP_HEADER" => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| value.clone()),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| normalize_value(key, v)).collect())
        }
        other => other.clone(),
    }
}

pub fn normalize(spec: &FileFormatSpec, _ctx: &Context) -> FileFormatSpec {
    let options: BTreeMap<String, Value> = spec
        .options
        .iter()
        .map(|(k, v)| {
            let key = k.trim().to_ascii_uppercase();
            let value = normalize_value(&key, v);
            (key, value)
        })
        .filter(|(k, _)| k != "TYPE")
        .collect();
    FileFormatSpec {
        format_type: spec.format_type.trim().to_ascii_uppercase(),
        options,
        comment: spec.comment.clone(),
    }
}

fn value_sql(value: &Value) -> String {
    match value {
        Value::Bool(b) => common::bool_sql(*b).to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => sql::literal(s),
        Value::Array(items) => format!(
            "({})",
            items.iter().map(value_sql).collect::<Vec<_>>().join(", ")
        ),
        Value::Null => "NULL".into(),
        Value::Object(_) => sql::literal(&value.to_string()),
    }
}

fn option_sql(key: &str, value: &Value) -> String {
    // Keys come from manifests: rendered as identifiers so they can never inject.
    format!("{} = {}", Ident::from_stored(key).sql(), value_sql(value))
}

fn show_value(v: &Value) -> Shown {
    Shown::from(v)
}

fn create_sql(id: &ObjectId, spec: &FileFormatSpec, replace: bool) -> String {
    let verb = if replace {
        "CREATE OR REPLACE"
    } else {
        "CREATE"
    };
    let mut sql = format!(
        "{verb} FILE FORMAT {} TYPE = {}",
        id.name.sql(),
        keyword(&spec.format_type)
    );
    for (k, v) in &spec.options {
        sql.push(' ');
        sql.push_str(&option_sql(k, v));
    }
    sql.push_str(&common::comment_clause(&spec.comment));
    sql
}

pub fn create(id: &ObjectId, spec: &FileFormatSpec, _ctx: &Context) -> Change {
    let mut p = Props::default();
    p.push("type", None, Some(spec.format_type.clone()));
    for (k, v) in &spec.options {
        p.push_typed(&k.to_ascii_lowercase(), None, Some(show_value(v)));
    }
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
    desired: &FileFormatSpec,
    observed: &FileFormatSpec,
    _ctx: &Context,
) -> Option<Change> {
    let mut props = Props::default();
    if !desired.format_type.is_empty() && desired.format_type != observed.format_type {
        props.push(
            "type",
            Some(observed.format_type.clone()),
            Some(desired.format_type.clone()),
        );
        return Some(change(
            id,
            Action::Replace,
            Some("file format TYPE cannot be changed in place".into()),
            props,
            vec![stmt(create_sql(id, desired, true))],
            vec![Hazard::RecreatesObject, Hazard::LosesGrants],
        ));
    }
    let mut set = Vec::new();
    for (k, v) in &desired.options {
        let have = observed.options.get(k);
        if have != Some(v) {
            props.push_typed(
                &k.to_ascii_lowercase(),
                have.map(show_value),
                Some(show_value(v)),
            );
            set.push(option_sql(k, v));
        }
    }
    if props.cmp_comment(&desired.comment, &observed.comment) {
        set.push(format!(
            "COMMENT = {}",
            sql::literal(desired.comment.as_deref().unwrap_or(""))
        ));
    }
    if set.is_empty() {
        return None;
    }
    let sql = format!("ALTER FILE FORMAT {} SET {}", id.name.sql(), set.join(" "));
    Some(change(
        id,
        Action::Alter,
        None,
        props,
        vec![stmt(sql)],
        vec![],
    ))
}

pub fn drop(id: &ObjectId, _observed: &FileFormatSpec) -> Change {
    let sql = format!("DROP FILE FORMAT IF EXISTS {}", id.name.sql());
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(sql)],
        vec![Hazard::LosesGrants],
    )
}

pub fn parse_row(
    row: &crate::runtime::session::Row<'_>,
) -> Option<(crate::model::ObjectName, FileFormatSpec)> {
    let name = schema_object_name(row)?;
    let options: BTreeMap<String, Value> = row
        .get("format_options")
        .and_then(|t| serde_json::from_str::<BTreeMap<String, Value>>(t).ok())
        .unwrap_or_default();
    let spec = FileFormatSpec {
        format_type: common::clean(row.get("type")).unwrap_or_default(),
        options,
        comment: common::comment(row.get("comment")),
    };
    Some((name, spec))
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    scope.observe_managed(results, ObjectKind::FileFormat, parse_row, Spec::FileFormat)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    #[test]
    fn compares_only_declared_options_from_format_options() {
        let r = rows(
            &[
                "created_on",
                "name",
                "database_name",
                "schema_name",
                "type",
                "owner",
                "comment",
                "owner_role_type",
                "format_options",
            ],
            &[&[
                Some("t"),
                Some("CSV_FF"),
                Some("DB"),
                Some("S"),
                Some("CSV"),
                Some("SYSADMIN"),
                Some(""),
                Some("ROLE"),
                Some(
                    r#"{"TYPE":"CSV","RECORD_DELIMITER":"\n","FIELD_DELIMITER":",","SKIP_HEADER":1,"COMPRESSION":"GZIP","NULL_IF":["\\N"],"TRIM_SPACE":false}"#,
                ),
            ]],
        );
        let (name, observed) = parse_row(&r.iter().next().unwrap()).unwrap();
        assert_eq!(name.sql(), "DB.S.CSV_FF");
        let desired = FileFormatSpec {
            format_type: "csv".into(),
            options: [
                ("skip_header".to_string(), serde_json::json!("1")),
                ("compression".into(), serde_json::json!("gzip")),
                ("trim_space".into(), serde_json::json!("false")),
            ]
            .into(),
            comment: None,
        };
        let c = ctx();
        let fid = id(&bank(), ObjectKind::FileFormat, "db.s.csv_ff");
        assert!(
            update(
                &fid,
                &normalize(&desired, &c),
                &normalize(&observed, &c),
                &c
            )
            .is_none()
        );
        let mut changed = normalize(&desired, &c);
        changed
            .options
            .insert("SKIP_HEADER".into(), serde_json::json!(2));
        let change = update(&fid, &changed, &normalize(&observed, &c), &c).unwrap();
        assert_eq!(
            change.statements[0].to_string(),
            "ALTER FILE FORMAT DB.S.CSV_FF SET SKIP_HEADER = 2"
        );
    }
}
