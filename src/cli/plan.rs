//! `floe plan`, `floe apply`, `floe drift` (STUB: filled in by the plan work).

use std::process::ExitCode;

use super::{ApplyArgs, DriftArgs, PlanArgs};

pub fn plan(_args: &PlanArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`floe plan` is not available yet")
}

pub fn apply(_args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`floe apply` is not available yet")
}

pub fn drift(_args: &DriftArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`floe drift` is not available yet")
}
