//! Lowering grants to roles: privileges on the account or on an object, and role
//! grants, each checked against the privileges Snowflake allows on its target.

use super::{FileCtx, Lowerer, field_span, quote_list};
use crate::manifest::diagnostics::{Diagnostic, codes, did_you_mean};
use crate::manifest::names::{self, Scope};
use crate::manifest::raw;
use crate::manifest::yaml::{Node, Value};
use crate::model::*;

impl Lowerer<'_> {
    pub(super) fn grant(&mut self, ctx: &FileCtx, node: &Node) {
        let what = "grant";
        let Some(raw) = self.parse::<raw::GrantRaw>(node, node.span, what) else {
            return;
        };
        let span = field_span(node, "to_role", node.span);
        let Some(to_role) = self.ident_ref(&raw.to_role, span, "role") else {
            return;
        };
        let spec = match (&raw.privilege, &raw.on, &raw.role) {
            (None, None, Some(role)) => {
                let Some(r) = self.ident_ref(role, field_span(node, "role", node.span), "role")
                else {
                    return;
                };
                GrantSpec {
                    privilege: String::new(),
                    on: GrantOn::Role(r),
                    to_role,
                }
            }
            (Some(privilege), Some(on), None) => {
                let privilege = privilege
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_ascii_uppercase();
                let on_node = node.get("on").unwrap_or(node);
                let target = match self.grant_target(on, on_node) {
                    Some(t) => t,
                    None => return,
                };
                let kind_name = match &target {
                    GrantOn::Object { kind, .. } => kind.as_str(),
                    _ => "account",
                };
                let allowed = privileges_for(&target);
                if !allowed.contains(&privilege.as_str()) {
                    let span = field_span(node, "privilege", node.span);
                    self.diag(
                        Diagnostic::new(
                            codes::PRIVILEGE_INVALID,
                            format!("`{privilege}` is not a privilege on a {kind_name}"),
                        )
                        .at(span, "invalid privilege")
                        .expected(format!("one of {}", quote_list(allowed)))
                        .maybe_hint(did_you_mean(&privilege, allowed.iter().copied())),
                    );
                    return;
                }
                GrantSpec {
                    privilege,
                    on: target,
                    to_role,
                }
            }
            _ => {
                self.diag(
                    Diagnostic::new(
                        codes::FIELD_CONFLICT,
                        "a grant needs either `privilege` and `on`, or `role`",
                    )
                    .at(node.span, "ambiguous grant")
                    .expected("`{privilege, on, to_role}` or `{role, to_role}`"),
                );
                return;
            }
        };
        let id = ObjectId::new(
            ctx.account.clone(),
            ObjectKind::Grant,
            ObjectName::account_level(Ident::from_stored(spec.key())),
        );
        self.declare(id, Spec::Grant(spec), node.span, node);
    }

    pub(super) fn grant_target(&mut self, on: &raw::GrantOnRaw, node: &Node) -> Option<GrantOn> {
        use raw::GrantOnRaw as G;
        let (kind, text) = match on {
            G::Account => return Some(GrantOn::Account),
            G::Warehouse(t) => (ObjectKind::Warehouse, t),
            G::Database(t) => (ObjectKind::Database, t),
            G::Schema(t) => (ObjectKind::Schema, t),
            G::Table(t) => (ObjectKind::Table, t),
            G::FileFormat(t) => (ObjectKind::FileFormat, t),
            G::Stage(t) => (ObjectKind::Stage, t),
            G::Stream(t) => (ObjectKind::Stream, t),
            G::Task(t) => (ObjectKind::Task, t),
            G::Procedure(t) => (ObjectKind::Procedure, t),
            G::Function(t) => (ObjectKind::Function, t),
            G::Model(t) => (ObjectKind::Model, t),
        };
        let span = match &node.value {
            Value::Map(entries) => entries.first().map(|(_, v)| v.span).unwrap_or(node.span),
            _ => node.span,
        };
        let (name_text, signature) = if matches!(kind, ObjectKind::Procedure | ObjectKind::Function)
        {
            let (n, sig) = names::split_signature(text);
            match sig {
                Some(types) => (
                    n,
                    Some(
                        types
                            .iter()
                            .map(|t| names::signature_type(t))
                            .collect::<Vec<_>>(),
                    ),
                ),
                None => {
                    self.diag(
                        Diagnostic::new(
                            codes::VALUE_INVALID,
                            format!(
                                "grant on {} `{text}` needs its argument types",
                                kind.as_str()
                            ),
                        )
                        .at(span, "argument types missing")
                        .expected("`database.schema.name(type, …)`, or `name()` without arguments"),
                    );
                    return None;
                }
            }
        } else {
            (text.clone(), None)
        };
        let resolved = match kind.level() {
            Level::Account => names::account_level(&name_text),
            Level::Database => names::schema_level(&name_text, &Scope::account()),
            Level::Schema => names::object_level(&name_text, &Scope::account()),
        };
        match resolved {
            Ok(name) => Some(GrantOn::Object {
                kind,
                name,
                signature,
            }),
            Err(e) => {
                self.name_error(e, text, span, kind.as_str());
                None
            }
        }
    }
}

