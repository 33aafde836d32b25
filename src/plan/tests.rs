use std::collections::BTreeMap;

use super::*;
use crate::diff::{Action, Change, Hazard, PropertyChange};
use crate::model::{
    AccountName, Catalog, DatabaseSpec, Ident, ObjectId, ObjectKind, ObjectName, SchemaSpec, Spec,
    TableSpec, TaskSpec, TaskState,
};
use crate::runtime::observe::Observed;
use crate::sql::Statement;

fn bank() -> AccountName {
    AccountName::new("bank")
}

fn id(kind: ObjectKind, dotted: &str) -> ObjectId {
    ObjectId::new(bank(), kind, ObjectName::parse(dotted).unwrap())
}

fn change(id: ObjectId, action: Action, sql: &str) -> Change {
    Change {
        id,
        action,
        reason: None,
        properties: Vec::new(),
        statements: vec![Statement::new(sql)],
        hazards: Vec::new(),
    }
}

fn task(after: &[&str], state: Option<TaskState>) -> Spec {
    Spec::Task(TaskSpec {
        warehouse: None,
        serverless_size: None,
        schedule: if after.is_empty() {
            Some("5 MINUTE".into())
        } else {
            None
        },
        when: None,
        after: after
            .iter()
            .map(|a| ObjectName::parse(a).unwrap())
            .collect(),
        body: "select 1".into(),
        allow_overlapping_execution: None,
        state,
        comment: None,
    })
}

fn observed(catalog: Catalog) -> Observed {
    Observed {
        catalog,
        ..Observed::default()
    }
}

fn summary(plan: &Plan) -> Vec<String> {
    plan.steps
        .iter()
        .map(|s| {
            format!(
                "{} {} {} <- {:?}",
                s.id, s.action, s.object.name, s.depends_on
            )
        })
        .collect()
}

#[test]
fn creates_follow_their_containers() {
    let mut desired = Catalog::new();
    desired.insert(
        id(ObjectKind::Database, "d"),
        Spec::Database(DatabaseSpec::default()),
    );
    desired.insert(
        id(ObjectKind::Schema, "d.s"),
        Spec::Schema(SchemaSpec::default()),
    );
    desired.insert(
        id(ObjectKind::Table, "d.s.t"),
        Spec::Table(TableSpec::default()),
    );
    // A table sorts before … nothing here; make sure order comes from containment.
    let changes = vec![
        change(
            id(ObjectKind::Table, "d.s.t"),
            Action::Create,
            "CREATE TABLE D.S.T (X INT)",
        ),
        change(
            id(ObjectKind::Schema, "d.s"),
            Action::Create,
            "CREATE SCHEMA D.S",
        ),
        change(
            id(ObjectKind::Database, "d"),
            Action::Create,
            "CREATE DATABASE D",
        ),
    ];
    let plan = plan(&desired, &Observed::default(), changes).unwrap();
    assert_eq!(
        summary(&plan),
        [
            "1 create D <- []",
            "2 create D.S <- [1]",
            "3 create D.S.T <- [1, 2]"
        ]
    );
}

#[test]
fn drops_run_contents_first() {
    let mut obs = Catalog::new();
    obs.insert(
        id(ObjectKind::Database, "d"),
        Spec::Database(DatabaseSpec::default()),
    );
    obs.insert(
        id(ObjectKind::Schema, "d.s"),
        Spec::Schema(SchemaSpec::default()),
    );
    obs.insert(
        id(ObjectKind::Table, "d.s.t"),
        Spec::Table(TableSpec::default()),
    );
    let changes = vec![
        change(
            id(ObjectKind::Database, "d"),
            Action::Drop,
            "DROP DATABASE D",
        ),
        change(
            id(ObjectKind::Schema, "d.s"),
            Action::Drop,
            "DROP SCHEMA D.S",
        ),
        change(
            id(ObjectKind::Table, "d.s.t"),
            Action::Drop,
            "DROP TABLE D.S.T",
        ),
    ];
    let plan = plan(&Catalog::new(), &observed(obs), changes).unwrap();
    assert_eq!(
        summary(&plan),
        [
            "1 drop D.S.T <- []",
            "2 drop D.S <- [1]",
            "3 drop D <- [1, 2]"
        ]
    );
}

