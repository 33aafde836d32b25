//! Round trip on the emulator: every kind is created with the SQL `diff` renders,
//! observed back, normalized and compared — the second diff must be empty. Then a
//! few in-place changes are applied the same way and must converge too.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::testutil::*;
use super::*;
use crate::diff::{Change, diff};
use crate::emulator::Emulator;
use crate::model::*;
use crate::runtime::observe::{Sessions, observe};
use crate::sql::Deferred;

fn sessions(emulator: &Emulator) -> Sessions {
    let mut s: Sessions = BTreeMap::new();
    s.insert(bank(), Arc::new(emulator.session("BANK")));
    s.insert(partner(), Arc::new(emulator.session("PARTNER")));
    s
}

/// Runs every statement of `changes` in the order given, resolving deferred values
/// the way apply does.
fn run(sessions: &Sessions, changes: &[Change]) {
    for change in changes {
        let session = &sessions[&change.id.account];
        for statement in &change.statements {
            let sql = statement
                .resolve(|d| match d {
                    Deferred::ListingGlobalName { account, listing } => {
                        let rows = sessions[account]
                            .execute(&format!(
                                "SHOW LISTINGS LIKE {}",
                                crate::sql::literal(listing)
                            ))
                            .map_err(|e| e.to_string())?;
                        rows.iter()
                            .next()
                            .and_then(|r| r.get("global_name").map(str::to_string))
                            .ok_or_else(|| format!("listing {listing} not found"))
                    }
                    Deferred::SecretFromEnv { .. } => Ok("not-a-secret".to_string()),
                })
                .unwrap();
            session
                .execute(&sql)
                .unwrap_or_else(|e| panic!("{}\n{sql}\n{e}", change.id));
        }
        if change.id.kind == ObjectKind::Task
            && change
                .properties
                .iter()
                .any(|p| p.name == "state" && p.new.as_deref() == Some("started"))
        {
            session
                .execute(&format!("ALTER TASK {} RESUME", change.id.name.sql()))
                .unwrap();
        }
    }
}

fn plan_changes(sessions: &Sessions, desired: &Catalog) -> (Vec<Change>, Context) {
    let observed = observe(sessions, desired).unwrap();
    let ctx = Context::new(desired, observed.account_identifiers.clone());
    (diff(desired, &observed.catalog, &ctx), ctx)
}

/// The sample with a real model artifact on disk.
fn desired_with_artifact(dir: &std::path::Path) -> Catalog {
    let mut desired = sample();
    desired.insert(
        id(&partner(), ObjectKind::Warehouse, "score_wh"),
        Spec::Warehouse(WarehouseSpec {
            size: Some("small".into()),
            ..Default::default()
        }),
    );
    let file = dir.join("model.pkl");
    std::fs::write(&file, b"weights v1").unwrap();
    let md5 = {
        use md5::Digest;
        hex::encode(md5::Md5::digest(b"weights v1"))
    };
    for spec in desired.objects.values_mut() {
        if let Spec::Model(m) = spec {
            m.versions[0].files = BTreeMap::from([("model.pkl".to_string(), md5.clone())]);
            m.versions[0].sources = BTreeMap::from([("model.pkl".to_string(), file.clone())]);
        }
    }
    desired
}

#[test]
fn every_kind_round_trips_through_the_emulator() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = Emulator::open_in_memory().unwrap();
    let sessions = sessions(&emulator);
    let desired = desired_with_artifact(dir.path());
    let (first, _) = plan_changes(&sessions, &desired);
    assert!(!first.is_empty());
    run(&sessions, &first);
    let (second, _) = plan_changes(&sessions, &desired);
    assert_eq!(render(&second), "", "the plan after applying is not empty");
}

