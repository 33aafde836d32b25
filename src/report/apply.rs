//! The apply report for people: what was applied, what failed (statement, error code
//! and message), what was skipped, and how task graphs were restored.

use std::fmt::Write;

use crate::plan::Plan;
use crate::runtime::apply::ApplyReport;

use super::view::ObjectView;

fn label(plan: &Plan, id: usize) -> String {
    match plan.step(id) {
        Some(step) => format!(
            "step {id}: {} {} {}",
            step.account(),
            step.action,
            ObjectView::of(&step.object).label()
        ),
        None => format!("step {id}"),
    }
}

pub fn text(plan: &Plan, report: &ApplyReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Apply {}: {} applied, {} failed, {} skipped (of {} steps).",
        if report.is_success() {
            "complete"
        } else {
            "incomplete"
        },
        report.applied.len(),
        report.failed.len(),
        report.skipped.len(),
        plan.steps.len()
    );
    for failure in &report.failed {
        let _ = writeln!(out, "\nFailed {}", label(plan, failure.step));
        if !failure.statement.is_empty() {
            let _ = writeln!(out, "  statement: {}", failure.statement);
        }
        match &failure.code {
            Some(code) => {
                let _ = writeln!(
                    out,
                    "  error {code}: {}",
                    failure.message.replace('\n', " ")
                );
            }
            None => {
                let _ = writeln!(out, "  error: {}", failure.message.replace('\n', " "));
            }
        }
    }
    if !report.skipped.is_empty() {
        out.push_str("\nSkipped (a step they depend on failed):\n");
        for &id in &report.skipped {
            let _ = writeln!(out, "  {}", label(plan, id));
        }
    }
    if !report.restored.is_empty() {
        out.push_str("\nTask graphs restored to their state before apply:\n");
        for r in &report.restored {
            match &r.error {
                None => {
                    let _ = writeln!(out, "  {}", r.statement);
                }
                Some(e) => {
                    let _ = writeln!(out, "  {} — failed: {e}", r.statement);
                }
            }
        }
    }
    if !report.is_success() {
        out.push_str(
            "\nRun `floe apply` again once the cause is fixed: it plans from the current state.\n",
        );
    }
    out
}
