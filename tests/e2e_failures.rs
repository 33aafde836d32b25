//! Failure injection on the emulator: for every k, the k-th changing statement of an
//! apply fails. The report must say exactly what was applied, what failed and what
//! was skipped; task graphs must be back in the state they had before the apply; and
//! a second apply must converge to an empty plan.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use floe::emulator::Emulator;
use floe::model::Catalog;
use floe::plan::{Plan, StepId};
use floe::runtime::instrument::{FailingSession, is_read};
use floe::runtime::observe::Sessions;
use floe::runtime::pipeline::observe_and_plan;
use floe::runtime::{ApplyOptions, ApplyReport, SqlSession, apply};

fn plan_for(sessions: &Sessions, desired: &Catalog, accounts: &[floe::model::AccountName]) -> Plan {
    match observe_and_plan(sessions, desired, accounts) {
        Ok((_, plan)) => plan,
        Err(e) => panic!("planning failed: {e}"),
    }
}

fn changing_statements(plan: &Plan) -> usize {
    plan.steps
        .iter()
        .flat_map(|s| &s.statements)
        .filter(|s| !is_read(&s.to_string()))
        .count()
}

/// Every step downstream of `failed`.
fn dependants(plan: &Plan, failed: StepId) -> BTreeSet<StepId> {
    let mut out = BTreeSet::new();
    let mut frontier = vec![failed];
    while let Some(f) = frontier.pop() {
        for s in &plan.steps {
            if s.depends_on.contains(&f) && out.insert(s.id) {
                frontier.push(s.id);
            }
        }
    }
    out
}

/// Task name → state, per account, as SHOW TASKS reports it.
fn task_states(sessions: &Sessions) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (account, session) in sessions {
        let rows = session.execute("SHOW TASKS IN ACCOUNT").unwrap();
        for row in rows.iter() {
            out.insert(
                format!("{account}:{}", row.get("name").unwrap_or("?")),
                row.get("state").unwrap_or("?").to_string(),
            );
        }
    }
    out
}

/// Applies `plan` with the k-th changing statement failing, checks the report, the
/// task states, and that a re-run converges.
fn inject(
    sessions: &Sessions,
    desired: &Catalog,
    accounts: &[floe::model::AccountName],
    plan: &Plan,
    k: usize,
    parallelism: usize,
) {
    let before = task_states(sessions);
    let counter = Arc::new(AtomicUsize::new(0));
    let failing = common::wrap(sessions, |s| {
        Arc::new(FailingSession::new(s, counter.clone(), k)) as Arc<dyn SqlSession>
    });
    let started = std::sync::Mutex::new(Vec::new());
    let report: ApplyReport = apply(
        plan,
        &failing,
        ApplyOptions {
            parallelism,
            ..common::shipped_apply_options()
        },
        &|event| {
            if let floe::runtime::ApplyEvent::Started(step) = event {
                started.lock().unwrap().push(step.id);
            }
        },
    );
    let started = started.into_inner().unwrap();

    // Exactly one step failed: the one holding the k-th changing statement.
    assert_eq!(report.failed.len(), 1, "k={k}: {report:?}");
    let failed = &report.failed[0];
    if parallelism == 1 {
        let mut seen = 0;
        let mut expected = None;
        // With parallelism 1 steps run one at a time: count the changing statements of
        // the steps started before the failing one, then find the k-th inside it.
        let position = started.iter().position(|id| *id == failed.step).unwrap();
        for step in started[..position].iter().filter_map(|id| plan.step(*id)) {
            seen += step
                .statements
                .iter()
                .filter(|s| !is_read(&s.to_string()))
                .count();
        }
        let failing_step = plan.step(failed.step).unwrap();
        for statement in &failing_step.statements {
            if !is_read(&statement.to_string()) {
                seen += 1;
                if seen == k {
                    expected = Some(statement.to_string());
                    break;
                }
            }
        }
        assert_eq!(
            expected.as_deref(),
            Some(failed.statement.as_str()),
            "k={k}: the k-th statement failed"
        );
    }
    assert!(
        failed.message.contains("injected failure"),
        "k={k}: {}",
        failed.message
    );
    assert_eq!(failed.code.as_deref(), Some("000603"));

    // Skipped = everything downstream of the failure; everything else was applied.
    let skipped: BTreeSet<StepId> = report.skipped.iter().copied().collect();
    assert_eq!(skipped, dependants(plan, failed.step), "k={k}");
    let applied: BTreeSet<StepId> = report.applied.iter().copied().collect();
    let all: BTreeSet<StepId> = plan.steps.iter().map(|s| s.id).collect();
    let rest: BTreeSet<StepId> = all
        .difference(&skipped)
        .copied()
        .filter(|id| *id != failed.step)
        .collect();
    assert_eq!(applied, rest, "k={k}");

    // Task graphs the plan suspended are back as they were.
    if !plan.task_graphs.is_empty() {
        let after = task_states(sessions);
        for (task, state) in &before {
            if state == "started" {
                assert_eq!(after.get(task), Some(state), "k={k}: {task} restored");
            }
        }
    }

    // A second apply converges.
    let rerun = plan_for(sessions, desired, accounts);
    let report = apply(&rerun, sessions, common::shipped_apply_options(), &|_| {});
    assert!(report.is_success(), "k={k}: re-run failed: {report:?}");
    let last = plan_for(sessions, desired, accounts);
    assert!(
        last.is_empty(),
        "k={k}: not converged: {:?}",
        last.steps
            .iter()
            .map(|s| s.object.to_string())
            .collect::<Vec<_>>()
    );
}

