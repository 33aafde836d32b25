//! The one interface between floe and a Snowflake account: run SQL, get rows.
//!
//! Implemented by the embedded emulator (`crate::emulator`) and by the real
//! Snowflake backend. Everything above this trait is backend-agnostic.

use std::fmt;

/// A result set: column names (lower-case for SHOW/DESCRIBE, as Snowflake returns
/// them) and rows of nullable text values, the way Snowflake's JSON results carry them.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Rows {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Option<String>>>,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Column {
    pub name: String,
    /// Snowflake type name (`TEXT`, `FIXED`, `TIMESTAMP_LTZ`, `BOOLEAN`).
    pub type_name: String,
}

impl Rows {
    /// The index of a column by name (case-insensitive), if the result has it.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Iterates rows as [`Row`]s that read values by column name.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows
            .iter()
            .map(move |values| Row { rows: self, values })
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One row, read by column name. Missing columns read as `None`, so parsers tolerate
/// columns Snowflake adds or an administrator hides.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    rows: &'a Rows,
    values: &'a [Option<String>],
}

impl<'a> Row<'a> {
    pub fn get(&self, column: &str) -> Option<&'a str> {
        let index = self.rows.column_index(column)?;
        self.values.get(index)?.as_deref()
    }
}

/// Why a statement could not run.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("authentication failed: {0}")]
    Auth(String),
    #[error("network error: {0}")]
    Network(String),
    #[error("timed out: {0}")]
    Timeout(String),
    #[error("{code} ({sqlstate}): {message}")]
    Sql {
        /// Snowflake's error number, six digits (`002003`).
        code: String,
        sqlstate: String,
        message: String,
        query_id: Option<String>,
        statement: String,
    },
    #[error("protocol error: {0}")]
    Protocol(String),
}

impl fmt::Debug for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl BackendError {
    /// True for Snowflake's "does not exist or not authorized" family (002003, 002043).
    pub fn is_not_found(&self) -> bool {
        matches!(self, BackendError::Sql { code, .. } if code == "002003" || code == "002043")
    }
}

/// A SQL session with one account. Sessions are used from several threads at once
/// by the observer and the apply executor, so implementations must be `Sync`.
pub trait SqlSession: Send + Sync {
    /// Runs one statement and returns its result set (a single `status` row for DDL).
    fn execute(&self, sql: &str) -> Result<Rows, BackendError>;
}
