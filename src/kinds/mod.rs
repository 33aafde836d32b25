//! Per-kind rules: normalization, in-place vs replace, the SQL for each change, and
//! reading SHOW/DESCRIBE rows back into specs. One file per kind; this module
//! dispatches on [`Spec`].
//!
//! Every kind file offers the same functions:
//! * `normalize(spec, ctx)` — canonical form, pure and idempotent, applied to both sides;
//! * `create(id, spec, ctx)`, `update(id, desired, observed, ctx)`, `drop(id, observed)`
//!   — the [`Change`] with its SQL, reason and hazards (`update` compares only the
//!   properties the desired spec declares);
//! * `observe(results, scope)` — specs parsed from bulk query rows, by column name.

use std::collections::BTreeMap;

use crate::diff::Change;
use crate::model::{AccountName, Catalog, Ident, ObjectId, ObjectKind, Spec};

pub mod common;
pub mod database;
pub mod file_format;
pub mod grant;
pub mod listing;
pub mod model;
pub mod role;
pub mod routine;
pub mod schema;
pub mod scope;
pub mod share;
pub mod stage;
pub mod stream;
pub mod table;
pub mod task;
pub mod types;
pub mod warehouse;

pub use model::{ConflictError, validate_against_observed};
pub use scope::{Query, Results, Scope};

/// Facts about the live accounts that normalization and rendering need.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// Data-sharing identifier (`ORG.ACCOUNT`) of every project account, read from the
    /// live accounts when observing.
    pub account_identifiers: BTreeMap<AccountName, String>,
    /// `(provider account, listing)` → the share the listing publishes (from desired).
    pub listing_shares: BTreeMap<(AccountName, Ident), Ident>,
}

impl Context {
    /// The context for a desired catalog and the identifiers observing found.
    pub fn new(desired: &Catalog, account_identifiers: BTreeMap<AccountName, String>) -> Context {
        let mut listing_shares = BTreeMap::new();
        for (id, spec) in desired.of_kind(crate::model::ObjectKind::Listing) {
            if let Spec::Listing(l) = spec
                && let Some(share) = &l.share
            {
                listing_shares.insert((id.account.clone(), id.name.name.clone()), share.clone());
            }
        }
        Context {
            account_identifiers,
            listing_shares,
        }
    }
}

/// Brings a catalog to the canonical form `diff` compares. Pure and idempotent.
pub fn normalize_catalog(catalog: &Catalog, ctx: &Context) -> Catalog {
    let mut out = Catalog {
        objects: BTreeMap::new(),
        authoritative: catalog.authoritative.clone(),
    };
    for (id, spec) in &catalog.objects {
        let spec = normalize_spec(spec, ctx);
        let mut id = normalize_id(id);
        // A grant's identity is its canonical key, which normalization may respell.
        if let Spec::Grant(g) = &spec {
            id.name = crate::model::ObjectName::account_level(Ident::from_stored(g.key()));
        }
        out.objects.insert(id, spec);
    }
    out
}

/// Routine signatures in their legacy form (`VARCHAR(10)` → `VARCHAR`).
pub fn normalize_id(id: &ObjectId) -> ObjectId {
    let mut id = id.clone();
    if let Some(sig) = &id.signature {
        id.signature = Some(sig.iter().map(|t| types::legacy(t)).collect());
    }
    id
}

/// One spec in canonical form.
pub fn normalize_spec(spec: &Spec, ctx: &Context) -> Spec {
    match spec {
        Spec::Role(s) => Spec::Role(role::normalize(s, ctx)),
        Spec::Warehouse(s) => Spec::Warehouse(warehouse::normalize(s, ctx)),
        Spec::Database(s) => Spec::Database(database::normalize(s, ctx)),
        Spec::Schema(s) => Spec::Schema(schema::normalize(s, ctx)),
        Spec::FileFormat(s) => Spec::FileFormat(file_format::normalize(s, ctx)),
        Spec::Stage(s) => Spec::Stage(stage::normalize(s, ctx)),
        Spec::Table(s) => Spec::Table(table::normalize(s, ctx)),
        Spec::Share(s) => Spec::Share(share::normalize(s, ctx)),
        Spec::Listing(s) => Spec::Listing(listing::normalize(s, ctx)),
        Spec::Stream(s) => Spec::Stream(stream::normalize(s, ctx)),
        Spec::Procedure(s) => Spec::Procedure(routine::normalize(s, ctx)),
        Spec::Function(s) => Spec::Function(routine::normalize(s, ctx)),
        Spec::Model(s) => Spec::Model(model::normalize(s, ctx)),
        Spec::Task(s) => Spec::Task(task::normalize(s, ctx)),
        Spec::Grant(s) => Spec::Grant(grant::normalize(s, ctx)),
    }
}