#[test]
fn edits_converge_on_the_emulator() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = Emulator::open_in_memory().unwrap();
    let sessions = sessions(&emulator);
    let mut desired = desired_with_artifact(dir.path());
    desired.insert(
        id(&partner(), ObjectKind::Warehouse, "score_wh"),
        Spec::Warehouse(WarehouseSpec {
            size: Some("small".into()),
            ..Default::default()
        }),
    );
    let (first, _) = plan_changes(&sessions, &desired);
    run(&sessions, &first);
    // A batch of in-place edits and one replace, like a pull request would bring.
    let b = bank();
    let file_v2 = dir.path().join("model_v2.pkl");
    std::fs::write(&file_v2, b"weights v2").unwrap();
    for (id, spec) in desired.objects.iter_mut() {
        match spec {
            Spec::Warehouse(w) if id.account == b => w.size = Some("Medium".into()),
            Spec::Table(t) => {
                t.columns.push(column("r_1", "number(10,2)"));
                t.comment = Some("with R_1".into());
            }
            Spec::Task(t) => {
                t.schedule = Some("10 minutes".into());
                t.body = "SELECT 2".into();
            }
            Spec::Procedure(r) => r.body = "def run(session, src, dst):\n    return 'v2'\n".into(),
            Spec::Stream(s) => s.comment = Some("it's new".into()),
            Spec::Listing(l) => l.title = Some("Credit card data (v2)".into()),
            Spec::Share(s) if id.account == b => s.comment = Some("shared".into()),
            Spec::Model(m) => {
                let md5 = {
                    use md5::Digest;
                    hex::encode(md5::Md5::digest(b"weights v2"))
                };
                m.versions.push(ModelVersionSpec {
                    name: ident("v2"),
                    files: BTreeMap::from([("model.pkl".to_string(), md5)]),
                    sources: BTreeMap::from([("model.pkl".to_string(), file_v2.clone())]),
                });
                m.default_version = Some(ident("v2"));
            }
            _ => {}
        }
    }
    let (edits, _) = plan_changes(&sessions, &desired);
    let text = render(&edits);
    assert!(
        text.contains("ALTER WAREHOUSE QUERY_WH SET WAREHOUSE_SIZE = 'MEDIUM'"),
        "{text}"
    );
    assert!(text.contains("ADD COLUMN R_1 NUMBER(10,2)"), "{text}");
    assert!(
        text.contains("ALTER MODEL SCORING.ML.CC_MODEL ADD VERSION V2"),
        "{text}"
    );
    // The task graph must be suspended around its changes, as the planner does.
    for c in &edits {
        if c.id.kind == ObjectKind::Task {
            sessions[&c.id.account]
                .execute(&format!("ALTER TASK {} SUSPEND", c.id.name.sql()))
                .unwrap();
        }
    }
    run(&sessions, &edits);
    for c in &edits {
        if c.id.kind == ObjectKind::Task {
            sessions[&c.id.account]
                .execute(&format!("ALTER TASK {} RESUME", c.id.name.sql()))
                .unwrap();
        }
    }
    let (after, _) = plan_changes(&sessions, &desired);
    assert_eq!(render(&after), "", "edits did not converge");
}

/// The project's own manifests: the first plan applies cleanly (ordered by the
/// planner) and the next plan is empty.
#[test]
fn the_collaboration_manifests_converge() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/manifests"));
    let project = crate::manifest::load(root, &[]).unwrap_or_else(|d| panic!("{d:?}"));
    let emulator = Emulator::open_in_memory().unwrap();
    let sessions = sessions(&emulator);
    let observed = observe(&sessions, &project.desired).unwrap();
    let ctx = Context::new(&project.desired, observed.account_identifiers.clone());
    let changes = diff(&project.desired, &observed.catalog, &ctx);
    assert!(
        changes
            .iter()
            .all(|c| c.action == crate::diff::Action::Create),
        "{}",
        render(&changes)
    );
    let plan = crate::plan::plan(
        &project.desired,
        &observed,
        changes,
        crate::plan::PlanOptions {
            allow_destroy: false,
        },
    )
    .unwrap();
    let report = crate::runtime::apply::apply(&plan, &sessions, Default::default(), &|_| {});
    assert!(report.failed.is_empty(), "{report:#?}");
    let (again, _) = plan_changes(&sessions, &project.desired);
    assert_eq!(render(&again), "");
}
