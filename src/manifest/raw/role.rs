//! Roles.

use schemars::JsonSchema;
use serde::Deserialize;

/// An account role.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRaw {
    pub comment: Option<String>,
    /// When true, grants to this role that the manifests do not declare are revoked
    /// by the planner (hazard `revokes_access`). Otherwise they are reported by
    /// `floe drift` only.
    pub authoritative: Option<bool>,
}
