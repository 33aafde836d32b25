//! The plan as a pull-request comment: a hidden marker a workflow finds its comment
//! by, a header with the target, floe's version and the plan hash, a summary table
//! per account, hazards and data loss called out at the top, each step's details
//! (properties, SQL) collapsed in `<details>`. A size guard keeps the comment under
//! GitHub's limit: the head always, then whole steps while they fit, then how many
//! steps are left to the plan artifact.

use std::fmt::Write;

use crate::plan::StepAction;

use super::text::{body_diff, list_changes, sign};
use super::view::{Counts, PlanView, StepView, Value, destroy_line};

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

/// GitHub refuses comments over 65,536 characters; the comment stays below this.
pub const COMMENT_LIMIT: usize = 60_000;

/// At most this many hazardous steps are listed in the summary's hazard list.
const HAZARDS_LISTED: usize = 50;

fn row(out: &mut String, label: &str, c: &Counts) {
    let _ = writeln!(
        out,
        "| {label} | {} | {} | {} | {} | {} |",
        c.create, c.alter, c.replace, c.drop, c.destructive
    );
}

/// The hidden first line a workflow finds its own comment by:
/// `<!-- floe-plan target=NAME -->`.
pub fn marker(target: &str) -> String {
    format!("<!-- floe-plan target={} -->", marker_text(target))
}

/// A target name as it can stand in an HTML comment: bytes other than ASCII
/// letters, digits, `_`, `.` and a single `-` are percent-encoded, so `--` and `>`
/// cannot end the comment.
fn marker_text(target: &str) -> String {
    let mut out = String::new();
    let mut last_dash = false;
    for b in target.bytes() {
        let dash = b == b'-';
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || (dash && !last_dash) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
        last_dash = dash && !last_dash;
    }
    out
}

/// The comment's head: marker, title, versions, summary table, the data-loss line and
/// the hazards. Always shown whole.
fn head(view: &PlanView) -> String {
    let mut out = marker(&view.target);
    let _ = writeln!(out, "\n### floe plan · target {}\n", code(&view.target));
    let _ = writeln!(
        out,
        "floe {} · plan <code>{}</code>\n",
        escape(&view.floe_version),
        escape(&view.plan_hash)
    );
    if view.steps.is_empty() {
        out.push_str("No changes. The accounts match the manifests.\n");
        return out;
    }
    let _ = writeln!(out, "**Plan:** {}.\n", view.summary.total.sentence());
    if let Some(line) = destroy_line(view.summary.total.destructive) {
        let line = line.replace("--allow-destroy", "`--allow-destroy`");
        let _ = writeln!(out, "> [!CAUTION]\n> **{line}.**\n");
    }
    out.push_str(
        "| Account | Create | Alter | Replace | Drop | Destructive |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
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
        for step in hazardous.iter().take(HAZARDS_LISTED) {
            let codes: Vec<String> = step.hazards.iter().map(|h| format!("`{h}`")).collect();
            let needs = if step.needs_allow_destroy {
                " — needs `--allow-destroy`"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "> - {}: {} {} {} (step {}){needs}",
                codes.join(", "),
                escape(&step.account),
                step.action,
                code(&step.object.label()),
                step.id
            );
        }
        if hazardous.len() > HAZARDS_LISTED {
            let _ = writeln!(
                out,
                "> - … and {} more steps with hazards",
                hazardous.len() - HAZARDS_LISTED
            );
        }
    }
    out
}

/// `N more steps — see the plan artifact.`
fn more_line(n: usize) -> String {
    let steps = if n == 1 { "step" } else { "steps" };
    format!("\n**{n} more {steps} — see the plan artifact.**\n")
}

/// The plan as a pull-request comment, under [`COMMENT_LIMIT`] characters: the head
/// first, then whole steps in plan order while they fit, then how many steps were
/// left out.
pub fn render(view: &PlanView) -> String {
    render_within(view, COMMENT_LIMIT)
}

/// [`render`] with another size limit (in characters).
pub fn render_within(view: &PlanView, limit: usize) -> String {
    let mut out = head(view);
    if view.steps.is_empty() {
        return out;
    }
    let total = view.steps.len();
    let mut used = out.chars().count();
    let mut shown = 0;
    'accounts: for (account, steps) in view.by_account() {
        let mut heading = Some(format!("\n#### {}\n\n", escape(account)));
        for step in steps {
            let mut text = heading.clone().unwrap_or_default();
            render_step(&mut text, step);
            let size = text.chars().count();
            // Room for the closing line whenever a step could still be left out.
            let reserve = if shown + 1 < total {
                more_line(total - shown - 1).chars().count()
            } else {
                0
            };
            if used + size + reserve > limit {
                break 'accounts;
            }
            out.push_str(&text);
            used += size;
            shown += 1;
            heading = None;
        }
    }
    if shown < total {
        out.push_str(&more_line(total - shown));
    }
    out
}

