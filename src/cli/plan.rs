//! `floe plan`, `floe apply`, `floe drift`.
//!
//! The pipeline: load the project → open the target's sessions → observe every
//! account → normalize desired and observed the same way → diff → plan → render (or
//! apply, or report drift). Saved plans (`--out`, see `saved`) are claims: `floe
//! apply plan.json` checks them against the project's files and a fresh observation
//! and applies the plan it derives itself. Applies on an emulator target hold the
//! emulator file's lock from observing to the last statement.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};

use super::saved;
use super::{ApplyArgs, DriftArgs, DriftFormat, PlanArgs, PlanFormat, ProjectArgs};
use crate::manifest::Project;
use crate::model::{AccountName, Catalog};
use crate::plan::saved::SavedTarget;
use crate::plan::{self, Plan};
use crate::report::{self, Format};
use crate::runtime::apply::{ApplyEvent, ApplyOptions, ApplyReport};
use crate::runtime::lock::{self, ApplyLock};
use crate::runtime::observe::Sessions;
use crate::runtime::pipeline::{self, Compared};
use crate::runtime::target;

fn parse_vars(vars: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    vars.iter()
        .map(|v| match v.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                Ok((name.trim().to_string(), value.to_string()))
            }
            _ => bail!("--var expects NAME=VALUE, got `{v}`"),
        })
        .collect()
}

fn load_project(dir: &Path, vars: &[String]) -> anyhow::Result<Project> {
    let overrides = parse_vars(vars)?;
    crate::manifest::load(dir, &overrides).map_err(|diagnostics| {
        anyhow::anyhow!("{diagnostics}")
            .context(format!("loading the project in {}", dir.display()))
    })
}

/// The target to use: `--target`, else the project's default.
pub(super) fn select_target(
    project: &Project,
    name: Option<&str>,
) -> anyhow::Result<(String, SavedTarget)> {
    let name = name.unwrap_or(&project.default_target);
    let Some(target) = project.targets.get(name) else {
        let known: Vec<&str> = project.targets.keys().map(String::as_str).collect();
        bail!(
            "unknown target `{name}` (floe.yaml defines: {})",
            known.join(", ")
        );
    };
    Ok((name.to_string(), target::resolve(&project.root, target)))
}

fn compare(
    sessions: &Sessions,
    desired: &Catalog,
    accounts: &[AccountName],
) -> anyhow::Result<Compared> {
    Ok(pipeline::compare(sessions, desired, accounts)?)
}

fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub(super) fn format_of(format: PlanFormat) -> Format {
    match format {
        PlanFormat::Text => Format::Text { colour: colour() },
        PlanFormat::Json => Format::Json,
        PlanFormat::Markdown => Format::Markdown,
        PlanFormat::Sql => Format::Sql,
    }
}

/// Loads a project, opens its target and observes: the shared front half.
fn prepare(
    project_args: &ProjectArgs,
    target_name: Option<&str>,
) -> anyhow::Result<(Project, String, SavedTarget, Sessions, Compared)> {
    let project = load_project(&project_args.dir, &project_args.vars)?;
    let (name, target) = select_target(&project, target_name)?;
    let sessions = target::open(&name, &target, &project.accounts)?;
    let compared = compare(&sessions, &project.desired, &project.accounts)?;
    Ok((project, name, target, sessions, compared))
}

