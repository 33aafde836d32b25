//! The versioned plan view: the JSON promise for automation (`--format json`) and
//! the one structure every renderer reads.
//!
//! `format_version` changes only when a field is removed or changes meaning; adding a
//! field keeps the version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{ObjectId, ObjectKind};
use crate::plan::{Plan, Step, StepAction};

/// The current version of the JSON plan format.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PlanView {
    pub format_version: u32,
    pub summary: Summary,
    pub steps: Vec<StepView>,
}

#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Summary {
    pub total: Counts,
    /// Per project account, only accounts with steps.
    pub accounts: BTreeMap<String, Counts>,
}

/// Steps by action. Task suspends and resumes count as in-place changes (`alter`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Counts {
    pub create: usize,
    pub alter: usize,
    pub replace: usize,
    pub drop: usize,
}

impl Counts {
    pub fn add(&mut self, action: StepAction) {
        match action {
            StepAction::Create => self.create += 1,
            StepAction::Alter | StepAction::Suspend | StepAction::Resume => self.alter += 1,
            StepAction::Replace => self.replace += 1,
            StepAction::Drop => self.drop += 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.create + self.alter + self.replace + self.drop == 0
    }

    /// `1 to create, 2 to alter, 0 to replace, 0 to drop`.
    pub fn sentence(&self) -> String {
        format!(
            "{} to create, {} to alter, {} to replace, {} to drop",
            self.create, self.alter, self.replace, self.drop
        )
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ObjectView {
    pub kind: ObjectKind,
    /// Fully qualified SQL name; for grants the grant's canonical key.
    pub name: String,
    /// Argument types of procedures and functions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Vec<String>>,
}

impl ObjectView {
    pub fn of(id: &ObjectId) -> ObjectView {
        let name = if id.kind == ObjectKind::Grant {
            id.name.name.as_str().to_string()
        } else {
            id.name.sql()
        };
        ObjectView {
            kind: id.kind,
            name,
            signature: id.signature.clone(),
        }
    }

    /// `table DB.S.T`, `procedure DB.S.P(VARCHAR)`, `grant USAGE ON …`.
    pub fn label(&self) -> String {
        match &self.signature {
            Some(types) => format!("{} {}({})", self.kind, self.name, types.join(", ")),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PropertyView {
    pub name: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct StepView {
    pub id: usize,
    pub account: String,
    pub object: ObjectView,
    pub action: StepAction,
    pub reason: Option<String>,
    /// Stable hazard codes (`drops_data`, `recreates_object`, …).
    pub hazards: Vec<String>,
    pub properties: Vec<PropertyView>,
    /// The statements, deferred values as placeholders (secrets are never shown).
    pub sql: Vec<String>,
    pub depends_on: Vec<usize>,
}

impl StepView {
    pub fn of(step: &Step) -> StepView {
        StepView {
            id: step.id,
            account: step.account().to_string(),
            object: ObjectView::of(&step.object),
            action: step.action,
            reason: step.reason.clone(),
            hazards: step.hazards.iter().map(|h| h.code().to_string()).collect(),
            properties: step
                .properties
                .iter()
                .map(|p| PropertyView {
                    name: p.name.clone(),
                    old: p.old.clone(),
                    new: p.new.clone(),
                })
                .collect(),
            sql: step.statements.iter().map(|s| s.to_string()).collect(),
            depends_on: step.depends_on.clone(),
        }
    }
}

impl PlanView {
    pub fn of(plan: &Plan) -> PlanView {
        let mut summary = Summary::default();
        for step in &plan.steps {
            summary.total.add(step.action);
            summary
                .accounts
                .entry(step.account().to_string())
                .or_default()
                .add(step.action);
        }
        PlanView {
            format_version: FORMAT_VERSION,
            summary,
            steps: plan.steps.iter().map(StepView::of).collect(),
        }
    }

    /// Accounts with steps, each with its steps in plan order.
    pub fn by_account(&self) -> BTreeMap<&str, Vec<&StepView>> {
        let mut out: BTreeMap<&str, Vec<&StepView>> = BTreeMap::new();
        for step in &self.steps {
            out.entry(step.account.as_str()).or_default().push(step);
        }
        out
    }
}

/// The JSON form (`--format json`), pretty-printed with a trailing newline.
pub fn json(view: &PlanView) -> String {
    let mut out = serde_json::to_string_pretty(view).unwrap_or_else(|e| {
        // Serializing plain structs with string keys cannot fail; keep the output valid.
        format!(
            "{{\"error\": {}}}",
            serde_json::Value::String(e.to_string())
        )
    });
    out.push('\n');
    out
}