/// A table cell: text in `<code>`, numbers and booleans as they are.
fn cell(value: &Option<Value>) -> String {
    match value {
        Some(Value::Text(t)) => code(t),
        Some(v) => escape(&v.display()),
        None => String::new(),
    }
}

fn render_step(out: &mut String, step: &StepView) {
    let warn = if step.needs_allow_destroy {
        " ⚠️ needs <code>--allow-destroy</code>"
    } else if !step.hazards.is_empty() {
        " ⚠️"
    } else {
        ""
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
        let needs = if step.needs_allow_destroy {
            " (needs `--allow-destroy`)"
        } else {
            ""
        };
        let _ = writeln!(out, "**Hazards:** {}{needs}\n", codes.join(", "));
    }
    let simple: Vec<_> = step
        .properties
        .iter()
        .filter(|p| p.list.is_none() && !p.multi_line())
        .collect();
    if !simple.is_empty() && !matches!(step.action, StepAction::Suspend | StepAction::Resume) {
        out.push_str("| Property | Old | New |\n|---|---|---|\n");
        for p in &simple {
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
            list_changes(&mut diff, p, "", super::text::Style::default());
            if diff.is_empty() {
                let _ = writeln!(out, "`{}`: none\n", escape(&p.name));
                continue;
            }
            diff
        } else {
            body_diff(p, false)
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
    fn the_marker_cannot_end_the_comment_early() {
        assert_eq!(marker("prod-eu.1"), "<!-- floe-plan target=prod-eu.1 -->");
        assert_eq!(marker("a--b"), "<!-- floe-plan target=a-%2Db -->");
        assert_eq!(marker("x -->"), "<!-- floe-plan target=x%20-%2D%3E -->");
    }

    fn view(steps: usize) -> PlanView {
        use crate::model::ObjectKind;
        use crate::report::view::{ObjectView, Summary};
        let steps: Vec<StepView> = (1..=steps)
            .map(|id| StepView {
                id,
                account: "bank".into(),
                object: ObjectView {
                    kind: ObjectKind::Warehouse,
                    name: format!("W{id}"),
                    signature: None,
                },
                action: StepAction::Create,
                reason: None,
                hazards: Vec::new(),
                needs_allow_destroy: false,
                properties: Vec::new(),
                sql: vec![format!("CREATE WAREHOUSE W{id}")],
                depends_on: Vec::new(),
            })
            .collect();
        let mut summary = Summary::default();
        for s in &steps {
            summary.total.add(s.action);
        }
        PlanView {
            format_version: crate::report::FORMAT_VERSION,
            floe_version: "0.0.0".into(),
            target: "t".into(),
            accounts: vec!["bank".into()],
            plan_hash: crate::report::plan_hash(&steps),
            summary,
            steps,
        }
    }

    #[test]
    fn the_size_guard_keeps_whole_steps_and_counts_the_rest() {
        let v = view(3);
        let full = render_within(&v, usize::MAX);
        assert!(!full.contains("more step"));
        // Exactly the size of the whole comment: everything fits.
        assert_eq!(render_within(&v, full.chars().count()), full);
        // One character less: the last step goes, and the line says so.
        let cut = render_within(&v, full.chars().count() - 1);
        assert!(
            cut.ends_with("\n**1 more step — see the plan artifact.**\n"),
            "{cut}"
        );
        assert_eq!(cut.matches("<details>").count(), 2);
        assert!(cut.chars().count() < full.chars().count());
        // Only the head fits: every step is counted, the summary stays.
        let head_only = render_within(&v, head(&v).chars().count() + 10);
        assert!(head_only.ends_with("\n**3 more steps — see the plan artifact.**\n"));
        assert!(head_only.contains("| **Total** | 3 | 0 | 0 | 0 | 0 |"));
        assert!(!head_only.contains("<details>"));
    }

    #[test]
    fn a_long_hazard_list_is_cut_in_the_summary() {
        let mut v = view(HAZARDS_LISTED + 7);
        for step in &mut v.steps {
            step.hazards = vec!["drops_data".into()];
            step.needs_allow_destroy = true;
            v.summary.total.destructive += 1;
        }
        let head = head(&v);
        assert_eq!(
            head.matches("— needs `--allow-destroy`").count(),
            HAZARDS_LISTED
        );
        assert!(
            head.contains("> - … and 7 more steps with hazards\n"),
            "{head}"
        );
        assert!(head.contains(&format!(
            "> **{} steps lose data; apply needs `--allow-destroy`.**",
            HAZARDS_LISTED + 7
        )));
    }

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(fence("select 1"), "```");
        assert_eq!(fence("x ```` y"), "`````");
    }
}
