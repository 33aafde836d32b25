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
                    // The samples name their artifacts by absolute path.
                    Deferred::LocalFile { path } => Ok(format!("file://{}", path.display())),
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

/// Plans the way the CLI does: observe, normalize both sides, diff, order.
fn plan_for(sessions: &Sessions, desired: &Catalog) -> crate::plan::Plan {
    crate::runtime::pipeline::compare(sessions, desired, &[bank(), partner()])
        .unwrap()
        .plan()
        .unwrap()
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
    let plan = crate::plan::plan(&project.desired, &observed, changes).unwrap();
    // Model artifacts are named relative to the project folder.
    let options = crate::runtime::ApplyOptions {
        project_root: Some(root.to_path_buf()),
        ..Default::default()
    };
    let report = crate::runtime::apply::apply(&plan, &sessions, options, &|_| {});
    assert!(report.failed.is_empty(), "{report:#?}");
    let (again, _) = plan_changes(&sessions, &project.desired);
    assert_eq!(render(&again), "");
}

/// Names that need quoting (lower case, spaces, dots, quotes) survive the trip
/// through SQL, SHOW output and back.
#[test]
fn quoted_names_round_trip() {
    let emulator = Emulator::open_in_memory().unwrap();
    let sessions = sessions(&emulator);
    let p = partner();
    let q = |s: &str| Ident::from_stored(s);
    let db = q("my db");
    let schema = q("Sch.1");
    let table = ObjectName::in_schema(db.clone(), schema.clone(), q("customer \"data\""));
    let mut desired = Catalog::new();
    desired.insert(
        ObjectId::new(
            p.clone(),
            ObjectKind::Database,
            ObjectName::account_level(db.clone()),
        ),
        Spec::Database(DatabaseSpec::default()),
    );
    desired.insert(
        ObjectId::new(
            p.clone(),
            ObjectKind::Schema,
            ObjectName::in_database(db.clone(), schema.clone()),
        ),
        Spec::Schema(SchemaSpec {
            comment: Some("it's \\ here".into()),
            ..Default::default()
        }),
    );
    desired.insert(
        ObjectId::new(p.clone(), ObjectKind::Table, table.clone()),
        Spec::Table(TableSpec {
            columns: vec![column("\"customer_ID\"", "text"), column("\"a b\"", "int")],
            change_tracking: Some(true),
            ..Default::default()
        }),
    );
    desired.insert(
        ObjectId::new(
            p.clone(),
            ObjectKind::Stream,
            ObjectName::in_schema(db.clone(), schema.clone(), q("s'1")),
        ),
        Spec::Stream(StreamSpec {
            table: table.clone(),
            append_only: Some(false),
            show_initial_rows: None,
            comment: None,
        }),
    );
    desired.insert(
        id(&p, ObjectKind::Warehouse, "wh"),
        Spec::Warehouse(WarehouseSpec::default()),
    );
    let root = ObjectName::in_schema(db.clone(), schema.clone(), q("root task"));
    let task = |after: Vec<ObjectName>| TaskSpec {
        warehouse: Some(ident("wh")),
        serverless_size: None,
        schedule: None,
        when: None,
        after,
        body: "SELECT 1".into(),
        allow_overlapping_execution: None,
        state: None,
        comment: None,
    };
    desired.insert(
        ObjectId::new(p.clone(), ObjectKind::Task, root.clone()),
        Spec::Task(task(vec![])),
    );
    desired.insert(
        ObjectId::new(
            p.clone(),
            ObjectKind::Task,
            ObjectName::in_schema(db.clone(), schema.clone(), q("child")),
        ),
        Spec::Task(task(vec![root])),
    );
    let plan = plan_for(&sessions, &desired);
    let report = crate::runtime::apply::apply(&plan, &sessions, Default::default(), &|_| {});
    assert!(report.failed.is_empty(), "{report:#?}");
    let (second, _) = plan_changes(&sessions, &desired);
    assert_eq!(render(&second), "");
}

/// Inside an authoritative schema, an object the manifest does not declare is
/// dropped; outside it, it is left alone.
#[test]
fn undeclared_objects_drop_only_in_authoritative_schemas() {
    let emulator = Emulator::open_in_memory().unwrap();
    let sessions = sessions(&emulator);
    let b = bank();
    let bank_session = &sessions[&b];
    for sql in [
        "CREATE DATABASE D",
        "CREATE SCHEMA D.MANAGED",
        "CREATE SCHEMA D.LOOSE",
        "CREATE TABLE D.MANAGED.OLD (A INT)",
        "CREATE TABLE D.LOOSE.OTHER (A INT)",
    ] {
        bank_session.execute(sql).unwrap();
    }
    let mut desired = Catalog::new();
    desired.insert(
        id(&b, ObjectKind::Database, "d"),
        Spec::Database(DatabaseSpec::default()),
    );
    desired.insert(
        id(&b, ObjectKind::Schema, "d.managed"),
        Spec::Schema(SchemaSpec::default()),
    );
    desired.insert(
        id(&b, ObjectKind::Schema, "d.loose"),
        Spec::Schema(SchemaSpec::default()),
    );
    desired
        .authoritative
        .insert(id(&b, ObjectKind::Schema, "d.managed"));
    let (changes, _) = plan_changes(&sessions, &desired);
    assert_eq!(
        render(&changes),
        "drop bank: table D.MANAGED.OLD\n  hazards: drops_data, loses_grants\n  > DROP TABLE IF EXISTS D.MANAGED.OLD\n"
    );
    run(&sessions, &changes);
    let (again, _) = plan_changes(&sessions, &desired);
    assert_eq!(render(&again), "");
}

