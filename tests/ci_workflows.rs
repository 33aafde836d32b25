//! The example GitHub workflows (`examples/ci/*.yml`) run the way a runner runs them,
//! against the emulator served over Snowflake's protocol, so they cannot drift from
//! what floe does.
//!
//! The steps' `run:` scripts are taken from the YAML files and executed with bash, in
//! a fresh workspace (a copy of `manifests/`) per job, with the job's and the step's
//! `env:` (their `${{ … }}` expressions filled in from a table below), and the
//! runner's files (`GITHUB_ENV`, `GITHUB_OUTPUT`, `GITHUB_PATH`,
//! `GITHUB_STEP_SUMMARY`) and `RUNNER_TEMP`. The `prod` target's connections log in
//! with the key-pair secrets, as on GitHub; the one difference is where they point:
//! `SNOWFLAKE_CONNECTIONS_<NAME>_BASE_URL` sends them to the served emulator. Steps
//! that talk to GitHub (`gh`, artifacts) are not run; the test moves the artifact the
//! way the upload and download steps do.
//!
//! The loop: a pull request's plan (`--format markdown --out plan.json`), the apply
//! of that artifact on merge from another checkout, the scheduled drift check (in
//! sync, then drifted); and a stale reviewed plan refused, re-planned, and the re-plan
//! applied by the manual run.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::TempProject;
use floe::emulator::Emulator;
use floe::runtime::SqlSession;
use floe::wire::ServerHandle;
use serde_yaml::Value;

/// One workflow file.
struct Workflow {
    file: String,
    doc: Value,
}

impl Workflow {
    fn load(name: &str) -> Workflow {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/ci")
            .join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        Workflow {
            file: name.to_string(),
            doc: serde_yaml::from_str(&text).unwrap(),
        }
    }

    /// The workflow's only job.
    fn job(&self) -> &Value {
        let jobs = self.doc["jobs"].as_mapping().unwrap();
        assert_eq!(jobs.len(), 1, "{}: one job expected", self.file);
        jobs.values().next().unwrap()
    }

    fn steps(&self) -> &[Value] {
        self.job()["steps"].as_sequence().unwrap()
    }

