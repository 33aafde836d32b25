//! File formats: typed option sets with Snowflake's defaults, shown as the
//! `format_options` JSON of SHOW FILE FORMATS and as DESCRIBE FILE FORMAT rows.
//! Stages reuse the option handling for their inline FILE_FORMAT.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use super::{created, done, text_value};
use crate::emulator::columns::{self, DESC_PROPERTIES, FILE_FORMATS};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, opt};
use crate::emulator::parser::{Parser, Value};
use crate::emulator::render::{fqn, ts};
use crate::emulator::show;
use crate::emulator::storage::{self, Key, Obj};
use crate::runtime::session::Rows;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FileFormatData {
    pub format_type: String,
    /// Options set explicitly (upper-case keys).
    pub options: BTreeMap<String, Json>,
    pub comment: String,
}

/// The options of a type with their defaults, in Snowflake's order.
pub fn defaults(format_type: &str) -> Vec<(&'static str, Json)> {
    match format_type {
        "CSV" => vec![
            ("RECORD_DELIMITER", json!("\n")),
            ("FIELD_DELIMITER", json!(",")),
            ("FILE_EXTENSION", Json::Null),
            ("SKIP_HEADER", json!(0)),
            ("PARSE_HEADER", json!(false)),
            ("DATE_FORMAT", json!("AUTO")),
            ("TIME_FORMAT", json!("AUTO")),
            ("TIMESTAMP_FORMAT", json!("AUTO")),
            ("BINARY_FORMAT", json!("HEX")),
            ("ESCAPE", json!("NONE")),
            ("ESCAPE_UNENCLOSED_FIELD", json!("\\")),
            ("TRIM_SPACE", json!(false)),
            ("FIELD_OPTIONALLY_ENCLOSED_BY", json!("NONE")),
            ("NULL_IF", json!(["\\N"])),
            ("COMPRESSION", json!("AUTO")),
            ("ERROR_ON_COLUMN_COUNT_MISMATCH", json!(true)),
            ("VALIDATE_UTF8", json!(true)),
            ("SKIP_BLANK_LINES", json!(false)),
            ("REPLACE_INVALID_CHARACTERS", json!(false)),
            ("EMPTY_FIELD_AS_NULL", json!(true)),
            ("SKIP_BYTE_ORDER_MARK", json!(true)),
            ("ENCODING", json!("UTF8")),
        ],
        "JSON" => vec![
            ("FILE_EXTENSION", Json::Null),
            ("DATE_FORMAT", json!("AUTO")),
            ("TIME_FORMAT", json!("AUTO")),
            ("TIMESTAMP_FORMAT", json!("AUTO")),
            ("BINARY_FORMAT", json!("HEX")),
            ("TRIM_SPACE", json!(false)),
            ("NULL_IF", json!([])),
            ("COMPRESSION", json!("AUTO")),
            ("ENABLE_OCTAL", json!(false)),
            ("ALLOW_DUPLICATE", json!(false)),
            ("STRIP_OUTER_ARRAY", json!(false)),
            ("STRIP_NULL_VALUES", json!(false)),
            ("IGNORE_UTF8_ERRORS", json!(false)),
            ("REPLACE_INVALID_CHARACTERS", json!(false)),
            ("SKIP_BYTE_ORDER_MARK", json!(true)),
        ],
        "PARQUET" => vec![
            ("TRIM_SPACE", json!(false)),
            ("NULL_IF", json!(["\\N"])),
            ("COMPRESSION", json!("AUTO")),
            ("BINARY_AS_TEXT", json!(true)),
            ("REPLACE_INVALID_CHARACTERS", json!(false)),
        ],
        "XML" => vec![
            ("FILE_EXTENSION", Json::Null),
            ("TRIM_SPACE", json!(false)),
            ("NULL_IF", json!([])),
            ("COMPRESSION", json!("AUTO")),
            ("PRESERVE_SPACE", json!(false)),
            ("STRIP_OUTER_ELEMENT", json!(false)),
            ("DISABLE_SNOWFLAKE_DATA", json!(false)),
            ("DISABLE_AUTO_CONVERT", json!(false)),
            ("REPLACE_INVALID_CHARACTERS", json!(false)),
            ("SKIP_BYTE_ORDER_MARK", json!(true)),
        ],
        _ => vec![
            ("TRIM_SPACE", json!(false)),
            ("NULL_IF", json!([])),
            ("COMPRESSION", json!("AUTO")),
            ("REPLACE_INVALID_CHARACTERS", json!(false)),
        ],
    }
}

