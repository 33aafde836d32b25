//! Schemas and the objects they contain.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{
    FileFormatRaw, FunctionRaw, ModelRaw, Objects, ProcedureRaw, StageRaw, StreamRaw, TableRaw,
    TaskRaw, WholeNumber,
};

/// A schema inside a database.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemaRaw {
    pub comment: Option<String>,
    pub transient: Option<bool>,
    /// Managed access: only the schema owner grants privileges on its objects.
    pub managed_access: Option<bool>,
    /// Days of Time Travel: 0 … 90 (0 … 1 when transient).
    #[schemars(range(min = 0, max = 90))]
    pub data_retention_time_in_days: Option<WholeNumber>,
    /// When true, objects not declared here are dropped by the planner.
    pub authoritative: Option<bool>,
    pub tables: Option<Objects<TableRaw>>,
    pub file_formats: Option<Objects<FileFormatRaw>>,
    pub stages: Option<Objects<StageRaw>>,
    pub streams: Option<Objects<StreamRaw>>,
    pub tasks: Option<Objects<TaskRaw>>,
    pub procedures: Option<Objects<ProcedureRaw>>,
    pub functions: Option<Objects<FunctionRaw>>,
    pub models: Option<Objects<ModelRaw>>,
}
