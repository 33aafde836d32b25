use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::diff::Hazard;
use crate::model::{AccountName, ObjectKind, ObjectName};
use crate::plan::{StepAction, TaskGraphRestore};
use crate::runtime::session::{Column, Rows, SqlSession};
use crate::sql::Statement;

/// A session that records statements, fails those containing `fail_on`, tracks how
/// many statements run at once, and answers `SHOW LISTINGS`.
#[derive(Default)]
struct Fake {
    log: Mutex<Vec<String>>,
    fail_on: Vec<String>,
    delay: Duration,
    running: AtomicUsize,
    max_running: AtomicUsize,
}

impl SqlSession for Fake {
    fn execute(&self, sql: &str) -> Result<Rows, BackendError> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_running.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.log.lock().unwrap().push(sql.to_string());
        if self.fail_on.iter().any(|f| sql.contains(f.as_str())) {
            return Err(BackendError::Sql {
                code: "002003".into(),
                sqlstate: "02000".into(),
                message: "SQL compilation error:\nObject does not exist or not authorized.".into(),
                query_id: None,
                statement: sql.to_string(),
            });
        }
        if sql.starts_with("SHOW LISTINGS") {
            return Ok(Rows {
                columns: vec![
                    Column {
                        name: "name".into(),
                        type_name: "TEXT".into(),
                    },
                    Column {
                        name: "global_name".into(),
                        type_name: "TEXT".into(),
                    },
                ],
                rows: vec![vec![Some("L".into()), Some("GZ1234".into())]],
            });
        }
        Ok(Rows::default())
    }
}

fn bank() -> AccountName {
    AccountName::new("bank")
}

fn step(id: StepId, name: &str, action: StepAction, sql: &str, deps: &[StepId]) -> Step {
    Step {
        id,
        object: ObjectId::new(bank(), ObjectKind::Table, ObjectName::parse(name).unwrap()),
        action,
        reason: None,
        hazards: Vec::new(),
        properties: Vec::new(),
        statements: vec![Statement::new(sql)],
        depends_on: deps.to_vec(),
    }
}

fn sessions(fake: Arc<Fake>) -> Sessions {
    let session: Arc<dyn SqlSession> = fake;
    BTreeMap::from([(bank(), session)])
}

#[test]
fn parallelism_is_bounded_and_used() {
    let fake = Arc::new(Fake {
        delay: Duration::from_millis(15),
        ..Fake::default()
    });
    let steps = (1..=12)
        .map(|i| {
            step(
                i,
                &format!("d.s.t{i}"),
                StepAction::Create,
                &format!("CREATE {i}"),
                &[],
            )
        })
        .collect();
    let plan = Plan {
        steps,
        task_graphs: Vec::new(),
    };
    let report = apply(
        &plan,
        &sessions(fake.clone()),
        ApplyOptions {
            parallelism: 3,
            ..ApplyOptions::default()
        },
        &|_| {},
    );
    assert!(report.is_success());
    assert_eq!(report.applied.len(), 12);
    let max = fake.max_running.load(Ordering::SeqCst);
    assert!(max <= 3, "at most 3 steps at once, saw {max}");
    assert!(max >= 2, "independent steps ran in parallel");
}

#[test]
fn dependencies_run_first() {
    let fake = Arc::new(Fake::default());
    let plan = Plan {
        steps: vec![
            step(1, "d", StepAction::Create, "CREATE DATABASE D", &[]),
            step(2, "d.s", StepAction::Create, "CREATE SCHEMA D.S", &[1]),
            step(
                3,
                "d.s.t",
                StepAction::Create,
                "CREATE TABLE D.S.T",
                &[1, 2],
            ),
        ],
        task_graphs: Vec::new(),
    };
    let report = apply(
        &plan,
        &sessions(fake.clone()),
        ApplyOptions {
            parallelism: 8,
            ..ApplyOptions::default()
        },
        &|_| {},
    );
    assert_eq!(report.applied, vec![1, 2, 3]);
    assert_eq!(
        *fake.log.lock().unwrap(),
        [
            "CREATE DATABASE D",
            "CREATE SCHEMA D.S",
            "CREATE TABLE D.S.T"
        ]
    );
}

