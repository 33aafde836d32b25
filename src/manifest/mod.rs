//! Manifests: loading a project folder into a desired catalog (STUB: filled in by the manifest work).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::model::{AccountName, Catalog, ObjectId};

/// Where an object is declared.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SourceLocation {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

/// Where a target's accounts live.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Target {
    /// The embedded emulator in one local file (relative paths are relative to the project).
    Emulator { path: PathBuf },
    /// Real Snowflake: each project account → a connection name in connections.toml.
    Snowflake {
        connections: BTreeMap<AccountName, String>,
    },
}

/// A loaded, validated project.
#[derive(Clone, Debug)]
pub struct Project {
    pub root: PathBuf,
    pub accounts: Vec<AccountName>,
    /// Named targets from floe.yaml; `local` (the emulator at `.floe/emulator.db`) always exists.
    pub targets: BTreeMap<String, Target>,
    pub default_target: String,
    pub desired: Catalog,
    pub sources: BTreeMap<ObjectId, SourceLocation>,
}
