//! `floe emulator …` (STUB: filled in by the emulator work).

use std::process::ExitCode;

use super::{EmulatorDbArgs, EmulatorSqlArgs};

pub fn sql(_args: &EmulatorSqlArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`floe emulator sql` is not available yet")
}

pub fn accounts(_args: &EmulatorDbArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`floe emulator accounts` is not available yet")
}
