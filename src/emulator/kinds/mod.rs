//! One executor per kind of object: parsing its statements, checking Snowflake's
//! rules and rendering its SHOW/DESCRIBE rows.

pub mod context;
pub mod database;
pub mod file_format;
pub mod grant;
pub mod info_schema;
pub mod listing;
pub mod model;
pub mod role;
pub mod routine;
pub mod schema;
pub mod share;
pub mod stage;
pub mod stream;
pub mod table;
pub mod task;
pub mod warehouse;

use super::columns;
use super::error::SfError;
use super::exec::Ex;
use super::parser::Parser;
use super::storage::{self, Key};
use crate::runtime::session::Rows;

/// How a kind is named in "does not exist" errors.
pub fn error_noun(kind: &str) -> &'static str {
    match kind {
        "TABLE" => "Table",
        "STAGE" => "Stage",
        "FILE_FORMAT" => "File format",
        "STREAM" => "Stream",
        "TASK" => "Task",
        "MODEL" => "Model",
        "SCHEMA" => "Schema",
        "DATABASE" => "Database",
        "WAREHOUSE" => "Warehouse",
        "ROLE" => "Role",
        "SHARE" => "Share",
        "LISTING" => "Listing",
        "PROCEDURE" => "Procedure",
        "FUNCTION" => "Function",
        _ => "Object",
    }
}

/// `DROP <kind> [IF EXISTS] <name>` for schema-level objects without extra rules.
pub fn schema_object_drop(
    ex: &mut Ex<'_>,
    p: &mut Parser<'_>,
    kind: &str,
) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.name(3)?;
    p.end()?;
    let key = ex.object_key(&name)?;
    ex.parent_exists(&key)?;
    let Some(obj) = storage::get::<serde_json::Value>(ex.conn, ex.account, kind, &key)? else {
        if if_exists {
            return Ok(columns::status(format!(
                "Drop statement executed successfully ({} already dropped).",
                key.name
            )));
        }
        return Err(SfError::not_found(
            error_noun(kind),
            &super::render::fqn(&[&key.db, &key.schema, &key.name]),
        ));
    };
    ex.check_owner(
        &obj.owner,
        &format!("{} '{}'", error_noun(kind).to_lowercase(), key.name),
    )?;
    if ex.database(&key.db)?.data.origin.is_some() {
        return Err(SfError::insufficient_privileges(&format!(
            "schema '{}'",
            key.schema
        )));
    }
    storage::delete(ex.conn, ex.account, kind, &key)?;
    Ok(columns::status(format!(
        "{} successfully dropped.",
        key.name
    )))
}

/// Standard status for a created object.
pub fn created(noun: &str, name: &str) -> Rows {
    columns::status(format!("{noun} {name} successfully created."))
}

pub fn done() -> Rows {
    columns::status("Statement executed successfully.")
}

/// What to do when a CREATE finds an existing object.
pub enum Existing {
    /// Go ahead (nothing there, or OR REPLACE).
    Create,
    /// IF NOT EXISTS and it exists.
    Skip(Rows),
}

/// Applies OR REPLACE / IF NOT EXISTS rules for `kind` at `key`.
pub fn check_existing(
    ex: &Ex<'_>,
    kind: &str,
    key: &Key,
    head: &super::exec::CreateHead,
    noun: &str,
) -> Result<Existing, SfError> {
    match storage::get::<serde_json::Value>(ex.conn, ex.account, kind, key)? {
        None => Ok(Existing::Create),
        Some(obj) => {
            if head.if_not_exists {
                Ok(Existing::Skip(columns::status(format!(
                    "{} already exists, statement succeeded.",
                    key.name
                ))))
            } else if head.or_replace {
                ex.check_owner(
                    &obj.owner,
                    &format!("{} '{}'", noun.to_lowercase(), key.name),
                )?;
                storage::delete(ex.conn, ex.account, kind, key)?;
                Ok(Existing::Create)
            } else {
                Err(SfError::already_exists(&key.name))
            }
        }
    }
}

/// Reads a `COMMENT = '…'` style text value.
/// An integer property within `min..=max`; anything else is Snowflake's
/// `invalid value [...] for parameter '...'`.
pub fn int_in(v: &super::parser::Value, key: &str, min: i64, max: i64) -> Result<i64, SfError> {
    v.as_i64()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| SfError::invalid_value(&v.text().unwrap_or_default(), key))
}

/// `DATA_RETENTION_TIME_IN_DAYS`: 0 … 90 days of Time Travel.
pub fn retention_days(v: &super::parser::Value, key: &str) -> Result<i64, SfError> {
    int_in(v, key, 0, 90)
}

pub fn text_value(v: &super::parser::Value, key: &str) -> Result<String, SfError> {
    match v {
        super::parser::Value::Str(s) => Ok(s.clone()),
        other => Err(SfError::invalid_value(&format!("{other:?}"), key)),
    }
}
