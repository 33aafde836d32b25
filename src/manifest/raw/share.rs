//! Shares.

use schemars::JsonSchema;
use serde::Deserialize;

/// A secure share of objects of one database. USAGE on the database and on the
/// schemas of granted objects is added automatically.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRaw {
    /// The database whose objects are shared (a local database of this account).
    pub database: String,
    #[serde(default)]
    pub grants: Vec<ShareGrantRaw>,
    /// Consumer accounts: project account names or `ORG.ACCOUNT` identifiers. Leave
    /// empty when a listing offers the share.
    #[serde(default)]
    pub accounts: Vec<String>,
    pub comment: Option<String>,
}

/// One grant to a share.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum ShareGrantRaw {
    /// SELECT on a table: `schema.table` (in the share's database) or `db.schema.table`.
    Select(String),
    /// USAGE on a schema: `schema` or `db.schema`.
    Usage(String),
}