/// Replaces (stream mode, procedure body, column type, file format type, source of a
/// mounted database left alone) and out-of-band drift converge on the emulator.
#[test]
fn replaces_and_drift_converge() {
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
    // Drift made outside floe shows up as an alter of the declared property only.
    sessions[&bank()]
        .execute("ALTER WAREHOUSE QUERY_WH SET WAREHOUSE_SIZE = 'LARGE' COMMENT = 'x'")
        .unwrap();
    let (drift, _) = plan_changes(&sessions, &desired);
    assert_eq!(
        render(&drift),
        "alter bank: warehouse QUERY_WH\n  warehouse_size: LARGE -> XSMALL\n  > ALTER WAREHOUSE QUERY_WH SET WAREHOUSE_SIZE = 'XSMALL'\n"
    );
    run(&sessions, &drift);
    for spec in desired.objects.values_mut() {
        match spec {
            Spec::Stream(s) => s.append_only = Some(false),
            Spec::Procedure(r) => {
                r.body = "def run(session, src, dst):\n    return 'replaced'\n".into()
            }
            Spec::Table(t) => t.columns[1].data_type = "varchar".into(),
            Spec::FileFormat(f) => {
                f.format_type = "json".into();
                f.options.clear();
            }
            _ => {}
        }
    }
    let (replaces, _) = plan_changes(&sessions, &desired);
    let kinds: Vec<(ObjectKind, crate::diff::Action)> =
        replaces.iter().map(|c| (c.id.kind, c.action)).collect();
    use crate::diff::Action::Replace;
    assert_eq!(
        kinds,
        vec![
            (ObjectKind::FileFormat, Replace),
            (ObjectKind::Table, Replace),
            (ObjectKind::Stream, Replace),
            (ObjectKind::Procedure, Replace),
        ],
        "{}",
        render(&replaces)
    );
    run(&sessions, &replaces);
    let (after, _) = plan_changes(&sessions, &desired);
    assert_eq!(render(&after), "");
}

/// Grants revoked outside floe come back; listing targets and share accounts that go
/// away are removed; a task moved to another predecessor is re-linked.
#[test]
fn removals_and_relinks_converge() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = Emulator::open_in_memory().unwrap();
    let sessions = sessions(&emulator);
    let mut desired = desired_with_artifact(dir.path());
    let p = partner();
    desired.insert(
        id(&p, ObjectKind::Warehouse, "score_wh"),
        Spec::Warehouse(WarehouseSpec {
            size: Some("small".into()),
            ..Default::default()
        }),
    );
    let task = |after: Vec<ObjectName>| {
        Spec::Task(TaskSpec {
            warehouse: Some(ident("score_wh")),
            serverless_size: None,
            schedule: None,
            when: None,
            after,
            body: "SELECT 1".into(),
            allow_overlapping_execution: None,
            state: None,
            comment: None,
        })
    };
    desired.insert(
        id(&p, ObjectKind::Task, "scoring.ml.second"),
        task(vec![name("scoring.ml.score_new")]),
    );
    desired.insert(
        id(&p, ObjectKind::Task, "scoring.ml.third"),
        task(vec![name("scoring.ml.score_new")]),
    );
    for spec in desired.objects.values_mut() {
        match spec {
            Spec::Share(s) => s.accounts = vec![AccountRef::Project(p.clone())],
            // Apply reads stage keys from the environment; this test has none.
            Spec::Stage(s) => s.auth = None,
            _ => {}
        }
    }
    let plan = plan_for(&sessions, &desired);
    let report = crate::runtime::apply::apply(&plan, &sessions, Default::default(), &|_| {});
    assert!(report.failed.is_empty(), "{report:#?}");
    assert_eq!(render(&plan_changes(&sessions, &desired).0), "");

    sessions[&bank()]
        .execute("REVOKE USAGE ON WAREHOUSE QUERY_WH FROM ROLE ANALYST")
        .unwrap();
    for spec in desired.objects.values_mut() {
        match spec {
            Spec::Share(s) => s.accounts.clear(),
            Spec::Listing(l) => l
                .targets
                .push(AccountRef::Identifier("LOCALORG.THIRD".into())),
            _ => {}
        }
    }
    desired.insert(
        id(&p, ObjectKind::Task, "scoring.ml.third"),
        task(vec![name("scoring.ml.second")]),
    );
    let observed = observe(&sessions, &desired).unwrap();
    let ctx = Context::new(&desired, observed.account_identifiers.clone());
    let changes = diff(&desired, &observed.catalog, &ctx);
    let text = render(&changes);
    assert!(
        text.contains("GRANT USAGE ON WAREHOUSE QUERY_WH TO ROLE ANALYST"),
        "{text}"
    );
    assert!(
        text.contains("ALTER SHARE DATA_SHARING_DEMO REMOVE ACCOUNTS = LOCALORG.PARTNER"),
        "{text}"
    );
    assert!(text.contains("REMOVE AFTER SCORING.ML.SCORE_NEW"), "{text}");
    assert!(text.contains("ADD AFTER SCORING.ML.SECOND"), "{text}");

    let plan = plan_for(&sessions, &desired);
    let report = crate::runtime::apply::apply(&plan, &sessions, Default::default(), &|_| {});
    assert!(report.failed.is_empty(), "{report:#?}");
    assert_eq!(render(&plan_changes(&sessions, &desired).0), "");
}
