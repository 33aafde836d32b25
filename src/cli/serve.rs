//! `floe emulator serve`: the emulator behind Snowflake's connector protocol.

use std::process::ExitCode;

use super::ServeArgs;

pub fn serve(_args: &ServeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`floe emulator serve` needs the embedded emulator, which is not available yet")
}