pub fn check_type(t: &str) -> Result<String, SfError> {
    let u = t.to_ascii_uppercase();
    if matches!(
        u.as_str(),
        "CSV" | "JSON" | "AVRO" | "ORC" | "PARQUET" | "XML"
    ) {
        Ok(u)
    } else {
        Err(SfError::invalid_value(t, "TYPE"))
    }
}

/// Converts and checks an option value against the type's default.
pub fn option_value(format_type: &str, key: &str, v: &Value) -> Result<Json, SfError> {
    let defaults = defaults(format_type);
    let Some((_, default)) = defaults.iter().find(|(k, _)| *k == key) else {
        return Err(SfError::invalid_property(key, "FILE_FORMAT"));
    };
    let bad = || SfError::invalid_value(&v.text().unwrap_or_else(|| format!("{v:?}")), key);
    Ok(match default {
        Json::Bool(_) => Json::Bool(v.as_bool().ok_or_else(bad)?),
        Json::Number(_) => json!(v.as_i64().ok_or_else(bad)?),
        Json::Array(_) => match v {
            Value::List(items) => Json::Array(
                items
                    .iter()
                    .map(|i| json!(i.text().unwrap_or_default()))
                    .collect(),
            ),
            Value::Str(s) => json!([s]),
            _ => return Err(bad()),
        },
        _ => match v {
            Value::Str(s) => json!(s),
            Value::Word(w) => json!(w.to_ascii_uppercase()),
            _ => return Err(bad()),
        },
    })
}

/// Applies `KEY = value` options (TYPE first) to a format.
pub fn apply(
    d: &mut FileFormatData,
    props: &[(String, Value)],
    allow_type: bool,
) -> Result<(), SfError> {
    if let Some((_, v)) = props.iter().find(|(k, _)| k == "TYPE") {
        if !allow_type {
            return Err(SfError::invalid_property("TYPE", "FILE_FORMAT"));
        }
        let t = check_type(&v.text().unwrap_or_default())?;
        if t != d.format_type {
            d.options.clear();
        }
        d.format_type = t;
    }
    for (k, v) in props {
        match k.as_str() {
            "TYPE" => {}
            "COMMENT" => d.comment = text_value(v, k)?,
            _ => {
                let value = option_value(&d.format_type, k, v)?;
                d.options.insert(k.clone(), value);
            }
        }
    }
    Ok(())
}

/// Every option of the format with its value and default.
pub fn effective(d: &FileFormatData) -> Vec<(&'static str, Json, Json)> {
    defaults(&d.format_type)
        .into_iter()
        .map(|(k, def)| {
            (
                k,
                d.options.get(k).cloned().unwrap_or_else(|| def.clone()),
                def,
            )
        })
        .collect()
}

/// The `format_options` JSON, keys in Snowflake's order (TYPE first).
pub fn format_options_json(d: &FileFormatData) -> String {
    let mut parts = vec![format!("\"TYPE\":{}", json!(d.format_type))];
    for (k, v, _) in effective(d) {
        parts.push(format!("{}:{}", json!(k), v));
    }
    format!("{{{}}}", parts.join(","))
}

