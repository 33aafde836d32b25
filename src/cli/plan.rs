//! `floe plan`, `floe apply`, `floe drift`.
//!
//! The pipeline: load the project → open the target's sessions → observe every
//! account → normalize desired and observed the same way → diff → plan → render (or
//! apply, or report drift). Saved plans (`--out`) carry their scope and per-account
//! fingerprints so `floe apply plan.json` can refuse a plan made for a state that
//! has since changed.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressStyle};

use super::{ApplyArgs, DriftArgs, DriftFormat, PlanArgs, PlanFormat, ProjectArgs};
use crate::manifest::Project;
use crate::model::{AccountName, Catalog};
use crate::plan::saved::{self, SavedPlan, SavedTarget};
use crate::plan::{Plan, PlanOptions};
use crate::report::{self, Format};
use crate::runtime::apply::{ApplyEvent, ApplyOptions, ApplyReport};
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

fn make_plan(compared: &Compared, allow_destroy: bool) -> anyhow::Result<Plan> {
    Ok(compared.plan(PlanOptions { allow_destroy })?)
}

fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn format_of(format: PlanFormat) -> Format {
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

pub fn plan(args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let (project, name, target, _sessions, compared) =
        prepare(&args.project, args.target.target.as_deref())?;
    let plan = make_plan(&compared, args.allow_destroy)?;
    let context = report::PlanContext::new(&name, &project.accounts);
    print!(
        "{}",
        report::render(&plan, &context, format_of(args.format))
    );
    if let Some(out) = &args.out {
        let saved = SavedPlan {
            format_version: saved::SAVED_FORMAT_VERSION,
            kind: SavedPlan::KIND.to_string(),
            target_name: name,
            target,
            accounts: project.accounts.clone(),
            fingerprints: compared.fingerprints.clone(),
            desired: project.desired.clone(),
            plan: plan.clone(),
        };
        let json = serde_json::to_string_pretty(&saved)?;
        std::fs::write(out, json + "\n")
            .with_context(|| format!("writing the saved plan to {}", out.display()))?;
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

pub fn apply(args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    if args.path.is_file() {
        return apply_saved(args);
    }
    let project_args = ProjectArgs {
        dir: args.path.clone(),
        vars: args.vars.clone(),
    };
    let (_project, _name, _target, sessions, compared) =
        prepare(&project_args, args.target.target.as_deref())?;
    let plan = make_plan(&compared, args.allow_destroy)?;
    execute(&plan, &sessions, args)
}

fn apply_saved(args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.path)
        .with_context(|| format!("reading the saved plan {}", args.path.display()))?;
    let saved: SavedPlan = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a plan saved with `floe plan --out`",
            args.path.display()
        )
    })?;
    if saved.kind != SavedPlan::KIND || saved.format_version != saved::SAVED_FORMAT_VERSION {
        bail!(
            "{} is not a floe saved plan of format version {}",
            args.path.display(),
            saved::SAVED_FORMAT_VERSION
        );
    }
    saved
        .plan
        .check()
        .map_err(|e| anyhow::anyhow!("{} is not a valid saved plan: {e}", args.path.display()))?;
    if let Some(name) = &args.target.target
        && name != &saved.target_name
    {
        bail!(
            "the saved plan was made for target `{}`, not `{name}`",
            saved.target_name
        );
    }
    let destroys = saved
        .plan
        .steps
        .iter()
        .any(|s| s.hazards.contains(&crate::diff::Hazard::DropsData));
    if destroys && !args.allow_destroy {
        // The plan was made with --allow-destroy; applying it needs the same consent.
        bail!("the saved plan drops data; pass --allow-destroy to apply it");
    }
    let sessions = target::open(&saved.target_name, &saved.target, &saved.accounts)?;
    let compared = compare(&sessions, &saved.desired, &saved.accounts)?;
    let stale = saved::stale_accounts(&saved.fingerprints, &compared.fingerprints);
    if !stale.is_empty() {
        let names: Vec<String> = stale.iter().map(|a| format!("`{a}`")).collect();
        bail!(
            "saved plan is stale: the observed state of account {} changed since the plan was made; run `floe plan` again",
            names.join(", ")
        );
    }
    execute(&saved.plan, &sessions, args)
}

/// Shows the plan, asks for confirmation, applies, and reports.
fn execute(plan: &Plan, sessions: &Sessions, args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    print!(
        "{}",
        report::render(
            plan,
            &report::PlanContext::default(),
            Format::Text { colour: colour() }
        )
    );
    if plan.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    if !confirm(args.auto_approve)? {
        println!("Apply cancelled.");
        return Ok(ExitCode::from(1));
    }
    let report = run(plan, sessions, args.parallelism);
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

/// Applies with a progress bar on a terminal, plain lines otherwise.
fn run(plan: &Plan, sessions: &Sessions, parallelism: usize) -> ApplyReport {
    let options = ApplyOptions { parallelism };
    let total = plan.steps.len();
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        let report = crate::runtime::apply(plan, sessions, options, &|event| match event {
            ApplyEvent::Started(step) => bar.set_message(step_label(step)),
            ApplyEvent::Applied(_) => bar.inc(1),
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
                    "[{}/{total}] applied step {}: {}",
                    count(),
                    step.id,
                    step_label(step)
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
