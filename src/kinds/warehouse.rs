//! Warehouses: every property is alterable in place. Sizes are compared in their
//! DDL form (`XSMALL`), whatever the spelling (`x-small`, `X-Small`, `XSmall`).

use crate::diff::{Action, Change};
use crate::model::{Ident, ObjectId, ObjectKind, ObjectName, Spec, WarehouseSpec};
use crate::sql;

use super::common::{self, Props, change, keyword, stmt};
use super::{Context, Query, Results, Scope};

/// The DDL form of a warehouse size: `x-small`/`X-Small`/`XSMALL` → `XSMALL`,
/// `2X-Large`/`X2LARGE` → `XXLARGE`. Unknown spellings are upper-cased.
pub fn canonical_size(size: &str) -> String {
    let key: String = size
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' ' | '\''))
        .collect::<String>()
        .to_ascii_uppercase();
    match key.as_str() {
        "XS" | "XSMALL" => "XSMALL",
        "S" | "SMALL" => "SMALL",
        "M" | "MEDIUM" => "MEDIUM",
        "L" | "LARGE" => "LARGE",
        "XL" | "XLARGE" => "XLARGE",
        "2XL" | "XXL" | "2XLARGE" | "X2LARGE" | "XXLARGE" => "XXLARGE",
        "3XL" | "XXXL" | "3XLARGE" | "X3LARGE" | "XXXLARGE" => "XXXLARGE",
        "4XL" | "4XLARGE" | "X4LARGE" => "X4LARGE",
        "5XL" | "5XLARGE" | "X5LARGE" => "X5LARGE",
        "6XL" | "6XLARGE" | "X6LARGE" => "X6LARGE",
        other => return other.to_string(),
    }
    .to_string()
}

fn canonical_type(t: &str) -> String {
    let upper = t.trim().to_ascii_uppercase().replace('_', "-");
    if upper == "SNOWPARK-OPTIMIZED" {
        upper
    } else {
        upper.replace('-', "_")
    }
}

pub fn normalize(spec: &WarehouseSpec, _ctx: &Context) -> WarehouseSpec {
    let upper = |v: &Option<String>| v.as_ref().map(|s| s.trim().to_ascii_uppercase());
    WarehouseSpec {
        warehouse_type: spec.warehouse_type.as_deref().map(canonical_type),
        size: spec.size.as_deref().map(canonical_size),
        auto_suspend: spec.auto_suspend,
        auto_resume: spec.auto_resume,
        min_cluster_count: spec.min_cluster_count,
        max_cluster_count: spec.max_cluster_count,
        scaling_policy: upper(&spec.scaling_policy),
        max_concurrency_level: spec.max_concurrency_level,
        statement_timeout_in_seconds: spec.statement_timeout_in_seconds,
        statement_queued_timeout_in_seconds: spec.statement_queued_timeout_in_seconds,
        resource_constraint: upper(&spec.resource_constraint),
        initially_suspended: spec.initially_suspended,
        comment: spec.comment.clone(),
    }
}

/// The `KEY = value` settings of the declared properties, in a stable order.
fn settings(spec: &WarehouseSpec) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(t) = &spec.warehouse_type {
        out.push(("WAREHOUSE_TYPE", sql::literal(t)));
    }
    if let Some(s) = &spec.size {
        out.push(("WAREHOUSE_SIZE", sql::literal(s)));
    }
    if let Some(v) = spec.auto_suspend {
        out.push(("AUTO_SUSPEND", v.to_string()));
    }
    if let Some(v) = spec.auto_resume {
        out.push(("AUTO_RESUME", common::bool_sql(v).to_string()));
    }
    if let Some(v) = spec.min_cluster_count {
        out.push(("MIN_CLUSTER_COUNT", v.to_string()));
    }
    if let Some(v) = spec.max_cluster_count {
        out.push(("MAX_CLUSTER_COUNT", v.to_string()));
    }
    if let Some(v) = &spec.scaling_policy {
        out.push(("SCALING_POLICY", keyword(v)));
    }
    if let Some(v) = spec.max_concurrency_level {
        out.push(("MAX_CONCURRENCY_LEVEL", v.to_string()));
    }
    if let Some(v) = spec.statement_timeout_in_seconds {
        out.push(("STATEMENT_TIMEOUT_IN_SECONDS", v.to_string()));
    }
    if let Some(v) = spec.statement_queued_timeout_in_seconds {
        out.push(("STATEMENT_QUEUED_TIMEOUT_IN_SECONDS", v.to_string()));
    }
    if let Some(v) = &spec.resource_constraint {
        out.push(("RESOURCE_CONSTRAINT", keyword(v)));
    }
    if let Some(c) = &spec.comment {
        out.push(("COMMENT", sql::literal(c)));
    }
    out
}