/// `floe plan`: one observation, rendered, and saved with `--out` (the printed plan
/// and the saved one are the same plan). Never refused for data-losing steps: the
/// destroy gate belongs to `apply`.
pub fn plan(args: &PlanArgs) -> anyhow::Result<ExitCode> {
    if args.allow_destroy {
        eprintln!(
            "note: `floe plan --allow-destroy` has no effect any more: plans always show every change; pass --allow-destroy to `floe apply`"
        );
    }
    let (project, name, target, _sessions, compared) =
        prepare(&args.project, args.target.target.as_deref())?;
    let plan = compared.plan()?;
    print!("{}", report::render(&plan, format_of(args.format)));
    if let Some(out) = &args.out {
        saved::write(out, &project, &name, &target, &compared, &plan)?;
        eprintln!(
            "Saved the plan to {}; apply it with `floe apply {}`.",
            out.display(),
            out.display()
        );
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Takes the apply lock of an emulator target (none for Snowflake targets).
fn lock(target: &SavedTarget, seconds: u64) -> anyhow::Result<Option<ApplyLock>> {
    let SavedTarget::Emulator { path } = target else {
        return Ok(None);
    };
    let lock = lock::lock_emulator(path, Duration::from_secs(seconds), |db| {
        eprintln!(
            "waiting for another apply on {} to finish (up to {seconds}s)…",
            db.display()
        )
    })?;
    Ok(Some(lock))
}

pub fn apply(args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    if args.path.is_file() {
        return apply_saved(args);
    }
    if args.project.is_some() {
        bail!(
            "--project is for applying a saved plan; to apply a project, name its folder: `floe apply DIR`"
        );
    }
    let project = load_project(&args.path, &args.vars)?;
    let (name, target) = select_target(&project, args.target.target.as_deref())?;
    let _lock = lock(&target, args.lock_timeout)?;
    let sessions = target::open(&name, &target, &project.accounts)?;
    let compared = compare(&sessions, &project.desired, &project.accounts)?;
    let plan = compared.plan()?;
    execute(&plan, &sessions, args, &project.root)
}

/// `floe apply plan.json`: checks the saved claim, then applies the plan derived
/// now (equal to the saved one, or nothing runs).
fn apply_saved(args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    let saved = saved::read(&args.path)?;
    if let Some(name) = &args.target.target
        && name != &saved.target_name
    {
        bail!(
            "the saved plan was made for target `{}`, not `{name}`",
            saved.target_name
        );
    }
    let project = saved::project_dir(&saved, &args.path, args.project.as_deref())?;
    saved::verify_files(&saved, &project)?;
    let target = saved::target_under(&saved.target, &project);
    let _lock = lock(&target, args.lock_timeout)?;
    let sessions = target::open(&saved.target_name, &target, &saved.accounts)?;
    let compared = compare(&sessions, &saved.desired, &saved.accounts)?;
    let stale = plan::saved::stale_accounts(&saved.fingerprints, &compared.fingerprints);
    if !stale.is_empty() {
        let names: Vec<String> = stale.iter().map(|a| format!("`{a}`")).collect();
        bail!(
            "saved plan is stale: the observed state of account {} changed since the plan was made; run `floe plan` again",
            names.join(", ")
        );
    }
    let derived = compared.plan()?;
    if let Err(mismatch) = plan::saved::compare_plans(&saved.plan, &derived) {
        let versions = if saved.floe_version != env!("CARGO_PKG_VERSION") {
            format!(
                " (the plan was made by floe {}, this is floe {})",
                saved.floe_version,
                env!("CARGO_PKG_VERSION")
            )
        } else {
            String::new()
        };
        bail!(
            "refusing the saved plan: it is not what applying it would run: {mismatch}{versions}; nothing was applied — run `floe plan --out` again and review the new plan"
        );
    }
    execute(&derived, &sessions, args, &project)
}

/// Shows the plan, applies the destroy gate to it, asks for confirmation, applies,
/// and reports.
fn execute(
    plan: &Plan,
    sessions: &Sessions,
    args: &ApplyArgs,
    project_root: &Path,
) -> anyhow::Result<ExitCode> {
    print!(
        "{}",
        report::render(plan, Format::Text { colour: colour() })
    );
    if plan.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    plan.check_destroy(args.allow_destroy)?;
    if !confirm(args.auto_approve)? {
        println!("Apply cancelled.");
        return Ok(ExitCode::from(1));
    }
    let options = ApplyOptions {
        parallelism: args.parallelism,
        project_root: Some(project_root.to_path_buf()),
    };
    let report = run(plan, sessions, options);
    print!("\n{}", report::apply::text(plan, &report));
    Ok(if report.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn confirm(auto_approve: bool) -> anyhow::Result<bool> {
    if auto_approve {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "refusing to apply without confirmation: stdin is not a terminal (pass --auto-approve)"
        );
    }
    print!("\nApply these changes? Only `yes` is accepted: ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

fn step_label(step: &crate::plan::Step) -> String {
    format!(
        "{} {} {}",
        step.account(),
        step.action,
        report::view::ObjectView::of(&step.object).label()
    )
}

/// The statements a step sent, one line each (reviewable form: deferred values as
/// placeholders, secrets hidden), for progress lines.
fn sent(step: &crate::plan::Step) -> String {
    step.statements
        .iter()
        .map(|s| {
            let text = s.to_string();
            let first = text.lines().next().unwrap_or_default();
            let mut line: String = first.chars().take(160).collect();
            if line.len() < text.len() {
                line.push_str(" …");
            }
            format!("\n    > {line}")
        })
        .collect()
}

/// Applies with a progress bar on a terminal, plain lines otherwise. Progress lines
/// show the statements each step sent.
fn run(plan: &Plan, sessions: &Sessions, options: ApplyOptions) -> ApplyReport {
    let total = plan.steps.len();
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        let report = crate::runtime::apply(plan, sessions, options.clone(), &|event| match event {
            ApplyEvent::Started(step) => bar.set_message(step_label(step)),
            ApplyEvent::Applied(step) => {
                bar.println(format!(
                    "applied step {}: {}{}",
                    step.id,
                    step_label(step),
                    sent(step)
                ));
                bar.inc(1);
            }
            ApplyEvent::Failed(step, failure) => {
                bar.println(format!("failed: {}: {}", step_label(step), failure.message));
                bar.inc(1);
            }
            ApplyEvent::Skipped(_) => bar.inc(1),
            ApplyEvent::Restored(outcome) => bar.println(format!("restore: {}", outcome.statement)),
        });
        bar.finish_and_clear();
        report
    } else {
        let done = std::sync::atomic::AtomicUsize::new(0);
        let count = || done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        crate::runtime::apply(plan, sessions, options, &|event| match event {
            ApplyEvent::Started(_) => {}
            ApplyEvent::Applied(step) => {
                eprintln!(
                    "[{}/{total}] applied step {}: {}{}",
                    count(),
                    step.id,
                    step_label(step),
                    sent(step)
                )
            }
            ApplyEvent::Failed(step, failure) => eprintln!(
                "[{}/{total}] FAILED step {}: {}: {}",
                count(),
                step.id,
                step_label(step),
                failure.message.replace('\n', " ")
            ),
            ApplyEvent::Skipped(step) => {
                eprintln!(
                    "[{}/{total}] skipped step {}: {}",
                    count(),
                    step.id,
                    step_label(step)
                )
            }
            ApplyEvent::Restored(outcome) => eprintln!("restore: {}", outcome.statement),
        })
    }
}

pub fn drift(args: &DriftArgs) -> anyhow::Result<ExitCode> {
    let (_project, _name, _target, _sessions, compared) =
        prepare(&args.project, args.target.target.as_deref())?;
    let view = report::drift::drift_view(&compared.desired, &compared.observed, &compared.changes);
    match args.format {
        DriftFormat::Text => print!("{}", report::drift::text(&view)),
        DriftFormat::Json => print!("{}", report::drift::json(&view)),
    }
    Ok(if view.drifted {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
