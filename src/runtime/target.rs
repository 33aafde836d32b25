//! Opening a target: one SQL session per project account.
//!
//! * The embedded emulator: the file is opened (created when missing) and each
//!   project account gets a session in the emulated account of the same name.
//! * Real Snowflake: each project account connects with its connection from
//!   `connections.toml` (`crate::snowflake`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::AccountName;
use crate::plan::saved::SavedTarget;

use super::observe::Sessions;

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("cannot open the emulator at {path}: {message}")]
    Emulator { path: PathBuf, message: String },
    #[error("target `{target}` names no connection for account `{account}`")]
    MissingConnection {
        target: String,
        account: AccountName,
    },
    #[error("connecting account `{account}` with connection `{connection}`: {source}")]
    Connect {
        account: AccountName,
        connection: String,
        #[source]
        source: Box<super::BackendError>,
    },
}

/// Resolves a target from `floe.yaml` into the form [`open`] takes (relative
/// emulator paths are made absolute against the project root; a saved plan stores
/// the path relative to the project again).
pub fn resolve(root: &Path, target: &crate::manifest::Target) -> SavedTarget {
    match target {
        crate::manifest::Target::Emulator { path } => SavedTarget::Emulator {
            path: emulator_path(root, path),
        },
        crate::manifest::Target::Snowflake { connections } => SavedTarget::Snowflake {
            connections: connections.clone(),
        },
    }
}

/// The emulator file of an emulator target, absolute. Every command that opens an
/// emulator target goes through here, so they all open the same file.
pub fn emulator_path(root: &Path, path: &Path) -> PathBuf {
    // The loader may already have joined the project root; join it only once.
    let path = if path.is_absolute() || path.starts_with(root) {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    // The same file whatever the working directory (the apply lock sits beside it).
    std::path::absolute(&path).unwrap_or(path)
}

/// Opens one session per account.
pub fn open(
    name: &str,
    target: &SavedTarget,
    accounts: &[AccountName],
) -> Result<Sessions, TargetError> {
    match target {
        SavedTarget::Emulator { path } => {
            let emulator =
                crate::emulator::Emulator::open(path).map_err(|e| TargetError::Emulator {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            Ok(accounts
                .iter()
                .map(|account| {
                    let session: Arc<dyn super::SqlSession> =
                        Arc::new(emulator.session(account.as_str()));
                    (account.clone(), session)
                })
                .collect())
        }
        SavedTarget::Snowflake { connections } => {
            let mut sessions = Sessions::new();
            for account in accounts {
                let connection =
                    connections
                        .get(account)
                        .ok_or_else(|| TargetError::MissingConnection {
                            target: name.to_string(),
                            account: account.clone(),
                        })?;
                let session =
                    crate::snowflake::connect(connection).map_err(|e| TargetError::Connect {
                        account: account.clone(),
                        connection: connection.clone(),
                        source: Box::new(e),
                    })?;
                let session: Arc<dyn super::SqlSession> = Arc::new(session);
                sessions.insert(account.clone(), session);
            }
            Ok(sessions)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emulator_paths_are_joined_to_the_project_once_and_made_absolute() {
        let root = Path::new("proj");
        for given in ["proj/.floe/emulator.db", ".floe/emulator.db"] {
            let target = crate::manifest::Target::Emulator {
                path: PathBuf::from(given),
            };
            let SavedTarget::Emulator { path } = resolve(root, &target) else {
                panic!()
            };
            assert!(path.is_absolute(), "{path:?}");
            assert!(path.ends_with("proj/.floe/emulator.db"), "{path:?}");
        }
    }
}
