//! Databases: local, or mounted from a share or a listing.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{Objects, SchemaRaw, WholeNumber};

/// A database. A local database holds `schemas:`; a database mounted from a share or
/// listing (`from_share`, `from_listing`) holds the provider's objects and declares none.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseRaw {
    pub comment: Option<String>,
    pub transient: Option<bool>,
    /// Days of Time Travel: 0 … 90 (0 … 1 when transient).
    #[schemars(range(min = 0, max = 90))]
    pub data_retention_time_in_days: Option<WholeNumber>,
    /// When true, schemas not declared here are dropped by the planner.
    pub authoritative: Option<bool>,
    /// Mount the database from a share.
    pub from_share: Option<FromShareRaw>,
    /// Mount the database from a listing.
    pub from_listing: Option<FromListingRaw>,
    pub schemas: Option<Objects<SchemaRaw>>,
}

/// The share a database is mounted from: a project account's share, or a share of any
/// account by its data-sharing identifier (`ORG.ACCOUNT`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FromShareRaw {
    /// The providing project account (`bank`).
    pub account: Option<String>,
    /// The providing account's identifier, `ORG.ACCOUNT`, for accounts outside the project.
    pub identifier: Option<String>,
    /// The share's name in the provider account.
    pub share: String,
}

/// The listing a database is mounted from: a project account's listing by name, or
/// any listing by its global name.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FromListingRaw {
    /// The providing project account (`bank`).
    pub account: Option<String>,
    /// The listing's name in the provider account.
    pub listing: Option<String>,
    /// The listing's global name, for listings outside the project.
    pub global_name: Option<String>,
}
