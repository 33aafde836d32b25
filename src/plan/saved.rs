//! Saved plans (`floe plan --out plan.json`, `floe apply plan.json`).
//!
//! A saved plan is a sealed claim, not a script. It holds the plan as reviewed (with
//! the exact statements, deferred values still unresolved), the desired catalog that
//! defines its scope, the target it was made against, one fingerprint per account of
//! the normalized observed state in scope, and the sha256 of every local file the
//! plan reads. Every path in it is relative: the project folder relative to the plan
//! file's folder, the emulator file and the local files relative to the project.
//!
//! `apply` checks the claim before anything is sent: the local files must hash the
//! same, a fresh observation of the same scope must fingerprint the same (else the
//! plan is stale), and the plan re-derived from the saved desired state and that
//! observation must equal the saved one, step by step ([`compare_plans`]). What
//! runs is the re-derived plan; the destroy gate applies to it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{AccountName, Catalog, Spec};

use super::{Plan, Step, StepId};

/// Version of the saved-plan file format (2: relative paths and sealed files).
pub const SAVED_FORMAT_VERSION: u32 = 2;

/// Where a saved plan's accounts live (the target it was made against, resolved).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavedTarget {
    /// In a saved plan file the path is relative to the project folder; once
    /// resolved for opening it is the path of the file.
    Emulator { path: PathBuf },
    Snowflake {
        connections: BTreeMap<AccountName, String>,
    },
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    /// Always `"floe_saved_plan"`, so the file is recognisable.
    pub kind: String,
    /// The floe version that made the plan (planning may differ between versions).
    pub floe_version: String,
    /// The project folder, relative to the folder holding the plan file.
    pub project: PathBuf,
    pub target_name: String,
    /// The target, with an emulator path relative to the project folder.
    pub target: SavedTarget,
    pub accounts: Vec<AccountName>,
    /// sha256 (hex) of the canonical JSON of each account's normalized observed objects.
    pub fingerprints: BTreeMap<AccountName, String>,
    /// Every local file the plan reads (body files, model artifacts), relative to the
    /// project folder → sha256 (hex) of its content when the plan was made.
    pub files: BTreeMap<PathBuf, String>,
    /// The desired catalog the plan was made from: it defines the scope to re-observe
    /// and is what apply re-derives the plan from.
    #[serde(with = "catalog_entries")]
    pub desired: Catalog,
    /// The plan as reviewed: a claim that apply checks, never executed as written.
    pub plan: Plan,
}

/// JSON object keys must be strings, so a catalog is stored as a list of
/// `[id, spec]` pairs plus its authoritative containers.
mod catalog_entries {
    use std::collections::BTreeSet;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::{Catalog, ObjectId, Spec};

    #[derive(Serialize, Deserialize)]
    struct Entries {
        objects: Vec<(ObjectId, Spec)>,
        authoritative: BTreeSet<ObjectId>,
    }

