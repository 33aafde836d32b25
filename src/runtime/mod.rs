//! The only code that talks to accounts: observing state and applying plans.

pub mod apply;
pub mod instrument;
pub mod lock;
pub mod observe;
pub mod pipeline;
pub mod session;
pub mod target;

pub use apply::{ApplyEvent, ApplyOptions, ApplyReport, apply};
pub use session::{BackendError, Column, Row, Rows, SqlSession};
