//! The versioned plan view: the JSON promise for automation (`--format json`) and
//! the one structure every renderer reads.
//!
//! `format_version` changes only when a field is removed or changes meaning; adding a
//! field keeps the version. Version 2 typed the property values (numbers, booleans,
//! lists as arrays; version 1 had text only) and added `floe_version`, `target`,
//! `accounts`, `plan_hash`, the `destructive` counts and each step's
//! `needs_allow_destroy`. `floe schema --file plan` prints the JSON Schema
//! ([`plan_schema`]), committed as `schemas/plan.schema.json`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diff::{Hazard, PropertyChange, ValueType};
use crate::model::{ObjectId, ObjectKind};
use crate::plan::{Plan, Step, StepAction};

/// The current version of the JSON plan format.
pub const FORMAT_VERSION: u32 = 2;

/// The file name of the plan's JSON Schema under `schemas/`.
pub const PLAN_SCHEMA_FILE: &str = "plan.schema.json";

/// The hazard that makes a step need `--allow-destroy`.
pub const DESTRUCTIVE: Hazard = Hazard::DropsData;

/// What a plan is for, besides its steps: the target it was made against and the
/// project's accounts.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PlanContext {
    pub target: String,
    pub accounts: Vec<String>,
}

impl PlanContext {
    pub fn new<A: ToString>(target: &str, accounts: impl IntoIterator<Item = A>) -> PlanContext {
        PlanContext {
            target: target.to_string(),
            accounts: accounts.into_iter().map(|a| a.to_string()).collect(),
        }
    }
}

/// A plan as the JSON document `floe plan --format json` prints.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "floe plan", deny_unknown_fields)]
pub struct PlanView {
    /// The version of this format; it changes only when a field is removed or
    /// changes meaning.
    pub format_version: u32,
    /// The floe release that made the plan.
    pub floe_version: String,
    /// The target (from `floe.yaml`) whose accounts were observed.
    pub target: String,
    /// The project's accounts, whether or not they have steps.
    pub accounts: Vec<String>,
    /// The first 12 hex digits of the sha256 of `steps` as compact JSON: equal
    /// plans have equal hashes.
    pub plan_hash: String,
    pub summary: Summary,
    /// The steps in one valid order of execution.
    pub steps: Vec<StepView>,
}

#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Summary {
    pub total: Counts,
    /// Per project account, only accounts with steps.
    pub accounts: BTreeMap<String, Counts>,
}

/// Steps by action. Task suspends and resumes count as in-place changes (`alter`).
/// `destructive` counts the steps that lose data (they need `--allow-destroy`),
/// whatever their action.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Counts {
    pub create: usize,
    pub alter: usize,
    pub replace: usize,
    pub drop: usize,
    pub destructive: usize,
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

