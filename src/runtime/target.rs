//! Opening a target: one SQL session per project account.
//!
//! * The embedded emulator: the file is opened (created when missing) and each
//!   project account gets a session in the emulated account of the same name.
//! * Real Snowflake: not available yet; asking for it is a clear error.

use std::path::{Path, PathBuf};

use crate::model::AccountName;
use crate::plan::saved::SavedTarget;

use super::observe::Sessions;

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("cannot open the emulator at {path}: {message}")]
    Emulator { path: PathBuf, message: String },
    #[error(
        "the Snowflake backend is not available yet: target `{target}` needs it; use an emulator target (e.g. `--target local`)"
    )]
    SnowflakeUnavailable { target: String },
}

/// Resolves a target from `floe.yaml` into the self-contained form saved plans keep
/// (relative emulator paths are made absolute against the project root).
pub fn resolve(root: &Path, target: &crate::manifest::Target) -> SavedTarget {
    match target {
        crate::manifest::Target::Emulator { path } => {
            let path = if path.is_absolute() {
                path.clone()
            } else {
                root.join(path)
            };
            SavedTarget::Emulator { path }
        }
        crate::manifest::Target::Snowflake { connections } => SavedTarget::Snowflake {
            connections: connections.clone(),
        },
    }
}

/// Opens one session per account.
pub fn open(
    name: &str,
    target: &SavedTarget,
    accounts: &[AccountName],
) -> Result<Sessions, TargetError> {
    match target {
        SavedTarget::Emulator { path } => {
            let _ = accounts;
            Err(TargetError::Emulator {
                path: path.clone(),
                message: "the emulator is not available in this build yet".into(),
            })
        }
        SavedTarget::Snowflake { .. } => Err(TargetError::SnowflakeUnavailable {
            target: name.to_string(),
        }),
    }
}