fn declared_props(spec: &WarehouseSpec, old: Option<&WarehouseSpec>) -> Props {
    let mut p = Props::default();
    let empty = WarehouseSpec::default();
    let o = old.unwrap_or(&empty);
    let create = old.is_none();
    let num = |v: &u64| *v;
    let num32 = |v: &u32| *v;
    let b = common::show_bool;
    let s = common::show_str;
    macro_rules! field {
        ($name:literal, $f:ident, $show:expr) => {
            if create {
                p.declare($name, &spec.$f, $show)
            } else {
                p.cmp($name, &spec.$f, &o.$f, $show);
            }
        };
    }
    field!("warehouse_type", warehouse_type, s);
    field!("warehouse_size", size, s);
    field!("auto_suspend", auto_suspend, num);
    field!("auto_resume", auto_resume, b);
    field!("min_cluster_count", min_cluster_count, num32);
    field!("max_cluster_count", max_cluster_count, num32);
    field!("scaling_policy", scaling_policy, s);
    field!("resource_constraint", resource_constraint, s);
    if create {
        p.declare("max_concurrency_level", &spec.max_concurrency_level, num32);
        p.declare(
            "statement_timeout_in_seconds",
            &spec.statement_timeout_in_seconds,
            num,
        );
        p.declare(
            "statement_queued_timeout_in_seconds",
            &spec.statement_queued_timeout_in_seconds,
            num,
        );
        p.declare("initially_suspended", &spec.initially_suspended, b);
        p.declare("comment", &spec.comment, s);
    } else {
        // Not shown by SHOW WAREHOUSES: compared only when the observer could read it
        // (SHOW PARAMETERS, for warehouses that declare them).
        if o.max_concurrency_level.is_some() {
            p.cmp(
                "max_concurrency_level",
                &spec.max_concurrency_level,
                &o.max_concurrency_level,
                num32,
            );
        }
        if o.statement_timeout_in_seconds.is_some() {
            p.cmp(
                "statement_timeout_in_seconds",
                &spec.statement_timeout_in_seconds,
                &o.statement_timeout_in_seconds,
                num,
            );
        }
        if o.statement_queued_timeout_in_seconds.is_some() {
            p.cmp(
                "statement_queued_timeout_in_seconds",
                &spec.statement_queued_timeout_in_seconds,
                &o.statement_queued_timeout_in_seconds,
                num,
            );
        }
        p.cmp_comment(&spec.comment, &o.comment);
    }
    p
}

pub fn create(id: &ObjectId, spec: &WarehouseSpec, _ctx: &Context) -> Change {
    let mut sql = format!("CREATE WAREHOUSE {}", id.name.sql());
    let mut parts = settings(spec);
    if let Some(v) = spec.initially_suspended {
        let at = parts
            .len()
            .saturating_sub(usize::from(spec.comment.is_some()));
        parts.insert(at, ("INITIALLY_SUSPENDED", common::bool_sql(v).to_string()));
    }
    if !parts.is_empty() {
        sql.push_str(" WITH");
        for (k, v) in parts {
            sql.push_str(&format!(" {k} = {v}"));
        }
    }
    change(
        id,
        Action::Create,
        None,
        declared_props(spec, None),
        vec![stmt(sql)],
        vec![],
    )
}