#[test]
fn data_loss_is_planned_and_the_gate_names_every_destructive_step() {
    let mut obs = Catalog::new();
    obs.insert(
        id(ObjectKind::Table, "d.s.a"),
        Spec::Table(TableSpec::default()),
    );
    obs.insert(
        id(ObjectKind::Table, "d.s.b"),
        Spec::Table(TableSpec::default()),
    );
    let mut a = change(
        id(ObjectKind::Table, "d.s.a"),
        Action::Drop,
        "DROP TABLE D.S.A",
    );
    a.hazards = vec![Hazard::DropsData];
    let mut b = change(
        id(ObjectKind::Table, "d.s.b"),
        Action::Replace,
        "CREATE OR REPLACE TABLE D.S.B (X INT)",
    );
    b.hazards = vec![Hazard::DropsData, Hazard::RecreatesObject];
    let changes = vec![b, a];
    let plan = plan(&Catalog::new(), &observed(obs), changes).unwrap();
    assert_eq!(plan.steps.len(), 2);
    let destructive: Vec<StepId> = plan.destructive_steps().iter().map(|s| s.id).collect();
    assert_eq!(destructive, vec![1, 2]);
    let error = plan.check_destroy(false).unwrap_err();
    assert_eq!(
        error.steps,
        vec![
            (1, StepAction::Drop, id(ObjectKind::Table, "d.s.a")),
            (2, StepAction::Replace, id(ObjectKind::Table, "d.s.b")),
        ]
    );
    let message = error.to_string();
    assert!(
        message.contains("bank: table D.S.A (step 1, drop)")
            && message.contains("bank: table D.S.B (step 2, replace)"),
        "{message}"
    );
    assert!(message.contains("--allow-destroy"));
    assert!(plan.check_destroy(true).is_ok());
    assert_eq!(
        plan.steps[1].hazards,
        vec![Hazard::DropsData, Hazard::RecreatesObject]
    );
}

#[test]
fn changing_a_started_graph_suspends_the_root_first_and_resumes_it_last() {
    let mut obs = Catalog::new();
    obs.insert(
        id(ObjectKind::Task, "d.s.root"),
        task(&[], Some(TaskState::Started)),
    );
    obs.insert(
        id(ObjectKind::Task, "d.s.child"),
        task(&["d.s.root"], Some(TaskState::Started)),
    );
    obs.insert(
        id(ObjectKind::Task, "d.s.other"),
        task(&["d.s.root"], Some(TaskState::Suspended)),
    );
    let mut desired = Catalog::new();
    desired.insert(id(ObjectKind::Task, "d.s.root"), task(&[], None));
    desired.insert(id(ObjectKind::Task, "d.s.child"), task(&["d.s.root"], None));
    desired.insert(id(ObjectKind::Task, "d.s.other"), task(&["d.s.root"], None));
    let mut alter = change(
        id(ObjectKind::Task, "d.s.child"),
        Action::Alter,
        "ALTER TASK D.S.CHILD MODIFY AS select 2",
    );
    alter.properties = vec![PropertyChange::scalar(
        "body",
        Some("select 1".into()),
        Some("select 2".into()),
    )];
    let plan = plan(&desired, &observed(obs), vec![alter]).unwrap();
    assert_eq!(
        summary(&plan),
        [
            "1 suspend D.S.ROOT <- []",
            "2 alter D.S.CHILD <- [1]",
            "3 resume D.S.ROOT <- [1, 2]"
        ]
    );
    assert_eq!(plan.steps[0].hazards, vec![Hazard::SuspendsTaskGraph]);
    assert_eq!(
        plan.steps[0].statements[0].to_string(),
        "ALTER TASK D.S.ROOT SUSPEND"
    );
    assert_eq!(
        plan.steps[2].statements[0].to_string(),
        "ALTER TASK D.S.ROOT RESUME"
    );
    assert_eq!(
        plan.task_graphs,
        vec![TaskGraphRestore {
            root: id(ObjectKind::Task, "d.s.root"),
            suspend_step: 1,
            resume_step: Some(3),
            restore: vec![
                id(ObjectKind::Task, "d.s.child"),
                id(ObjectKind::Task, "d.s.root")
            ],
        }]
    );
}

