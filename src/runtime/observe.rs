//! Reading live state with a few bulk queries per account, in parallel.
//!
//! For each account (concurrently) the per-kind scope lists its statements — one
//! SHOW per kind, one INFORMATION_SCHEMA.COLUMNS query per managed database (and
//! PROCEDURES/FUNCTIONS where routines are managed), and one statement per managed
//! share, role (every grant it holds), listing, model, stage with a file format, and
//! warehouse or task declaring a parameter SHOW does not print (`SHOW PARAMETERS IN
//! …`) — and a small pool of
//! threads runs them. A second, small round DESCRIBEs the managed routines
//! INFORMATION_SCHEMA leaves incomplete. The number of statements therefore does not
//! grow with the number of tables. SHOW output is paged with
//! `LIMIT 10000 FROM '<last name>'`; "does not exist" errors (002003, 002043) read
//! as "nothing there". Parsing is left to `crate::kinds`, which reads every row by
//! column name.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::kinds::{self, Query, Results, Scope};
use crate::model::{AccountName, Catalog};

use super::session::{BackendError, Rows, SqlSession};

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
    pub source: BackendError,
}

/// The most SHOW returns at once; a full page means there may be more.
pub const PAGE_SIZE: usize = 10_000;

/// Statements run at the same time per account.
const WORKERS: usize = 6;

/// Observes every account's objects in the scope of `desired`.
#[allow(clippy::result_large_err)] // the error names the account and keeps the backend error as is
pub fn observe(sessions: &Sessions, desired: &Catalog) -> Result<Observed, ObserveError> {
    let outcomes: Vec<Result<AccountState, ObserveError>> = std::thread::scope(|s| {
        let handles: Vec<_> = sessions
            .iter()
            .map(|(account, session)| {
                let session = Arc::clone(session);
                s.spawn(move || observe_account(account, session.as_ref(), desired))
            })
            .collect();
        handles
            .into_iter()
            .zip(sessions.keys())
            .map(|(h, account)| {
                h.join().unwrap_or_else(|_| {
                    Err(ObserveError {
                        account: account.clone(),
                        source: BackendError::Protocol("the observing thread panicked".into()),
                    })
                })
            })
            .collect()
    });
    let mut observed = Observed::default();
    for outcome in outcomes {
        let state = outcome?;
        observed.catalog.objects.extend(state.catalog.objects);
        if let Some(identifier) = state.identifier {
            observed
                .account_identifiers
                .insert(state.account, identifier);
        }
        observed.queries += state.queries;
    }
    Ok(observed)
}

struct AccountState {
    account: AccountName,
    catalog: Catalog,
    identifier: Option<String>,
    queries: usize,
}

#[allow(clippy::result_large_err)]
fn observe_account(
    account: &AccountName,
    session: &dyn SqlSession,
    desired: &Catalog,
) -> Result<AccountState, ObserveError> {
    let mut scope = Scope::from_desired(account, desired);
    let counter = AtomicUsize::new(0);
    let fail = |source| ObserveError {
        account: account.clone(),
        source,
    };
    let mut results = run_queries(session, &scope.queries(), &counter).map_err(fail)?;
    scope.note_imported(&results);
    // A second, small round for what depends on the first (DESCRIBE of routines).
    let followups = scope.followups(&results);
    if !followups.is_empty() {
        let more = run_queries(session, &followups, &counter).map_err(fail)?;
        results.rows.extend(more.rows);
    }
    let catalog = kinds::observe_account(&results, &scope);
    let identifier = identity(results.get(&Query::Identity));
    Ok(AccountState {
        account: account.clone(),
        catalog,
        identifier,
        queries: counter.load(Ordering::Relaxed),
    })
}

/// `ORG.ACCOUNT` from the identity query's first row, read by position.
fn identity(rows: &Rows) -> Option<String> {
    let row = rows.rows.first()?;
    let org = row.first()?.as_deref()?.trim();
    let account = row.get(1)?.as_deref()?.trim();
    Some(format!("{org}.{account}").to_ascii_uppercase())
}

/// Runs the queries on a few threads; the first error (in query order) wins.
pub fn run_queries(
    session: &dyn SqlSession,
    queries: &[Query],
    counter: &AtomicUsize,
) -> Result<Results, BackendError> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, Result<Rows, BackendError>)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS.min(queries.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(query) = queries.get(i) else { break };
                    let outcome = run_one(session, query, counter);
                    if let Ok(mut done) = done.lock() {
                        done.push((i, outcome));
                    }
                }
            });
        }
    });
    let mut done = done
        .into_inner()
        .map_err(|_| BackendError::Protocol("a query worker panicked".into()))?;
    done.sort_by_key(|(i, _)| *i);
    if done.len() != queries.len() {
        return Err(BackendError::Protocol(
            "a query worker stopped early".into(),
        ));
    }
    let mut results = Results::default();
    for (i, outcome) in done {
        results.insert(queries[i].clone(), outcome?);
    }
    Ok(results)
}

fn execute(
    session: &dyn SqlSession,
    sql: &str,
    counter: &AtomicUsize,
) -> Result<Rows, BackendError> {
    counter.fetch_add(1, Ordering::Relaxed);
    match session.execute(sql) {
        Err(e) if e.is_not_found() => Ok(Rows::default()),
        other => other,
    }
}

/// One query, following SHOW pages while they come back full.
fn run_one(
    session: &dyn SqlSession,
    query: &Query,
    counter: &AtomicUsize,
) -> Result<Rows, BackendError> {
    let sql = query.sql();
    let mut all = execute(session, &sql, counter)?;
    if !query.is_paged() {
        return Ok(all);
    }
    let mut page_len = all.len();
    let Some(name_col) = all.column_index("name") else {
        return Ok(all);
    };
    let mut seen: std::collections::HashSet<Vec<Option<String>>> = std::collections::HashSet::new();
    while page_len == PAGE_SIZE {
        let Some(last) = all
            .rows
            .last()
            .and_then(|r| r.get(name_col).cloned().flatten())
        else {
            break;
        };
        if seen.is_empty() {
            seen.extend(all.rows.iter().cloned());
        }
        let page = execute(
            session,
            &format!(
                "{sql} LIMIT {PAGE_SIZE} FROM {}",
                crate::sql::literal(&last)
            ),
            counter,
        )?;
        page_len = page.len();
        let before = all.rows.len();
        for row in page.rows {
            // Pages overlap when names repeat across databases: keep rows once.
            if seen.insert(row.clone()) {
                all.rows.push(row);
            }
        }
        if all.rows.len() == before {
            break;
        }
    }
    Ok(all)
}
