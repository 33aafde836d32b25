//! The drift report (`floe drift`): per managed object that differs from the
//! manifests, its changed properties; and the unmanaged objects found inside managed
//! databases and schemas. Text for schedules' logs, JSON for automation.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::diff::{Action, Change};
use crate::model::{Catalog, ObjectId, ObjectKind, ObjectName};

use super::view::{ObjectView, PropertyView};

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DriftView {
    pub format_version: u32,
    /// True when a managed object differs from its manifest.
    pub drifted: bool,
    pub objects: Vec<DriftedObject>,
    pub unmanaged: Vec<UnmanagedObject>,
}

/// `properties[].old` is the live (observed) value, `new` the declared one.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DriftedObject {
    pub account: String,
    pub object: ObjectView,
    /// `missing` (declared, not found), `changed`, or `unexpected` (found in an
    /// authoritative container, not declared).
    pub status: String,
    pub properties: Vec<PropertyView>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct UnmanagedObject {
    pub account: String,
    pub object: ObjectView,
}

/// The databases and schemas an object lives in.
fn containers(id: &ObjectId) -> Vec<ObjectId> {
    let mut out = Vec::new();
    if let Some(db) = &id.name.database {
        out.push(ObjectId::new(
            id.account.clone(),
            ObjectKind::Database,
            ObjectName::account_level(db.clone()),
        ));
        if let Some(schema) = &id.name.schema {
            out.push(ObjectId::new(
                id.account.clone(),
                ObjectKind::Schema,
                ObjectName::in_database(db.clone(), schema.clone()),
            ));
        }
    }
    out
}

/// Schemas Snowflake creates in every database: not something a manifest declares.
fn created_by_snowflake(id: &ObjectId) -> bool {
    id.kind == ObjectKind::Schema
        && matches!(id.name.name.as_str(), "PUBLIC" | "INFORMATION_SCHEMA")
}

/// Objects of a database mounted from a share or listing belong to the provider.
fn in_imported_database(id: &ObjectId, desired: &Catalog) -> bool {
    let Some(db) = &id.name.database else {
        return false;
    };
    let db_id = ObjectId::new(
        id.account.clone(),
        ObjectKind::Database,
        ObjectName::account_level(db.clone()),
    );
    matches!(
        desired.get(&db_id),
        Some(crate::model::Spec::Database(spec)) if spec.source != crate::model::DatabaseSource::Local
    )
}

/// Builds the report from the normalized catalogs and the diff between them.
pub fn drift_view(desired: &Catalog, observed: &Catalog, changes: &[Change]) -> DriftView {
    let mut changes: Vec<&Change> = changes.iter().collect();
    changes.sort_by(|a, b| a.id.cmp(&b.id));
    let objects: Vec<DriftedObject> = changes
        .iter()
        .map(|c| DriftedObject {
            account: c.id.account.to_string(),
            object: ObjectView::of(&c.id),
            status: match c.action {
                Action::Create => "missing",
                Action::Alter | Action::Replace => "changed",
                Action::Drop => "unexpected",
            }
            .to_string(),
            properties: if c.action == Action::Create {
                Vec::new()
            } else {
                c.properties.iter().map(PropertyView::of).collect()
            },
        })
        .collect();
    let planned: std::collections::BTreeSet<&ObjectId> = changes.iter().map(|c| &c.id).collect();
    let unmanaged = observed
        .objects
        .keys()
        .filter(|id| !desired.objects.contains_key(*id) && !planned.contains(id))
        .filter(|id| !created_by_snowflake(id) && !in_imported_database(id, desired))
        .filter(|id| {
            containers(id)
                .iter()
                .any(|c| desired.objects.contains_key(c))
        })
        .map(|id| UnmanagedObject {
            account: id.account.to_string(),
            object: ObjectView::of(id),
        })
        .collect();
    DriftView {
        format_version: super::FORMAT_VERSION,
        drifted: !objects.is_empty(),
        objects,
        unmanaged,
    }
}