#[test]
fn new_started_graph_resumes_children_before_the_root() {
    let mut desired = Catalog::new();
    desired.insert(
        id(ObjectKind::Task, "d.s.root"),
        task(&[], Some(TaskState::Started)),
    );
    desired.insert(
        id(ObjectKind::Task, "d.s.a_child"),
        task(&["d.s.root"], Some(TaskState::Started)),
    );
    let changes = vec![
        change(
            id(ObjectKind::Task, "d.s.root"),
            Action::Create,
            "CREATE TASK D.S.ROOT AS select 1",
        ),
        change(
            id(ObjectKind::Task, "d.s.a_child"),
            Action::Create,
            "CREATE TASK D.S.A_CHILD AFTER D.S.ROOT AS select 1",
        ),
        // A state transition from diff is dropped: the protocol owns task state.
        change(
            id(ObjectKind::Task, "d.s.a_child"),
            Action::Alter,
            "ALTER TASK D.S.A_CHILD RESUME",
        ),
    ];
    let plan = plan(&desired, &Observed::default(), changes).unwrap();
    assert_eq!(
        summary(&plan),
        [
            "1 create D.S.ROOT <- []",
            "2 create D.S.A_CHILD <- [1]",
            "3 resume D.S.A_CHILD <- [1, 2]",
            "4 resume D.S.ROOT <- [1, 2, 3]",
        ]
    );
    assert!(
        plan.task_graphs.is_empty(),
        "nothing was started before: nothing to restore"
    );
}

#[test]
fn suspending_a_started_root_on_request_does_not_resume_it() {
    let mut obs = Catalog::new();
    obs.insert(
        id(ObjectKind::Task, "d.s.root"),
        task(&[], Some(TaskState::Started)),
    );
    let mut desired = Catalog::new();
    desired.insert(
        id(ObjectKind::Task, "d.s.root"),
        task(&[], Some(TaskState::Suspended)),
    );
    let plan = plan(&desired, &observed(obs), Vec::new()).unwrap();
    assert_eq!(summary(&plan), ["1 suspend D.S.ROOT <- []"]);
    assert_eq!(
        plan.steps[0].reason.as_deref(),
        Some("desired state: suspended")
    );
}

#[test]
fn state_in_sync_plans_nothing() {
    let mut obs = Catalog::new();
    obs.insert(
        id(ObjectKind::Task, "d.s.root"),
        task(&[], Some(TaskState::Started)),
    );
    let mut desired = Catalog::new();
    desired.insert(
        id(ObjectKind::Task, "d.s.root"),
        task(&[], Some(TaskState::Started)),
    );
    let plan = plan(&desired, &observed(obs), Vec::new()).unwrap();
    assert!(plan.is_empty());
}

#[test]
fn plans_check_their_shape() {
    let mut desired = Catalog::new();
    desired.insert(
        id(ObjectKind::Database, "d"),
        Spec::Database(DatabaseSpec::default()),
    );
    desired.insert(
        id(ObjectKind::Schema, "d.s"),
        Spec::Schema(SchemaSpec::default()),
    );
    let changes = vec![
        change(
            id(ObjectKind::Database, "d"),
            Action::Create,
            "CREATE DATABASE D",
        ),
        change(
            id(ObjectKind::Schema, "d.s"),
            Action::Create,
            "CREATE SCHEMA D.S",
        ),
    ];
    let mut plan = plan(&desired, &Observed::default(), changes).unwrap();
    assert_eq!(plan.check(), Ok(()));
    plan.steps[0].depends_on = vec![2];
    assert!(
        plan.check()
            .unwrap_err()
            .contains("step 1 depends on step 2")
    );
    plan.steps[0].depends_on.clear();
    plan.steps.swap(0, 1);
    assert!(plan.check().is_err());
}

