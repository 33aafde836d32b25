//! What differs between desired and observed, as [`Change`]s.
//!
//! `diff` is pure: it takes two normalized catalogs and returns one change per object
//! that must be created, altered, replaced or dropped, in identity order. The
//! per-kind rules (what is alterable, what needs a replace, which SQL) live in
//! `crate::kinds`; ordering the changes into a plan is `crate::plan`'s job.

use serde::{Deserialize, Serialize};

use crate::model::ObjectId;
use crate::sql::Statement;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Alter,
    Replace,
    Drop,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Alter => "alter",
            Action::Replace => "replace",
            Action::Drop => "drop",
        }
    }
}

/// A risk a step carries, with a stable code for automation.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hazard {
    /// Data stored in the object is lost (dropping or replacing a table, a stage's files).
    DropsData,
    /// The object is dropped and created again (new internal id, history lost).
    RecreatesObject,
    /// Privileges granted on the object are lost with the old object.
    LosesGrants,
    /// A stream starts over from the current table version.
    ResetsStreamOffset,
    /// A started task graph is suspended while the change runs.
    SuspendsTaskGraph,
    /// A grant found on an authoritative role is revoked: whoever relied on it loses
    /// access.
    RevokesAccess,
    /// The grant gives a role a system role (ACCOUNTADMIN, SECURITYADMIN, SYSADMIN,
    /// ORGADMIN, USERADMIN) or OWNERSHIP of an object.
    EscalatesPrivilege,
}

impl Hazard {
    pub fn code(self) -> &'static str {
        match self {
            Hazard::DropsData => "drops_data",
            Hazard::RecreatesObject => "recreates_object",
            Hazard::LosesGrants => "loses_grants",
            Hazard::ResetsStreamOffset => "resets_stream_offset",
            Hazard::SuspendsTaskGraph => "suspends_task_graph",
            Hazard::RevokesAccess => "revokes_access",
            Hazard::EscalatesPrivilege => "escalates_privilege",
        }
    }
}

/// What a single-valued property's text stands for, so the JSON plan can give it its
/// type (`1`, `true`) rather than a string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    #[default]
    Text,
    Number,
    Boolean,
}

impl ValueType {
    pub fn is_text(&self) -> bool {
        *self == ValueType::Text
    }
}

/// One side of a single-valued property: its text and what the text stands for.
/// Built from the spec's own value (`bool`, integers, `String`), never by reading text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Shown {
    pub text: String,
    pub value_type: ValueType,
}

impl From<String> for Shown {
    fn from(text: String) -> Shown {
        Shown {
            text,
            value_type: ValueType::Text,
        }
    }
}

impl From<bool> for Shown {
    fn from(b: bool) -> Shown {
        Shown {
            text: b.to_string(),
            value_type: ValueType::Boolean,
        }
    }
}

macro_rules! shown_number {
    ($($t:ty),*) => {$(
        impl From<$t> for Shown {
            fn from(n: $t) -> Shown {
                Shown { text: n.to_string(), value_type: ValueType::Number }
            }
        }
    )*};
}
shown_number!(u32, u64, i64);

impl From<&serde_json::Value> for Shown {
    /// A JSON option value (file format options): strings without their quotes.
    fn from(v: &serde_json::Value) -> Shown {
        match v {
            serde_json::Value::Bool(b) => Shown::from(*b),
            serde_json::Value::Number(n) => Shown {
                text: n.to_string(),
                value_type: ValueType::Number,
            },
            serde_json::Value::String(s) => Shown::from(s.clone()),
            other => Shown::from(other.to_string()),
        }
    }
}

/// One property's old and new value, rendered for people (`X-Small`, `true`, a body).
///
/// A list-valued property (columns, grants, targets…) has one item per line in `old`
/// and `new` and `list` set, so reports can show items one per line and an alter as
/// the items added and removed rather than two long strings. A single-valued one
/// records in `value_type` whether its text is a number or a boolean.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PropertyChange {
    pub name: String,
    pub old: Option<String>,
    pub new: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub list: bool,
    #[serde(default, skip_serializing_if = "ValueType::is_text")]
    pub value_type: ValueType,
}

