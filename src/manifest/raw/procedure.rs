//! Stored procedures (and the parts functions share with them).

use schemars::JsonSchema;
use serde::Deserialize;

/// A stored procedure. The body is inline (`body`) or in a file next to the manifest
/// (`body_file`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcedureRaw {
    #[serde(default)]
    pub arguments: Vec<ArgumentRaw>,
    /// Return type, e.g. `varchar` or `table (a number)`.
    pub returns: String,
    pub language: LanguageRaw,
    /// Python version, e.g. `'3.11'`.
    pub runtime_version: Option<String>,
    /// Anaconda packages, e.g. `snowflake-snowpark-python`.
    #[serde(default)]
    pub packages: Vec<String>,
    /// Files on stages: `@stage/path/file` (stage relative to this schema).
    #[serde(default)]
    pub imports: Vec<String>,
    /// Python handler function.
    pub handler: Option<String>,
    pub body: Option<String>,
    /// Path of the body, relative to this manifest file.
    pub body_file: Option<String>,
    pub secure: Option<bool>,
    pub execute_as: Option<ExecuteAs>,
    pub comment: Option<String>,
}

/// An argument.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArgumentRaw {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LanguageRaw {
    Python,
    Sql,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExecuteAs {
    Owner,
    Caller,
}