/// Privileges Snowflake allows on each kind of grant target.
pub(super) fn privileges_for(on: &GrantOn) -> &'static [&'static str] {
    let kind = match on {
        GrantOn::Account => {
            return &[
                "ALL",
                "APPLY MASKING POLICY",
                "AUDIT",
                "CREATE DATA EXCHANGE LISTING",
                "CREATE DATABASE",
                "CREATE INTEGRATION",
                "CREATE ROLE",
                "CREATE SHARE",
                "CREATE USER",
                "CREATE WAREHOUSE",
                "EXECUTE MANAGED TASK",
                "EXECUTE TASK",
                "IMPORT SHARE",
                "MANAGE GRANTS",
                "MONITOR EXECUTION",
                "MONITOR USAGE",
                "OVERRIDE SHARE RESTRICTIONS",
            ];
        }
        GrantOn::Role(_) => return &[""],
        GrantOn::Object { kind, .. } => *kind,
    };
    match kind {
        ObjectKind::Warehouse => &[
            "ALL",
            "APPLYBUDGET",
            "MODIFY",
            "MONITOR",
            "OPERATE",
            "OWNERSHIP",
            "USAGE",
        ],
        ObjectKind::Database => &[
            "ALL",
            "APPLYBUDGET",
            "CREATE DATABASE ROLE",
            "CREATE SCHEMA",
            "IMPORTED PRIVILEGES",
            "MODIFY",
            "MONITOR",
            "OWNERSHIP",
            "REFERENCE_USAGE",
            "USAGE",
        ],
        ObjectKind::Schema => &[
            "ADD SEARCH OPTIMIZATION",
            "ALL",
            "CREATE ALERT",
            "CREATE DYNAMIC TABLE",
            "CREATE EXTERNAL TABLE",
            "CREATE FILE FORMAT",
            "CREATE FUNCTION",
            "CREATE MATERIALIZED VIEW",
            "CREATE MODEL",
            "CREATE PIPE",
            "CREATE PROCEDURE",
            "CREATE SECRET",
            "CREATE SEQUENCE",
            "CREATE STAGE",
            "CREATE STREAM",
            "CREATE STREAMLIT",
            "CREATE TABLE",
            "CREATE TAG",
            "CREATE TASK",
            "CREATE TEMPORARY TABLE",
            "CREATE VIEW",
            "MODIFY",
            "MONITOR",
            "OWNERSHIP",
            "USAGE",
        ],
        ObjectKind::Table => &[
            "ALL",
            "APPLYBUDGET",
            "DELETE",
            "EVOLVE SCHEMA",
            "INSERT",
            "OWNERSHIP",
            "REBUILD",
            "REFERENCES",
            "SELECT",
            "TRUNCATE",
            "UPDATE",
        ],
        ObjectKind::Stage => &["ALL", "OWNERSHIP", "READ", "USAGE", "WRITE"],
        ObjectKind::Stream => &["ALL", "OWNERSHIP", "SELECT"],
        ObjectKind::Task => &["ALL", "MONITOR", "OPERATE", "OWNERSHIP"],
        _ => &["ALL", "OWNERSHIP", "USAGE"],
    }
}
