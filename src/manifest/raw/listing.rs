//! Private listings.

use schemars::JsonSchema;
use serde::Deserialize;

/// A private listing that offers a share to named accounts.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingRaw {
    /// The share (of this account) the listing offers.
    pub share: String,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub description: Option<String>,
    /// Consumer accounts: project account names or `ORG.ACCOUNT` identifiers.
    pub targets: Vec<String>,
    /// Published (default) or kept as a draft.
    pub published: Option<bool>,
    pub comment: Option<String>,
}
