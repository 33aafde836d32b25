//! floe's core data model: identifiers, names, object identities, per-kind specs and
//! catalogs. Pure data: no IO, no SQL, no YAML.

pub mod catalog;
pub mod ident;
pub mod name;
pub mod spec;

pub use catalog::Catalog;
pub use ident::{Ident, IdentError};
pub use name::{AccountName, Level, ObjectId, ObjectKind, ObjectName, split_dotted};
pub use spec::*;
