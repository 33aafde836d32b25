//! `floe validate`, `floe schema`, `floe graph` (STUB: filled in by the manifest work).

use std::process::ExitCode;

use super::{GraphArgs, ProjectArgs};

pub fn validate(_args: &ProjectArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`floe validate` is not available yet")
}

pub fn schema() -> anyhow::Result<ExitCode> {
    anyhow::bail!("`floe schema` is not available yet")
}

pub fn graph(_args: &GraphArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`floe graph` is not available yet")
}
