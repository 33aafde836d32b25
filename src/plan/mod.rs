//! Ordering changes into a reviewable, executable plan.
//!
//! [`plan`] is pure: it takes the normalized desired and observed catalogs and the
//! [`Change`]s `diff` found, and returns a [`Plan`] — a list of steps in a valid
//! execution order, where every step also names the steps it depends on so that the
//! apply executor can run independent steps in parallel (the steps form a DAG).
//!
//! * Creates, alters and replaces run after the objects they depend on (the
//!   cross-account dependency graph of `crate::graph`, plus containment); drops run
//!   in reverse, contents before their containers.
//! * Task graphs follow Snowflake's protocol (see [`tasks`]): a started root is
//!   suspended before any task of its graph changes, then children are resumed and the
//!   root last.
//! * Safety: planning never refuses a step that loses data — every plan shows every
//!   change. The gate is [`Plan::check_destroy`], which `apply` runs on the steps it
//!   will actually send (`--allow-destroy`).
//!
//! Ties are broken by object identity, so the same inputs give the same plan.

mod order;
pub mod saved;
mod tasks;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::diff::{Action, Change, Hazard, PropertyChange};
use crate::model::{AccountName, Catalog, ObjectId, ObjectKind};
use crate::runtime::observe::Observed;
use crate::sql::Statement;

/// What a step does.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    Create,
    Alter,
    Replace,
    Drop,
    /// `ALTER TASK … SUSPEND`, part of the task graph protocol.
    Suspend,
    /// `ALTER TASK … RESUME`, part of the task graph protocol.
    Resume,
}

impl StepAction {
    pub fn as_str(self) -> &'static str {
        match self {
            StepAction::Create => "create",
            StepAction::Alter => "alter",
            StepAction::Replace => "replace",
            StepAction::Drop => "drop",
            StepAction::Suspend => "suspend",
            StepAction::Resume => "resume",
        }
    }
}

impl From<Action> for StepAction {
    fn from(action: Action) -> StepAction {
        match action {
            Action::Create => StepAction::Create,
            Action::Alter => StepAction::Alter,
            Action::Replace => StepAction::Replace,
            Action::Drop => StepAction::Drop,
        }
    }
}

impl fmt::Display for StepAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies a step within its plan: its 1-based position in [`Plan::steps`].
pub type StepId = usize;

/// One unit of work: the statements that change one object, run in order.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Step {
    pub id: StepId,
    pub object: ObjectId,
    pub action: StepAction,
    pub reason: Option<String>,
    pub hazards: Vec<Hazard>,
    pub properties: Vec<PropertyChange>,
    pub statements: Vec<Statement>,
    /// Steps that must have succeeded before this one runs (sorted).
    pub depends_on: Vec<StepId>,
}

impl Step {
    /// The project account the step runs in.
    pub fn account(&self) -> &AccountName {
        &self.object.account
    }
}

/// A started task graph the plan suspends, and how to put it back when apply fails.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TaskGraphRestore {
    pub root: ObjectId,
    /// The step that suspends the root.
    pub suspend_step: StepId,
    /// The step that resumes the root at the end, if the plan resumes it.
    pub resume_step: Option<StepId>,
    /// The tasks that were started before apply, children first and the root last:
    /// resumed in this order when a step fails after the root was suspended.
    pub restore: Vec<ObjectId>,
}

