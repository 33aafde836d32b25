//! The plan as SQL scripts, one per account, in execution order. Values only known at
//! apply time (listing global names, secrets) appear as placeholders; a secret's value
//! is never part of a plan.

use std::fmt::Write;

use super::view::{PlanView, destroy_line};

/// The statement with its `;`. When the last line ends inside a `--` comment the
/// terminator goes on a line of its own, or the comment would swallow it.
pub fn terminated(statement: &str) -> String {
    let last = statement.lines().last().unwrap_or("");
    if last.contains("--") {
        format!("{statement}\n;")
    } else {
        format!("{statement};")
    }
}

/// Text for a `--` comment: control characters (a line break or carriage return in
/// a quoted name) are written as escapes, so the comment cannot end early.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

pub fn render(view: &PlanView) -> String {
    let mut out = String::new();
    if view.steps.is_empty() {
        out.push_str("-- floe plan: no changes\n");
        return out;
    }
    let _ = writeln!(out, "-- floe plan: {}", view.summary.total.sentence());
    if let Some(line) = destroy_line(view.summary.total.destructive) {
        let _ = writeln!(out, "-- WARNING: {line}");
    }
    for (account, steps) in view.by_account() {
        let _ = writeln!(out, "\n-- ===== account {account} =====");
        for step in steps {
            let _ = writeln!(
                out,
                "\n-- step {}: {} {}",
                step.id,
                step.action,
                comment(&step.object.label())
            );
            if !step.hazards.is_empty() {
                let needs = if step.needs_allow_destroy {
                    " (needs --allow-destroy)"
                } else {
                    ""
                };
                let _ = writeln!(out, "-- hazards: {}{needs}", step.hazards.join(", "));
            }
            for statement in &step.sql {
                let _ = writeln!(out, "{}", terminated(statement));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminators_survive_trailing_comments() {
        assert_eq!(terminated("SELECT 1"), "SELECT 1;");
        assert_eq!(
            terminated("ALTER TASK T MODIFY AS CALL p() -- why"),
            "ALTER TASK T MODIFY AS CALL p() -- why\n;"
        );
    }

    #[test]
    fn comments_hold_no_control_characters() {
        assert_eq!(
            comment("table D.S.\"a\nb\rc\u{7}\""),
            "table D.S.\"a\\nb\\rc\\u{7}\""
        );
        assert_eq!(comment("table D.S.T"), "table D.S.T");
    }
}
