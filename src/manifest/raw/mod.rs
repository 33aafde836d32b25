//! The manifest format as serde + schemars types, one file per kind.
//!
//! These types are the published format: the JSON Schema in `schemas/` is generated
//! from them. Children of containers are [`Deferred`](super::de::Deferred) so loading
//! reads one object at a time and reports every bad object, not just the first.

pub mod account;
pub mod database;
pub mod file_format;
pub mod function;
pub mod grant;
pub mod listing;
pub mod model;
pub mod number;
pub mod procedure;
pub mod project;
pub mod role;
pub mod schema;
pub mod share;
pub mod stage;
pub mod stream;
pub mod table;
pub mod task;
pub mod warehouse;

pub use account::AccountFile;
pub use database::{DatabaseRaw, FromListingRaw, FromShareRaw};
pub use file_format::{FileFormatRaw, FileFormatType};
pub use function::FunctionRaw;
pub use grant::{GrantOnRaw, GrantRaw};
pub use listing::ListingRaw;
pub use model::{ModelRaw, ModelVersionRaw};
pub use number::WholeNumber;
pub use procedure::{ArgumentRaw, ExecuteAs, LanguageRaw, ProcedureRaw};
pub use project::{
    AccountDecl, ConnectionRaw, EmulatorTargetRaw, LimitsRaw, ProjectFile, TargetRaw, VariableValue,
};
pub use role::RoleRaw;
pub use schema::SchemaRaw;
pub use share::{ShareGrantRaw, ShareRaw};
pub use stage::{StageCredentialsRaw, StageRaw};
pub use stream::StreamRaw;
pub use table::{ColumnRaw, TableRaw};
pub use task::{TaskRaw, TaskStateRaw};
pub use warehouse::{ScalingPolicy, WarehouseRaw, WarehouseSize, WarehouseType};

/// A map of object name → object, read entry by entry.
pub type Objects<T> = super::de::Deferred<std::collections::BTreeMap<String, T>>;