/// An ordered plan. `steps[i].id == i + 1`; every `depends_on` points backwards.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub task_graphs: Vec<TaskGraphRestore>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The step with this id.
    pub fn step(&self, id: StepId) -> Option<&Step> {
        id.checked_sub(1).and_then(|i| self.steps.get(i))
    }

    /// Checks the shape apply relies on: `steps[i].id == i + 1`, dependencies point
    /// to earlier steps, task-graph records name existing steps. Plans made by [`plan`]
    /// always pass; a saved plan edited by hand may not.
    pub fn check(&self) -> Result<(), String> {
        for (i, step) in self.steps.iter().enumerate() {
            if step.id != i + 1 {
                return Err(format!("step {} is at position {}", step.id, i + 1));
            }
            if let Some(bad) = step.depends_on.iter().find(|&&d| d == 0 || d >= step.id) {
                return Err(format!(
                    "step {} depends on step {bad}, which does not come before it",
                    step.id
                ));
            }
        }
        for graph in &self.task_graphs {
            let known = |id: StepId| (1..=self.steps.len()).contains(&id);
            if !known(graph.suspend_step) || graph.resume_step.is_some_and(|r| !known(r)) {
                return Err(format!(
                    "the task graph record of {} names unknown steps",
                    graph.root
                ));
            }
        }
        Ok(())
    }

    /// Accounts with at least one step, in order.
    pub fn accounts(&self) -> BTreeSet<AccountName> {
        self.steps.iter().map(|s| s.account().clone()).collect()
    }

    /// The steps that lose data (the `drops_data` hazard), in plan order: what
    /// `--allow-destroy` consents to.
    pub fn destructive_steps(&self) -> Vec<&Step> {
        self.steps
            .iter()
            .filter(|s| s.hazards.contains(&Hazard::DropsData))
            .collect()
    }

    /// The destroy gate, for the plan that is about to be applied: refuses, naming
    /// every data-losing step, unless `allow_destroy`.
    pub fn check_destroy(&self, allow_destroy: bool) -> Result<(), DestroyRefused> {
        let steps: Vec<(StepId, StepAction, ObjectId)> = self
            .destructive_steps()
            .into_iter()
            .map(|s| (s.id, s.action, s.object.clone()))
            .collect();
        if steps.is_empty() || allow_destroy {
            Ok(())
        } else {
            Err(DestroyRefused { steps })
        }
    }
}

/// Applying would lose data and `--allow-destroy` was not given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refusing to apply: it would destroy data in {}; re-run with --allow-destroy if that is intended",
    self.steps.iter().map(|(id, action, object)| format!("{object} (step {id}, {action})")).collect::<Vec<_>>().join(", ")
)]
pub struct DestroyRefused {
    /// Every data-losing step: id, action, object.
    pub steps: Vec<(StepId, StepAction, ObjectId)>,
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the changes depend on each other in a cycle: {}", list(objects))]
    Cycle { objects: Vec<ObjectId> },
    /// Desired changes Snowflake cannot make (e.g. new artifacts under an existing,
    /// immutable model version).
    #[error("{}", conflicts.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("
"))]
    Conflicts {
        conflicts: Vec<crate::kinds::ConflictError>,
    },
}

