//! An account file: the objects one project account holds.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{DatabaseRaw, GrantRaw, ListingRaw, Objects, RoleRaw, ShareRaw, WarehouseRaw};
use crate::manifest::de::Deferred;

/// Objects of one project account. Keys of every map are Snowflake identifiers:
/// unquoted names fold to upper case, `'"name"'` keeps its case.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "floe account file")]
pub struct AccountFile {
    /// The project account (as named under `accounts:` in floe.yaml) these objects live in.
    pub account: String,
    /// Virtual warehouses.
    pub warehouses: Option<Objects<WarehouseRaw>>,
    /// Account roles.
    pub roles: Option<Objects<RoleRaw>>,
    /// Databases, their schemas and everything inside them.
    pub databases: Option<Objects<DatabaseRaw>>,
    /// Secure shares to other accounts.
    pub shares: Option<Objects<ShareRaw>>,
    /// Private listings offering a share to named accounts.
    pub listings: Option<Objects<ListingRaw>>,
    /// Privileges granted to roles, and roles granted to roles.
    pub grants: Option<Deferred<Vec<GrantRaw>>>,
}
