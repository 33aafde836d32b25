//! `floe.yaml`: the project's accounts, variables, targets, declared secrets and
//! file size limits.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, de};

/// The project file at the root of a floe project.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "floe project file (floe.yaml)")]
pub struct ProjectFile {
    /// The accounts this project manages, by lower-case name (`bank`, `partner`).
    pub accounts: BTreeMap<String, Option<AccountDecl>>,
    /// Values for `${var.NAME}` in manifests; `--var NAME=VALUE` and `FLOE_VAR_NAME`
    /// environment variables take precedence.
    #[serde(default)]
    pub variables: BTreeMap<String, VariableValue>,
    /// Where the accounts live. `local` (the embedded emulator at
    /// `.floe/emulator.db`) exists unless defined here.
    #[serde(default)]
    pub targets: BTreeMap<String, TargetRaw>,
    /// The target used when none is given (default: `local`).
    pub default_target: Option<String>,
    /// Environment variables that manifests may name as credentials (e.g. a stage's
    /// `aws_key_id_env`). Any other name is refused, and so are `SNOWFLAKE_*` and
    /// `FLOE_*`, which hold floe's own connection settings.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Size limits for files that manifests name.
    #[serde(default)]
    pub limits: LimitsRaw,
}

/// Size limits, in bytes, for files that manifests name.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsRaw {
    /// Largest `body_file` of a procedure or function (default 1048576, 1 MiB).
    #[schemars(range(min = 1))]
    pub body_file_bytes: Option<u64>,
    /// Largest model artifact file (default 268435456, 256 MiB).
    #[schemars(range(min = 1))]
    pub artifact_bytes: Option<u64>,
}

/// One project account.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountDecl {
    pub comment: Option<String>,
}

/// A target: the embedded emulator, or a Snowflake connection per account.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum TargetRaw {
    Emulator(EmulatorTargetRaw),
    /// Each project account → a connection in `~/.snowflake/connections.toml`.
    Snowflake(BTreeMap<String, ConnectionRaw>),
}

/// The embedded emulator, stored in one file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmulatorTargetRaw {
    /// Path of the emulator file, relative to the project folder.
    pub emulator: String,
}

/// A Snowflake connection for one account.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionRaw {
    /// Name of a connection in `~/.snowflake/connections.toml`.
    pub connection: String,
}

/// A variable's value: a string, number or boolean (used as text).
#[derive(Debug, Clone, PartialEq)]
pub struct VariableValue(pub String);

impl<'de> Deserialize<'de> for VariableValue {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = VariableValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<VariableValue, E> {
                Ok(VariableValue(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<VariableValue, E> {
                Ok(VariableValue(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<VariableValue, E> {
                Ok(VariableValue(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<VariableValue, E> {
                Ok(VariableValue(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<VariableValue, E> {
                Ok(VariableValue(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for VariableValue {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "VariableValue".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "number", "boolean"] })
    }
}
