//! Streams.

use schemars::JsonSchema;
use serde::Deserialize;

/// A stream on a table of this account, including a table in a database mounted from
/// another account's share or listing.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamRaw {
    /// Source table: `name` (same schema), `schema.name` or `db.schema.name`.
    pub table: String,
    pub append_only: Option<bool>,
    pub show_initial_rows: Option<bool>,
    pub comment: Option<String>,
}
