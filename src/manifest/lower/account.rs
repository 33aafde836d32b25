//! Lowering account-level objects that stand on their own: warehouses and roles.

use super::{FileCtx, Lowerer, Opened, field_span};
use crate::manifest::diagnostics::{Diagnostic, codes};
use crate::manifest::limits::{self, Limit};
use crate::manifest::raw;
use crate::manifest::yaml::Node;
use crate::model::*;

impl Lowerer<'_> {
    pub(super) fn warehouse(&mut self, ctx: &FileCtx, key: &Node, value: &Node) {
        let Some((_, Opened { id, what, raw })) =
            self.open_account_object::<raw::WarehouseRaw>(ctx, ObjectKind::Warehouse, key, value)
        else {
            return;
        };
        let size = raw.warehouse_size.map(|s| s.sql());
        let clusters = Limit {
            min: 1,
            max: limits::max_clusters(size),
            hint: "clusters of a multi-cluster warehouse: at most 300 for X-Small to Medium, 160 Large, 80 X-Large, 40 2X-Large, 20 3X-Large, 10 larger (accounts start at 10)",
        };
        let fallback = key.span;
        let auto_suspend = self.number(
            raw.auto_suspend,
            value,
            fallback,
            "auto_suspend",
            limits::AUTO_SUSPEND,
            &what,
        );
        let min_cluster_count = self.number(
            raw.min_cluster_count,
            value,
            fallback,
            "min_cluster_count",
            clusters,
            &what,
        );
        let max_cluster_count = self.number(
            raw.max_cluster_count,
            value,
            fallback,
            "max_cluster_count",
            clusters,
            &what,
        );
        let max_concurrency_level = self.number(
            raw.max_concurrency_level,
            value,
            fallback,
            "max_concurrency_level",
            limits::MAX_CONCURRENCY_LEVEL,
            &what,
        );
        if let (Some(min), Some(max)) = (min_cluster_count, max_cluster_count)
            && min > max
        {
            self.diag(
                Diagnostic::new(
                    codes::VALUE_INVALID,
                    format!("{what}: min_cluster_count is greater than max_cluster_count"),
                )
                .at(
                    field_span(value, "min_cluster_count", key.span),
                    format!("{min} > {max}"),
                ),
            );
        }
        let spec = WarehouseSpec {
            warehouse_type: raw.warehouse_type.map(|t| t.sql().to_string()),
            size: size.map(str::to_string),
            auto_suspend: auto_suspend.map(|v| v as u64),
            auto_resume: raw.auto_resume,
            min_cluster_count: min_cluster_count.map(|v| v as u32),
            max_cluster_count: max_cluster_count.map(|v| v as u32),
            scaling_policy: raw.scaling_policy.map(|p| p.sql().to_string()),
            max_concurrency_level: max_concurrency_level.map(|v| v as u32),
            resource_constraint: raw.resource_constraint.map(|r| r.to_ascii_uppercase()),
            initially_suspended: raw.initially_suspended,
            comment: raw.comment,
        };
        self.declare(id, Spec::Warehouse(spec), key.span, value);
    }

    pub(super) fn role(&mut self, ctx: &FileCtx, key: &Node, value: &Node) {
        let Some((_, Opened { id, raw, .. })) =
            self.open_account_object::<raw::RoleRaw>(ctx, ObjectKind::Role, key, value)
        else {
            return;
        };
        self.declare(
            id,
            Spec::Role(RoleSpec {
                comment: raw.comment,
            }),
            key.span,
            value,
        );
    }
}
