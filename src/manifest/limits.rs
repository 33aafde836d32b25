//! The documented ranges of numeric properties, checked while lowering so that a
//! value Snowflake would refuse (or one that cannot even be represented) is reported
//! by `validate` at its line and column with the allowed range.
//!
//! Where the documentation gives no upper bound (AUTO_SUSPEND, MAX_CONCURRENCY_LEVEL,
//! SKIP_HEADER), floe caps the value at 2,147,483,647, the largest 32-bit signed
//! integer, so no value can wrap on its way to an account.

/// A numeric property's allowed values and what they mean.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub min: i64,
    pub max: i64,
    /// Shown as the diagnostic's help.
    pub hint: &'static str,
}

/// The cap for properties without a documented upper bound.
pub const UNBOUNDED: i64 = i32::MAX as i64;

pub const AUTO_SUSPEND: Limit = Limit {
    min: 0,
    max: UNBOUNDED,
    hint: "seconds of inactivity before the warehouse suspends; 0 means never",
};

pub const MAX_CONCURRENCY_LEVEL: Limit = Limit {
    min: 1,
    max: UNBOUNDED,
    hint: "concurrent SQL statements a warehouse cluster runs (Snowflake's default is 8)",
};

pub const SKIP_HEADER: Limit = Limit {
    min: 0,
    max: UNBOUNDED,
    hint: "lines skipped at the start of each CSV file",
};

/// Time Travel days of a permanent object (Enterprise Edition; Standard allows 0 or 1).
pub const DATA_RETENTION: Limit = Limit {
    min: 0,
    max: 90,
    hint: "days of Time Travel: 0 … 90 (Standard Edition accounts allow 0 or 1)",
};

/// Time Travel days of a transient object.
pub const DATA_RETENTION_TRANSIENT: Limit = Limit {
    min: 0,
    max: 1,
    hint: "transient objects keep at most 1 day of Time Travel",
};

/// The most clusters a multi-cluster warehouse of `size` (the `WAREHOUSE_SIZE`
/// keyword; XSMALL when not given) may have, as Snowflake documents them: accounts
/// start at 10 and can raise the limit up to these values.
pub fn max_clusters(size: Option<&str>) -> i64 {
    match size.unwrap_or("XSMALL") {
        "XSMALL" | "SMALL" | "MEDIUM" => 300,
        "LARGE" => 160,
        "XLARGE" => 80,
        "XXLARGE" => 40,
        "XXXLARGE" => 20,
        _ => 10,
    }
}

/// Python versions of procedures and functions that Snowflake runs (3.8 and 3.9
/// are decommissioned).
pub const PYTHON_RUNTIMES: &[&str] = &["3.10", "3.11", "3.12", "3.13"];

/// Runtimes Snowflake no longer runs, for a precise message.
pub const DECOMMISSIONED_PYTHON_RUNTIMES: &[&str] = &["2.7", "3.6", "3.7", "3.8", "3.9"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_limits_follow_the_size() {
        assert_eq!(max_clusters(None), 300);
        assert_eq!(max_clusters(Some("MEDIUM")), 300);
        assert_eq!(max_clusters(Some("LARGE")), 160);
        assert_eq!(max_clusters(Some("XXXLARGE")), 20);
        assert_eq!(max_clusters(Some("X6LARGE")), 10);
    }
}
