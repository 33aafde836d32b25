//! Reading live state with a few bulk queries per account, in parallel.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::{AccountName, Catalog};

use super::session::{BackendError, SqlSession};

/// One session per project account.
pub type Sessions = BTreeMap<AccountName, Arc<dyn SqlSession>>;

/// What observing found.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    pub catalog: Catalog,
    /// `ORG.ACCOUNT` of every account (from CURRENT_ORGANIZATION_NAME()/CURRENT_ACCOUNT_NAME()).
    pub account_identifiers: BTreeMap<AccountName, String>,
    /// Number of statements sent, for tests and benchmarks.
    pub queries: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("observing account `{account}` failed: {source}")]
pub struct ObserveError {
    pub account: AccountName,
    #[source]
    pub source: Box<BackendError>,
}

/// Observes every account's objects in the scope of `desired` (STUB: filled in by the kinds work).
pub fn observe(_sessions: &Sessions, _desired: &Catalog) -> Result<Observed, ObserveError> {
    Ok(Observed::default())
}