impl PropertyChange {
    /// A single-valued text property.
    pub fn scalar(name: impl Into<String>, old: Option<String>, new: Option<String>) -> Self {
        PropertyChange {
            name: name.into(),
            old,
            new,
            list: false,
            value_type: ValueType::Text,
        }
    }

    /// A single-valued property whose sides carry their type (numbers, booleans).
    pub fn typed(name: impl Into<String>, old: Option<Shown>, new: Option<Shown>) -> Self {
        let value_type = new
            .as_ref()
            .or(old.as_ref())
            .map(|s| s.value_type)
            .unwrap_or_default();
        PropertyChange {
            name: name.into(),
            old: old.map(|s| s.text),
            new: new.map(|s| s.text),
            list: false,
            value_type,
        }
    }

    /// A list-valued property: each side's items, one per line.
    pub fn list(name: impl Into<String>, old: Option<&[String]>, new: Option<&[String]>) -> Self {
        PropertyChange {
            name: name.into(),
            old: old.map(|items| items.join("\n")),
            new: new.map(|items| items.join("\n")),
            list: true,
            value_type: ValueType::Text,
        }
    }

    /// The items of one side of a list-valued property (empty for an empty list).
    pub fn items(value: &str) -> Vec<&str> {
        if value.is_empty() {
            Vec::new()
        } else {
            value.split('\n').collect()
        }
    }
}

/// What must happen to one object.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Change {
    pub id: ObjectId,
    pub action: Action,
    /// Why, when it is not obvious ("stream source changed: streams cannot be altered").
    pub reason: Option<String>,
    /// For `alter` and `replace`: the properties that differ. For `create`: the declared
    /// properties (old = None).
    pub properties: Vec<PropertyChange>,
    /// The statements that make the change, in order.
    pub statements: Vec<Statement>,
    pub hazards: Vec<Hazard>,
}

/// Compares two catalogs: creates what is missing, alters or replaces what differs
/// (only properties the desired side declares), and drops observed objects that are
/// not desired *only* when their container (database or schema) is marked
/// authoritative in `desired`. Both sides are normalized first, so raw catalogs are
/// fine here. Output is sorted by identity.
pub fn diff(
    desired: &crate::model::Catalog,
    observed: &crate::model::Catalog,
    ctx: &crate::kinds::Context,
) -> Vec<Change> {
    use crate::kinds;
    diff_normalized(
        &kinds::normalize_catalog(desired, ctx),
        &kinds::normalize_catalog(observed, ctx),
        ctx,
    )
}

/// [`diff`] for catalogs that are already normalized (as `runtime::pipeline` has
/// them), without normalizing them a second time.
pub fn diff_normalized(
    desired: &crate::model::Catalog,
    observed: &crate::model::Catalog,
    ctx: &crate::kinds::Context,
) -> Vec<Change> {
    use crate::kinds;
    let mut out = Vec::new();
    for (id, want) in &desired.objects {
        match observed.objects.get(id) {
            None => out.push(kinds::create_change(id, want, ctx)),
            Some(have) => out.extend(kinds::update_change(id, want, have, ctx)),
        }
    }
    for (id, have) in &observed.objects {
        if !desired.objects.contains_key(id) && droppable(id, have, desired) {
            out.push(kinds::drop_change(id, have));
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// True when an undeclared observed object lives directly in an authoritative
/// database or schema, or is a grant to an authoritative role. Other account-level
/// objects are never dropped, nor is the `PUBLIC` schema Snowflake creates in every
/// database.
fn droppable(
    id: &ObjectId,
    observed: &crate::model::Spec,
    desired: &crate::model::Catalog,
) -> bool {
    use crate::model::{ObjectKind, ObjectName, Spec};
    if let Spec::Grant(grant) = observed {
        let role = ObjectId::new(
            id.account.clone(),
            ObjectKind::Role,
            ObjectName::account_level(grant.to_role.clone()),
        );
        return desired.authoritative.contains(&role);
    }
    if id.kind == ObjectKind::Schema && id.name.name.as_str() == "PUBLIC" {
        return false;
    }
    let Some(parent) = id.name.parent() else {
        return false;
    };
    let container = if parent.database.is_some() {
        ObjectKind::Schema
    } else {
        ObjectKind::Database
    };
    desired
        .authoritative
        .contains(&ObjectId::new(id.account.clone(), container, parent))
}
