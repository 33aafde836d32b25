//! Tables.

use schemars::JsonSchema;
use serde::Deserialize;

use super::WholeNumber;

/// A table.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableRaw {
    pub columns: Vec<ColumnRaw>,
    /// Record changes so streams (also in consumer accounts) can read them.
    pub change_tracking: Option<bool>,
    /// Clustering key expressions.
    pub cluster_by: Option<Vec<String>>,
    pub transient: Option<bool>,
    /// Days of Time Travel: 0 … 90 (0 … 1 when transient).
    #[schemars(range(min = 0, max = 90))]
    pub data_retention_time_in_days: Option<WholeNumber>,
    pub comment: Option<String>,
}

/// A column.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnRaw {
    /// Identifier: `S_2` folds to upper case, `'"customer_ID"'` keeps its case.
    pub name: String,
    /// SQL data type: `varchar`, `number(38,0)`, `float`, `date`, …
    #[serde(rename = "type")]
    pub data_type: String,
    pub nullable: Option<bool>,
    /// Default value as an SQL expression.
    pub default: Option<String>,
    pub comment: Option<String>,
}