#[test]
fn every_statement_of_the_initial_apply_can_fail() {
    let project = common::shipped_project();
    let probe = Emulator::open_in_memory().unwrap();
    let plan = plan_for(
        &common::sessions(&probe, &project.accounts),
        &project.desired,
        &project.accounts,
    );
    let total = changing_statements(&plan);
    assert!(total > 10, "the initial apply has {total} statements");
    for k in 1..=total {
        let emulator = Emulator::open_in_memory().unwrap();
        let sessions = common::sessions(&emulator, &project.accounts);
        let plan = plan_for(&sessions, &project.desired, &project.accounts);
        inject(&sessions, &project.desired, &project.accounts, &plan, k, 1);
    }
}

#[test]
fn every_statement_of_a_change_to_a_started_task_graph_can_fail() {
    let project = common::shipped_project();
    // The same project with a changed task body inside the partner's started graph.
    let mut changed = project.desired.clone();
    let mut touched = 0;
    for (id, spec) in changed.objects.iter_mut() {
        if let floe::model::Spec::Task(task) = spec
            && id.account.as_str() == "partner"
            && !task.after.is_empty()
        {
            task.body.push_str(" -- changed");
            touched += 1;
        }
    }
    assert!(touched > 0, "the partner has a task graph");

    let setup = |emulator: &Emulator| {
        let sessions = common::sessions(emulator, &project.accounts);
        let plan = plan_for(&sessions, &project.desired, &project.accounts);
        assert!(apply(&plan, &sessions, common::shipped_apply_options(), &|_| {}).is_success());
        sessions
    };
    let probe = Emulator::open_in_memory().unwrap();
    let sessions = setup(&probe);
    let plan = plan_for(&sessions, &changed, &project.accounts);
    assert!(
        !plan.task_graphs.is_empty(),
        "the change suspends a started graph"
    );
    let total = changing_statements(&plan);
    for k in 1..=total {
        let emulator = Emulator::open_in_memory().unwrap();
        let sessions = setup(&emulator);
        let plan = plan_for(&sessions, &changed, &project.accounts);
        inject(&sessions, &changed, &project.accounts, &plan, k, 1);
    }
}

#[test]
fn failures_under_parallel_apply_keep_the_report_and_convergence_right() {
    let project = common::shipped_project();
    let probe = Emulator::open_in_memory().unwrap();
    let plan = plan_for(
        &common::sessions(&probe, &project.accounts),
        &project.desired,
        &project.accounts,
    );
    let total = changing_statements(&plan);
    // Which statement is k-th depends on scheduling here; the invariants do not.
    for k in (1..=total).step_by(6) {
        let emulator = Emulator::open_in_memory().unwrap();
        let sessions = common::sessions(&emulator, &project.accounts);
        let plan = plan_for(&sessions, &project.desired, &project.accounts);
        inject(&sessions, &project.desired, &project.accounts, &plan, k, 4);
    }
}
