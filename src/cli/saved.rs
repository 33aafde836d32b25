//! Saved plan files at the command line: writing one (`floe plan --out`), reading
//! and checking one before `floe apply plan.json`, and `floe show plan.json`.
//!
//! The file format and the pure checks are `crate::plan::saved`; this module does
//! the file system part: making every path relative (the project folder relative to
//! the plan file, the emulator file relative to the project), finding the project
//! folder at apply time, and hashing the local files the plan sealed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use sha2::{Digest, Sha256};

use super::ShowArgs;
use crate::manifest::{PROJECT_FILE, Project};
use crate::paths;
use crate::plan::Plan;
use crate::plan::saved::{self, SavedPlan, SavedTarget};
use crate::report;
use crate::runtime::pipeline::Compared;

/// The target with its emulator path relative to the project root.
fn relative_target(target: &SavedTarget, root: &Path) -> SavedTarget {
    match target {
        SavedTarget::Emulator { path } => SavedTarget::Emulator {
            path: paths::relative(root, path),
        },
        other => other.clone(),
    }
}

/// The target of a saved plan, resolved against the project folder apply uses.
pub(super) fn target_under(target: &SavedTarget, project: &Path) -> SavedTarget {
    match target {
        SavedTarget::Emulator { path } => {
            let full = project.join(path);
            SavedTarget::Emulator {
                path: paths::normalize(&std::path::absolute(&full).unwrap_or(full)),
            }
        }
        other => other.clone(),
    }
}

/// Writes the plan made from `compared` (the same observation the printed plan
/// came from) to `out`.
pub(super) fn write(
    out: &Path,
    project: &Project,
    target_name: &str,
    target: &SavedTarget,
    compared: &Compared,
    plan: &Plan,
) -> anyhow::Result<()> {
    for path in project.files.keys() {
        if !paths::stays_inside(path) {
            bail!(
                "cannot save the plan: it reads `{}`, which is outside the project folder {}",
                path.display(),
                project.root.display()
            );
        }
    }
    let plan_dir = match out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let saved = SavedPlan {
        format_version: saved::SAVED_FORMAT_VERSION,
        kind: SavedPlan::KIND.to_string(),
        floe_version: env!("CARGO_PKG_VERSION").to_string(),
        project: paths::relative(&plan_dir, &project.root),
        target_name: target_name.to_string(),
        target: relative_target(target, &project.root),
        accounts: project.accounts.clone(),
        fingerprints: compared.fingerprints.clone(),
        files: project
            .files
            .iter()
            .map(|(path, sha)| (paths::normalize(path), sha.clone()))
            .collect(),
        desired: project.desired.clone(),
        plan: plan.clone(),
    };
    saved
        .check()
        .map_err(|e| anyhow::anyhow!("cannot save the plan: {e}"))?;
    let json = serde_json::to_string_pretty(&saved)?;
    std::fs::write(out, json + "\n")
        .with_context(|| format!("writing the saved plan to {}", out.display()))
}

/// Reads a saved plan and checks what needs no project and no account.
pub(super) fn read(path: &Path) -> anyhow::Result<SavedPlan> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the saved plan {}", path.display()))?;
    let saved: SavedPlan = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a plan saved with `floe plan --out` of this floe (format version {})",
            path.display(),
            saved::SAVED_FORMAT_VERSION
        )
    })?;
    saved
        .check()
        .map_err(|e| anyhow::anyhow!("{} is not a valid saved plan: {e}", path.display()))?;
    Ok(saved)
}

fn is_project(dir: &Path) -> bool {
    dir.join(PROJECT_FILE).is_file()
}

/// The project folder a saved plan applies in: `--project`, else the folder the
/// plan records (relative to the plan file's folder), else the current folder.
pub(super) fn project_dir(
    saved: &SavedPlan,
    plan_path: &Path,
    given: Option<&Path>,
) -> anyhow::Result<PathBuf> {
    if let Some(dir) = given {
        if !is_project(dir) {
            bail!("--project {}: no {PROJECT_FILE} there", dir.display());
        }
        return Ok(dir.to_path_buf());
    }
    let plan_dir = match plan_path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let recorded = paths::normalize(&plan_dir.join(&saved.project));
    if is_project(&recorded) {
        return Ok(recorded);
    }
    if is_project(Path::new(".")) {
        return Ok(PathBuf::from("."));
    }
    bail!(
        "cannot find the project of {}: neither {} (recorded in the plan) nor the current folder holds {PROJECT_FILE}; pass --project DIR",
        plan_path.display(),
        recorded.display()
    )
}

/// sha256 (hex) of a file's content.
fn sha256_file(path: &Path) -> std::io::Result<String> {
    Ok(hex::encode(Sha256::digest(std::fs::read(path)?)))
}

/// Requires every local file the plan sealed to have the same content in `project`.
pub(super) fn verify_files(saved: &SavedPlan, project: &Path) -> anyhow::Result<()> {
    let mut changed = Vec::new();
    for (path, sealed) in &saved.files {
        let full = project.join(path);
        match sha256_file(&full) {
            Ok(now) if &now == sealed => {}
            Ok(now) => changed.push(format!(
                "{} changed since the plan was made (sha256 {sealed} when planned, {now} now)",
                path.display()
            )),
            Err(e) => changed.push(format!(
                "{} cannot be read in {} ({e}); it had sha256 {sealed} when planned",
                path.display(),
                project.display()
            )),
        }
    }
    if !changed.is_empty() {
        bail!(
            "refusing the saved plan: {}; run `floe plan --out` again and review the new plan",
            changed.join("; ")
        );
    }
    Ok(())
}

/// `floe show plan.json`: the saved plan, rendered; no account is touched.
pub fn show(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let saved = read(&args.plan)?;
    print!(
        "{}",
        report::render(&saved.plan, super::plan::format_of(args.format))
    );
    let files: BTreeMap<_, _> = saved.files.iter().collect();
    eprintln!(
        "Saved plan for target `{}` (floe {}), {} sealed local file{}; apply it with `floe apply {}`.",
        saved.target_name,
        saved.floe_version,
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        args.plan.display()
    );
    Ok(ExitCode::SUCCESS)
}
