//! Tasks.

use schemars::JsonSchema;
use serde::Deserialize;

use super::WarehouseSize;

/// A task. The root of a task graph has a `schedule` or a `when` condition; its
/// children name their predecessors in `after` and have no schedule.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskRaw {
    /// Warehouse that runs the task (omit for serverless tasks).
    pub warehouse: Option<String>,
    /// Initial size of the serverless compute (no `warehouse`).
    pub serverless_size: Option<WarehouseSize>,
    /// `5 MINUTE` or `USING CRON 0 9 * * * UTC`.
    pub schedule: Option<String>,
    /// Run only when this condition holds, e.g. `SYSTEM$STREAM_HAS_DATA('S')`.
    pub when: Option<String>,
    /// Predecessor tasks in the same schema.
    #[serde(default)]
    pub after: Vec<String>,
    /// The SQL statement the task runs.
    pub body: String,
    pub allow_overlapping_execution: Option<bool>,
    /// Desired state of the task.
    pub state: Option<TaskStateRaw>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TaskStateRaw {
    Started,
    Suspended,
}
