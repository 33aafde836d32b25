//! The human plan, in the style of Terraform: `+` create, `~` change in place,
//! `-/+` replace, `-` drop; `old → new` per property, one item per line for lists
//! (columns, grants, targets…) and only the items added and removed when a list
//! changes, unified diffs for multi-line values (bodies), a summary line per account
//! and one in total.
//!
//! Colour is opt-in ([`Style::colour`]); the CLI turns it on only for a terminal
//! without `NO_COLOR`.

use std::fmt::Write;

use similar::TextDiff;

use crate::plan::StepAction;

use super::view::{ListLine, PlanView, PropertyView, StepView, Value, destroy_line};

/// How to render.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub colour: bool,
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const MAGENTA: &str = "\x1b[35m";

impl Style {
    fn paint(&self, colour: &str, text: &str) -> String {
        if self.colour {
            format!("{colour}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// The sign shown before a step.
pub fn sign(action: StepAction) -> &'static str {
    match action {
        StepAction::Create => "+",
        StepAction::Alter | StepAction::Suspend | StepAction::Resume => "~",
        StepAction::Replace => "-/+",
        StepAction::Drop => "-",
    }
}

fn sign_colour(action: StepAction) -> &'static str {
    match action {
        StepAction::Create => GREEN,
        StepAction::Alter | StepAction::Suspend | StepAction::Resume => YELLOW,
        StepAction::Replace => MAGENTA,
        StepAction::Drop => RED,
    }
}

/// Renders the plan for a terminal or a log.
pub fn render(view: &PlanView, style: Style) -> String {
    let mut out = String::new();
    if view.steps.is_empty() {
        out.push_str("No changes. The accounts match the manifests.\n");
        return out;
    }
    out.push_str("floe will perform the following actions:\n");
    for (account, steps) in view.by_account() {
        let _ = writeln!(
            out,
            "\n{}",
            style.paint(BOLD, &format!("account {account}"))
        );
        for step in steps {
            render_step(&mut out, step, style);
        }
        if let Some(counts) = view.summary.accounts.get(account) {
            let _ = writeln!(out, "\n  {account}: {}.", counts.sentence());
        }
    }
    let _ = writeln!(
        out,
        "\n{} {}.",
        style.paint(BOLD, "Plan:"),
        view.summary.total.sentence()
    );
    if let Some(line) = destroy_line(view.summary.total.destructive) {
        let _ = writeln!(out, "{}", style.paint(RED, &format!("Warning: {line}.")));
    }
    out
}

fn render_step(out: &mut String, step: &StepView, style: Style) {
    let sign = style.paint(sign_colour(step.action), sign(step.action));
    let suffix = match step.action {
        StepAction::Suspend | StepAction::Resume => format!(" ({})", step.action),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "\n  {sign} {}{suffix}  [step {}]",
        step.object.label(),
        step.id
    );
    if let Some(reason) = &step.reason {
        let _ = writeln!(out, "      # {reason}");
    }
    if !step.hazards.is_empty() {
        let mut hazards = format!("hazards: {}", step.hazards.join(", "));
        if step.needs_allow_destroy {
            hazards.push_str(" (needs --allow-destroy)");
        }
        let _ = writeln!(out, "      {}", style.paint(RED, &hazards));
    }
    if matches!(step.action, StepAction::Suspend | StepAction::Resume) {
        return;
    }
    for property in &step.properties {
        render_property(out, property, step.action, style);
    }
}

/// A value inline: text quoted, numbers and booleans as they are.
pub(super) fn value(value: &Option<Value>) -> String {
    match value {
        Some(Value::Text(t)) => format!("{t:?}"),
        Some(v) => v.display(),
        None => "(unset)".to_string(),
    }
}

fn render_property(out: &mut String, p: &PropertyView, action: StepAction, style: Style) {
    if p.list.is_some() {
        render_list(out, p, action, style);
        return;
    }
    if action == StepAction::Create || (p.old.is_none() && p.multi_line()) {
        match &p.new {
            Some(Value::Text(v)) if v.contains('\n') => {
                let _ = writeln!(out, "      {} = <<", p.name);
                for line in v.lines() {
                    let _ = writeln!(out, "        {line}");
                }
                let _ = writeln!(out, "      >>");
            }
            _ => {
                let _ = writeln!(out, "      {} = {}", p.name, value(&p.new));
            }
        }
        return;
    }
    if p.multi_line() {
        let _ = writeln!(out, "      {}:", p.name);
        for line in body_diff(p, true).lines() {
            let painted = if line.starts_with('+') && !line.starts_with("+++") {
                style.paint(GREEN, line)
            } else if line.starts_with('-') && !line.starts_with("---") {
                style.paint(RED, line)
            } else {
                line.to_string()
            };
            let _ = writeln!(out, "        {painted}");
        }
        return;
    }
    let _ = writeln!(
        out,
        "      {}: {} → {}",
        p.name,
        value(&p.old),
        value(&p.new)
    );
}

/// The unified diff of a multi-line value (a body). A last line without a newline
/// is compared as if it had one: whether a body ends in a newline is not a change
/// worth a `\ No newline at end of file` line, unless it is the only change.
/// `header` adds the `--- old` / `+++ new` lines.
pub(super) fn body_diff(p: &PropertyView, header: bool) -> String {
    let old = p.old_text().unwrap_or_default();
    let new = p.new_text().unwrap_or_default();
    let terminated = |t: &str| {
        if t.is_empty() || t.ends_with('\n') {
            t.to_string()
        } else {
            format!("{t}\n")
        }
    };
    let (a, b) = if terminated(&old) == terminated(&new) {
        (old, new)
    } else {
        (terminated(&old), terminated(&new))
    };
    let diff = TextDiff::from_lines(&a, &b);
    let mut unified = diff.unified_diff();
    unified.context_radius(3);
    if header {
        unified.header("old", "new");
    }
    unified.to_string()
}

/// A list-valued property: its items one per line when declared on a create, the items
/// added (`+`) and removed (`-`) otherwise.
fn render_list(out: &mut String, p: &PropertyView, action: StepAction, style: Style) {
    if action == StepAction::Create || p.old.is_none() {
        let items = p.new.as_ref().map(Value::items).unwrap_or_default();
        if items.is_empty() {
            let _ = writeln!(out, "      {} = []", p.name);
            return;
        }
        let _ = writeln!(out, "      {} = [", p.name);
        for item in items {
            let _ = writeln!(out, "          {item}");
        }
        let _ = writeln!(out, "      ]");
        return;
    }
    let _ = writeln!(out, "      {}:", p.name);
    list_changes(out, p, "        ", style);
}

/// The added and removed items of a list-valued property, one per line after
/// `indent`, then how many items did not change.
pub(super) fn list_changes(out: &mut String, p: &PropertyView, indent: &str, style: Style) {
    let mut kept = 0;
    for line in p.list_lines() {
        match line {
            ListLine::Added(item) => {
                let _ = writeln!(out, "{indent}{}", style.paint(GREEN, &format!("+ {item}")));
            }
            ListLine::Removed(item) => {
                let _ = writeln!(out, "{indent}{}", style.paint(RED, &format!("- {item}")));
            }
            ListLine::Kept(_) => kept += 1,
        }
    }
    if kept > 0 {
        let _ = writeln!(out, "{indent}  ({kept} unchanged)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(old: &str, new: &str) -> PropertyView {
        PropertyView {
            name: "body".into(),
            old: Some(Value::Text(old.into())),
            new: Some(Value::Text(new.into())),
            list: None,
        }
    }

    #[test]
    fn body_diffs_ignore_a_missing_last_newline_unless_it_is_the_change() {
        let diff = body_diff(&body("a\nb", "a\nc"), false);
        assert_eq!(diff, "@@ -1,2 +1,2 @@\n a\n-b\n+c\n");
        let only_newline = body_diff(&body("a\nb", "a\nb\n"), true);
        assert!(
            only_newline.contains("No newline at end of file"),
            "{only_newline}"
        );
    }

    #[test]
    fn numbers_and_booleans_are_not_quoted() {
        assert_eq!(value(&Some(Value::Number(60.into()))), "60");
        assert_eq!(value(&Some(Value::Boolean(true))), "true");
        assert_eq!(value(&Some(Value::Text("60".into()))), "\"60\"");
        assert_eq!(value(&None), "(unset)");
    }
}
