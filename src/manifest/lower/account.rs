//! Lowering account-level objects that stand on their own: warehouses and roles.

use super::{FileCtx, Lowerer, Opened, field_span};
use crate::manifest::diagnostics::{Diagnostic, codes};
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
        if let (Some(min), Some(max)) = (raw.min_cluster_count, raw.max_cluster_count)
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
            size: raw.warehouse_size.map(|s| s.sql().to_string()),
            auto_suspend: raw.auto_suspend,
            auto_resume: raw.auto_resume,
            min_cluster_count: raw.min_cluster_count,
            max_cluster_count: raw.max_cluster_count,
            scaling_policy: raw.scaling_policy.map(|p| p.sql().to_string()),
            max_concurrency_level: raw.max_concurrency_level,
            statement_timeout_in_seconds: raw.statement_timeout_in_seconds,
            statement_queued_timeout_in_seconds: raw.statement_queued_timeout_in_seconds,
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
        if raw.authoritative == Some(true) {
            self.out.authoritative.insert(id.clone());
        }
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
