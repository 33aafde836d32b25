//! The shipped collaboration, end to end on the emulator: plan, apply, and the next
//! plan is empty.

use std::path::PathBuf;
use std::sync::Arc;

use floe::emulator::Emulator;
use floe::manifest::load_with_env;
use floe::runtime::apply::{ApplyOptions, apply};
use floe::runtime::observe::Sessions;
use floe::runtime::pipeline::observe_and_plan;
use floe::runtime::session::SqlSession;

/// Applies a plan of the shipped project (its artifacts are relative to `dir`).
fn apply_shipped(
    plan: &floe::plan::Plan,
    sessions: &Sessions,
    dir: &std::path::Path,
) -> floe::runtime::ApplyReport {
    let options = ApplyOptions {
        project_root: Some(dir.to_path_buf()),
        ..ApplyOptions::default()
    };
    apply(plan, sessions, options, &|_| {})
}

#[test]
fn collaboration_applies_and_converges() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("manifests");
    let project = match load_with_env(&dir, &[], Box::new(|_: &str| None)) {
        Ok(p) => p,
        Err(d) => panic!("{d}"),
    };
    let emulator = Emulator::open_in_memory().expect("emulator");
    let sessions: Sessions = project
        .accounts
        .iter()
        .map(|a| {
            (
                a.clone(),
                Arc::new(emulator.session(a.as_str())) as Arc<dyn SqlSession>,
            )
        })
        .collect();
    let (_, plan) =
        observe_and_plan(&sessions, &project.desired, &project.accounts).expect("first plan");
    assert!(
        plan.steps.len() >= project.desired.len(),
        "{} steps for {} objects",
        plan.steps.len(),
        project.desired.len()
    );
    let report = apply_shipped(&plan, &sessions, &dir);
    assert!(report.is_success(), "apply failed: {report:#?}");
    let (compared, again) =
        observe_and_plan(&sessions, &project.desired, &project.accounts).expect("second plan");
    assert!(
        again.steps.is_empty(),
        "not converged: {:#?}",
        compared.changes
    );
}

#[test]
fn applied_objects_are_visible_in_both_accounts() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("manifests");
    let project =
        load_with_env(&dir, &[], Box::new(|_: &str| None)).unwrap_or_else(|d| panic!("{d}"));
    let emulator = Emulator::open_in_memory().expect("emulator");
    let sessions: Sessions = project
        .accounts
        .iter()
        .map(|a| {
            (
                a.clone(),
                Arc::new(emulator.session(a.as_str())) as Arc<dyn SqlSession>,
            )
        })
        .collect();
    let (_, plan) = observe_and_plan(&sessions, &project.desired, &project.accounts).expect("plan");
    let report = apply_shipped(&plan, &sessions, &dir);
    assert!(report.is_success(), "{report:#?}");
    let partner = emulator.session("partner");
    let rows = partner
        .execute_script("SHOW STREAMS IN ACCOUNT")
        .expect("show streams");
    let text = format!("{:?}", rows);
    assert!(text.contains("CC_DEFAULT_DATA_STREAM"), "{text}");
    let rows = partner
        .execute_script("SHOW TASKS IN ACCOUNT")
        .expect("show tasks");
    let text = format!("{:?}", rows);
    for task in ["CDC", "FEATURE_ENG", "SCORE_DATA"] {
        assert!(text.contains(task), "{task} missing: {text}");
    }
    let bank = emulator.session("bank");
    let rows = bank
        .execute_script("SHOW DATABASES")
        .expect("show databases");
    let text = format!("{:?}", rows);
    assert!(text.contains("SCORED_DATA"), "{text}");
}