    fn step(&self, id: &str) -> &Value {
        self.steps()
            .iter()
            .find(|s| s["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("{}: no step with id `{id}`", self.file))
    }

    fn script(&self, id: &str) -> &str {
        self.step(id)["run"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: step `{id}` runs nothing", self.file))
    }

    /// The ids of the steps that run a `floe` command (a script line starting with `floe `).
    fn floe_steps(&self) -> Vec<String> {
        self.steps()
            .iter()
            .filter(|s| {
                s["run"]
                    .as_str()
                    .is_some_and(|run| run.lines().any(|l| l.trim_start().starts_with("floe ")))
            })
            .map(|s| {
                s["id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{}: a floe step without an id: {s:?}", self.file))
                    .to_string()
            })
            .collect()
    }
}

/// `env:` of a job or step, with its expressions filled in.
fn env_of(node: &Value, expressions: &BTreeMap<&str, String>) -> Vec<(String, String)> {
    let Some(env) = node["env"].as_mapping() else {
        return Vec::new();
    };
    env.iter()
        .map(|(k, v)| {
            let value = match v {
                Value::String(s) => fill(s, expressions),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                other => panic!("unexpected env value {other:?}"),
            };
            (k.as_str().unwrap().to_string(), value)
        })
        .collect()
}

/// Replaces each `${{ expression }}` with its value from the table; an expression
/// the table does not know stops the test (so a new one is looked at).
fn fill(text: &str, expressions: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").unwrap() + start;
        let expression = rest[start + 3..end].trim();
        let value = expressions
            .get(expression)
            .unwrap_or_else(|| panic!("no value for the expression `{expression}`"));
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// What a step did.
struct StepRun {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
}

/// One job on an imitation runner: a workspace holding a checkout of the project,
/// `RUNNER_TEMP`, and the files the runner reads between steps.
struct Runner {
    checkout: TempProject,
    temp: tempfile::TempDir,
    home: tempfile::TempDir,
    event: &'static str,
    expressions: BTreeMap<&'static str, String>,
    /// The variables that point the connections at the served emulator.
    redirect: Vec<(String, String)>,
}

impl Runner {
    fn new(event: &'static str, server: &ServerHandle) -> Runner {
        let home = tempfile::tempdir().unwrap();
        // The cached binary's place (`~/.floe-bin/bin`), filled with the one under test.
        let bin = home.path().join(".floe-bin/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_floe"), bin.join("floe")).unwrap();
        let key = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys/test_key.p8"),
        )
        .unwrap();
        let mut expressions = BTreeMap::new();
        for (account, name) in [("BANK", "bank"), ("PARTNER", "partner")] {
            for (key_name, value) in [
                ("ACCOUNT", name),
                ("USER", "floe_ci"),
                ("ROLE", "ACCOUNTADMIN"),
                ("WAREHOUSE", "FLOE_WH"),
            ] {
                let expression: &'static str =
                    Box::leak(format!("vars.FLOE_{account}_{key_name}").into_boxed_str());
                expressions.insert(expression, value.to_string());
            }
        }
        expressions.insert("secrets.FLOE_BANK_PRIVATE_KEY", key.trim_end().to_string());
        expressions.insert(
            "secrets.FLOE_PARTNER_PRIVATE_KEY",
            key.trim_end().to_string(),
        );
        expressions.insert("github.token", "unused".to_string());
        expressions.insert("github.event.pull_request.number", "7".to_string());
        expressions.insert("github.event.pull_request.head.sha", "0123abc".to_string());
        expressions.insert("inputs.plan_run", String::new());
        expressions.insert(
            "inputs.allow_destroy || contains(github.event.pull_request.labels.*.name, 'floe-allow-destroy')",
            "false".to_string(),
        );
        let redirect = ["BANK", "PARTNER"]
            .iter()
            .map(|name| {
                (
                    format!("SNOWFLAKE_CONNECTIONS_{name}_BASE_URL"),
                    server.base_url(),
                )
            })
            .collect();
        Runner {
            checkout: TempProject::new(),
            temp: tempfile::tempdir().unwrap(),
            home,
            event,
            expressions,
            redirect,
        }
    }

    fn workspace(&self) -> &Path {
        self.checkout.dir()
    }

    fn runner_file(&self, name: &str) -> PathBuf {
        self.temp.path().join(format!("_runner_{name}"))
    }

    /// Runs the step `id` of `workflow` as GitHub would.
    fn run(&self, workflow: &Workflow, id: &str) -> StepRun {
        let script = workflow.script(id);
        let output_file = self.runner_file("output");
        std::fs::write(&output_file, "").unwrap();
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-e", "-c", script])
            .current_dir(self.workspace())
            .env_clear()
            .env("HOME", self.home.path())
            .env("PATH", self.path())
            .env("RUNNER_TEMP", self.temp.path())
            .env("GITHUB_WORKSPACE", self.workspace())
            .env("GITHUB_EVENT_NAME", self.event)
            .env("GITHUB_REPOSITORY", "example/infra")
            .env("GITHUB_RUN_ID", "42")
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_ENV", self.runner_file("env"))
            .env("GITHUB_PATH", self.runner_file("path"))
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", self.runner_file("summary"))
            .env("NO_COLOR", "1");
        for (name, value) in workflow.doc["env"]
            .as_mapping()
            .map(|_| env_of(&workflow.doc, &self.expressions))
            .unwrap_or_default()
            .into_iter()
            .chain(env_of(workflow.job(), &self.expressions))
            .chain(self.runner_env())
            .chain(env_of(workflow.step(id), &self.expressions))
            .chain(self.redirect.iter().cloned())
        {
            command.env(name, value);
        }
        let out = command.output().unwrap();
        let outputs = std::fs::read_to_string(&output_file)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        StepRun {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs,
        }
    }

    /// Runs a step that must succeed.
    fn run_ok(&self, workflow: &Workflow, id: &str) -> StepRun {
        let run = self.run(workflow, id);
        assert_eq!(
            run.code, 0,
            "{} step `{id}` failed:\n{}\n{}",
            workflow.file, run.stdout, run.stderr
        );
        run
    }

    /// `PATH`: what earlier steps added through `GITHUB_PATH`, then the system's.
    fn path(&self) -> String {
        let added = std::fs::read_to_string(self.runner_file("path")).unwrap_or_default();
        added
            .lines()
            .rev()
            .map(str::to_string)
            .chain(["/usr/local/bin", "/usr/bin", "/bin"].map(String::from))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// What earlier steps set through `GITHUB_ENV`.
    fn runner_env(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(self.runner_file("env"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The setup every job starts with: floe on the PATH, the connections written.
    fn setup(&self, workflow: &Workflow) {
        self.run_ok(workflow, "floe-path");
        self.run_ok(workflow, "connections");
        let home = self.temp.path().join("snowflake");
        for file in ["bank.p8", "partner.p8", "connections.toml"] {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(home.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o777,
                0o600,
                "{file} must be readable by its owner only"
            );
        }
    }

    /// Puts a plan artifact where the apply workflow's download step puts it.
    fn download(&self, workflow: &Workflow, from: &Path) {
        let script = workflow.script("download");
        assert!(
            script.contains("--dir \"$RUNNER_TEMP/reviewed\""),
            "the download step moved the plan:\n{script}"
        );
        let reviewed = self.temp.path().join("reviewed");
        std::fs::create_dir_all(&reviewed).unwrap();
        for file in ["plan.json", "plan.md"] {
            std::fs::copy(from.join(file), reviewed.join(file)).unwrap();
        }
    }
}

#[test]
fn the_workflows_keep_secrets_out_of_scripts_and_serialize_per_target() {
    for name in [
        "plan-on-pull-request.yml",
        "apply-on-merge.yml",
        "scheduled-drift.yml",
    ] {
        let workflow = Workflow::load(name);
        let doc = &workflow.doc;
        assert!(doc["permissions"].is_mapping(), "{name}: no permissions");
        assert!(
            doc["concurrency"]["group"]
                .as_str()
                .is_some_and(|g| g.contains("prod")),
            "{name}: no concurrency group per target"
        );
        for step in workflow.steps() {
            if let Some(run) = step["run"].as_str() {
                assert!(
                    !run.contains("${{"),
                    "{name}: an expression in a script (use env:): {run}"
                );
            }
        }
        // runner.* is not available in a job's env: GitHub rejects the workflow.
        let job_env = serde_yaml::to_string(&workflow.job()["env"]).unwrap();
        assert!(!job_env.contains("runner."), "{name}: {job_env}");
        assert!(!job_env.contains("secrets."), "{name}: {job_env}");
    }
    let apply = Workflow::load("apply-on-merge.yml");
    assert_eq!(
        apply.doc["concurrency"]["cancel-in-progress"].as_bool(),
        Some(false),
        "an apply in progress must never be cancelled"
    );
    // Every step that runs floe is one the loop below runs.
    assert_eq!(
        Workflow::load("plan-on-pull-request.yml").floe_steps(),
        ["validate", "plan"]
    );
    assert_eq!(apply.floe_steps(), ["apply", "replan"]);
    assert_eq!(
        Workflow::load("scheduled-drift.yml").floe_steps(),
        ["drift"]
    );
}

#[test]
fn pull_request_plan_then_apply_of_that_artifact_elsewhere_then_drift() {
    let emulator = Emulator::open_in_memory().unwrap();
    for account in ["bank", "partner"] {
        emulator
            .session(account)
            .execute("CREATE WAREHOUSE FLOE_WH")
            .unwrap();
    }
    let server = common::serve(&emulator);
    let plan_wf = Workflow::load("plan-on-pull-request.yml");
    let apply_wf = Workflow::load("apply-on-merge.yml");
    let drift_wf = Workflow::load("scheduled-drift.yml");

    // The pull request: one observation gives the comment and the saved plan.
    let pr = Runner::new("pull_request", &server);
    pr.setup(&plan_wf);
    pr.run_ok(&plan_wf, "validate");
    pr.run_ok(&plan_wf, "plan");
    let markdown = std::fs::read_to_string(pr.workspace().join("plan.md")).unwrap();
    assert!(markdown.contains("CREATE"), "{markdown}");
    assert!(pr.workspace().join("plan.json").exists());
    let comment = plan_wf.steps().last().unwrap()["run"].as_str().unwrap();
    if let Some(at) = markdown.find("<!-- floe-plan") {
        // The comment step finds its comment by the marker the plan carries.
        let marker = &markdown[at..at + markdown[at..].find("-->").unwrap() + 3];
        assert!(
            comment.contains(&format!("marker='{marker}'")),
            "the comment step looks for another marker than {marker}:\n{comment}"
        );
    }

    // The merge: another checkout applies exactly the reviewed artifact.
    let merge = Runner::new("pull_request", &server);
    merge.setup(&apply_wf);
    merge.download(&apply_wf, pr.workspace());
    let applied = merge.run_ok(&apply_wf, "apply");
    assert!(
        !applied.outputs.contains_key("stale"),
        "{:?}",
        applied.outputs
    );
    assert!(applied.stdout.contains("applied"), "{}", applied.stdout);

    // The schedule: in sync, then drifted.
    let schedule = Runner::new("schedule", &server);
    schedule.setup(&drift_wf);
    let in_sync = schedule.run_ok(&drift_wf, "drift");
    assert_eq!(
        in_sync.outputs.get("drifted").map(String::as_str),
        Some("false"),
        "{}{}",
        in_sync.stdout,
        in_sync.stderr
    );
    emulator
        .session("bank")
        .execute("ALTER WAREHOUSE QUERY_WH SET AUTO_SUSPEND = 61")
        .unwrap();
    let drifted = schedule.run_ok(&drift_wf, "drift");
    assert_eq!(
        drifted.outputs.get("drifted").map(String::as_str),
        Some("true")
    );
    let report = std::fs::read_to_string(schedule.workspace().join("drift.txt")).unwrap();
    assert!(report.contains("QUERY_WH"), "{report}");

    // A reviewed plan that went stale: refused, nothing applied, planned again.
    let pr = Runner::new("pull_request", &server);
    pr.setup(&plan_wf);
    pr.run_ok(&plan_wf, "plan");
    emulator
        .session("bank")
        .execute("ALTER WAREHOUSE QUERY_WH SET AUTO_SUSPEND = 62")
        .unwrap();
    let merge = Runner::new("pull_request", &server);
    merge.setup(&apply_wf);
    merge.download(&apply_wf, pr.workspace());
    let refused = merge.run(&apply_wf, "apply");
    assert_ne!(
        refused.code, 0,
        "a stale plan was applied:\n{}",
        refused.stdout
    );
    assert_eq!(
        refused.outputs.get("stale").map(String::as_str),
        Some("true"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("saved plan is stale"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stdout
            .contains("::error::The reviewed plan was not applied"),
        "{}",
        refused.stdout
    );
    let rows = emulator
        .session("bank")
        .execute("SHOW WAREHOUSES LIKE 'QUERY_WH'")
        .unwrap();
    assert_eq!(rows.iter().next().unwrap().get("auto_suspend"), Some("62"));
    merge.run_ok(&apply_wf, "replan");

    // The re-plan, reviewed, applied by the manual run.
    let mut manual = Runner::new("workflow_dispatch", &server);
    manual
        .expressions
        .insert("inputs.plan_run", "42".to_string());
    manual.setup(&apply_wf);
    manual.download(&apply_wf, merge.workspace());
    manual.run_ok(&apply_wf, "apply");
    let in_sync = schedule.run_ok(&drift_wf, "drift");
    assert_eq!(
        in_sync.outputs.get("drifted").map(String::as_str),
        Some("false"),
        "{}",
        in_sync.stdout
    );
}
