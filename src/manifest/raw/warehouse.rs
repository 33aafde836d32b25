//! Virtual warehouses.

use schemars::JsonSchema;
use serde::Deserialize;

use super::WholeNumber;

/// A virtual warehouse (`CREATE WAREHOUSE`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WarehouseRaw {
    pub warehouse_type: Option<WarehouseType>,
    pub warehouse_size: Option<WarehouseSize>,
    /// Seconds of inactivity before suspending; 0 = never.
    #[schemars(range(min = 0, max = 2147483647))]
    pub auto_suspend: Option<WholeNumber>,
    pub auto_resume: Option<bool>,
    pub initially_suspended: Option<bool>,
    /// Clusters always running (1 … `max_cluster_count`).
    #[schemars(range(min = 1, max = 300))]
    pub min_cluster_count: Option<WholeNumber>,
    /// Most clusters of a multi-cluster warehouse (up to 300, fewer for larger sizes).
    #[schemars(range(min = 1, max = 300))]
    pub max_cluster_count: Option<WholeNumber>,
    pub scaling_policy: Option<ScalingPolicy>,
    #[schemars(range(min = 1, max = 2147483647))]
    pub max_concurrency_level: Option<WholeNumber>,
    /// Memory/CPU profile of snowpark-optimized warehouses (`MEMORY_16X`, …).
    pub resource_constraint: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum WarehouseType {
    #[serde(rename = "standard")]
    Standard,
    #[serde(rename = "snowpark-optimized", alias = "snowpark_optimized")]
    SnowparkOptimized,
}

impl WarehouseType {
    pub fn sql(self) -> &'static str {
        match self {
            WarehouseType::Standard => "STANDARD",
            WarehouseType::SnowparkOptimized => "SNOWPARK-OPTIMIZED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum WarehouseSize {
    #[serde(rename = "x-small", alias = "xsmall")]
    XSmall,
    #[serde(rename = "small")]
    Small,
    #[serde(rename = "medium")]
    Medium,
    #[serde(rename = "large")]
    Large,
    #[serde(rename = "x-large", alias = "xlarge")]
    XLarge,
    #[serde(rename = "2x-large", alias = "xxlarge")]
    XxLarge,
    #[serde(rename = "3x-large", alias = "xxxlarge")]
    XxxLarge,
    #[serde(rename = "4x-large", alias = "x4large")]
    X4Large,
    #[serde(rename = "5x-large", alias = "x5large")]
    X5Large,
    #[serde(rename = "6x-large", alias = "x6large")]
    X6Large,
}

impl WarehouseSize {
    /// The keyword Snowflake accepts unquoted in `WAREHOUSE_SIZE = …`.
    pub fn sql(self) -> &'static str {
        match self {
            WarehouseSize::XSmall => "XSMALL",
            WarehouseSize::Small => "SMALL",
            WarehouseSize::Medium => "MEDIUM",
            WarehouseSize::Large => "LARGE",
            WarehouseSize::XLarge => "XLARGE",
            WarehouseSize::XxLarge => "XXLARGE",
            WarehouseSize::XxxLarge => "XXXLARGE",
            WarehouseSize::X4Large => "X4LARGE",
            WarehouseSize::X5Large => "X5LARGE",
            WarehouseSize::X6Large => "X6LARGE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScalingPolicy {
    Standard,
    Economy,
}

impl ScalingPolicy {
    pub fn sql(self) -> &'static str {
        match self {
            ScalingPolicy::Standard => "STANDARD",
            ScalingPolicy::Economy => "ECONOMY",
        }
    }
}
