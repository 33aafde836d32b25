//! The drift report (`floe drift`): per managed object that differs from the
//! manifests, its changed properties; undeclared grants held by declared roles
//! (privilege escalation marked); and unmanaged objects — anything inside managed
//! databases and schemas, and the account's warehouses, databases, roles, shares and
//! listings — except what Snowflake creates itself and what floe.yaml's `ignore:`
//! patterns name. Pipeline health gets its own section: declared-started tasks found
//! suspended (by hand, or by Snowflake after failures) and streams that went stale.
//! Text for schedules' logs, JSON for automation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::diff::{Action, Change};
use crate::kinds::grant::{SYSTEM_ADMIN_ROLES, is_escalation};
use crate::model::{AccountName, Catalog, ObjectId, ObjectKind, ObjectName, Spec};

use super::view::{ObjectView, PropertyView};

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DriftView {
    pub format_version: u32,
    /// True when a managed object differs from its manifest.
    pub drifted: bool,
    pub objects: Vec<DriftedObject>,
    /// Broken pipelines: tasks declared started but found suspended, and streams
    /// that cannot be read (stale or invalid). Also counted in `drifted`.
    #[serde(default)]
    pub pipeline: Vec<DriftedObject>,
    pub unmanaged: Vec<UnmanagedObject>,
}

impl DriftView {
    /// True when `floe drift` exits 2: something drifted or is unmanaged.
    pub fn needs_attention(&self) -> bool {
        self.drifted || !self.unmanaged.is_empty()
    }
}

/// A change that says a pipeline is broken rather than that a manifest and an
/// account disagree on a setting: a started task found suspended, an unreadable
/// stream.
fn pipeline_health(change: &Change) -> bool {
    change.properties.iter().any(|p| match change.id.kind {
        ObjectKind::Stream => p.name == "health",
        ObjectKind::Task => {
            p.name == "state"
                && p.old.as_deref() == Some("suspended")
                && p.new.as_deref() == Some("started")
        }
        _ => false,
    })
}

/// What the drift report looks at besides the diff.
#[derive(Clone, Debug, Default)]
pub struct DriftOptions {
    /// Every account-level object found (`crate::runtime::inventory`).
    pub account_objects: Vec<ObjectId>,
    /// Per account, name patterns not to report as unmanaged.
    pub ignore: BTreeMap<AccountName, Vec<String>>,
    /// `--ignore-unmanaged`: report declared objects only.
    pub ignore_unmanaged: bool,
}

/// `properties[].old` is the live (observed) value, `new` the declared one.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DriftedObject {
    pub account: String,
    pub object: ObjectView,
    /// `missing` (declared, not found), `changed`, `unexpected` (found in an
    /// authoritative container or on an authoritative role, not declared; apply
    /// removes it) or `undeclared` (a grant to a declared role that the manifests do
    /// not declare; reported only).
    pub status: String,
    pub properties: Vec<PropertyView>,
    /// A grant of a system administration role or of OWNERSHIP.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub privilege_escalation: bool,
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

/// Roles Snowflake creates in every account.
const SYSTEM_ROLES: [&str; 2] = ["PUBLIC", "GLOBALORGADMIN"];

/// Databases Snowflake provides in every account.
const SYSTEM_DATABASES: [&str; 2] = ["SNOWFLAKE", "SNOWFLAKE_SAMPLE_DATA"];

/// Account-level objects Snowflake creates itself: not something to manage.
fn system_object(id: &ObjectId) -> bool {
    let name = id.name.name.as_str();
    match id.kind {
        ObjectKind::Role => SYSTEM_ADMIN_ROLES.contains(&name) || SYSTEM_ROLES.contains(&name),
        ObjectKind::Database => SYSTEM_DATABASES.contains(&name),
        _ => false,
    }
}