pub fn update(
    id: &ObjectId,
    desired: &WarehouseSpec,
    observed: &WarehouseSpec,
    _ctx: &Context,
) -> Option<Change> {
    let props = declared_props(desired, Some(observed));
    if props.is_empty() {
        return None;
    }
    // Only the changed properties go into the SET.
    // The desired value of each property that changed (the property's report name
    // is the field name, except for the size).
    macro_rules! changed {
        ($field:ident) => {
            changed!($field, stringify!($field))
        };
        ($field:ident, $name:expr) => {
            desired.$field.clone().filter(|_| props.has($name))
        };
    }
    let changed = WarehouseSpec {
        warehouse_type: changed!(warehouse_type),
        size: changed!(size, "warehouse_size"),
        auto_suspend: changed!(auto_suspend),
        auto_resume: changed!(auto_resume),
        min_cluster_count: changed!(min_cluster_count),
        max_cluster_count: changed!(max_cluster_count),
        scaling_policy: changed!(scaling_policy),
        max_concurrency_level: changed!(max_concurrency_level),
        statement_timeout_in_seconds: changed!(statement_timeout_in_seconds),
        statement_queued_timeout_in_seconds: changed!(statement_queued_timeout_in_seconds),
        resource_constraint: changed!(resource_constraint),
        initially_suspended: None,
        comment: changed!(comment),
    };
    let set: Vec<String> = settings(&changed)
        .into_iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    let sql = format!("ALTER WAREHOUSE {} SET {}", id.name.sql(), set.join(" "));
    Some(change(
        id,
        Action::Alter,
        None,
        props,
        vec![stmt(sql)],
        vec![],
    ))
}

pub fn drop(id: &ObjectId, _observed: &WarehouseSpec) -> Change {
    let sql = format!("DROP WAREHOUSE IF EXISTS {}", id.name.sql());
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(sql)],
        vec![],
    )
}

