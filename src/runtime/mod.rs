//! The only code that talks to accounts: observing state and applying plans.

pub mod observe;
pub mod session;

pub use session::{BackendError, Column, Row, Rows, SqlSession};