#[test]
fn a_failure_skips_dependants_and_lets_independent_steps_finish() {
    let fake = Arc::new(Fake {
        fail_on: vec!["SCHEMA".into()],
        ..Fake::default()
    });
    let plan = Plan {
        steps: vec![
            step(1, "d", StepAction::Create, "CREATE DATABASE D", &[]),
            step(2, "d.s", StepAction::Create, "CREATE SCHEMA D.S", &[1]),
            step(3, "d.s.t", StepAction::Create, "CREATE TABLE D.S.T", &[2]),
            step(4, "d.s.u", StepAction::Create, "CREATE TABLE D.S.U", &[3]),
            step(5, "w", StepAction::Create, "CREATE WAREHOUSE W", &[]),
        ],
        task_graphs: Vec::new(),
    };
    let events = Mutex::new(Vec::new());
    let report = apply(
        &plan,
        &sessions(fake.clone()),
        ApplyOptions {
            parallelism: 1,
            ..ApplyOptions::default()
        },
        &|e| {
            let line = match e {
                ApplyEvent::Started(s) => format!("start {}", s.id),
                ApplyEvent::Applied(s) => format!("ok {}", s.id),
                ApplyEvent::Failed(s, _) => format!("fail {}", s.id),
                ApplyEvent::Skipped(s) => format!("skip {}", s.id),
                ApplyEvent::Restored(_) => "restore".into(),
            };
            events.lock().unwrap().push(line);
        },
    );
    assert!(!report.is_success());
    assert_eq!(report.applied, vec![1, 5]);
    assert_eq!(report.skipped, vec![3, 4]);
    assert_eq!(report.failed.len(), 1);
    let failure = &report.failed[0];
    assert_eq!(failure.step, 2);
    assert_eq!(failure.statement, "CREATE SCHEMA D.S");
    assert_eq!(failure.code.as_deref(), Some("002003"));
    assert!(failure.message.contains("does not exist"));
    assert!(!fake.log.lock().unwrap().iter().any(|s| s.contains("TABLE")));
    assert_eq!(
        *events.lock().unwrap(),
        [
            "start 1", "ok 1", "start 2", "fail 2", "skip 3", "skip 4", "start 5", "ok 5"
        ]
    );
}

fn task_plan() -> Plan {
    let task =
        |name: &str| ObjectId::new(bank(), ObjectKind::Task, ObjectName::parse(name).unwrap());
    let mut suspend = step(
        1,
        "d.s.root",
        StepAction::Suspend,
        "ALTER TASK D.S.ROOT SUSPEND",
        &[],
    );
    suspend.object = task("d.s.root");
    suspend.hazards = vec![Hazard::SuspendsTaskGraph];
    let mut alter = step(
        2,
        "d.s.child",
        StepAction::Alter,
        "ALTER TASK D.S.CHILD MODIFY AS select 2",
        &[1],
    );
    alter.object = task("d.s.child");
    let mut resume = step(
        3,
        "d.s.root",
        StepAction::Resume,
        "ALTER TASK D.S.ROOT RESUME",
        &[1, 2],
    );
    resume.object = task("d.s.root");
    Plan {
        steps: vec![suspend, alter, resume],
        task_graphs: vec![TaskGraphRestore {
            root: task("d.s.root"),
            suspend_step: 1,
            resume_step: Some(3),
            restore: vec![task("d.s.child"), task("d.s.root")],
        }],
    }
}

#[test]
fn task_graphs_are_restored_after_a_failure() {
    let fake = Arc::new(Fake {
        fail_on: vec!["MODIFY".into()],
        ..Fake::default()
    });
    let report = apply(
        &task_plan(),
        &sessions(fake.clone()),
        ApplyOptions::default(),
        &|_| {},
    );
    assert_eq!(report.applied, vec![1]);
    assert_eq!(report.skipped, vec![3]);
    assert_eq!(
        *fake.log.lock().unwrap(),
        [
            "ALTER TASK D.S.ROOT SUSPEND",
            "ALTER TASK D.S.CHILD MODIFY AS select 2",
            "ALTER TASK D.S.CHILD RESUME",
            "ALTER TASK D.S.ROOT RESUME",
        ]
    );
    assert_eq!(report.restored.len(), 2);
    assert!(report.restored.iter().all(|r| r.error.is_none()));
}

#[test]
fn nothing_is_restored_when_the_plan_succeeds_or_never_suspended() {
    let fake = Arc::new(Fake::default());
    let report = apply(
        &task_plan(),
        &sessions(fake.clone()),
        ApplyOptions::default(),
        &|_| {},
    );
    assert!(report.is_success() && report.restored.is_empty());
    let fake = Arc::new(Fake {
        fail_on: vec!["SUSPEND".into()],
        ..Fake::default()
    });
    let report = apply(
        &task_plan(),
        &sessions(fake.clone()),
        ApplyOptions::default(),
        &|_| {},
    );
    assert_eq!(report.skipped, vec![2, 3]);
    assert!(report.restored.is_empty(), "the root was never suspended");
}

