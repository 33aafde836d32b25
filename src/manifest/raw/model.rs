//! Models in the model registry.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// A model whose versions are built from artifact files in the project, uploaded to
/// `@<stage>/<MODEL>/<VERSION>/`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelRaw {
    /// Internal stage for the artifacts: `name` (same schema) or qualified.
    pub stage: String,
    pub versions: BTreeMap<String, ModelVersionRaw>,
    pub default_version: Option<String>,
    pub comment: Option<String>,
}

/// One version of a model.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelVersionRaw {
    /// Artifact files, relative to this manifest file.
    pub files: Vec<String>,
}
