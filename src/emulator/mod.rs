//! The embedded Snowflake emulator: a local organisation (`LOCALORG`) of accounts
//! kept in one SQLite file, executing the SQL floe renders and answering SHOW and
//! DESCRIBE with Snowflake's columns, values and errors.
//!
//! It is the ground truth of every end-to-end test, so it is strict: a statement,
//! clause or property it does not implement is an error, never a silent success.
//! It has its own tokenizer, parser, catalog and rules and never uses the planner's
//! per-kind code, so a shared mistake cannot cancel out in tests.
//!
//! Every statement runs in one SQLite transaction (`BEGIN IMMEDIATE`), so it applies
//! whole or not at all and several processes can share a file.

mod columns;
mod error;
mod exec;
mod kinds;
mod parser;
mod render;
mod show;
mod storage;
mod tokenizer;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, TransactionBehavior};

use crate::runtime::session::{BackendError, Rows, SqlSession};

pub use columns::Col;
pub use error::SfError;

/// The organisation every emulated account belongs to.
pub const ORGANIZATION: &str = "LOCALORG";
/// What `CURRENT_REGION()` answers.
pub const REGION: &str = "AWS_US_WEST_2";

/// Why the emulator file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot open emulator file {path}: {message}")]
    Open { path: String, message: String },
    #[error("cannot create folder {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "emulator file {path} has layout version {found}, this floe expects version {expected}; remove the file or use a matching floe"
    )]
    SchemaVersion {
        path: String,
        found: String,
        expected: i64,
    },
    #[error("emulator storage error: {0}")]
    Storage(String),
}

impl EmulatorError {
    fn open(path: &Path, e: impl std::fmt::Display) -> EmulatorError {
        EmulatorError::Open {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

struct Inner {
    conn: Mutex<Connection>,
}

/// A handle on an emulator file. Cheap to clone; usable from many threads.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

impl Emulator {
    /// Opens the file, creating its folder and the file when missing.
    pub fn open(path: &Path) -> Result<Emulator, EmulatorError> {
        let conn = storage::open(path)?;
        Ok(Emulator {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
            }),
        })
    }

    /// A private emulator that lives in memory (for tests).
    pub fn open_in_memory() -> Result<Emulator, EmulatorError> {
        let conn = storage::open_in_memory()?;
        Ok(Emulator {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
            }),
        })
    }

    /// A session in `account` (upper-cased; created on first use), as ACCOUNTADMIN
    /// with no current database or warehouse.
    pub fn session(&self, account: &str) -> EmulatorSession {
        EmulatorSession {
            emulator: self.clone(),
            account: account.trim().to_ascii_uppercase(),
            context: Mutex::new(exec::Ctx::new()),
            created: AtomicBool::new(false),
        }
    }

    /// The accounts that exist in the file, sorted.
    pub fn accounts(&self) -> Result<Vec<String>, EmulatorError> {
        let conn = self.lock();
        storage::accounts(&conn).map_err(|e| EmulatorError::Storage(e.to_string()))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.inner
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A session with one account: its current role, warehouse, database and schema.
pub struct EmulatorSession {
    emulator: Emulator,
    account: String,
    context: Mutex<exec::Ctx>,
    created: AtomicBool,
}

impl EmulatorSession {
    /// The account this session runs in (upper-case).
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Runs several statements separated by `;`, stopping at the first error.
    /// Each statement is its own transaction.
    pub fn execute_script(&self, sql: &str) -> Result<Vec<Rows>, BackendError> {
        let statements = parser::split_statements(sql).map_err(|e| e.into_backend(sql, None))?;
        let mut out = Vec::with_capacity(statements.len());
        for (start, end, tokens) in statements {
            let text = &sql[start..end];
            out.push(self.run(sql, text, tokens)?);
        }
        Ok(out)
    }

    fn run(
        &self,
        src: &str,
        text: &str,
        tokens: Vec<tokenizer::Token>,
    ) -> Result<Rows, BackendError> {
        let query_id = render::query_id();
        let fail = |e: SfError| e.into_backend(text, Some(query_id.clone()));
        let mut conn = self.emulator.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| fail(e.into()))?;
        let now = render::now_millis();
        if !self.created.load(Ordering::Relaxed) {
            exec::bootstrap_account(&tx, &self.account, now).map_err(fail)?;
        }
        let mut ctx = self
            .context
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let rows = {
            let mut ex = exec::Ex {
                conn: &tx,
                account: &self.account,
                ctx: &mut ctx,
                now,
            };
            exec::execute(&mut ex, parser::Parser::new(src, tokens)).map_err(fail)?
        };
        tx.commit().map_err(|e| fail(e.into()))?;
        self.created.store(true, Ordering::Relaxed);
        *self.context.lock().unwrap_or_else(|p| p.into_inner()) = ctx;
        Ok(rows)
    }
}

impl SqlSession for EmulatorSession {
    fn execute(&self, sql: &str) -> Result<Rows, BackendError> {
        let statements = parser::split_statements(sql).map_err(|e| e.into_backend(sql, None))?;
        if statements.is_empty() {
            return Err(
                SfError::new("000900", "42000", "Empty SQL statement.").into_backend(sql, None)
            );
        }
        if statements.len() != 1 {
            return Err(SfError::new(
                "000008",
                "0A000",
                format!(
                    "Actual statement count {} did not match the desired statement count 1.",
                    statements.len()
                ),
            )
            .into_backend(sql, None));
        }
        let Some((start, end, tokens)) = statements.into_iter().next() else {
            return Err(SfError::syntax_at(1, 0, "<EOF>").into_backend(sql, None));
        };
        self.run(sql, &sql[start..end], tokens)
    }
}

/// The column list of every SHOW/DESCRIBE result the emulator answers, by name
/// (for tests that compare them with the reference).
pub fn result_columns() -> Vec<(&'static str, &'static [Col])> {
    columns::all()
}

/// The column lists of the INFORMATION_SCHEMA views the emulator answers.
pub fn information_schema_views() -> Vec<(&'static str, &'static [Col])> {
    kinds::info_schema::views()
}

/// Splits a script into the text of its statements (for callers that want to run
/// them one by one).
pub fn split_script(sql: &str) -> Result<Vec<String>, BackendError> {
    let statements = parser::split_statements(sql).map_err(|e| e.into_backend(sql, None))?;
    Ok(statements
        .into_iter()
        .map(|(start, end, _)| sql[start..end].to_string())
        .collect())
}