#[test]
fn deferred_values_are_resolved_and_secrets_stay_hidden() {
    let fake = Arc::new(Fake::default());
    let mut mount = Statement::new("CREATE DATABASE M FROM LISTING ");
    mount.push_deferred(Deferred::ListingGlobalName {
        account: bank(),
        listing: "L".into(),
    });
    let mut stage = Statement::new("CREATE STAGE S CREDENTIALS = (AWS_SECRET_KEY = ");
    stage.push_deferred(Deferred::SecretFromEnv {
        var: "FLOE_TEST_UNSET_SECRET_VAR".into(),
    });
    stage.push(")");
    let mut first = step(1, "m", StepAction::Create, "", &[]);
    first.statements = vec![mount];
    let mut second = step(2, "d.s.s", StepAction::Create, "", &[]);
    second.statements = vec![stage];
    let plan = Plan {
        steps: vec![first, second],
        task_graphs: Vec::new(),
    };
    let report = apply(
        &plan,
        &sessions(fake.clone()),
        ApplyOptions {
            parallelism: 1,
            ..ApplyOptions::default()
        },
        &|_| {},
    );
    assert_eq!(report.applied, vec![1]);
    let log = fake.log.lock().unwrap();
    assert!(log.contains(&"SHOW LISTINGS LIKE 'L'".to_string()));
    assert!(log.contains(&"CREATE DATABASE M FROM LISTING 'GZ1234'".to_string()));
    let failure = &report.failed[0];
    assert!(failure.message.contains("FLOE_TEST_UNSET_SECRET_VAR"));
    assert!(
        failure
            .statement
            .contains("<secret from $FLOE_TEST_UNSET_SECRET_VAR>")
    );
}

mod properties {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    /// A random DAG: step i may depend on any earlier step.
    fn dag() -> impl Strategy<Value = (Vec<Vec<usize>>, BTreeSet<usize>, usize)> {
        (1usize..14).prop_flat_map(|n| {
            let deps = (0..n)
                .map(|i| proptest::collection::btree_set(0..i.max(1), 0..=i.min(3)))
                .collect::<Vec<_>>();
            (
                deps.prop_map(move |sets| {
                    sets.into_iter()
                        .enumerate()
                        .map(|(i, s)| s.into_iter().filter(|&d| d < i).map(|d| d + 1).collect())
                        .collect::<Vec<Vec<usize>>>()
                }),
                proptest::collection::btree_set(1..=n, 0..3),
                1usize..5,
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn every_step_is_applied_failed_or_skipped_in_dependency_order(
            (deps, failing, parallelism) in dag()
        ) {
            let steps: Vec<Step> = deps
                .iter()
                .enumerate()
                .map(|(i, d)| step(i + 1, &format!("d.s.t{}", i + 1), StepAction::Create, &format!("STEP {}", i + 1), d))
                .collect();
            // Exact match on "STEP n" needs a terminator so "STEP 1" does not match "STEP 12".
            let steps: Vec<Step> = steps.into_iter().map(|mut s| {
                s.statements = vec![Statement::new(format!("STEP {}!", s.id))];
                s
            }).collect();
            let fake = Arc::new(Fake {
                fail_on: failing.iter().map(|f| format!("STEP {f}!")).collect::<Vec<_>>(),
                ..Fake::default()
            });
            let plan = Plan { steps, task_graphs: Vec::new() };
            let report = apply(&plan, &sessions(fake.clone()), ApplyOptions { parallelism, ..ApplyOptions::default() }, &|_| {});

            // Partition: every step exactly once.
            let applied: BTreeSet<usize> = report.applied.iter().copied().collect();
            let failed: BTreeSet<usize> = report.failed.iter().map(|f| f.step).collect();
            let skipped: BTreeSet<usize> = report.skipped.iter().copied().collect();
            prop_assert_eq!(applied.len() + failed.len() + skipped.len(), plan.steps.len());
            prop_assert!(applied.is_disjoint(&failed) && applied.is_disjoint(&skipped) && failed.is_disjoint(&skipped));

            // A step ran iff all its dependencies were applied.
            let log = fake.log.lock().unwrap().clone();
            let position = |id: usize| log.iter().position(|s| s == &format!("STEP {id}!"));
            for s in &plan.steps {
                let ran = position(s.id).is_some();
                let deps_ok = s.depends_on.iter().all(|d| applied.contains(d));
                prop_assert_eq!(ran, deps_ok, "step {} ran={} deps_ok={}", s.id, ran, deps_ok);
                if ran {
                    for d in &s.depends_on {
                        prop_assert!(position(*d) < position(s.id));
                    }
                }
                // Failed exactly when it ran and was meant to fail.
                prop_assert_eq!(failed.contains(&s.id), ran && failing.contains(&s.id));
            }
        }
    }
}
