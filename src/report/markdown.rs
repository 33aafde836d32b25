//! The plan as a pull-request comment: a summary table per account, hazards called
//! out at the top, each step's details (properties, SQL) collapsed in `<details>`.

use std::fmt::Write;

use similar::TextDiff;

use crate::plan::StepAction;

use super::text::sign;
use super::view::{Counts, PlanView, StepView};

/// Escapes text for HTML and table cells.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '`' => out.push_str("&#96;"),
            '\n' => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
    out
}

fn code(text: &str) -> String {
    format!("<code>{}</code>", escape(text))
}

/// A code fence longer than any run of backticks in `body`.
fn fence(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn row(out: &mut String, label: &str, c: &Counts) {
    let _ = writeln!(
        out,
        "| {label} | {} | {} | {} | {} |",
        c.create, c.alter, c.replace, c.drop
    );
}

pub fn render(view: &PlanView) -> String {
    let mut out = String::from("### floe plan\n\n");
    if view.steps.is_empty() {
        out.push_str("No changes. The accounts match the manifests.\n");
        return out;
    }
    let _ = writeln!(out, "**Plan:** {}.\n", view.summary.total.sentence());
    out.push_str("| Account | Create | Alter | Replace | Drop |\n|---|---:|---:|---:|---:|\n");
    for (account, counts) in &view.summary.accounts {
        row(&mut out, &escape(account), counts);
    }
    row(&mut out, "**Total**", &view.summary.total);

    let hazardous: Vec<&StepView> = view
        .steps
        .iter()
        .filter(|s| !s.hazards.is_empty())
        .collect();
    if !hazardous.is_empty() {
        out.push_str("\n> [!WARNING]\n> **Hazards**\n");
        for step in hazardous {
            let codes: Vec<String> = step.hazards.iter().map(|h| format!("`{h}`")).collect();
            let _ = writeln!(
                out,
                "> - {}: {} {} {} (step {})",
                codes.join(", "),
                escape(&step.account),
                step.action,
                code(&step.object.label()),
                step.id
            );
        }
    }

    for (account, steps) in view.by_account() {
        let _ = writeln!(out, "\n#### {}\n", escape(account));
        for step in steps {
            render_step(&mut out, step);
        }
    }
    out
}

fn render_step(out: &mut String, step: &StepView) {
    let warn = if step.hazards.is_empty() {
        ""
    } else {
        " ⚠️"
    };
    let _ = writeln!(
        out,
        "<details><summary><code>{}</code> {} {}{warn}</summary>\n",
        escape(sign(step.action)),
        step.action,
        code(&step.object.label())
    );
    if let Some(reason) = &step.reason {
        let _ = writeln!(out, "_{}_\n", escape(reason));
    }
    if !step.hazards.is_empty() {
        let codes: Vec<String> = step.hazards.iter().map(|h| format!("`{h}`")).collect();
        let _ = writeln!(out, "**Hazards:** {}\n", codes.join(", "));
    }
    let simple: Vec<_> = step
        .properties
        .iter()
        .filter(|p| {
            p.list.is_none()
                && !p.old.as_deref().unwrap_or("").contains('\n')
                && !p.new.as_deref().unwrap_or("").contains('\n')
        })
        .collect();
    if !simple.is_empty() && !matches!(step.action, StepAction::Suspend | StepAction::Resume) {
        out.push_str("| Property | Old | New |\n|---|---|---|\n");
        for p in &simple {
            let cell = |v: &Option<String>| v.as_deref().map(code).unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                escape(&p.name),
                cell(&p.old),
                cell(&p.new)
            );
        }
        out.push('\n');
    }
    // Lists: the items added and removed (all of them on a create); bodies: a diff.
    for p in step.properties.iter().filter(|p| !simple.contains(p)) {
        let diff = if p.list.is_some() {
            let mut diff = String::new();
            super::text::list_changes(&mut diff, p, "", super::text::Style::default());
            if diff.is_empty() {
                let _ = writeln!(out, "`{}`: none\n", escape(&p.name));
                continue;
            }
            diff
        } else {
            let old = p.old.clone().unwrap_or_default();
            let new = p.new.clone().unwrap_or_default();
            TextDiff::from_lines(&old, &new)
                .unified_diff()
                .context_radius(3)
                .to_string()
        };
        let f = fence(&diff);
        let _ = writeln!(out, "`{}`:\n\n{f}diff\n{diff}{f}\n", escape(&p.name));
    }
    if !step.sql.is_empty() {
        let script: String = step
            .sql
            .iter()
            .map(|s| format!("{}\n", super::sql::terminated(s)))
            .collect();
        let f = fence(&script);
        let _ = writeln!(out, "{f}sql\n{script}{f}\n");
    }
    out.push_str("</details>\n\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html_and_table_cells() {
        assert_eq!(escape("a|b<c>&`"), "a&#124;b&lt;c&gt;&amp;&#96;");
    }

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(fence("select 1"), "```");
        assert_eq!(fence("x ```` y"), "`````");
    }
}
