//! User-defined functions.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{ArgumentRaw, LanguageRaw};

/// A user-defined function. Python functions are vectorized by their handler
/// (`@vectorized` from `_snowflake`), which needs no DDL option.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionRaw {
    #[serde(default)]
    pub arguments: Vec<ArgumentRaw>,
    pub returns: String,
    pub language: LanguageRaw,
    pub runtime_version: Option<String>,
    #[serde(default)]
    pub packages: Vec<String>,
    /// Files on stages: `@stage/path/file` (stage relative to this schema); a model's
    /// artifacts live under `@stage/<MODEL>/<VERSION>/`.
    #[serde(default)]
    pub imports: Vec<String>,
    pub handler: Option<String>,
    pub body: Option<String>,
    /// Path of the body, relative to this manifest file.
    pub body_file: Option<String>,
    pub secure: Option<bool>,
    pub comment: Option<String>,
}
