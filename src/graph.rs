//! The dependency graph across all accounts (STUB: filled in by the manifest work).

use crate::model::{Catalog, ObjectId, Spec};

/// The objects `id` depends on (its container, the objects it references), which must
/// exist before it is created and outlive it when dropping.
pub fn dependencies(_id: &ObjectId, _spec: &Spec, _catalog: &Catalog) -> Vec<ObjectId> {
    Vec::new()
}
