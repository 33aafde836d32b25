//! Roles.

use schemars::JsonSchema;
use serde::Deserialize;

/// An account role.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRaw {
    pub comment: Option<String>,
}
