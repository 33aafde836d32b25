//! Helpers shared by the end-to-end suites: temporary copies of `manifests/`, running
//! the `floe` binary, the library pipeline over an in-memory emulator, and the
//! backends a scenario runs on (`backend`).

#![allow(dead_code)]

pub mod backend;
pub mod redact;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use floe::emulator::Emulator;
use floe::model::AccountName;
use floe::runtime::SqlSession;
use floe::runtime::observe::Sessions;

/// A temporary copy of the shipped `manifests/` project (its emulator file inside).
pub struct TempProject {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

fn copy_dir(from: &Path, to: &Path) {
    copy_tree(from, to, false);
}

/// Copies a folder; `.floe` (the local emulator file) only when `with_state`.
pub fn copy_tree(from: &Path, to: &Path, with_state: bool) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == ".floe" && !with_state {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target, with_state);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl TempProject {
    pub fn new() -> TempProject {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("manifests");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests"),
            &root,
        );
        TempProject { _dir: dir, root }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The temporary folder around the project (saved plans, logs, `SNOWFLAKE_HOME`).
    pub fn dir(&self) -> &Path {
        self._dir.path()
    }

    /// The `SNOWFLAKE_HOME` every `floe` command of this project sees; it holds no
    /// `connections.toml` unless a test writes one, so a real one is never read.
    pub fn snowflake_home(&self) -> PathBuf {
        self.dir().join("snowflake-home")
    }

    pub fn emulator_db(&self) -> PathBuf {
        self.root.join(".floe/emulator.db")
    }

    /// Replaces `from` (which must occur exactly once) with `to` in a project file.
    pub fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.matches(from).count(),
            1,
            "`{from}` must occur once in {file}"
        );
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    /// Removes the text from `start` (inclusive) up to `end` (exclusive) in a file.
    pub fn remove_block(&self, file: &str, start: &str, end: &str) {
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let from = text
            .find(start)
            .unwrap_or_else(|| panic!("`{start}` not in {file}"));
        let to = from
            + text[from..]
                .find(end)
                .unwrap_or_else(|| panic!("`{end}` not in {file}"));
        std::fs::write(&path, format!("{}{}", &text[..from], &text[to..])).unwrap();
    }

    /// Runs `floe <args>` (stdin closed, no colour) and returns (exit code, stdout, stderr).
    pub fn floe(&self, args: &[&str]) -> (i32, String, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_floe"));
        // Never reach for a real connections.toml, nor for connection settings in
        // the environment (`SNOWFLAKE_<KEY>`, `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>`).
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("SNOWFLAKE_") {
                command.env_remove(name);
            }
        }
        let out = command
            .args(args)
            .current_dir(self.root.parent().unwrap())
            .env("NO_COLOR", "1")
            .env("SNOWFLAKE_HOME", self.snowflake_home())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code().unwrap_or(-1), stdout, stderr)
    }

    /// Like [`floe`](Self::floe) but asserts the exit code and shows output on failure.
    pub fn floe_ok(&self, args: &[&str], code: i32) -> String {
        let (got, stdout, stderr) = self.floe(args);
        assert_eq!(
            got, code,
            "floe {args:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
        );
        stdout
    }

    /// Replaces the project's temporary path in output, so snapshots are stable.
    pub fn redact(&self, text: &str) -> String {
        text.replace(&self.root.display().to_string(), "<project>")
    }
}

/// One session per account on an emulator.
pub fn sessions(emulator: &Emulator, accounts: &[AccountName]) -> Sessions {
    accounts
        .iter()
        .map(|a| {
            let s: Arc<dyn SqlSession> = Arc::new(emulator.session(a.as_str()));
            (a.clone(), s)
        })
        .collect::<BTreeMap<_, _>>()
}

/// Wraps every session of `sessions` with `wrap`.
pub fn wrap(
    sessions: &Sessions,
    wrap: impl Fn(Arc<dyn SqlSession>) -> Arc<dyn SqlSession>,
) -> Sessions {
    sessions
        .iter()
        .map(|(a, s)| (a.clone(), wrap(s.clone())))
        .collect()
}

/// The shipped project's folder.
pub fn shipped_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests")
}

/// Apply options for plans of the shipped project: its model artifacts are named
/// relative to its folder.
pub fn shipped_apply_options() -> floe::runtime::ApplyOptions {
    floe::runtime::ApplyOptions {
        project_root: Some(shipped_root()),
        ..Default::default()
    }
}

/// The shipped project, loaded.
pub fn shipped_project() -> floe::manifest::Project {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests");
    match floe::manifest::load(&dir, &[]) {
        Ok(p) => p,
        Err(d) => panic!("manifests/ does not load:\n{d}"),
    }
}

/// Serves `emulator` over Snowflake's connector protocol on a free loopback port.
pub fn serve(emulator: &floe::emulator::Emulator) -> floe::wire::ServerHandle {
    let emulator = emulator.clone();
    let factory: floe::wire::SessionFactory = std::sync::Arc::new(move |account: &str| {
        Ok(Box::new(emulator.session(account)) as Box<dyn floe::runtime::session::SqlSession>)
    });
    floe::wire::serve(
        factory,
        "127.0.0.1:0".parse().unwrap(),
        std::time::Duration::ZERO,
    )
    .unwrap()
}
