//! Session wrappers for measuring and testing: count the statements sent, or make
//! one statement fail on purpose (failure injection).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::session::{BackendError, Rows, SqlSession};

/// Counts every statement sent through it (shared counter, so several sessions can
/// add to one total).
pub struct CountingSession {
    inner: Arc<dyn SqlSession>,
    count: Arc<AtomicUsize>,
}

impl CountingSession {
    pub fn new(inner: Arc<dyn SqlSession>, count: Arc<AtomicUsize>) -> CountingSession {
        CountingSession { inner, count }
    }
}

impl SqlSession for CountingSession {
    fn execute(&self, sql: &str) -> Result<Rows, BackendError> {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.inner.execute(sql)
    }
}

/// True for statements that only read (`SHOW`, `DESC[RIBE]`, `SELECT`, `LIST`).
pub fn is_read(sql: &str) -> bool {
    let first = sql
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    matches!(
        first.as_str(),
        "SHOW" | "DESC" | "DESCRIBE" | "SELECT" | "LIST" | "LS"
    )
}

/// Fails the `k`-th (1-based) changing statement sent through any session sharing
/// its counter, with a Snowflake-shaped error; reads pass through uncounted.
pub struct FailingSession {
    inner: Arc<dyn SqlSession>,
    counter: Arc<AtomicUsize>,
    fail_at: usize,
}

impl FailingSession {
    pub fn new(
        inner: Arc<dyn SqlSession>,
        counter: Arc<AtomicUsize>,
        fail_at: usize,
    ) -> FailingSession {
        FailingSession {
            inner,
            counter,
            fail_at,
        }
    }
}

impl SqlSession for FailingSession {
    fn execute(&self, sql: &str) -> Result<Rows, BackendError> {
        if !is_read(sql) && self.counter.fetch_add(1, Ordering::SeqCst) + 1 == self.fail_at {
            return Err(BackendError::Sql {
                code: "000603".into(),
                sqlstate: "XX000".into(),
                message: "SQL execution internal error: injected failure".into(),
                query_id: None,
                statement: sql.to_string(),
            });
        }
        self.inner.execute(sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ok;
    impl SqlSession for Ok {
        fn execute(&self, _sql: &str) -> Result<Rows, BackendError> {
            Result::Ok(Rows::default())
        }
    }

    #[test]
    fn fails_exactly_the_kth_change() {
        let counter = Arc::new(AtomicUsize::new(0));
        let s = FailingSession::new(Arc::new(Ok), counter, 2);
        assert!(s.execute("CREATE DATABASE A").is_ok());
        assert!(s.execute("SHOW LISTINGS LIKE 'X'").is_ok());
        assert!(s.execute("CREATE DATABASE B").is_err());
        assert!(s.execute("CREATE DATABASE C").is_ok());
    }

    #[test]
    fn counts_everything() {
        let count = Arc::new(AtomicUsize::new(0));
        let s = CountingSession::new(Arc::new(Ok), count.clone());
        let _ = s.execute("SHOW TABLES IN ACCOUNT");
        let _ = s.execute("CREATE TABLE T (X INT)");
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }
}
