//! `floe validate`, `floe schema` and `floe graph` as a user runs them.

use std::path::PathBuf;
use std::process::Command;

fn floe(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_floe"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run floe");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn validate_prints_one_summary_line_per_account() {
    let (code, stdout, stderr) = floe(&["validate", "manifests"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with("bank: ")
            && lines[0].contains("2 tables")
            && lines[0].contains("1 listing"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("partner: ")
            && lines[1].contains("3 tasks")
            && lines[1].contains("1 model"),
        "{stdout}"
    );
}

#[test]
fn validate_reports_problems_with_locations_and_exits_1() {
    let (code, stdout, stderr) = floe(&["validate", "tests/broken/guide_slips"]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("bank/data_sharing_demo.yaml:"), "{stderr}");
    assert!(
        stderr.contains("did you mean `QUICKSTART_CC_DEFAULT_UNSCORED_DATA`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `CC_DEFAULT_UNSCORED_DATA`?"),
        "{stderr}"
    );
    assert!(stderr.contains("E-SQL-FROM-STRING"), "{stderr}");
    assert!(stderr.contains("3 problems found"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn validate_takes_variables_from_the_command_line() {
    let (code, _, stderr) = floe(&[
        "validate",
        "tests/broken/undefined_variable",
        "--var",
        "bucket=b",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = floe(&["validate", "manifests", "--var", "novalue"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("NAME=VALUE"), "{stderr}");
}

#[test]
fn validate_without_a_project_explains() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = floe(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("E-PROJECT-MISSING"), "{stderr}");
}

#[test]
fn schema_prints_the_account_file_schema() {
    let (code, stdout, _) = floe(&["schema"]);
    assert_eq!(code, 0);
    let committed = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/account.schema.json"),
    )
    .unwrap();
    assert_eq!(stdout, committed);
    let (code, stdout, _) = floe(&["schema", "--file", "project"]);
    assert_eq!(code, 0);
    let committed = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/floe.schema.json"),
    )
    .unwrap();
    assert_eq!(stdout, committed);
}

#[test]
fn graph_renders_cross_account_edges() {
    let (code, stdout, stderr) = floe(&["graph", "manifests", "--format", "mermaid"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("flowchart LR"));
    assert!(stdout.contains("bank → partner") && stdout.contains("partner → bank"));
    let (code, stdout, _) = floe(&["graph", "manifests", "--format", "dot"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("digraph floe {"));
    let (code, _, stderr) = floe(&["graph", "tests/broken/cycle_tasks"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("E-CYCLE"), "{stderr}");
}

#[test]
fn usage_errors_exit_1_and_help_and_version_exit_0() {
    for args in [
        &["drift", "--fromat", "json"][..],
        &["plan", "manifests", "--format", "nope"],
        &["apply", "--parallelism", "many"],
        &["no-such-command"],
        &[],
    ] {
        let (code, stdout, stderr) = floe(args);
        assert_eq!(code, 1, "floe {args:?}\n{stdout}\n{stderr}");
        assert!(stdout.is_empty(), "usage errors go to stderr: {stdout}");
        assert!(!stderr.is_empty(), "floe {args:?} explains");
    }
    let (code, stdout, _) = floe(&["drift", "--fromat", "json"]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    let (code, stdout, _) = floe(&["--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("Usage: floe"), "{stdout}");
    let (code, stdout, _) = floe(&["plan", "--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("--detailed-exitcode"), "{stdout}");
    assert!(
        !stdout.contains("--allow-destroy"),
        "plan's flag is deprecated and hidden"
    );
    let (code, stdout, _) = floe(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), format!("floe {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn show_refuses_a_file_that_is_not_a_saved_plan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, "{\"format_version\": 1}").unwrap();
    let (code, stdout, stderr) = floe(&["show", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("is not a plan saved with `floe plan --out`"),
        "{stderr}"
    );
    let (code, _, stderr) = floe(&["show", dir.path().join("missing.json").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("reading the saved plan"), "{stderr}");
}