#[test]
fn plans_are_deterministic() {
    let mut desired = Catalog::new();
    let mut changes = Vec::new();
    for name in ["d.s.b", "d.s.a", "d.s.c"] {
        desired.insert(
            id(ObjectKind::Table, name),
            Spec::Table(TableSpec::default()),
        );
        changes.push(change(
            id(ObjectKind::Table, name),
            Action::Create,
            "CREATE TABLE X (Y INT)",
        ));
    }
    desired.insert(
        ObjectId::new(
            AccountName::new("partner"),
            ObjectKind::Database,
            ObjectName::account_level(Ident::from_stored("P")),
        ),
        Spec::Database(DatabaseSpec::default()),
    );
    let first = plan(&desired, &Observed::default(), changes.clone()).unwrap();
    changes.reverse();
    let second = plan(&desired, &Observed::default(), changes).unwrap();
    assert_eq!(first, second);
    assert_eq!(
        summary(&first),
        [
            "1 create D.S.A <- []",
            "2 create D.S.B <- []",
            "3 create D.S.C <- []"
        ]
    );
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Random objects in up to 2 databases × 2 schemas, each either created or dropped.
    fn objects() -> impl Strategy<Value = Vec<(u8, u8, u8, bool)>> {
        proptest::collection::vec((0u8..2, 0u8..3, 0u8..3, any::<bool>()), 1..20)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn steps_respect_containment_in_both_directions(objs in objects()) {
            let mut desired = Catalog::new();
            let mut obs = Catalog::new();
            let mut changes: BTreeMap<ObjectId, Change> = BTreeMap::new();
            for (db, schema, table, create) in objs {
                // schema 0 / table 0 stand for "stop at this level".
                let mut ids = vec![(ObjectKind::Database, format!("d{db}"))];
                if schema > 0 {
                    ids.push((ObjectKind::Schema, format!("d{db}.s{schema}")));
                    if table > 0 {
                        ids.push((ObjectKind::Table, format!("d{db}.s{schema}.t{table}")));
                    }
                }
                for (kind, name) in ids {
                    let oid = id(kind, &name);
                    let spec = match kind {
                        ObjectKind::Database => Spec::Database(DatabaseSpec::default()),
                        ObjectKind::Schema => Spec::Schema(SchemaSpec::default()),
                        _ => Spec::Table(TableSpec::default()),
                    };
                    // A container is created when anything inside is, dropped only when
                    // everything inside is.
                    let action = if create { Action::Create } else { Action::Drop };
                    let entry = changes.entry(oid.clone()).or_insert_with(|| change(oid.clone(), action, "X"));
                    if create {
                        entry.action = Action::Create;
                    }
                    desired.insert(oid.clone(), spec.clone());
                    obs.insert(oid, spec);
                }
            }
            // Containers of created objects must be created, not dropped.
            let created: Vec<ObjectId> =
                changes.values().filter(|c| c.action == Action::Create).map(|c| c.id.clone()).collect();
            for oid in created {
                let mut parent = oid.name.parent();
                while let Some(p) = parent {
                    let kind = if p.database.is_some() { ObjectKind::Schema } else { ObjectKind::Database };
                    if let Some(c) = changes.get_mut(&id(kind, &p.to_string())) {
                        c.action = Action::Create;
                    }
                    parent = p.parent();
                }
            }
            let changes: Vec<Change> = changes.into_values().collect();
            let plan = plan(&desired, &observed(obs), changes).unwrap();
            let position = |oid: &ObjectId| plan.steps.iter().position(|s| &s.object == oid);
            for step in &plan.steps {
                for &d in &step.depends_on {
                    prop_assert!(d < step.id, "dependencies point backwards");
                }
                let Some(parent) = step.object.name.parent() else { continue };
                let kind = if parent.database.is_some() { ObjectKind::Schema } else { ObjectKind::Database };
                let Some(p) = position(&id(kind, &parent.to_string())) else { continue };
                let parent_step = &plan.steps[p];
                let me = step.id - 1;
                match (step.action, parent_step.action) {
                    (StepAction::Create, StepAction::Create) => prop_assert!(p < me),
                    (StepAction::Drop, StepAction::Drop) => prop_assert!(p > me),
                    _ => {}
                }
            }
        }
    }
}
