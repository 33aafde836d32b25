//! The versioned plan view: the JSON promise for automation (`--format json`) and
//! the one structure every renderer reads.
//!
//! `format_version` changes only when a field is removed or changes meaning; adding a
//! field keeps the version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diff::PropertyChange;
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

/// One property. `old` and `new` are the values as text; a list-valued property
/// (columns, grants, targets…) has one item per line in them and, in `list`, the
/// items added and removed.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PropertyView {
    pub name: String,
    pub old: Option<String>,
    pub new: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListView>,
}

/// The items of a list-valued property that were added and removed (a line diff, so
/// a moved item in an ordered list counts as removed and added), and how many stayed.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct ListView {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

/// One line of a list diff.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ListLine<'a> {
    Added(&'a str),
    Removed(&'a str),
    Kept(&'a str),
}

/// The line diff between two sides of a list-valued property, in list order.
pub fn list_lines<'a>(old: Option<&'a str>, new: Option<&'a str>) -> Vec<ListLine<'a>> {
    let old = PropertyChange::items(old.unwrap_or(""));
    let new = PropertyChange::items(new.unwrap_or(""));
    similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new)
        .iter()
        .flat_map(|op| op.iter_changes(&old, &new))
        .map(|c| match c.tag() {
            similar::ChangeTag::Insert => ListLine::Added(c.value()),
            similar::ChangeTag::Delete => ListLine::Removed(c.value()),
            similar::ChangeTag::Equal => ListLine::Kept(c.value()),
        })
        .collect()
}

impl PropertyView {
    pub fn of(p: &PropertyChange) -> PropertyView {
        let list = p.list.then(|| {
            let mut view = ListView::default();
            for line in list_lines(p.old.as_deref(), p.new.as_deref()) {
                match line {
                    ListLine::Added(item) => view.added.push(item.to_string()),
                    ListLine::Removed(item) => view.removed.push(item.to_string()),
                    ListLine::Kept(_) => view.unchanged += 1,
                }
            }
            view
        });
        PropertyView {
            name: p.name.clone(),
            old: p.old.clone(),
            new: p.new.clone(),
            list,
        }
    }
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
            properties: step.properties.iter().map(PropertyView::of).collect(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn items(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn lists_show_items_added_removed_and_kept() {
        let p = PropertyChange::list(
            "grants",
            Some(&items(&["USAGE ON DATABASE D", "SELECT ON TABLE D.S.A"])),
            Some(&items(&["USAGE ON DATABASE D", "SELECT ON TABLE D.S.B"])),
        );
        let view = PropertyView::of(&p);
        assert_eq!(
            view.list,
            Some(ListView {
                added: items(&["SELECT ON TABLE D.S.B"]),
                removed: items(&["SELECT ON TABLE D.S.A"]),
                unchanged: 1,
            })
        );
        assert_eq!(
            view.old.as_deref(),
            Some("USAGE ON DATABASE D\nSELECT ON TABLE D.S.A")
        );
    }

    #[test]
    fn a_reordered_list_is_a_change_and_an_empty_list_has_no_items() {
        let lines = list_lines(Some("A\nB"), Some("B\nA"));
        assert!(lines.iter().any(|l| matches!(l, ListLine::Added(_))));
        assert!(lines.iter().any(|l| matches!(l, ListLine::Removed(_))));
        assert_eq!(list_lines(Some(""), None), Vec::new());
        let scalar = PropertyView::of(&PropertyChange::scalar("size", None, Some("Small".into())));
        assert_eq!(scalar.list, None);
    }
}