/// The line every format prints when steps lose data: `2 steps lose data; apply
/// needs --allow-destroy`.
pub fn destroy_line(destructive: usize) -> Option<String> {
    match destructive {
        0 => None,
        1 => Some("1 step loses data; apply needs --allow-destroy".to_string()),
        n => Some(format!("{n} steps lose data; apply needs --allow-destroy")),
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ObjectView {
    #[schemars(schema_with = "kind_schema")]
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

/// A property value as JSON: a boolean, a number, a list of items, or text.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Value {
    Boolean(bool),
    Number(serde_json::Number),
    List(Vec<String>),
    Text(String),
}

impl Value {
    /// One side of a property change, typed as the kind recorded it.
    fn of(text: &str, list: bool, value_type: ValueType) -> Value {
        if list {
            return Value::List(
                PropertyChange::items(text)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            );
        }
        match value_type {
            ValueType::Boolean if text == "true" || text == "false" => {
                Value::Boolean(text == "true")
            }
            ValueType::Number => match text.parse::<serde_json::Number>() {
                Ok(n) => Value::Number(n),
                Err(_) => Value::Text(text.to_string()),
            },
            _ => Value::Text(text.to_string()),
        }
    }

    /// The value for people: text as is, numbers and booleans as written, a list's
    /// items one per line.
    pub fn display(&self) -> String {
        match self {
            Value::Boolean(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::List(items) => items.join("\n"),
            Value::Text(t) => t.clone(),
        }
    }

    /// Text is quoted when shown inline; numbers and booleans are not.
    pub fn is_text(&self) -> bool {
        matches!(self, Value::Text(_))
    }

    /// The items of a list (none for other values).
    pub fn items(&self) -> &[String] {
        match self {
            Value::List(items) => items,
            _ => &[],
        }
    }
}

/// One property. `old` and `new` are typed values (text, numbers, booleans, and
/// lists as arrays); a list-valued property (columns, grants, targets…) also has,
/// in `list`, the items added and removed.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PropertyView {
    pub name: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListView>,
}

/// The items of a list-valued property that were added and removed (a line diff, so
/// a moved item in an ordered list counts as removed and added), and how many stayed.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
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
pub fn list_lines<'a>(old: &'a [String], new: &'a [String]) -> Vec<ListLine<'a>> {
    similar::capture_diff_slices(similar::Algorithm::Myers, old, new)
        .iter()
        .flat_map(|op| op.iter_changes(old, new))
        .filter_map(|c| match c.tag() {
            similar::ChangeTag::Insert => c.new_index().map(|i| ListLine::Added(&new[i])),
            similar::ChangeTag::Delete => c.old_index().map(|i| ListLine::Removed(&old[i])),
            similar::ChangeTag::Equal => c.old_index().map(|i| ListLine::Kept(&old[i])),
        })
        .collect()
}

impl PropertyView {
    pub fn of(p: &PropertyChange) -> PropertyView {
        let side = |v: &Option<String>| {
            v.as_deref()
                .map(|text| Value::of(text, p.list, p.value_type))
        };
        let old = side(&p.old);
        let new = side(&p.new);
        let list = p.list.then(|| {
            let mut view = ListView::default();
            for line in list_lines(
                old.as_ref().map(Value::items).unwrap_or_default(),
                new.as_ref().map(Value::items).unwrap_or_default(),
            ) {
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
            old,
            new,
            list,
        }
    }

    /// The list diff of a list-valued property, in list order.
    pub fn list_lines(&self) -> Vec<ListLine<'_>> {
        list_lines(
            self.old.as_ref().map(Value::items).unwrap_or_default(),
            self.new.as_ref().map(Value::items).unwrap_or_default(),
        )
    }

    /// The old side for people ([`Value::display`]).
    pub fn old_text(&self) -> Option<String> {
        self.old.as_ref().map(Value::display)
    }

    /// The new side for people ([`Value::display`]).
    pub fn new_text(&self) -> Option<String> {
        self.new.as_ref().map(Value::display)
    }

    /// Whether either side is text of more than one line (a body).
    pub fn multi_line(&self) -> bool {
        [&self.old, &self.new]
            .into_iter()
            .flatten()
            .any(|v| matches!(v, Value::Text(t) if t.contains('\n')))
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct StepView {
    /// 1-based, in plan order.
    pub id: usize,
    /// The project account the step runs in.
    pub account: String,
    pub object: ObjectView,
    #[schemars(schema_with = "action_schema")]
    pub action: StepAction,
    /// Why, when it is not obvious (`streams cannot be altered`).
    pub reason: Option<String>,
    /// Stable hazard codes (`drops_data`, `recreates_object`, …).
    #[schemars(schema_with = "hazards_schema")]
    pub hazards: Vec<String>,
    /// The step loses data (`drops_data`): `floe apply` runs it only with
    /// `--allow-destroy`.
    pub needs_allow_destroy: bool,
    pub properties: Vec<PropertyView>,
    /// The statements, deferred values as placeholders (secrets are never shown).
    pub sql: Vec<String>,
    /// The ids of the steps that must succeed first.
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
            needs_allow_destroy: step.hazards.contains(&DESTRUCTIVE),
            properties: step.properties.iter().map(PropertyView::of).collect(),
            sql: step.statements.iter().map(|s| s.to_string()).collect(),
            depends_on: step.depends_on.clone(),
        }
    }
}

/// The short plan hash: the first 12 hex digits of the sha256 of the steps'
/// canonical JSON (the `steps` array of the JSON plan, compact, fields in
/// declaration order). Every place that names a plan (the PR comment, the JSON plan,
/// a saved plan) prints this one.
pub fn plan_hash(steps: &[StepView]) -> String {
    let canonical = serde_json::to_vec(steps).unwrap_or_default();
    let digest = Sha256::digest(&canonical);
    hex::encode(digest)[..12].to_string()
}

impl PlanView {
    pub fn new(plan: &Plan, context: &PlanContext) -> PlanView {
        let steps: Vec<StepView> = plan.steps.iter().map(StepView::of).collect();
        let mut summary = Summary::default();
        for step in &steps {
            let account = summary.accounts.entry(step.account.clone()).or_default();
            for counts in [&mut summary.total, account] {
                counts.add(step.action);
                counts.destructive += usize::from(step.needs_allow_destroy);
            }
        }
        PlanView {
            format_version: FORMAT_VERSION,
            floe_version: env!("CARGO_PKG_VERSION").to_string(),
            target: context.target.clone(),
            accounts: context.accounts.clone(),
            plan_hash: plan_hash(&steps),
            summary,
            steps,
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
    pretty_json(view)
}

/// The JSON Schema of the JSON plan (`floe schema --file plan`), pretty-printed with
/// a trailing newline.
pub fn plan_schema() -> String {
    pretty_json(&schemars::schema_for!(PlanView))
}

/// Pretty-printed JSON with a trailing newline, for the report views.
pub(crate) fn pretty_json(value: &impl Serialize) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_else(|e| {
        // Serializing plain structs with string keys cannot fail; keep the output valid.
        format!(
            "{{\"error\": {}}}",
            serde_json::Value::String(e.to_string())
        )
    });
    out.push('\n');
    out
}

/// A string schema with a fixed set of values.
fn enum_schema(values: impl IntoIterator<Item = &'static str>) -> schemars::Schema {
    let values: Vec<&str> = values.into_iter().collect();
    schemars::json_schema!({ "type": "string", "enum": values })
}

fn kind_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    enum_schema(ObjectKind::ALL.iter().map(|k| k.as_str()))
}

/// Every step action; the match makes a new action a compile error here.
fn all_actions() -> [StepAction; 6] {
    use StepAction::*;
    let all = [Create, Alter, Replace, Drop, Suspend, Resume];
    for action in all {
        match action {
            Create | Alter | Replace | Drop | Suspend | Resume => {}
        }
    }
    all
}

fn action_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    enum_schema(all_actions().into_iter().map(StepAction::as_str))
}

/// Every hazard; the match makes a new hazard a compile error here.
fn all_hazards() -> [Hazard; 7] {
    use Hazard::*;
    let all = [
        DropsData,
        RecreatesObject,
        LosesGrants,
        ResetsStreamOffset,
        SuspendsTaskGraph,
        RevokesAccess,
        EscalatesPrivilege,
    ];
    for hazard in all {
        match hazard {
            DropsData | RecreatesObject | LosesGrants | ResetsStreamOffset | SuspendsTaskGraph
            | RevokesAccess | EscalatesPrivilege => {}
        }
    }
    all
}

fn hazards_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let item = enum_schema(all_hazards().into_iter().map(Hazard::code));
    schemars::json_schema!({ "type": "array", "items": item })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Shown;

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
            view.old,
            Some(Value::List(items(&[
                "USAGE ON DATABASE D",
                "SELECT ON TABLE D.S.A"
            ])))
        );
    }

    #[test]
    fn a_reordered_list_is_a_change_and_an_empty_list_has_no_items() {
        let (ab, ba) = (items(&["A", "B"]), items(&["B", "A"]));
        let lines = list_lines(&ab, &ba);
        assert!(lines.iter().any(|l| matches!(l, ListLine::Added(_))));
        assert!(lines.iter().any(|l| matches!(l, ListLine::Removed(_))));
        assert_eq!(list_lines(&[], &[]), Vec::new());
        let empty = PropertyView::of(&PropertyChange::list("targets", Some(&[]), None));
        assert_eq!(empty.old, Some(Value::List(Vec::new())));
        let scalar = PropertyView::of(&PropertyChange::scalar("size", None, Some("Small".into())));
        assert_eq!(scalar.list, None);
    }

    #[test]
    fn values_keep_their_type_in_json() {
        let p = PropertyChange::typed(
            "auto_suspend",
            Some(Shown::from(600u64)),
            Some(60u64.into()),
        );
        let b = PropertyChange::typed("auto_resume", None, Some(Shown::from(false)));
        // Text that looks like a number stays text: only the kind decides.
        let t = PropertyChange::scalar("comment", None, Some("42".into()));
        let json = serde_json::to_value([&p, &b, &t].map(PropertyView::of)).unwrap();
        assert_eq!(json[0]["old"], serde_json::json!(600));
        assert_eq!(json[0]["new"], serde_json::json!(60));
        assert_eq!(json[1]["new"], serde_json::json!(false));
        assert_eq!(json[2]["new"], serde_json::json!("42"));
        let back: Vec<PropertyView> = serde_json::from_value(json).unwrap();
        assert_eq!(back[0].new, Some(Value::Number(60.into())));
        assert_eq!(back[1].new_text().as_deref(), Some("false"));
    }

    #[test]
    fn the_destroy_line_counts_steps() {
        assert_eq!(destroy_line(0), None);
        assert_eq!(
            destroy_line(1).as_deref(),
            Some("1 step loses data; apply needs --allow-destroy")
        );
        assert_eq!(
            destroy_line(3).as_deref(),
            Some("3 steps lose data; apply needs --allow-destroy")
        );
    }

    #[test]
    fn the_plan_hash_is_short_and_follows_the_steps() {
        let step = StepView {
            id: 1,
            account: "bank".into(),
            object: ObjectView {
                kind: ObjectKind::Warehouse,
                name: "W".into(),
                signature: None,
            },
            action: StepAction::Alter,
            reason: None,
            hazards: Vec::new(),
            needs_allow_destroy: false,
            properties: Vec::new(),
            sql: vec!["ALTER WAREHOUSE W SET AUTO_SUSPEND = 60".into()],
            depends_on: Vec::new(),
        };
        let hash = plan_hash(std::slice::from_ref(&step));
        assert_eq!(hash.len(), 12);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(hash, plan_hash(std::slice::from_ref(&step.clone())));
        let mut other = step;
        other.sql[0].push('0');
        assert_ne!(hash, plan_hash(&[other]));
        assert_ne!(hash, plan_hash(&[]));
    }
}
