//! Applying a plan: walk the step DAG with bounded parallelism.
//!
//! Up to `parallelism` steps run at once (std threads), across independent objects
//! and accounts; a step starts only when every step it depends on has been applied.
//! Within a step, statements run in order on the step's account session. Values only
//! known now (`sql::Deferred`) are resolved right before the statement is sent:
//! listing global names with `SHOW LISTINGS LIKE` in the provider account, secrets
//! from the environment (never printed).
//!
//! When a step fails, its dependants are not started (they are reported as skipped),
//! steps already running finish, independent steps continue, and every task graph the
//! plan suspended is put back: the tasks that were started before are resumed,
//! children first and the root last. The outcome is an [`ApplyReport`], not an error:
//! a partial apply is a normal result that the next plan picks up from.

use std::collections::BTreeSet;
use std::sync::{Condvar, Mutex};

use serde::Serialize;

use crate::model::ObjectId;
use crate::plan::{Plan, Step, StepId};
use crate::sql::{self, Deferred};

use super::observe::Sessions;
use super::session::BackendError;

/// How to apply.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Steps running at once (at least 1).
    pub parallelism: usize,
    /// The project folder that local files (`sql::Deferred::LocalFile`, e.g. model
    /// artifacts) are relative to. Without it, only absolute local paths resolve.
    pub project_root: Option<std::path::PathBuf>,
}

impl Default for ApplyOptions {
    fn default() -> ApplyOptions {
        ApplyOptions {
            parallelism: 4,
            project_root: None,
        }
    }
}

