//! Stages: external (a URL) or internal.

use schemars::JsonSchema;
use serde::Deserialize;

/// A stage. With `url` it is external (authenticated by a storage integration or by
/// AWS keys read from environment variables at apply time); without, internal.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageRaw {
    /// External location, e.g. `s3://bucket/path/`.
    pub url: Option<String>,
    /// Storage integration that grants access to `url`.
    pub storage_integration: Option<String>,
    /// AWS keys taken from environment variables when applying (never stored).
    pub credentials: Option<StageCredentialsRaw>,
    /// Named file format: `name` (same schema), `schema.name` or `db.schema.name`.
    pub file_format: Option<String>,
    /// Enable the stage's directory table.
    pub directory: Option<bool>,
    pub comment: Option<String>,
}

/// Names of the environment variables holding the stage's AWS keys.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageCredentialsRaw {
    pub aws_key_id_env: String,
    pub aws_secret_key_env: String,
}