/// (type name, rendered value) for DESCRIBE rows; booleans upper-case for file
/// formats, lower-case for stages.
pub fn describe_value(v: &Json, upper_bools: bool) -> (&'static str, String) {
    match v {
        Json::Bool(b) => (
            "Boolean",
            if upper_bools {
                b.to_string().to_ascii_uppercase()
            } else {
                b.to_string()
            },
        ),
        Json::Number(n) => ("Integer", n.to_string()),
        Json::Array(items) => (
            "List",
            format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| i.as_str().unwrap_or_default().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Json::Null => ("String", String::new()),
        Json::String(s) => ("String", s.clone()),
        Json::Object(_) => ("String", v.to_string()),
    }
}

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    head.only(&["TEMPORARY"], "FILE FORMAT")?;
    head.read_ine(p)?;
    let name = p.name(3)?;
    let key = ex.object_key(&name)?;
    let props: Vec<(String, Value)> = p.props(&[])?.into_iter().map(|(k, v, _)| (k, v)).collect();
    p.end()?;
    let mut d = FileFormatData {
        format_type: "CSV".into(),
        ..FileFormatData::default()
    };
    apply(&mut d, &props, true)?;
    ex.writable_schema(&key.db, &key.schema)?;
    if let super::Existing::Skip(rows) =
        super::check_existing(ex, "FILE_FORMAT", &key, &head, "File format")?
    {
        return Ok(rows);
    }
    storage::put(ex.conn, ex.account, "FILE_FORMAT", &ex.new_obj(&key, d))?;
    Ok(created("File format", &key.name))
}

pub fn get(ex: &Ex<'_>, key: &Key) -> Result<Obj<FileFormatData>, SfError> {
    ex.parent_exists(key)?;
    storage::get(ex.conn, ex.account, "FILE_FORMAT", key)?
        .ok_or_else(|| SfError::not_found("File format", &fqn(&[&key.db, &key.schema, &key.name])))
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.name(3)?;
    let key = ex.object_key(&name)?;
    let mut f = match get(ex, &key) {
        Ok(f) => f,
        Err(e) if if_exists && e.message.contains("File format '") => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&f.owner, &format!("file format '{}'", key.name))?;
    if p.eat_kw("SET") {
        let props: Vec<(String, Value)> =
            p.props(&[])?.into_iter().map(|(k, v, _)| (k, v)).collect();
        p.end()?;
        if props.is_empty() {
            return Err(p.error());
        }
        apply(&mut f.data, &props, false)?;
    } else if p.eat_kws(&["RENAME", "TO"]) {
        let new = p.name(3)?;
        p.end()?;
        let new_key = if new.parts.len() == 1 {
            Key::in_schema(&key.db, &key.schema, &new.parts[0])
        } else {
            ex.object_key(&new)?
        };
        ex.writable_schema(&new_key.db, &new_key.schema)?;
        if storage::exists(ex.conn, ex.account, "FILE_FORMAT", &new_key)? {
            return Err(SfError::already_exists(&new_key.name));
        }
        storage::delete(ex.conn, ex.account, "FILE_FORMAT", &key)?;
        f.db = new_key.db;
        f.schema = new_key.schema;
        f.name = new_key.name;
    } else {
        return Err(p.error());
    }
    storage::put(ex.conn, ex.account, "FILE_FORMAT", &f)?;
    Ok(done())
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, true)?;
    let within = ex.within(opts.scope.as_ref(), true)?;
    let roles = ex.effective_roles()?;
    let mut items = Vec::new();
    for f in storage::list::<FileFormatData>(
        ex.conn,
        ex.account,
        "FILE_FORMAT",
        within.db(),
        within.schema(),
    )? {
        if !ex.is_admin() && !roles.contains(&f.owner) {
            continue;
        }
        items.push((
            f.name.clone(),
            vec![
                Some(ts(f.created_on)),
                opt(&f.name),
                opt(&f.db),
                opt(&f.schema),
                opt(&f.data.format_type),
                opt(&f.owner),
                opt(&f.data.comment),
                opt("ROLE"),
                Some(format_options_json(&f.data)),
            ],
        ));
    }
    Ok(opts.finish(columns::rows(FILE_FORMATS), items))
}

pub fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let name = p.name(3)?;
    p.end()?;
    let key = ex.object_key(&name)?;
    let f = get(ex, &key)?;
    let mut out = columns::rows(DESC_PROPERTIES);
    out.rows.push(vec![
        opt("TYPE"),
        opt("String"),
        opt(&f.data.format_type),
        opt("CSV"),
    ]);
    for (k, v, def) in effective(&f.data) {
        let (ty, value) = describe_value(&v, true);
        let (_, default) = describe_value(&def, true);
        out.rows
            .push(vec![opt(k), opt(ty), Some(value), Some(default)]);
    }
    Ok(out)
}