/// `*` any run of characters, `?` one character; ASCII case-insensitive.
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some((b'*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some((b'?', rest)) => !n.is_empty() && go(rest, &n[1..]),
            Some((c, rest)) => {
                n.first().is_some_and(|m| m.eq_ignore_ascii_case(c)) && go(rest, &n[1..])
            }
        }
    }
    go(pattern.trim().as_bytes(), name.as_bytes())
}

fn ignored(id: &ObjectId, options: &DriftOptions) -> bool {
    options.ignore.get(&id.account).is_some_and(|patterns| {
        patterns
            .iter()
            .any(|p| pattern_matches(p, id.name.name.as_str()))
    })
}

fn grant_escalates(spec: Option<&Spec>) -> bool {
    matches!(spec, Some(Spec::Grant(g)) if is_escalation(g))
}

/// Grants found on a declared role that the manifests do not declare and no change
/// removes (the role is not authoritative).
fn undeclared_grants<'a>(
    desired: &Catalog,
    observed: &'a Catalog,
    planned: &BTreeSet<&ObjectId>,
) -> Vec<(&'a ObjectId, &'a crate::model::GrantSpec)> {
    observed
        .objects
        .iter()
        .filter(|(id, _)| !desired.objects.contains_key(*id) && !planned.contains(id))
        .filter_map(|(id, spec)| match spec {
            Spec::Grant(g) => Some((id, g)),
            _ => None,
        })
        .filter(|(id, g)| {
            desired.objects.contains_key(&ObjectId::new(
                id.account.clone(),
                ObjectKind::Role,
                ObjectName::account_level(g.to_role.clone()),
            ))
        })
        .collect()
}

/// One change as a drifted object.
fn drifted(c: &Change, desired: &Catalog, observed: &Catalog) -> DriftedObject {
    DriftedObject {
        privilege_escalation: grant_escalates(desired.get(&c.id))
            || grant_escalates(observed.get(&c.id)),
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
    }
}

/// Builds the report from the normalized catalogs and the diff between them.
pub fn drift_view(
    desired: &Catalog,
    observed: &Catalog,
    changes: &[Change],
    options: &DriftOptions,
) -> DriftView {
    let mut changes: Vec<&Change> = changes.iter().collect();
    changes.sort_by(|a, b| a.id.cmp(&b.id));
    let (health, changes): (Vec<&Change>, Vec<&Change>) =
        changes.into_iter().partition(|c| pipeline_health(c));
    let pipeline: Vec<DriftedObject> = health
        .iter()
        .map(|c| drifted(c, desired, observed))
        .collect();
    let mut objects: Vec<(&ObjectId, DriftedObject)> = changes
        .iter()
        .map(|c| (&c.id, drifted(c, desired, observed)))
        .collect();
    let planned: BTreeSet<&ObjectId> = changes.iter().chain(health.iter()).map(|c| &c.id).collect();
    for (id, grant) in undeclared_grants(desired, observed, &planned) {
        objects.push((
            id,
            DriftedObject {
                account: id.account.to_string(),
                object: ObjectView::of(id),
                status: "undeclared".into(),
                properties: Vec::new(),
                privilege_escalation: is_escalation(grant),
            },
        ));
    }
    objects.sort_by(|a, b| a.0.cmp(b.0));
    let objects: Vec<DriftedObject> = objects.into_iter().map(|(_, o)| o).collect();
    let in_containers = observed
        .objects
        .keys()
        .filter(|id| !desired.objects.contains_key(*id) && !planned.contains(id))
        .filter(|id| !created_by_snowflake(id) && !in_imported_database(id, desired))
        .filter(|id| {
            containers(id)
                .iter()
                .any(|c| desired.objects.contains_key(c))
        });
    let account_level = options
        .account_objects
        .iter()
        .filter(|id| !desired.objects.contains_key(*id) && !planned.contains(id))
        .filter(|id| !system_object(id));
    let unmanaged: Vec<UnmanagedObject> = if options.ignore_unmanaged {
        Vec::new()
    } else {
        let found: BTreeSet<&ObjectId> = in_containers.chain(account_level).collect();
        found
            .into_iter()
            .filter(|id| !ignored(id, options))
            .map(|id| UnmanagedObject {
                account: id.account.to_string(),
                object: ObjectView::of(id),
            })
            .collect()
    };
    DriftView {
        format_version: super::FORMAT_VERSION,
        drifted: !objects.is_empty() || !pipeline.is_empty(),
        objects,
        pipeline,
        unmanaged,
    }
}

