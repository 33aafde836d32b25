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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountName, ObjectId, ObjectKind, ObjectName};
    use crate::plan::{Step, StepAction};
    use crate::runtime::apply::{RestoreOutcome, StepFailure};
    use crate::sql::Statement;

    fn step(id: usize, name: &str, kind: ObjectKind) -> Step {
        Step {
            id,
            object: ObjectId::new(
                AccountName::new("partner"),
                kind,
                ObjectName::parse(name).unwrap(),
            ),
            action: StepAction::Create,
            reason: None,
            hazards: Vec::new(),
            properties: Vec::new(),
            statements: vec![Statement::new("CREATE …")],
            depends_on: if id > 1 { vec![id - 1] } else { Vec::new() },
        }
    }

    #[test]
    fn failures_name_the_statement_code_and_message() {
        let plan = Plan {
            steps: vec![
                step(1, "d", ObjectKind::Database),
                step(2, "d.s", ObjectKind::Schema),
                step(3, "d.s.t", ObjectKind::Task),
            ],
            task_graphs: Vec::new(),
        };
        let report = ApplyReport {
            applied: vec![1],
            failed: vec![StepFailure {
                step: 2,
                object: plan.steps[1].object.clone(),
                statement: "CREATE SCHEMA D.S".into(),
                code: Some("002003".into()),
                message: "SQL compilation error:\nDatabase 'D' does not exist or not authorized."
                    .into(),
            }],
            skipped: vec![3],
            restored: vec![RestoreOutcome {
                task: plan.steps[2].object.clone(),
                statement: "ALTER TASK D.S.T RESUME".into(),
                error: None,
            }],
        };
        let text = text(&plan, &report);
        assert!(
            text.starts_with("Apply incomplete: 1 applied, 1 failed, 1 skipped (of 3 steps)."),
            "{text}"
        );
        assert!(
            text.contains("Failed step 2: partner create schema D.S"),
            "{text}"
        );
        assert!(text.contains("  statement: CREATE SCHEMA D.S"), "{text}");
        assert!(
            text.contains("  error 002003: SQL compilation error: Database 'D' does not exist or not authorized."),
            "{text}"
        );
        assert!(
            text.contains("  step 3: partner create task D.S.T"),
            "{text}"
        );
        assert!(text.contains("  ALTER TASK D.S.T RESUME"), "{text}");
        assert!(text.contains("Run `floe apply` again"), "{text}");
    }
}