    pub fn serialize<S: Serializer>(catalog: &Catalog, s: S) -> Result<S::Ok, S::Error> {
        Entries {
            objects: catalog
                .objects
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            authoritative: catalog.authoritative.clone(),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Catalog, D::Error> {
        let entries = Entries::deserialize(d)?;
        Ok(Catalog {
            objects: entries.objects.into_iter().collect(),
            authoritative: entries.authoritative,
        })
    }
}

impl SavedPlan {
    pub const KIND: &'static str = "floe_saved_plan";

    /// Checks what can be checked without the world: the file's kind and version, the
    /// plan's shape, and that every local path stays inside the project folder and
    /// every artifact the desired state uploads is sealed.
    pub fn check(&self) -> Result<(), String> {
        if self.kind != Self::KIND {
            return Err(format!("its kind is `{}`, not `{}`", self.kind, Self::KIND));
        }
        if self.format_version != SAVED_FORMAT_VERSION {
            return Err(format!(
                "it has format version {}; this floe reads version {SAVED_FORMAT_VERSION} (run `floe plan --out` again)",
                self.format_version
            ));
        }
        self.plan.check()?;
        for path in self.files.keys() {
            if !crate::paths::stays_inside(path) {
                return Err(format!(
                    "the local file `{}` is not inside the project folder",
                    path.display()
                ));
            }
        }
        for path in self.local_sources() {
            if !self.files.contains_key(&crate::paths::normalize(&path)) {
                return Err(format!(
                    "the desired state uploads `{}`, which the plan does not seal",
                    path.display()
                ));
            }
        }
        Ok(())
    }

    /// The local files the desired state's statements read (model artifacts).
    pub fn local_sources(&self) -> Vec<PathBuf> {
        self.desired
            .objects
            .values()
            .filter_map(|spec| match spec {
                Spec::Model(model) => Some(model),
                _ => None,
            })
            .flat_map(|model| &model.versions)
            .flat_map(|version| version.sources.values().cloned())
            .collect()
    }
}

/// The re-derived plan is not the saved one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct PlanMismatch {
    /// The first step that differs (1-based position), if the difference is a step.
    pub step: Option<StepId>,
    pub detail: String,
}

/// One line of a statement for messages, cut at `max` characters.
fn clip(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    let more = line.len() < text.len();
    let mut out: String = line.chars().take(max).collect();
    if more || line.chars().count() > max {
        out.push_str(" …");
    }
    out
}

fn describe(step: &Step) -> String {
    format!("{} {}", step.action, step.object)
}

/// Requires `derived` (made now) to equal `claimed` (read from the file): the same
/// steps in the same order, each with the same account, object, action, statements,
/// hazards, dependencies, reason and properties, and the same task-graph records.
/// The error names the first difference.
pub fn compare_plans(claimed: &Plan, derived: &Plan) -> Result<(), PlanMismatch> {
    let mismatch = |step: Option<StepId>, detail: String| Err(PlanMismatch { step, detail });
    let count = claimed.steps.len().max(derived.steps.len());
    for position in 1..=count {
        let (c, d) = (claimed.step(position), derived.step(position));
        let (c, d) = match (c, d) {
            (Some(c), Some(d)) => (c, d),
            (Some(c), None) => {
                return mismatch(
                    Some(position),
                    format!(
                        "step {position} (`{}`) is in the file but not in the plan derived now ({} steps)",
                        describe(c),
                        derived.steps.len()
                    ),
                );
            }
            (None, Some(d)) => {
                return mismatch(
                    Some(position),
                    format!(
                        "the plan derived now has step {position} (`{}`), which the file does not have ({} steps)",
                        describe(d),
                        claimed.steps.len()
                    ),
                );
            }
            (None, None) => break,
        };
        let same_but_account = c.object.kind == d.object.kind
            && c.object.name == d.object.name
            && c.action == d.action;
        if c.account() != d.account() && same_but_account {
            return mismatch(
                Some(position),
                format!(
                    "step {position} runs in account `{}` in the file, in `{}` in the plan derived now",
                    c.account(),
                    d.account()
                ),
            );
        }
        if c.object != d.object || c.action != d.action {
            let moved = derived
                .steps
                .iter()
                .find(|s| s.object == c.object && s.action == c.action)
                .map(|s| format!(" (derived now as step {}: the steps were reordered)", s.id))
                .unwrap_or_default();
            return mismatch(
                Some(position),
                format!(
                    "step {position} is `{}` in the file, `{}` in the plan derived now{moved}",
                    describe(c),
                    describe(d)
                ),
            );
        }
        if c.statements.len() != d.statements.len() {
            return mismatch(
                Some(position),
                format!(
                    "step {position} (`{}`) has {} statements in the file, {} in the plan derived now",
                    describe(c),
                    c.statements.len(),
                    d.statements.len()
                ),
            );
        }
        for (i, (cs, ds)) in c.statements.iter().zip(&d.statements).enumerate() {
            if cs != ds {
                return mismatch(
                    Some(position),
                    format!(
                        "statement {} of step {position} (`{}`) was edited: the file has `{}`, the plan derived now `{}`",
                        i + 1,
                        describe(c),
                        clip(&cs.to_string(), 160),
                        clip(&ds.to_string(), 160)
                    ),
                );
            }
        }
        let field = if c.hazards != d.hazards {
            Some(format!(
                "hazards [{}] in the file, [{}] in the plan derived now",
                codes(&c.hazards),
                codes(&d.hazards)
            ))
        } else if c.depends_on != d.depends_on {
            Some(format!(
                "dependencies {:?} in the file, {:?} in the plan derived now",
                c.depends_on, d.depends_on
            ))
        } else if c.reason != d.reason {
            Some("a different reason in the file".to_string())
        } else if c.properties != d.properties {
            Some("different property changes in the file".to_string())
        } else if c.id != d.id {
            Some(format!("id {} in the file", c.id))
        } else {
            None
        };
        if let Some(field) = field {
            return mismatch(
                Some(position),
                format!("step {position} (`{}`) has {field}", describe(c)),
            );
        }
    }
    if claimed.task_graphs != derived.task_graphs {
        return mismatch(
            None,
            "the task-graph records (what to resume after a failure) differ from the plan derived now"
                .to_string(),
        );
    }
    Ok(())
}

fn codes(hazards: &[crate::diff::Hazard]) -> String {
    hazards
        .iter()
        .map(|h| h.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One fingerprint per account (every account in `accounts`, even with no objects).
pub fn fingerprints(observed: &Catalog, accounts: &[AccountName]) -> BTreeMap<AccountName, String> {
    let mut all: BTreeSet<AccountName> = accounts.iter().cloned().collect();
    all.extend(observed.accounts());
    all.into_iter()
        .map(|account| {
            let mut hasher = Sha256::new();
            for (id, spec) in observed.in_account(&account) {
                // serde_json of these types is canonical: struct fields in declaration
                // order, maps sorted (BTreeMap), no floats with unstable formatting.
                let entry = serde_json::json!([id, spec]).to_string();
                hasher.update(entry.as_bytes());
                hasher.update(b"\n");
            }
            (account, hex::encode(hasher.finalize()))
        })
        .collect()
}

/// The accounts whose fingerprint changed (or appeared/disappeared).
pub fn stale_accounts(
    saved: &BTreeMap<AccountName, String>,
    now: &BTreeMap<AccountName, String>,
) -> Vec<AccountName> {
    let keys: BTreeSet<&AccountName> = saved.keys().chain(now.keys()).collect();
    keys.into_iter()
        .filter(|k| saved.get(*k) != now.get(*k))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ident, ObjectId, ObjectKind, ObjectName, Spec, WarehouseSpec};

    fn catalog(size: &str) -> Catalog {
        let mut c = Catalog::new();
        c.insert(
            ObjectId::new(
                AccountName::new("bank"),
                ObjectKind::Warehouse,
                ObjectName::account_level(Ident::from_stored("W")),
            ),
            Spec::Warehouse(WarehouseSpec {
                size: Some(size.into()),
                ..WarehouseSpec::default()
            }),
        );
        c
    }

    #[test]
    fn fingerprints_change_with_the_observed_state_only() {
        let accounts = [AccountName::new("bank"), AccountName::new("partner")];
        let a = fingerprints(&catalog("XSMALL"), &accounts);
        assert_eq!(a, fingerprints(&catalog("XSMALL"), &accounts));
        let b = fingerprints(&catalog("SMALL"), &accounts);
        assert_eq!(stale_accounts(&a, &b), vec![AccountName::new("bank")]);
        assert!(stale_accounts(&a, &a).is_empty());
        assert_eq!(a.len(), 2, "accounts without objects are fingerprinted too");
    }

    fn step(id: StepId, account: &str, name: &str, sql: &str) -> Step {
        Step {
            id,
            object: ObjectId::new(
                AccountName::new(account),
                ObjectKind::Warehouse,
                ObjectName::account_level(Ident::from_stored(name)),
            ),
            action: super::super::StepAction::Alter,
            reason: None,
            hazards: Vec::new(),
            properties: Vec::new(),
            statements: vec![crate::sql::Statement::new(sql)],
            depends_on: Vec::new(),
        }
    }

    fn two_steps() -> Plan {
        Plan {
            steps: vec![
                step(
                    1,
                    "bank",
                    "A",
                    "ALTER WAREHOUSE A SET WAREHOUSE_SIZE = 'SMALL'",
                ),
                step(2, "bank", "B", "ALTER WAREHOUSE B SET AUTO_SUSPEND = 60"),
            ],
            task_graphs: Vec::new(),
        }
    }

    #[test]
    fn the_same_plan_matches_and_each_tampering_is_named() {
        let derived = two_steps();
        assert_eq!(compare_plans(&derived, &derived), Ok(()));

        let mut edited = two_steps();
        edited.steps[0].statements = vec![crate::sql::Statement::new("DROP DATABASE D")];
        let error = compare_plans(&edited, &derived).unwrap_err();
        assert_eq!(error.step, Some(1));
        assert!(
            error.detail.contains("statement 1 of step 1")
                && error.detail.contains("`DROP DATABASE D`")
                && error
                    .detail
                    .contains("`ALTER WAREHOUSE A SET WAREHOUSE_SIZE = 'SMALL'`"),
            "{error}"
        );

        let mut added = two_steps();
        added.steps.push(step(3, "bank", "C", "DROP WAREHOUSE C"));
        let error = compare_plans(&added, &derived).unwrap_err();
        assert!(
            error
                .detail
                .contains("step 3 (`alter bank: warehouse C`) is in the file but not"),
            "{error}"
        );

        let mut moved = two_steps();
        moved.steps[1].object.account = AccountName::new("partner");
        let error = compare_plans(&moved, &derived).unwrap_err();
        assert!(
            error
                .detail
                .contains("step 2 runs in account `partner` in the file, in `bank`"),
            "{error}"
        );

        let mut reordered = two_steps();
        reordered.steps.swap(0, 1);
        reordered.steps[0].id = 1;
        reordered.steps[1].id = 2;
        let error = compare_plans(&reordered, &derived).unwrap_err();
        assert!(error.detail.contains("the steps were reordered"), "{error}");

        let mut hazards = two_steps();
        hazards.steps[0].hazards = vec![crate::diff::Hazard::DropsData];
        let error = compare_plans(&derived, &hazards).unwrap_err();
        assert!(
            error
                .detail
                .contains("hazards [] in the file, [drops_data]"),
            "{error}"
        );

        let mut fewer = two_steps();
        fewer.steps.pop();
        let error = compare_plans(&fewer, &derived).unwrap_err();
        assert!(
            error.detail.contains("the plan derived now has step 2"),
            "{error}"
        );
    }

    #[test]
    fn local_paths_must_stay_inside_and_artifacts_must_be_sealed() {
        let mut saved = SavedPlan {
            format_version: SAVED_FORMAT_VERSION,
            kind: SavedPlan::KIND.into(),
            floe_version: "0".into(),
            project: ".".into(),
            target_name: "local".into(),
            target: SavedTarget::Emulator {
                path: ".floe/emulator.db".into(),
            },
            accounts: vec![AccountName::new("bank")],
            fingerprints: BTreeMap::new(),
            files: BTreeMap::new(),
            desired: Catalog::new(),
            plan: Plan::default(),
        };
        assert_eq!(saved.check(), Ok(()));
        saved.files.insert("../../etc/passwd".into(), "00".into());
        assert!(
            saved
                .check()
                .unwrap_err()
                .contains("not inside the project")
        );
        saved.files.clear();
        saved.desired.insert(
            ObjectId::new(
                AccountName::new("bank"),
                ObjectKind::Model,
                ObjectName::parse("d.s.m").unwrap(),
            ),
            Spec::Model(crate::model::ModelSpec {
                stage: ObjectName::parse("d.s.st").unwrap(),
                versions: vec![crate::model::ModelVersionSpec {
                    name: Ident::from_stored("V1"),
                    files: BTreeMap::from([("m.json".into(), "ab".into())]),
                    sources: BTreeMap::from([("m.json".into(), "model/m.json".into())]),
                }],
                default_version: None,
                comment: None,
            }),
        );
        assert!(saved.check().unwrap_err().contains("does not seal"));
        saved.files.insert("model/m.json".into(), "00".into());
        assert_eq!(saved.check(), Ok(()));
        saved.format_version = 1;
        assert!(saved.check().unwrap_err().contains("format version 1"));
    }

    #[test]
    fn saved_plans_round_trip_through_json() {
        let saved = SavedPlan {
            format_version: SAVED_FORMAT_VERSION,
            kind: SavedPlan::KIND.into(),
            floe_version: "0.1.0".into(),
            project: "manifests".into(),
            target_name: "local".into(),
            target: SavedTarget::Emulator {
                path: ".floe/x.db".into(),
            },
            accounts: vec![AccountName::new("bank")],
            fingerprints: fingerprints(&catalog("XSMALL"), &[AccountName::new("bank")]),
            files: BTreeMap::from([("python/x.py".into(), "ab".repeat(32))]),
            desired: catalog("SMALL"),
            plan: Plan::default(),
        };
        let json = serde_json::to_string(&saved).unwrap();
        let back: SavedPlan = serde_json::from_str(&json).unwrap();
        assert_eq!(back, saved);
    }
}