pub fn text(view: &DriftView) -> String {
    let mut out = String::new();
    let differing = view.objects.len() + view.pipeline.len();
    if view.drifted {
        let _ = writeln!(
            out,
            "Drift: {differing} object(s) differ from the manifests."
        );
    } else if view.unmanaged.is_empty() {
        out.push_str("No drift: the managed objects match the manifests.\n");
    } else {
        out.push_str("The managed objects match the manifests.\n");
    }
    for object in &view.objects {
        object_text(&mut out, object);
    }
    if !view.pipeline.is_empty() {
        let _ = writeln!(
            out,
            "\nPipeline health: suspended tasks and unreadable streams ({}):",
            view.pipeline.len()
        );
        for object in &view.pipeline {
            object_text(&mut out, object);
        }
    }
    if !view.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "\nUnmanaged objects: not declared in the manifests ({}):",
            view.unmanaged.len()
        );
        for u in &view.unmanaged {
            let _ = writeln!(out, "  {}: {}", u.account, u.object.label());
        }
    }
    out
}

/// One drifted object and what differs, indented under its heading.
fn object_text(out: &mut String, object: &DriftedObject) {
    let escalation = if object.privilege_escalation {
        ", PRIVILEGE ESCALATION"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "\n  {}: {} ({}{escalation})",
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
            super::text::list_changes(out, p, "        ", Default::default());
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
        let view = drift_view(&desired, &observed, &changes, &DriftOptions::default());
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
        let clean = drift_view(&desired, &desired, &[], &DriftOptions::default());
        assert!(!clean.drifted && clean.unmanaged.is_empty());
    }

    #[test]
    fn ignore_patterns_match_whole_names_case_insensitively() {
        assert!(pattern_matches("rogue_*", "ROGUE_WH"));
        assert!(pattern_matches("DEV_??_WH", "DEV_01_WH"));
        assert!(!pattern_matches("DEV_??_WH", "DEV_1_WH"));
        assert!(!pattern_matches("ROGUE", "ROGUE_WH"));
        assert!(pattern_matches("*", "ANYTHING"));
    }

    #[test]
    fn account_level_objects_exclude_snowflakes_own_and_ignored_ones() {
        let account = |kind, name: &str| {
            ObjectId::new(
                AccountName::new("bank"),
                kind,
                ObjectName::account_level(Ident::from_stored(name)),
            )
        };
        let mut desired = Catalog::new();
        desired.insert(
            account(ObjectKind::Role, "ANALYST"),
            Spec::Role(Default::default()),
        );
        let options = DriftOptions {
            account_objects: vec![
                account(ObjectKind::Role, "ANALYST"),
                account(ObjectKind::Role, "ACCOUNTADMIN"),
                account(ObjectKind::Role, "PUBLIC"),
                account(ObjectKind::Database, "SNOWFLAKE"),
                account(ObjectKind::Warehouse, "ROGUE_WH"),
                account(ObjectKind::Warehouse, "TEMP_WH"),
            ],
            ignore: [(AccountName::new("bank"), vec!["temp_*".to_string()])].into(),
            ignore_unmanaged: false,
        };
        let view = drift_view(&desired, &desired, &[], &options);
        let names: Vec<&str> = view
            .unmanaged
            .iter()
            .map(|u| u.object.name.as_str())
            .collect();
        assert_eq!(names, ["ROGUE_WH"]);
        assert!(!view.drifted && view.needs_attention());
        let declared_only = drift_view(
            &desired,
            &desired,
            &[],
            &DriftOptions {
                ignore_unmanaged: true,
                ..options
            },
        );
        assert!(!declared_only.needs_attention());
    }
}
