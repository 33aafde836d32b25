//! User-defined functions (Python, including vectorized; SQL); rules shared with procedures in
//! [`super::routine`].

use crate::diff::Change;
use crate::model::{ObjectId, ObjectKind, RoutineSpec, Spec};

use super::{Context, Results, Scope, routine};

pub fn create(id: &ObjectId, spec: &RoutineSpec, ctx: &Context) -> Change {
    routine::create(id, spec, ctx)
}

pub fn update(
    id: &ObjectId,
    desired: &RoutineSpec,
    observed: &RoutineSpec,
    ctx: &Context,
) -> Option<Change> {
    routine::update(id, desired, observed, ctx)
}

pub fn drop(id: &ObjectId, observed: &RoutineSpec) -> Change {
    routine::drop(id, observed)
}

/// From `SHOW USER FUNCTIONS IN ACCOUNT`, with DESCRIBE FUNCTION for managed ones.
pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    routine::observe(results, scope, ObjectKind::Function)
}
