//! Per-kind rules: normalization, in-place vs replace, the SQL for each change, and
//! reading SHOW/DESCRIBE rows back into specs. One file per kind.

use std::collections::BTreeMap;

use crate::model::{AccountName, Catalog, Ident};

/// Facts about the live accounts that normalization and rendering need.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// Data-sharing identifier (`ORG.ACCOUNT`) of every project account, read from the
    /// live accounts when observing.
    pub account_identifiers: BTreeMap<AccountName, String>,
    /// `(provider account, listing)` → the share the listing publishes (from desired).
    pub listing_shares: BTreeMap<(AccountName, Ident), Ident>,
}

/// Brings a catalog to the canonical form `diff` compares (STUB: filled in by the kinds work).
pub fn normalize_catalog(catalog: &Catalog, _ctx: &Context) -> Catalog {
    catalog.clone()
}