/// The change that creates `spec`.
pub fn create_change(id: &ObjectId, spec: &Spec, ctx: &Context) -> Change {
    match spec {
        Spec::Role(s) => role::create(id, s, ctx),
        Spec::Warehouse(s) => warehouse::create(id, s, ctx),
        Spec::Database(s) => database::create(id, s, ctx),
        Spec::Schema(s) => schema::create(id, s, ctx),
        Spec::FileFormat(s) => file_format::create(id, s, ctx),
        Spec::Stage(s) => stage::create(id, s, ctx),
        Spec::Table(s) => table::create(id, s, ctx),
        Spec::Share(s) => share::create(id, s, ctx),
        Spec::Listing(s) => listing::create(id, s, ctx),
        Spec::Stream(s) => stream::create(id, s, ctx),
        Spec::Procedure(s) | Spec::Function(s) => routine::create(id, s, ctx),
        Spec::Model(s) => model::create(id, s, ctx),
        Spec::Task(s) => task::create(id, s, ctx),
        Spec::Grant(s) => grant::create(id, s, ctx),
    }
}

/// The change that brings `observed` to `desired` (None when they agree on every
/// declared property).
pub fn update_change(
    id: &ObjectId,
    desired: &Spec,
    observed: &Spec,
    ctx: &Context,
) -> Option<Change> {
    match (desired, observed) {
        (Spec::Role(d), Spec::Role(o)) => role::update(id, d, o, ctx),
        (Spec::Warehouse(d), Spec::Warehouse(o)) => warehouse::update(id, d, o, ctx),
        (Spec::Database(d), Spec::Database(o)) => database::update(id, d, o, ctx),
        (Spec::Schema(d), Spec::Schema(o)) => schema::update(id, d, o, ctx),
        (Spec::FileFormat(d), Spec::FileFormat(o)) => file_format::update(id, d, o, ctx),
        (Spec::Stage(d), Spec::Stage(o)) => stage::update(id, d, o, ctx),
        (Spec::Table(d), Spec::Table(o)) => table::update(id, d, o, ctx),
        (Spec::Share(d), Spec::Share(o)) => share::update(id, d, o, ctx),
        (Spec::Listing(d), Spec::Listing(o)) => listing::update(id, d, o, ctx),
        (Spec::Stream(d), Spec::Stream(o)) => stream::update(id, d, o, ctx),
        (Spec::Procedure(d), Spec::Procedure(o)) | (Spec::Function(d), Spec::Function(o)) => {
            routine::update(id, d, o, ctx)
        }
        (Spec::Model(d), Spec::Model(o)) => model::update(id, d, o, ctx),
        (Spec::Task(d), Spec::Task(o)) => task::update(id, d, o, ctx),
        (Spec::Grant(d), Spec::Grant(o)) => grant::update(id, d, o, ctx),
        // Same identity, different kinds cannot happen (the kind is part of the id);
        // treat it as a create so it is never silent.
        (d, _) => Some(create_change(id, d, ctx)),
    }
}

/// The change that drops an observed object.
pub fn drop_change(id: &ObjectId, observed: &Spec) -> Change {
    match observed {
        Spec::Role(s) => role::drop(id, s),
        Spec::Warehouse(s) => warehouse::drop(id, s),
        Spec::Database(s) => database::drop(id, s),
        Spec::Schema(s) => schema::drop(id, s),
        Spec::FileFormat(s) => file_format::drop(id, s),
        Spec::Stage(s) => stage::drop(id, s),
        Spec::Table(s) => table::drop(id, s),
        Spec::Share(s) => share::drop(id, s),
        Spec::Listing(s) => listing::drop(id, s),
        Spec::Stream(s) => stream::drop(id, s),
        Spec::Procedure(s) | Spec::Function(s) => routine::drop(id, s),
        Spec::Model(s) => model::drop(id, s),
        Spec::Task(s) => task::drop(id, s),
        Spec::Grant(s) => grant::drop(id, s),
    }
}

/// Every object one account's query results describe, as an observed catalog.
pub fn observe_account(results: &Results, scope: &Scope) -> Catalog {
    let mut catalog = Catalog::new();
    let parts = [
        role::observe(results, scope),
        warehouse::observe(results, scope),
        database::observe(results, scope),
        schema::observe(results, scope),
        file_format::observe(results, scope),
        stage::observe(results, scope),
        table::observe(results, scope),
        share::observe(results, scope),
        listing::observe(results, scope),
        stream::observe(results, scope),
        // SHOW PROCEDURES / SHOW USER FUNCTIONS, with DESCRIBE for managed ones.
        routine::observe(results, scope, ObjectKind::Procedure),
        routine::observe(results, scope, ObjectKind::Function),
        model::observe(results, scope),
        task::observe(results, scope),
        grant::observe(results, scope),
    ];
    for part in parts {
        for (id, spec) in part {
            catalog.insert(id, spec);
        }
    }
    catalog
}

#[cfg(test)]
mod roundtrip_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;
