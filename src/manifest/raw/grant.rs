//! Grants to roles.

use schemars::JsonSchema;
use serde::Deserialize;

/// A privilege on an object granted to a role (`privilege`, `on`, `to_role`), or a
/// role granted to a role (`role`, `to_role`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRaw {
    /// `usage`, `select`, `operate`, `imported privileges`, …
    pub privilege: Option<String>,
    pub on: Option<GrantOnRaw>,
    /// The role granted (role hierarchy).
    pub role: Option<String>,
    pub to_role: String,
}

/// What a privilege is granted on: `account`, or `{kind: name}` with schema objects
/// fully qualified (`db.schema.name`) and routines with their argument types
/// (`db.schema.proc(varchar, varchar)`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum GrantOnRaw {
    Account,
    Warehouse(String),
    Database(String),
    Schema(String),
    Table(String),
    FileFormat(String),
    Stage(String),
    Stream(String),
    Task(String),
    Procedure(String),
    Function(String),
    Model(String),
}
