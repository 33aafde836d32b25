//! The backends an end-to-end scenario runs on, and a runner that plays every step
//! of a scenario on all of them and requires byte-identical output.
//!
//! * [`Backend::InProcess`]: the project's `local` target, the embedded emulator
//!   opened inside the `floe` process.
//! * [`Backend::Wire`]: a `wire` target whose accounts map to connections in a
//!   temporary `SNOWFLAKE_HOME/connections.toml`, with `base_url` pointing at a
//!   `floe emulator serve` child process. Every statement then goes through floe's
//!   Snowflake backend and the connector protocol. The served emulator file is not
//!   the `local` target's, and that one must never appear: a `--target` that was
//!   silently ignored cannot pass for the wire.
//!
//! Both copies of the project are identical (both declare both targets); only
//! `--target` differs. A scenario is written once against [`Scenario`]; each
//! command runs on every backend at the same time, and the outputs (exit code,
//! stdout, stderr, with temporary paths redacted) must be equal byte for byte.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use super::TempProject;

/// Where a scenario's statements are executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    InProcess,
    Wire,
}

impl Backend {
    /// Every backend a scenario runs on.
    pub const ALL: [Backend; 2] = [Backend::InProcess, Backend::Wire];

    pub fn name(self) -> &'static str {
        match self {
            Backend::InProcess => "in-process",
            Backend::Wire => "wire",
        }
    }

    /// The `--target` of `floe.yaml` (after [`add_wire_target`]) that selects it.
    pub fn target(self) -> &'static str {
        match self {
            Backend::InProcess => "local",
            Backend::Wire => "wire",
        }
    }
}

/// Declares the `wire` target in a project's `floe.yaml`: each account connects
/// with the connection of the same name.
pub fn add_wire_target(project: &TempProject) {
    project.edit(
        "floe.yaml",
        "\ntargets:\n",
        "\ntargets:\n  wire:\n    bank: { connection: bank }\n    partner: { connection: partner }\n",
    );
}

/// A `floe emulator serve` child process; stopped when dropped.
pub struct Served {
    child: Child,
    // Kept open so the server never writes into a closed pipe.
    _stdout: BufReader<ChildStdout>,
    pub base_url: String,
    log: PathBuf,
}