fn list(objects: &[ObjectId]) -> String {
    objects
        .iter()
        .map(|o| o.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A step before it has a place in the order.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub object: ObjectId,
    pub action: StepAction,
    pub reason: Option<String>,
    pub hazards: Vec<Hazard>,
    pub properties: Vec<PropertyChange>,
    pub statements: Vec<Statement>,
}

impl Node {
    /// Tie-break key: object identity first, then suspend before changes before resume.
    fn key(&self) -> (ObjectId, u8, StepAction) {
        let phase = match self.action {
            StepAction::Suspend => 0,
            StepAction::Resume => 2,
            _ => 1,
        };
        (self.object.clone(), phase, self.action)
    }
}

/// Orders `changes` into a plan. Pure: no IO, no clock, deterministic output.
///
/// `desired` and `observed` must be the *normalized* catalogs `changes` were diffed
/// from (as `runtime::pipeline::compare` produces them): dependencies are looked up
/// by the changes' identities, and an identity spelled differently (say, a grant key
/// with a lower-case privilege) would find no spec and so no ordering constraints.
pub fn plan(
    desired: &Catalog,
    observed: &Observed,
    changes: Vec<Change>,
) -> Result<Plan, PlanError> {
    let observed_catalog = &observed.catalog;
    let conflicts = crate::kinds::validate_against_observed(desired, observed_catalog);
    if !conflicts.is_empty() {
        return Err(PlanError::Conflicts { conflicts });
    }
    let mut changes = changes;
    changes.sort_by(|a, b| a.id.cmp(&b.id).then(a.action.cmp(&b.action)));
    let changes: Vec<Change> = changes
        .into_iter()
        .filter_map(tasks::strip_state_changes)
        .collect();

    let mut nodes: Vec<Node> = changes
        .into_iter()
        .map(|c| Node {
            object: c.id,
            action: c.action.into(),
            reason: c.reason,
            hazards: sorted(c.hazards),
            properties: c.properties,
            statements: c.statements,
        })
        .collect();

    // Edges between change nodes (index → index: `from` must run before `to`).
    let mut edges: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut by_object: BTreeMap<&ObjectId, Vec<usize>> = BTreeMap::new();
    for (i, node) in nodes.iter().enumerate() {
        by_object.entry(&node.object).or_default().push(i);
    }
    for (i, node) in nodes.iter().enumerate() {
        match node.action {
            StepAction::Drop => {
                let Some(spec) = observed_catalog.get(&node.object) else {
                    continue;
                };
                for dep in dependencies_of(&node.object, spec, observed_catalog) {
                    for &j in by_object.get(&dep).into_iter().flatten() {
                        if nodes[j].action == StepAction::Drop && j != i {
                            edges.insert((i, j));
                        }
                    }
                }
            }
            _ => {
                let Some(spec) = desired.get(&node.object) else {
                    continue;
                };
                for dep in dependencies_of(&node.object, spec, desired) {
                    for &j in by_object.get(&dep).into_iter().flatten() {
                        if nodes[j].action != StepAction::Drop && j != i {
                            edges.insert((j, i));
                        }
                    }
                }
            }
        }
    }

    let protocol = tasks::protocol(desired, observed_catalog, &nodes);
    let first_extra = nodes.len();
    nodes.extend(protocol.nodes);
    for (from, to) in protocol.edges {
        edges.insert((resolve(from, first_extra), resolve(to, first_extra)));
    }

    let keys: Vec<_> = nodes.iter().map(Node::key).collect();
    let order = order::topological(&keys, &edges).map_err(|stuck| PlanError::Cycle {
        objects: {
            let mut objects: Vec<ObjectId> =
                stuck.iter().map(|&i| nodes[i].object.clone()).collect();
            objects.sort();
            objects.dedup();
            objects
        },
    })?;

    // Position of each node in the order → step id.
    let mut step_of = vec![0; nodes.len()];
    for (position, &node) in order.iter().enumerate() {
        step_of[node] = position + 1;
    }
    let mut depends: Vec<BTreeSet<StepId>> = vec![BTreeSet::new(); nodes.len()];
    for &(from, to) in &edges {
        depends[to].insert(step_of[from]);
    }
    let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    let mut steps = Vec::with_capacity(order.len());
    for &index in &order {
        let Some(node) = slots[index].take() else {
            continue;
        };
        steps.push(Step {
            id: step_of[index],
            object: node.object,
            action: node.action,
            reason: node.reason,
            hazards: node.hazards,
            properties: node.properties,
            statements: node.statements,
            depends_on: depends[index].iter().copied().collect(),
        });
    }
    let task_graphs = protocol
        .restores
        .into_iter()
        .map(|r| TaskGraphRestore {
            root: r.root,
            suspend_step: step_of[resolve(r.suspend, first_extra)],
            resume_step: r.resume.map(|n| step_of[resolve(n, first_extra)]),
            restore: r.restore,
        })
        .collect();
    Ok(Plan { steps, task_graphs })
}

/// A node reference from the task protocol: either an existing change node or one of
/// the protocol's own nodes (numbered from 0 after the change nodes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum NodeRef {
    Change(usize),
    Extra(usize),
}

fn resolve(node: NodeRef, first_extra: usize) -> usize {
    match node {
        NodeRef::Change(i) => i,
        NodeRef::Extra(i) => first_extra + i,
    }
}

fn sorted(mut hazards: Vec<Hazard>) -> Vec<Hazard> {
    hazards.sort();
    hazards.dedup();
    hazards
}

/// What an object needs before it exists: the graph's dependencies plus its container
/// (schema for a schema object, database for a schema) in the same account.
fn dependencies_of(id: &ObjectId, spec: &crate::model::Spec, catalog: &Catalog) -> Vec<ObjectId> {
    let mut deps: BTreeSet<ObjectId> = crate::graph::dependencies(id, spec, catalog)
        .into_iter()
        .collect();
    if id.kind != ObjectKind::Grant {
        let name = &id.name;
        if let Some(parent) = name.parent() {
            let kind = if name.schema.is_some() {
                ObjectKind::Schema
            } else {
                ObjectKind::Database
            };
            deps.insert(ObjectId::new(id.account.clone(), kind, parent));
        }
        if let (Some(database), Some(_)) = (&name.database, &name.schema) {
            deps.insert(ObjectId::new(
                id.account.clone(),
                ObjectKind::Database,
                crate::model::ObjectName::account_level(database.clone()),
            ));
        }
    }
    if let crate::model::Spec::Task(task) = spec {
        for predecessor in &task.after {
            deps.insert(ObjectId::new(
                id.account.clone(),
                ObjectKind::Task,
                predecessor.clone(),
            ));
        }
    }
    deps.remove(id);
    deps.into_iter().collect()
}

#[cfg(test)]
mod tests;
