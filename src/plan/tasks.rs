//! The task graph protocol.
//!
//! Snowflake refuses to change any task of a graph while its root is started, and
//! creates (and replaces) tasks suspended. So for every graph the plan touches:
//!
//! 1. if the root is started, `ALTER TASK <root> SUSPEND` runs before any change in
//!    the graph (hazard `suspends_task_graph`);
//! 2. the changes run (creations of children after their predecessors);
//! 3. children that should be started are resumed, then the root last.
//!
//! A task "should be started" when the manifest says `state: started`, or when it does
//! not say and the task was started before. Task state is owned here, not by `diff`:
//! any `RESUME`/`SUSPEND` statements a task change carries are removed first
//! ([`strip_state_changes`]). For each suspended root the plan also records the tasks
//! that were started before, so apply can restore them when a step fails.

use std::collections::{BTreeMap, BTreeSet};

use crate::diff::{Change, Hazard, PropertyChange};
use crate::model::{Catalog, ObjectId, ObjectKind, Spec, TaskState};
use crate::sql::{Segment, Statement};

use super::{Node, NodeRef, StepAction};

/// Removes task state transitions from a change (the protocol plans them). Returns
/// `None` when nothing else is left to do.
pub(crate) fn strip_state_changes(mut change: Change) -> Option<Change> {
    if change.id.kind != ObjectKind::Task {
        return Some(change);
    }
    let before = change.statements.len();
    change.statements.retain(|s| !is_state_statement(s));
    let stripped = change.statements.len() != before;
    change.properties.retain(|p| p.name != "state");
    if change.statements.is_empty() && (stripped || change.properties.is_empty()) {
        return None;
    }
    Some(change)
}

/// `ALTER TASK <name> RESUME` / `SUSPEND` (with or without `IF EXISTS`).
fn is_state_statement(statement: &Statement) -> bool {
    let [Segment::Text(text)] = statement.segments.as_slice() else {
        return false;
    };
    let upper = text
        .trim()
        .trim_end_matches(';')
        .trim_end()
        .to_ascii_uppercase();
    upper.starts_with("ALTER TASK ")
        && (upper.ends_with(" RESUME") || upper.ends_with(" SUSPEND"))
        && !upper.contains(" AS ")
        && !upper.contains(" WHEN ")
}

/// What the protocol adds to a plan.
#[derive(Default)]
pub(crate) struct Protocol {
    pub nodes: Vec<Node>,
    /// `(before, after)` pairs.
    pub edges: Vec<(NodeRef, NodeRef)>,
    pub restores: Vec<RestoreDraft>,
}

pub(crate) struct RestoreDraft {
    pub root: ObjectId,
    pub suspend: NodeRef,
    pub resume: Option<NodeRef>,
    pub restore: Vec<ObjectId>,
}

struct TaskInfo {
    after: Vec<ObjectId>,
    state: Option<TaskState>,
}

fn tasks_of(catalog: &Catalog) -> BTreeMap<ObjectId, TaskInfo> {
    catalog
        .of_kind(ObjectKind::Task)
        .filter_map(|(id, spec)| match spec {
            Spec::Task(task) => Some((
                id.clone(),
                TaskInfo {
                    after: task
                        .after
                        .iter()
                        .map(|name| {
                            ObjectId::new(id.account.clone(), ObjectKind::Task, name.clone())
                        })
                        .collect(),
                    state: task.state,
                },
            )),
            _ => None,
        })
        .collect()
}

/// The root of `id`'s graph: follow predecessors (the first one known) to a task that
/// has none.
fn root_of(id: &ObjectId, tasks: &BTreeMap<ObjectId, TaskInfo>) -> ObjectId {
    let mut current = id.clone();
    let mut seen = BTreeSet::new();
    while seen.insert(current.clone()) {
        let Some(next) = tasks
            .get(&current)
            .and_then(|t| t.after.iter().find(|p| tasks.contains_key(*p)))
        else {
            break;
        };
        current = next.clone();
    }
    current
}

fn state_statement(id: &ObjectId, verb: &str) -> Statement {
    Statement::new(format!("ALTER TASK {} {verb}", id.name.sql()))
}

fn state_property(old: &str, new: &str) -> PropertyChange {
    PropertyChange::scalar("state", Some(old.into()), Some(new.into()))
}