impl Served {
    /// Serves the emulator file `db` on a free loopback port; the server's stderr
    /// goes to `log`.
    pub fn start(db: &Path, log: &Path) -> Served {
        if let Some(dir) = db.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_floe"))
            .args(["emulator", "serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(db)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some(base_url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`floe emulator serve` did not print its address (got {line:?}); stderr:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        };
        Served {
            base_url: base_url.to_string(),
            child,
            _stdout: stdout,
            log: log.to_path_buf(),
        }
    }

    /// What the server wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One copy of the project, on one backend.
pub struct BackendRun {
    pub backend: Backend,
    pub project: TempProject,
    served: Option<Served>,
}

/// The emulator file a `wire` run serves (outside the project).
fn served_db(project: &TempProject) -> PathBuf {
    project.dir().join("served/emulator.db")
}

impl BackendRun {
    pub fn new(backend: Backend) -> BackendRun {
        let project = TempProject::new();
        add_wire_target(&project);
        let served = match backend {
            Backend::InProcess => None,
            Backend::Wire => {
                let served = Served::start(
                    &served_db(&project),
                    &project.dir().join("emulator-serve.log"),
                );
                let connections = ["bank", "partner"]
                    .iter()
                    .map(|account| {
                        format!(
                            "[{account}]\naccount = \"{account}\"\nuser = \"FLOE\"\npassword = \"emulator\"\nbase_url = \"{}\"\n",
                            served.base_url
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                let home = project.snowflake_home();
                std::fs::create_dir_all(&home).unwrap();
                let file = home.join("connections.toml");
                std::fs::write(&file, connections).unwrap();
                // Readable by its owner only, or it is refused (as Snowflake's CLI does).
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
                Some(served)
            }
        };
        BackendRun {
            backend,
            project,
            served,
        }
    }

    /// Expands the placeholders of a scenario command for this run: `{project}`
    /// becomes `<project dir> --target <target>`, `{dir}` the temporary folder
    /// around the project, `{db}` the emulator file, `{target}` the target's name.
    fn args(&self, args: &[&str]) -> Vec<String> {
        let dir = self.project.dir().display().to_string();
        let db = self.db().display().to_string();
        let mut out = Vec::new();
        for arg in args {
            if *arg == "{project}" {
                out.push(self.project.root.display().to_string());
                out.push("--target".to_string());
                out.push(self.backend.target().to_string());
            } else {
                out.push(
                    arg.replace("{dir}", &dir)
                        .replace("{db}", &db)
                        .replace("{target}", self.backend.target()),
                );
            }
        }
        out
    }

    /// The emulator file this run's statements reach.
    fn db(&self) -> PathBuf {
        match self.backend {
            Backend::InProcess => self.project.emulator_db(),
            Backend::Wire => served_db(&self.project),
        }
    }

    /// Panics when the run touched an emulator other than its own.
    fn check_isolation(&self) {
        if self.backend == Backend::Wire {
            assert!(
                !self.project.emulator_db().exists(),
                "the wire run opened the local target's emulator file"
            );
        }
    }

    /// Output with this run's temporary paths replaced by `<project>` and `<dir>`,
    /// and, in plans, its target's name by `<target>` and the plan hash by `<hash>`.
    pub fn redact(&self, text: &str) -> String {
        let text = self
            .project
            .redact(text)
            .replace(&self.project.dir().display().to_string(), "<dir>");
        super::redact::without_plan_hash(&super::redact::without_target(
            &text,
            self.backend.target(),
        ))
    }
}

/// The outcome of one `floe` command on one backend.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A scenario played on every backend at once.
pub struct Scenario {
    runs: Vec<BackendRun>,
}

impl Scenario {
    /// A fresh copy of the shipped project per backend in [`Backend::ALL`].
    pub fn new() -> Scenario {
        Scenario::on(&Backend::ALL)
    }

    pub fn on(backends: &[Backend]) -> Scenario {
        let runs = std::thread::scope(|s| {
            let handles: Vec<_> = backends
                .iter()
                .map(|b| s.spawn(move || BackendRun::new(*b)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        });
        Scenario { runs }
    }

    /// Every backend's run (its copy of the project, its temporary folder).
    pub fn runs(&self) -> &[BackendRun] {
        &self.runs
    }

    pub fn backends(&self) -> Vec<Backend> {
        self.runs.iter().map(|r| r.backend).collect()
    }

    /// Replaces `from` (exactly once) with `to` in a file of every copy.
    pub fn edit(&self, file: &str, from: &str, to: &str) {
        for run in &self.runs {
            run.project.edit(file, from, to);
        }
    }

    /// Removes `start` up to (excluding) `end` in a file of every copy.
    pub fn remove_block(&self, file: &str, start: &str, end: &str) {
        for run in &self.runs {
            run.project.remove_block(file, start, end);
        }
    }

    /// A file of the project (the same in every copy).
    pub fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.runs[0].project.path(file)).unwrap()
    }

    /// Writes a file into every copy.
    pub fn write(&self, file: &str, contents: &str) {
        for run in &self.runs {
            std::fs::write(run.project.path(file), contents).unwrap();
        }
    }

    /// Runs `floe <args>` on every backend at once (placeholders as in
    /// [`BackendRun::args`]) and requires identical outcomes; returns the first.
    pub fn floe(&self, args: &[&str]) -> Outcome {
        self.floe_compared(args, |text| text.to_string())
    }

    /// Like [`floe`](Self::floe) for commands whose progress lines come in
    /// completion order (`apply` runs independent steps in parallel): outcomes are
    /// compared with the `[k/n] ` counters removed and lines sorted, so both backends
    /// must still have applied (or failed, or skipped) exactly the same steps.
    pub fn floe_unordered(&self, args: &[&str]) -> Outcome {
        self.floe_compared(args, |text| {
            let mut lines: Vec<&str> = text
                .lines()
                .map(
                    |line| match line.strip_prefix('[').and_then(|l| l.split_once("] ")) {
                        Some((counter, rest)) if counter.contains('/') => rest,
                        _ => line,
                    },
                )
                .collect();
            lines.sort_unstable();
            lines.join("\n")
        })
    }

    fn floe_compared(&self, args: &[&str], canonical: impl Fn(&str) -> String) -> Outcome {
        let outcomes: Vec<Outcome> = std::thread::scope(|s| {
            let handles: Vec<_> = self
                .runs
                .iter()
                .map(|run| {
                    s.spawn(move || {
                        let expanded = run.args(args);
                        let expanded: Vec<&str> = expanded.iter().map(String::as_str).collect();
                        let (code, stdout, stderr) = run.project.floe(&expanded);
                        run.check_isolation();
                        Outcome {
                            code,
                            stdout: run.redact(&stdout),
                            stderr: run.redact(&stderr),
                        }
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let canonical = |o: &Outcome| Outcome {
            code: o.code,
            stdout: canonical(&o.stdout),
            stderr: canonical(&o.stderr),
        };
        let (first, rest) = outcomes.split_first().unwrap();
        let first = canonical(first);
        for (run, outcome) in self.runs[1..].iter().zip(rest) {
            let outcome = canonical(outcome);
            if outcome != first {
                let expected = first.to_string();
                let got = outcome.to_string();
                let diff = similar::TextDiff::from_lines(&expected, &got)
                    .unified_diff()
                    .header(self.runs[0].backend.name(), run.backend.name())
                    .to_string();
                panic!(
                    "floe {args:?} differs between the {} and {} backends:\n{diff}{}",
                    self.runs[0].backend.name(),
                    run.backend.name(),
                    self.server_logs()
                );
            }
        }
        outcomes.into_iter().next().unwrap()
    }

    /// Like [`floe`](Self::floe), and the exit code must be `code`; returns stdout.
    pub fn floe_ok(&self, args: &[&str], code: i32) -> String {
        self.expect_code(self.floe(args), args, code)
    }

    /// Like [`floe_unordered`](Self::floe_unordered), and the exit code must be
    /// `code`; returns stdout (the first backend's, in its order).
    pub fn floe_unordered_ok(&self, args: &[&str], code: i32) -> String {
        self.expect_code(self.floe_unordered(args), args, code)
    }

    fn expect_code(&self, outcome: Outcome, args: &[&str], code: i32) -> String {
        assert_eq!(
            outcome.code,
            code,
            "floe {args:?} on {:?}\n{outcome}{}",
            self.backends(),
            self.server_logs()
        );
        outcome.stdout
    }

    /// Runs SQL in an account of every copy's emulator file, outside floe's
    /// reconciler (the served emulator reads the same file).
    pub fn emulator_sql(&self, account: &str, sql: &str) {
        self.floe_ok(
            &["emulator", "sql", "--db", "{db}", "--account", account, sql],
            0,
        );
    }

    fn server_logs(&self) -> String {
        self.runs
            .iter()
            .filter_map(|r| r.served.as_ref())
            .map(|s| format!("\n--- floe emulator serve (stderr)\n{}", s.log()))
            .collect()
    }
}