pub fn text(view: &DriftView) -> String {
    let mut out = String::new();
    if view.drifted {
        let _ = writeln!(
            out,
            "Drift: {} object(s) differ from the manifests.",
            view.objects.len()
        );
    } else {
        out.push_str("No drift: the managed objects match the manifests.\n");
    }
    for object in &view.objects {
        let _ = writeln!(
            out,
            "\n  {}: {} ({})",
            object.account,
            object.object.label(),
            object.status
        );
        for p in &object.properties {
            if p.list.is_some() {
                let _ = writeln!(
                    out,
                    "      {} (+ declared, not found; - found, not declared):",
                    p.name
                );
                super::text::list_changes(&mut out, p, "        ", Default::default());
                continue;
            }
            let show = |v: &Option<super::view::Value>| match v {
                Some(super::view::Value::Text(t)) if t.contains('\n') => {
                    format!("<{} lines>", t.lines().count())
                }
                other => super::text::value(other),
            };
            let _ = writeln!(
                out,
                "      {}: declared {}, found {}",
                p.name,
                show(&p.new),
                show(&p.old)
            );
        }
    }
    if !view.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "\nUnmanaged objects inside managed databases and schemas ({}):",
            view.unmanaged.len()
        );
        for u in &view.unmanaged {
            let _ = writeln!(out, "  {}: {}", u.account, u.object.label());
        }
    }
    out
}

pub fn json(view: &DriftView) -> String {
    super::view::pretty_json(view)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::PropertyChange;
    use crate::model::{AccountName, Ident, SchemaSpec, Spec, TableSpec};

    fn id(kind: ObjectKind, dotted: &str) -> ObjectId {
        ObjectId::new(
            AccountName::new("bank"),
            kind,
            ObjectName::parse(dotted).unwrap(),
        )
    }

    #[test]
    fn names_changed_properties_and_unmanaged_objects() {
        let mut desired = Catalog::new();
        desired.insert(
            id(ObjectKind::Schema, "d.s"),
            Spec::Schema(SchemaSpec::default()),
        );
        desired.insert(
            id(ObjectKind::Table, "d.s.t"),
            Spec::Table(TableSpec::default()),
        );
        let mut observed = desired.clone();
        observed.insert(
            id(ObjectKind::Table, "d.s.extra"),
            Spec::Table(TableSpec::default()),
        );
        observed.insert(
            id(ObjectKind::Table, "other.s.x"),
            Spec::Table(TableSpec::default()),
        );
        observed.insert(
            id(ObjectKind::Schema, "d.public"),
            Spec::Schema(SchemaSpec::default()),
        );
        desired.insert(
            id(ObjectKind::Database, "mounted"),
            Spec::Database(crate::model::DatabaseSpec {
                source: crate::model::DatabaseSource::Share {
                    provider: crate::model::AccountRef::Identifier("ORG.P".into()),
                    share: Ident::from_stored("S"),
                },
                ..Default::default()
            }),
        );
        observed.insert(
            id(ObjectKind::Table, "mounted.s.shared"),
            Spec::Table(TableSpec::default()),
        );
        let changes = vec![Change {
            id: ObjectId::new(
                AccountName::new("bank"),
                ObjectKind::Warehouse,
                ObjectName::account_level(Ident::from_stored("W")),
            ),
            action: Action::Alter,
            reason: None,
            properties: vec![
                PropertyChange::scalar("size", Some("Large".into()), Some("X-Small".into())),
                PropertyChange::list(
                    "after",
                    Some(&["D.S.GONE".to_string(), "D.S.KEPT".to_string()]),
                    Some(&["D.S.KEPT".to_string(), "D.S.NEW".to_string()]),
                ),
            ],
            statements: Vec::new(),
            hazards: Vec::new(),
        }];
        let view = drift_view(&desired, &observed, &changes);
        assert!(view.drifted);
        let text = text(&view);
        assert!(text.contains("bank: warehouse W (changed)"), "{text}");
        assert!(
            text.contains("size: declared \"X-Small\", found \"Large\""),
            "{text}"
        );
        assert!(
            text.contains(
                "after (+ declared, not found; - found, not declared):\n        - D.S.GONE\n        + D.S.NEW\n          (1 unchanged)\n"
            ),
            "{text}"
        );
        assert!(text.contains("bank: table D.S.EXTRA"), "{text}");
        assert!(
            !text.contains("OTHER.S.X"),
            "outside the managed containers: {text}"
        );
        assert_eq!(
            view.unmanaged.len(),
            1,
            "PUBLIC and the provider's tables are not listed: {text}"
        );
        let clean = drift_view(&desired, &desired, &[]);
        assert!(!clean.drifted && clean.unmanaged.is_empty());
    }
}
