//! The live tier: the reconciler's scenario against real Snowflake.
//!
//! Runs only when `FLOE_LIVE_TARGET` names a target of the shipped project's
//! `floe.yaml` (e.g. `prod`; `FLOE_LIVE_PROJECT` may name another project folder)
//! whose connections (`connections.toml`, `SNOWFLAKE_*` variables) reach real
//! accounts. Otherwise it prints why it is skipped and passes: there is no account
//! where this suite's CI runs.
//!
//! Real accounts are shared, so the scenario stays inside a scratch database
//! `FLOE_LIVE_<n>` in every account of the target. A generated project declares it
//! (a schema and a table); floe creates it, then a sequence of edits is planned,
//! applied and re-planned empty, and the database is dropped at the end — also when
//! a step fails. The same steps run on an in-process emulator, and every plan must
//! be byte-identical between the two in all four formats.

mod common;

use std::path::{Path, PathBuf};

use floe::emulator::Emulator;
use floe::model::{AccountName, Ident};
use floe::plan::Plan;
use floe::plan::saved::SavedTarget;
use floe::report::{self, Format};
use floe::runtime::observe::Sessions;
use floe::runtime::pipeline::observe_and_plan;
use floe::runtime::{ApplyOptions, apply, target};

/// The scratch project at `step` of the scenario: one file per account, each
/// declaring the scratch database. Every step is one edit of the previous one.
fn write_project(dir: &Path, accounts: &[AccountName], database: &str, step: usize) {
    let mut floe_yaml = String::from("accounts:\n");
    for account in accounts {
        floe_yaml.push_str(&format!("  {}: {{}}\n", account.as_str()));
    }
    std::fs::write(dir.join("floe.yaml"), floe_yaml).unwrap();
    let amount = if step >= 1 {
        "              - { name: amount, type: float }\n"
    } else {
        ""
    };
    let comment = if step >= 2 {
        "Events, one row per event (edited by floe's live tests)."
    } else {
        "Events, one row per event."
    };
    let change_tracking = if step >= 3 {
        "            change_tracking: true\n"
    } else {
        ""
    };
    for account in accounts {
        let manifest = format!(
            "account: {account}
databases:
  {database}:
    comment: Scratch database of floe's live tests, safe to drop.
    schemas:
      scenario:
        tables:
          events:
            comment: {comment}
{change_tracking}            columns:
              - {{ name: id, type: number, nullable: false }}
              - {{ name: at, type: timestamp_ntz }}
{amount}",
            account = account.as_str()
        );
        std::fs::write(dir.join(format!("{}.yaml", account.as_str())), manifest).unwrap();
    }
}

/// Every format of a plan, as `floe plan` prints it without colour.
fn rendered(plan: &Plan) -> Vec<(&'static str, String)> {
    vec![
        ("text", report::render(plan, Format::Text { colour: false })),
        ("json", report::render(plan, Format::Json)),
        ("markdown", report::render(plan, Format::Markdown)),
        ("sql", report::render(plan, Format::Sql)),
    ]
}

fn plan(sessions: &Sessions, project: &floe::manifest::Project) -> Plan {
    match observe_and_plan(sessions, &project.desired, &project.accounts) {
        Ok((_, plan)) => plan,
        Err(e) => panic!("planning failed: {e}"),
    }
}

/// Applies a plan and requires every step to succeed and the next plan to be empty.
fn apply_and_converge(
    backend: &str,
    sessions: &Sessions,
    project: &floe::manifest::Project,
    plan_: &Plan,
) {
    let report = apply(
        plan_,
        sessions,
        ApplyOptions {
            parallelism: 4,
            project_root: Some(project.root.clone()),
        },
        &|_| {},
    );
    assert!(
        report.is_success(),
        "{backend}: apply failed: {:#?}",
        report.failed
    );
    let again = plan(sessions, project);
    assert!(
        again.is_empty(),
        "{backend}: not converged:\n{}",
        report::render(&again, Format::Sql)
    );
}

/// Drops the scratch database in every account when the scenario ends, however it ends.
struct DropScratch<'a> {
    sessions: &'a Sessions,
    database: Ident,
}

impl Drop for DropScratch<'_> {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {}", self.database.sql());
        for (account, session) in self.sessions {
            match session.execute(&sql) {
                Ok(_) => println!("{account}: dropped {}", self.database.as_str()),
                Err(e) => eprintln!(
                    "{account}: could not drop the scratch database {}: {e} (drop it by hand)",
                    self.database.as_str()
                ),
            }
        }
    }
}

#[test]
fn scenario_against_a_live_target() {
    let Ok(target_name) = std::env::var("FLOE_LIVE_TARGET") else {
        println!(
            "skipped: FLOE_LIVE_TARGET is not set; set it to a target of manifests/floe.yaml \
             (e.g. prod) whose connections reach real Snowflake accounts to run the scenario there"
        );
        return;
    };
    let source_root = std::env::var_os("FLOE_LIVE_PROJECT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests"));
    let source = match floe::manifest::load(&source_root, &[]) {
        Ok(project) => project,
        Err(d) => panic!("{} does not load:\n{d}", source_root.display()),
    };
    let Some(declared) = source.targets.get(&target_name) else {
        panic!(
            "FLOE_LIVE_TARGET={target_name}: {}/floe.yaml defines no such target (it has: {:?})",
            source_root.display(),
            source.targets.keys().collect::<Vec<_>>()
        );
    };
    let resolved = target::resolve(&source.root, declared);
    assert!(
        matches!(resolved, SavedTarget::Snowflake { .. }),
        "FLOE_LIVE_TARGET={target_name} is an emulator target; the live tier needs connections"
    );
    let live = match target::open(&target_name, &resolved, &source.accounts) {
        Ok(sessions) => sessions,
        Err(e) => panic!("FLOE_LIVE_TARGET={target_name}: {e}"),
    };
    let emulator = Emulator::open_in_memory().unwrap();
    let local = common::sessions(&emulator, &source.accounts);

    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let database = format!("floe_live_{nanos}");
    println!(
        "live scenario on target `{target_name}` in scratch database {}",
        database.to_uppercase()
    );
    let _drop = DropScratch {
        sessions: &live,
        database: Ident::from_stored(database.to_uppercase()),
    };

    let dir = tempfile::tempdir().unwrap();
    for step in 0..4 {
        write_project(dir.path(), &source.accounts, &database, step);
        let project = match floe::manifest::load(dir.path(), &[]) {
            Ok(project) => project,
            Err(d) => panic!("the scratch project (step {step}) does not load:\n{d}"),
        };
        let local_plan = plan(&local, &project);
        let live_plan = plan(&live, &project);
        assert!(!local_plan.is_empty(), "step {step} changes nothing");
        for ((format, expected), (_, got)) in rendered(&local_plan).iter().zip(rendered(&live_plan))
        {
            assert_eq!(
                expected, &got,
                "step {step}: the {format} plan differs between the emulator and `{target_name}`"
            );
        }
        apply_and_converge("emulator", &local, &project, &local_plan);
        apply_and_converge(&target_name, &live, &project, &live_plan);
        println!(
            "step {step}: {} step(s) planned identically, applied, converged",
            live_plan.steps.len()
        );
    }
}