/// Progress, reported while applying (from worker threads).
#[derive(Debug)]
pub enum ApplyEvent<'a> {
    Started(&'a Step),
    Applied(&'a Step),
    Failed(&'a Step, &'a StepFailure),
    Skipped(&'a Step),
    /// A task of a suspended graph was resumed (or failed to be) after a failure.
    Restored(&'a RestoreOutcome),
}

/// Why a step failed: the statement (as shown in the plan, secrets hidden) and the
/// error the account returned.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct StepFailure {
    pub step: StepId,
    pub object: ObjectId,
    pub statement: String,
    /// Snowflake's error number (`002003`), when the account returned one.
    pub code: Option<String>,
    pub message: String,
}

/// One statement run to put a task graph back after a failure.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct RestoreOutcome {
    pub task: ObjectId,
    pub statement: String,
    pub error: Option<String>,
}

/// What an apply did.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize)]
pub struct ApplyReport {
    /// Steps fully applied, in completion order.
    pub applied: Vec<StepId>,
    pub failed: Vec<StepFailure>,
    /// Steps not run because a step they depend on failed (sorted).
    pub skipped: Vec<StepId>,
    pub restored: Vec<RestoreOutcome>,
}

impl ApplyReport {
    pub fn is_success(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Status {
    Pending,
    Running,
    Applied,
    Failed,
    Skipped,
}

struct State {
    ready: BTreeSet<StepId>,
    /// Unfinished dependencies per step (index = id - 1).
    waiting: Vec<usize>,
    status: Vec<Status>,
    running: usize,
    report: ApplyReport,
}

/// Applies `plan` with one session per account.
pub fn apply(
    plan: &Plan,
    sessions: &Sessions,
    options: ApplyOptions,
    events: &(dyn Fn(ApplyEvent<'_>) + Sync),
) -> ApplyReport {
    let n = plan.steps.len();
    let mut dependants: Vec<Vec<StepId>> = vec![Vec::new(); n];
    let mut waiting = vec![0; n];
    for step in &plan.steps {
        for &dep in &step.depends_on {
            if (1..=n).contains(&dep) && dep != step.id {
                dependants[dep - 1].push(step.id);
                waiting[step.id - 1] += 1;
            }
        }
    }
    let ready = plan
        .steps
        .iter()
        .filter(|s| waiting[s.id - 1] == 0)
        .map(|s| s.id)
        .collect();
    let state = Mutex::new(State {
        ready,
        waiting,
        status: vec![Status::Pending; n],
        running: 0,
        report: ApplyReport::default(),
    });
    let wake = Condvar::new();
    let workers = options.parallelism.max(1).min(n.max(1));

    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| worker(plan, sessions, &options, &state, &wake, &dependants, events));
        }
    });

    let mut state = match state.into_inner() {
        Ok(state) => state,
        Err(poisoned) => poisoned.into_inner(),
    };
    // Steps whose dependencies never completed (only possible in a malformed plan)
    // are reported as skipped rather than left out.
    for (index, status) in state.status.iter_mut().enumerate() {
        if *status == Status::Pending {
            *status = Status::Skipped;
            state.report.skipped.push(index + 1);
        }
    }
    state.report.skipped.sort();
    if !state.report.failed.is_empty() {
        restore_task_graphs(plan, sessions, &state.status, &mut state.report, events);
    }
    state.report
}

fn worker(
    plan: &Plan,
    sessions: &Sessions,
    options: &ApplyOptions,
    state: &Mutex<State>,
    wake: &Condvar,
    dependants: &[Vec<StepId>],
    events: &(dyn Fn(ApplyEvent<'_>) + Sync),
) {
    loop {
        let next = {
            let Ok(mut guard) = state.lock() else { return };
            loop {
                if let Some(id) = guard.ready.pop_first() {
                    guard.status[id - 1] = Status::Running;
                    guard.running += 1;
                    break Some(id);
                }
                if guard.running == 0 {
                    break None;
                }
                guard = match wake.wait(guard) {
                    Ok(g) => g,
                    Err(_) => return,
                };
            }
        };
        let Some(id) = next else {
            wake.notify_all();
            return;
        };
        let Some(step) = plan.step(id) else { continue };
        events(ApplyEvent::Started(step));
        let outcome = run_step(step, sessions, options);
        let Ok(mut guard) = state.lock() else { return };
        guard.running -= 1;
        match outcome {
            Ok(()) => {
                guard.status[id - 1] = Status::Applied;
                guard.report.applied.push(id);
                events(ApplyEvent::Applied(step));
                for &next in &dependants[id - 1] {
                    guard.waiting[next - 1] -= 1;
                    if guard.waiting[next - 1] == 0 && guard.status[next - 1] == Status::Pending {
                        guard.ready.insert(next);
                    }
                }
            }
            Err(failure) => {
                guard.status[id - 1] = Status::Failed;
                events(ApplyEvent::Failed(step, &failure));
                guard.report.failed.push(*failure);
                // Everything downstream of the failure is skipped.
                let mut stack: Vec<StepId> = dependants[id - 1].clone();
                while let Some(next) = stack.pop() {
                    if guard.status[next - 1] == Status::Pending {
                        guard.status[next - 1] = Status::Skipped;
                        guard.ready.remove(&next);
                        guard.report.skipped.push(next);
                        if let Some(skipped) = plan.step(next) {
                            events(ApplyEvent::Skipped(skipped));
                        }
                        stack.extend(dependants[next - 1].iter().copied());
                    }
                }
            }
        }
        drop(guard);
        wake.notify_all();
    }
}

fn run_step(
    step: &Step,
    sessions: &Sessions,
    options: &ApplyOptions,
) -> Result<(), Box<StepFailure>> {
    let fail = |statement: String, code: Option<String>, message: String| {
        Box::new(StepFailure {
            step: step.id,
            object: step.object.clone(),
            statement,
            code,
            message,
        })
    };
    let Some(session) = sessions.get(step.account()) else {
        return Err(fail(
            String::new(),
            None,
            format!("no session for account `{}`", step.account()),
        ));
    };
    for statement in &step.statements {
        let shown = statement.to_string();
        let text = statement
            .resolve(|deferred| resolve(deferred, sessions, options))
            .map_err(|message| fail(shown.clone(), None, message))?;
        if let Err(error) = session.execute(&text) {
            let (code, message) = describe(&error);
            return Err(fail(shown, code, message));
        }
    }
    Ok(())
}

/// The error number and message of a backend error (never the statement text, which
/// may hold a resolved secret).
fn describe(error: &BackendError) -> (Option<String>, String) {
    match error {
        BackendError::Sql { code, message, .. } => (Some(code.clone()), message.clone()),
        other => (None, other.to_string()),
    }
}

/// Fills in a deferred value. Errors never contain a secret's value.
fn resolve(
    deferred: &Deferred,
    sessions: &Sessions,
    options: &ApplyOptions,
) -> Result<String, String> {
    match deferred {
        Deferred::LocalFile { path } => {
            let full = match (&options.project_root, path.is_absolute()) {
                (_, true) => path.clone(),
                (Some(root), false) => root.join(path),
                (None, false) => {
                    return Err(format!(
                        "local file `{}` is relative to a project folder, and none was given",
                        path.display()
                    ));
                }
            };
            let full = std::path::absolute(&full).unwrap_or(full);
            Ok(format!("file://{}", full.display()))
        }
        Deferred::SecretFromEnv { var } => match std::env::var(var) {
            Ok(value) if !value.is_empty() => Ok(value),
            _ => Err(format!(
                "environment variable `{var}` is not set (it holds a secret the statement needs)"
            )),
        },
        Deferred::ListingGlobalName { account, listing } => {
            let session = sessions.get(account).ok_or_else(|| {
                format!("no session for account `{account}` to look up listing {listing}")
            })?;
            let rows = session
                .execute(&format!("SHOW LISTINGS LIKE {}", sql::literal(listing)))
                .map_err(|e| format!("looking up listing {listing} in `{account}`: {e}"))?;
            rows.iter()
                .find(|row| row.get("name").is_some_and(|n| n == listing))
                .or_else(|| {
                    rows.iter().find(|row| {
                        row.get("name")
                            .is_some_and(|n| n.eq_ignore_ascii_case(listing))
                    })
                })
                .and_then(|row| row.get("global_name").map(str::to_string))
                .filter(|name| !name.is_empty())
                .ok_or_else(|| format!("listing {listing} not found in account `{account}`"))
        }
    }
}

/// Resumes the tasks of every graph whose root this apply suspended and did not resume.
fn restore_task_graphs(
    plan: &Plan,
    sessions: &Sessions,
    status: &[Status],
    report: &mut ApplyReport,
    events: &(dyn Fn(ApplyEvent<'_>) + Sync),
) {
    let applied = |id: StepId| status.get(id.wrapping_sub(1)) == Some(&Status::Applied);
    for graph in &plan.task_graphs {
        if !applied(graph.suspend_step) || graph.resume_step.is_some_and(applied) {
            continue;
        }
        let Some(session) = sessions.get(&graph.root.account) else {
            continue;
        };
        for task in &graph.restore {
            let statement = format!("ALTER TASK {} RESUME", task.name.sql());
            let error = session.execute(&statement).err().map(|e| e.to_string());
            let outcome = RestoreOutcome {
                task: task.clone(),
                statement,
                error,
            };
            events(ApplyEvent::Restored(&outcome));
            report.restored.push(outcome);
        }
    }
}

#[cfg(test)]
mod tests;