pub fn parse_row(row: &crate::runtime::session::Row<'_>) -> Option<(ObjectName, WarehouseSpec)> {
    let name = ObjectName::account_level(Ident::from_stored(row.get("name")?));
    let spec = WarehouseSpec {
        warehouse_type: common::clean(row.get("type")),
        size: common::clean(row.get("size")),
        // NULL auto_suspend means "never", which DDL writes as 0.
        auto_suspend: Some(common::parse_num(row.get("auto_suspend")).unwrap_or(0)),
        auto_resume: common::parse_bool(row.get("auto_resume")),
        min_cluster_count: common::parse_num(row.get("min_cluster_count")),
        max_cluster_count: common::parse_num(row.get("max_cluster_count")),
        scaling_policy: common::clean(row.get("scaling_policy")),
        max_concurrency_level: common::parse_num(row.get("max_concurrency_level")),
        statement_timeout_in_seconds: None,
        statement_queued_timeout_in_seconds: None,
        resource_constraint: common::clean(row.get("resource_constraint")),
        initially_suspended: None,
        comment: common::comment(row.get("comment")),
    };
    Some((name, spec))
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    results
        .get(&Query::Show(ObjectKind::Warehouse))
        .iter()
        .filter_map(|row| parse_row(&row))
        .filter(|(name, _)| scope.is_declared(ObjectKind::Warehouse, name))
        .map(|(name, mut spec)| {
            // Not in SHOW WAREHOUSES: read with SHOW PARAMETERS when declared.
            let parameter = |key: &str| {
                scope
                    .parameter(results, ObjectKind::Warehouse, &name, key)
                    .and_then(|v| v.trim().parse::<u64>().ok())
            };
            if let Some(level) = parameter("MAX_CONCURRENCY_LEVEL") {
                spec.max_concurrency_level = u32::try_from(level).ok();
            }
            if let Some(seconds) = parameter("STATEMENT_TIMEOUT_IN_SECONDS") {
                spec.statement_timeout_in_seconds = Some(seconds);
            }
            if let Some(seconds) = parameter("STATEMENT_QUEUED_TIMEOUT_IN_SECONDS") {
                spec.statement_queued_timeout_in_seconds = Some(seconds);
            }
            (
                ObjectId::new(scope.account(), ObjectKind::Warehouse, name),
                Spec::Warehouse(spec),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    #[test]
    fn sizes_have_one_form() {
        for s in ["x-small", "XSMALL", "X-Small", "xsmall", "'X-SMALL'"] {
            assert_eq!(canonical_size(s), "XSMALL", "{s}");
        }
        for s in ["2X-Large", "X2LARGE", "XXLARGE", "2xlarge"] {
            assert_eq!(canonical_size(s), "XXLARGE", "{s}");
        }
        assert_eq!(canonical_size("6X-Large"), "X6LARGE");
        assert_eq!(canonical_size(&canonical_size("Medium")), "MEDIUM");
    }

    /// Columns and values as in the reference's SHOW WAREHOUSES table (§2.2), with an
    /// extra column appended and `max_concurrency_level` missing.
    #[test]
    fn parses_show_warehouses_by_column_name() {
        let r = rows(
            &[
                "name",
                "state",
                "type",
                "size",
                "min_cluster_count",
                "max_cluster_count",
                "started_clusters",
                "running",
                "queued",
                "is_default",
                "is_current",
                "auto_suspend",
                "auto_resume",
                "available",
                "provisioning",
                "quiescing",
                "other",
                "created_on",
                "resumed_on",
                "updated_on",
                "owner",
                "comment",
                "enable_query_acceleration",
                "query_acceleration_max_scale_factor",
                "resource_monitor",
                "actives",
                "pendings",
                "failed",
                "suspended",
                "uuid",
                "scaling_policy",
                "owner_role_type",
                "resource_constraint",
                "generation",
                "warehouse_credit_limit",
            ],
            &[&[
                Some("QUERY_WH"),
                Some("SUSPENDED"),
                Some("STANDARD"),
                Some("X-Small"),
                Some("1"),
                Some("1"),
                Some("0"),
                Some("0"),
                Some("0"),
                Some("N"),
                Some("N"),
                Some("60"),
                Some("true"),
                Some(""),
                Some(""),
                Some(""),
                Some(""),
                Some("2023-01-27 14:57:07.768 -0800"),
                Some("2023-01-27 14:57:07.768 -0800"),
                Some("2023-01-27 14:57:07.768 -0800"),
                Some("SYSADMIN"),
                Some(""),
                Some("false"),
                Some("8"),
                Some("null"),
                Some("0"),
                Some("0"),
                Some("0"),
                Some("0"),
                Some("1234"),
                Some("STANDARD"),
                Some("ROLE"),
                None,
                Some("1"),
                None,
            ]],
        );
        let row = r.iter().next().unwrap();
        let (name, spec) = parse_row(&row).unwrap();
        assert_eq!(name.sql(), "QUERY_WH");
        assert_eq!(spec.size.as_deref(), Some("X-Small"));
        assert_eq!(spec.auto_suspend, Some(60));
        assert_eq!(spec.auto_resume, Some(true));
        assert_eq!(spec.scaling_policy.as_deref(), Some("STANDARD"));
        assert_eq!(spec.resource_constraint, None);
        assert_eq!(spec.max_concurrency_level, None);
        assert_eq!(spec.comment.as_deref(), Some(""));
        // Desired `x-small` matches observed `X-Small`.
        let desired = WarehouseSpec {
            size: Some("x-small".into()),
            auto_suspend: Some(60),
            ..Default::default()
        };
        let wid = id(&bank(), ObjectKind::Warehouse, "query_wh");
        let c = ctx();
        assert!(update(&wid, &normalize(&desired, &c), &normalize(&spec, &c), &c).is_none());
    }

    #[test]
    fn null_auto_suspend_means_never() {
        let r = rows(&["name", "auto_suspend"], &[&[Some("W"), None]]);
        let (_, spec) = parse_row(&r.iter().next().unwrap()).unwrap();
        assert_eq!(spec.auto_suspend, Some(0));
    }
}
