//! The plan as SQL scripts, one per account, in execution order. Values only known at
//! apply time (listing global names, secrets) appear as placeholders; a secret's value
//! is never part of a plan.

use std::fmt::Write;

use super::view::PlanView;

pub fn render(view: &PlanView) -> String {
    let mut out = String::new();
    if view.steps.is_empty() {
        out.push_str("-- floe plan: no changes\n");
        return out;
    }
    let _ = writeln!(out, "-- floe plan: {}", view.summary.total.sentence());
    for (account, steps) in view.by_account() {
        let _ = writeln!(out, "\n-- ===== account {account} =====");
        for step in steps {
            let _ = writeln!(
                out,
                "\n-- step {}: {} {}",
                step.id,
                step.action,
                step.object.label().replace('\n', " ")
            );
            if !step.hazards.is_empty() {
                let _ = writeln!(out, "-- hazards: {}", step.hazards.join(", "));
            }
            for statement in &step.sql {
                let _ = writeln!(out, "{statement};");
            }
        }
    }
    out
}
