//! The planning pipeline over live sessions: observe the scope of a desired catalog,
//! normalize both sides with the same rules, diff, and (optionally) plan.
//!
//! Shared by `floe plan`/`apply`/`drift`, saved plans, tests and benchmarks, so they
//! all see exactly the same thing.

use std::collections::BTreeMap;

use crate::diff::Change;
use crate::kinds::{self, Context};
use crate::model::{AccountName, Catalog};
use crate::plan::{self, Plan, PlanError, saved};

use super::observe::{ObserveError, Observed, Sessions, observe};

/// Both sides in canonical form and what differs between them.
#[derive(Clone, Debug)]
pub struct Compared {
    pub desired: Catalog,
    pub observed: Catalog,
    pub account_identifiers: BTreeMap<AccountName, String>,
    pub changes: Vec<Change>,
    /// Per account, the fingerprint of the normalized observed state in scope.
    pub fingerprints: BTreeMap<AccountName, String>,
    /// Statements observing sent.
    pub queries: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Observe(#[from] Box<ObserveError>),
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// Observes and compares. `accounts` are the project's accounts (each gets a
/// fingerprint even when it holds nothing yet).
pub fn compare(
    sessions: &Sessions,
    desired: &Catalog,
    accounts: &[AccountName],
) -> Result<Compared, PipelineError> {
    let observed = observe(sessions, desired).map_err(Box::new)?;
    let ctx = Context::new(desired, observed.account_identifiers.clone());
    let desired = kinds::normalize_catalog(desired, &ctx);
    let observed_catalog = kinds::normalize_catalog(&observed.catalog, &ctx);
    let changes = crate::diff::diff_normalized(&desired, &observed_catalog, &ctx);
    let fingerprints = saved::fingerprints(&observed_catalog, accounts);
    Ok(Compared {
        desired,
        observed: observed_catalog,
        account_identifiers: observed.account_identifiers,
        changes,
        fingerprints,
        queries: observed.queries,
    })
}

impl Compared {
    /// Orders the changes into a plan.
    pub fn plan(&self) -> Result<Plan, PlanError> {
        let observed = Observed {
            catalog: self.observed.clone(),
            account_identifiers: self.account_identifiers.clone(),
            queries: self.queries,
        };
        plan::plan(&self.desired, &observed, self.changes.clone())
    }
}

/// Observe, compare and plan in one go.
pub fn observe_and_plan(
    sessions: &Sessions,
    desired: &Catalog,
    accounts: &[AccountName],
) -> Result<(Compared, Plan), PipelineError> {
    let compared = compare(sessions, desired, accounts)?;
    let plan = compared.plan()?;
    Ok((compared, plan))
}