/// Plans suspends and resumes around the task changes among `nodes`.
pub(crate) fn protocol(desired: &Catalog, observed: &Catalog, nodes: &[Node]) -> Protocol {
    let desired_tasks = tasks_of(desired);
    let observed_tasks = tasks_of(observed);
    let started = |id: &ObjectId| {
        observed_tasks
            .get(id)
            .is_some_and(|t| t.state == Some(TaskState::Started))
    };

    let mut changed: BTreeMap<&ObjectId, Vec<usize>> = BTreeMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if node.object.kind == ObjectKind::Task {
            changed.entry(&node.object).or_default().push(i);
        }
    }
    let recreated = |id: &ObjectId| {
        changed.get(id).is_some_and(|ix| {
            ix.iter()
                .any(|&i| matches!(nodes[i].action, StepAction::Create | StepAction::Replace))
        }) || !observed_tasks.contains_key(id)
    };
    // Should the task be started once the plan has run?
    let want_started = |id: &ObjectId| match desired_tasks.get(id).map(|t| t.state) {
        Some(Some(state)) => state == TaskState::Started,
        Some(None) => started(id),
        None => false,
    };

    let mut touched: BTreeSet<ObjectId> = BTreeSet::new();
    for id in changed.keys() {
        if observed_tasks.contains_key(*id) {
            touched.insert(root_of(id, &observed_tasks));
        }
        if desired_tasks.contains_key(*id) {
            touched.insert(root_of(id, &desired_tasks));
        }
    }
    for (id, task) in &desired_tasks {
        let state_changes = match task.state {
            Some(TaskState::Started) => !started(id) || recreated(id),
            Some(TaskState::Suspended) => started(id),
            None => false,
        };
        if state_changes {
            touched.insert(root_of(id, &desired_tasks));
            if observed_tasks.contains_key(id) {
                touched.insert(root_of(id, &observed_tasks));
            }
        }
    }

    let mut out = Protocol::default();
    for root in touched {
        let observed_members: BTreeSet<&ObjectId> = observed_tasks
            .keys()
            .filter(|t| root_of(t, &observed_tasks) == root)
            .collect();
        let desired_members: BTreeSet<&ObjectId> = desired_tasks
            .keys()
            .filter(|t| root_of(t, &desired_tasks) == root)
            .collect();
        let change_nodes: Vec<usize> = observed_members
            .union(&desired_members)
            .flat_map(|t| changed.get(*t).cloned().unwrap_or_default())
            .collect();

        let add = |out: &mut Protocol, node: Node| {
            out.nodes.push(node);
            NodeRef::Extra(out.nodes.len() - 1)
        };

        let suspend_root = started(&root).then(|| {
            let reason = if desired_tasks.contains_key(&root) && !want_started(&root) {
                "desired state: suspended".to_string()
            } else {
                "the graph's root is started: it is suspended while tasks of its graph change"
                    .to_string()
            };
            add(
                &mut out,
                Node {
                    object: root.clone(),
                    action: StepAction::Suspend,
                    reason: Some(reason),
                    hazards: vec![Hazard::SuspendsTaskGraph],
                    properties: vec![state_property("started", "suspended")],
                    statements: vec![state_statement(&root, "SUSPEND")],
                },
            )
        });
        if let Some(s) = suspend_root {
            for &c in &change_nodes {
                out.edges.push((s, NodeRef::Change(c)));
            }
        }

        let mut before_root_resume: Vec<NodeRef> =
            change_nodes.iter().map(|&c| NodeRef::Change(c)).collect();
        before_root_resume.extend(suspend_root);
        for &task in desired_members.iter().filter(|t| ***t != root) {
            let explicit = desired_tasks.get(task).and_then(|t| t.state);
            let node =
                if explicit == Some(TaskState::Suspended) && started(task) && !recreated(task) {
                    Some(Node {
                        object: task.clone(),
                        action: StepAction::Suspend,
                        reason: Some("desired state: suspended".into()),
                        hazards: Vec::new(),
                        properties: vec![state_property("started", "suspended")],
                        statements: vec![state_statement(task, "SUSPEND")],
                    })
                } else if want_started(task) && (!started(task) || recreated(task)) {
                    Some(resume_node(
                        task,
                        explicit,
                        recreated(task) && started(task),
                    ))
                } else {
                    None
                };
            if let Some(node) = node {
                let r = add(&mut out, node);
                if let Some(s) = suspend_root {
                    out.edges.push((s, r));
                }
                for &c in &change_nodes {
                    out.edges.push((NodeRef::Change(c), r));
                }
                before_root_resume.push(r);
            }
        }

        let resume_root = (desired_tasks.contains_key(&root) && want_started(&root)).then(|| {
            let explicit = desired_tasks.get(&root).and_then(|t| t.state);
            let r = add(&mut out, resume_node(&root, explicit, started(&root)));
            for &b in &before_root_resume {
                out.edges.push((b, r));
            }
            r
        });

        if let Some(suspend) = suspend_root {
            let mut restore: Vec<ObjectId> = observed_members
                .iter()
                .filter(|t| ***t != root && started(t))
                .map(|t| (*t).clone())
                .collect();
            restore.push(root.clone());
            out.restores.push(RestoreDraft {
                root,
                suspend,
                resume: resume_root,
                restore,
            });
        }
    }
    out
}

fn resume_node(task: &ObjectId, explicit: Option<TaskState>, was_started: bool) -> Node {
    let reason = if explicit == Some(TaskState::Started) && !was_started {
        "desired state: started"
    } else {
        "resumes the task: it was started before the change"
    };
    Node {
        object: task.clone(),
        action: StepAction::Resume,
        reason: Some(reason.into()),
        hazards: Vec::new(),
        properties: vec![state_property("suspended", "started")],
        statements: vec![state_statement(task, "RESUME")],
    }
}
