//! Inputs a hostile pull request could put in a project, which no static project
//! under `tests/broken/` can hold (FIFOs, devices, links out of a temporary folder,
//! very large files): loading must refuse each with a located diagnostic, promptly,
//! without reading what it refuses, and rendering the report must not panic.

use std::path::Path;
use std::time::{Duration, Instant};

use floe::manifest::{Diagnostics, Project, load_with_env};

const FLOE_YAML: &str = "accounts:\n  bank: {}\n";

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn procedure(body_file: &str) -> String {
    format!(
        "account: bank\ndatabases:\n  demo:\n    schemas:\n      main:\n        procedures:\n          process:\n            language: python\n            runtime_version: '3.11'\n            returns: varchar\n            handler: run\n            body_file: {body_file}\n"
    )
}

fn model(files: &str) -> String {
    format!(
        "account: bank\ndatabases:\n  demo:\n    schemas:\n      main:\n        stages:\n          models: {{}}\n        models:\n          churn:\n            stage: models\n            versions:\n              v1: {{ files: [{files}] }}\n"
    )
}

/// Loads `dir`, requiring that it takes less than `limit`.
fn load_within(dir: &Path, limit: Duration) -> Result<Project, Diagnostics> {
    let start = Instant::now();
    let result = load_with_env(dir, &[], Box::new(|_: &str| None));
    let took = start.elapsed();
    assert!(took < limit, "loading took {took:?}");
    result
}

/// Loading fails with exactly `codes`; every diagnostic but the ones in `unlocated`
/// names a file and line, and the report renders.
fn refused(dir: &Path, codes: &[&str]) -> String {
    let diags = match load_within(dir, Duration::from_secs(5)) {
        Ok(_) => panic!("loaded without errors"),
        Err(d) => d,
    };
    assert_eq!(diags.codes(), codes, "{diags}");
    for d in &diags.items {
        let location = diags.location(d).unwrap_or_default();
        assert!(location.contains(".yaml:"), "{}: {location}", d.summary);
    }
    diags.to_string()
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_fifo_body_file_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    write(dir.path(), "bank.yaml", &procedure("python/run.py"));
    std::fs::create_dir_all(dir.path().join("python")).unwrap();
    mkfifo(&dir.path().join("python/run.py"));
    let report = refused(dir.path(), &["E-PATH-NOT-FILE"]);
    assert!(report.contains("is a named pipe"), "{report}");
}

#[test]
fn a_fifo_named_like_a_manifest_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    mkfifo(&dir.path().join("bank.yaml"));
    let diags = load_within(dir.path(), Duration::from_secs(5)).unwrap_err();
    assert_eq!(diags.codes(), ["E-PATH-NOT-FILE"], "{diags}");
    assert!(diags.to_string().contains("`bank.yaml` is a named pipe"));
}

#[test]
fn dev_zero_is_refused_as_a_device_or_an_absolute_path() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.py")).unwrap();
    write(dir.path(), "bank.yaml", &procedure("zero.py"));
    let report = refused(dir.path(), &["E-PATH-NOT-FILE"]);
    assert!(report.contains("is a device"), "{report}");

    write(dir.path(), "bank.yaml", &procedure("/dev/zero"));
    refused(dir.path(), &["E-PATH-ABSOLUTE"]);
    write(dir.path(), "bank.yaml", &model("/dev/zero"));
    refused(dir.path(), &["E-PATH-ABSOLUTE"]);
    write(dir.path(), "bank.yaml", &model("zero.py"));
    refused(dir.path(), &["E-PATH-NOT-FILE"]);
}

#[test]
fn links_out_of_the_project_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "connections.toml",
        "password = \"hunter2\"\n",
    );
    write(outside.path(), "other.yaml", "account: bank\n");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    let secret = outside.path().join("connections.toml");
    std::os::unix::fs::symlink(&secret, dir.path().join("body.py")).unwrap();
    // A link to a folder outside, then a path through it.
    std::os::unix::fs::symlink(outside.path(), dir.path().join("up")).unwrap();

    write(dir.path(), "bank.yaml", &procedure("body.py"));
    let report = refused(dir.path(), &["E-PATH-OUTSIDE-PROJECT"]);
    assert!(!report.contains("hunter2"), "{report}");
    write(dir.path(), "bank.yaml", &procedure("up/connections.toml"));
    refused(dir.path(), &["E-PATH-OUTSIDE-PROJECT"]);
    write(dir.path(), "bank.yaml", &model("body.py"));
    refused(dir.path(), &["E-PATH-OUTSIDE-PROJECT"]);
    write(
        dir.path(),
        "bank.yaml",
        &procedure("../../../../../../etc/passwd"),
    );
    refused(dir.path(), &["E-PATH-OUTSIDE-PROJECT"]);

    // A manifest that links out is not read either.
    write(dir.path(), "bank.yaml", "account: bank\n");
    std::os::unix::fs::symlink(outside.path().join("other.yaml"), dir.path().join("x.yaml"))
        .unwrap();
    let diags = load_within(dir.path(), Duration::from_secs(5)).unwrap_err();
    assert_eq!(diags.codes(), ["E-PATH-OUTSIDE-PROJECT"], "{diags}");
}

#[test]
fn a_floe_yaml_that_links_out_is_not_read() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "connections.toml",
        "[bank]\npassword = \"hunter2\"\n",
    );
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("connections.toml"),
        dir.path().join("floe.yaml"),
    )
    .unwrap();
    let diags = load_within(dir.path(), Duration::from_secs(5)).unwrap_err();
    assert_eq!(diags.codes(), ["E-PATH-OUTSIDE-PROJECT"], "{diags}");
    assert!(!diags.to_string().contains("hunter2"));
}

#[test]
fn links_inside_the_project_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    write(
        dir.path(),
        "src/run.py",
        "def run(session):\n    return 1\n",
    );
    std::os::unix::fs::symlink("../src/run.py", {
        std::fs::create_dir_all(dir.path().join("python")).unwrap();
        dir.path().join("python/run.py")
    })
    .unwrap();
    write(dir.path(), "bank.yaml", &procedure("python/run.py"));
    let project = load_within(dir.path(), Duration::from_secs(5)).unwrap();
    let body = project
        .desired
        .objects
        .values()
        .find_map(|s| match s {
            floe::model::Spec::Procedure(r) => Some(r.body.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(body, "def run(session):\n    return 1\n");
}

#[test]
fn files_are_capped_by_the_project_limits() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "floe.yaml",
        "accounts:\n  bank: {}\nlimits: { body_file_bytes: 32, artifact_bytes: 4 }\n",
    );
    write(dir.path(), "run.py", &"#".repeat(32));
    write(dir.path(), "bank.yaml", &procedure("run.py"));
    load_within(dir.path(), Duration::from_secs(5)).unwrap();
    write(dir.path(), "run.py", &"#".repeat(33));
    refused(dir.path(), &["E-FILE-TOO-LARGE"]);

    write(dir.path(), "model.bin", "12345");
    write(dir.path(), "bank.yaml", &model("model.bin"));
    let report = refused(dir.path(), &["E-FILE-TOO-LARGE"]);
    assert!(report.contains("artifact_bytes"), "{report}");
}

#[test]
fn the_default_body_limit_is_one_mebibyte() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    write(dir.path(), "run.py", &"#".repeat((1 << 20) + 1));
    write(dir.path(), "bank.yaml", &procedure("run.py"));
    refused(dir.path(), &["E-FILE-TOO-LARGE"]);
}

#[test]
fn a_manifest_past_the_manifest_cap_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    let file = std::fs::File::create(dir.path().join("bank.yaml")).unwrap();
    // Sparse: nothing is written, and nothing must be read.
    file.set_len(floe::manifest::files::MANIFEST_BYTES + 1)
        .unwrap();
    let diags = load_within(dir.path(), Duration::from_secs(2)).unwrap_err();
    assert_eq!(diags.codes(), ["E-FILE-TOO-LARGE"], "{diags}");
}

fn billion_laughs() -> String {
    let mut text =
        String::from("account: bank\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 9].join(", ");
        text.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    text
}

#[test]
fn billion_laughs_fails_fast() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    write(dir.path(), "bank.yaml", &billion_laughs());
    let start = Instant::now();
    let diags = load_with_env(dir.path(), &[], Box::new(|_: &str| None)).unwrap_err();
    let report = diags.to_string();
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(diags.codes(), ["E-YAML-ALIAS-LIMIT"], "{report}");
    assert!(report.contains("[bank.yaml:"), "{report}");
}

#[test]
fn aliases_within_the_limit_still_work() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    write(
        dir.path(),
        "bank.yaml",
        "account: bank\nwarehouses:\n  a: &wh { warehouse_size: xsmall, auto_suspend: 60 }\n  b: *wh\n",
    );
    let project = load_within(dir.path(), Duration::from_secs(5)).unwrap();
    assert_eq!(project.desired.objects.len(), 2);
}

#[test]
fn deep_nesting_is_refused_in_block_style_too() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    let mut text = String::from("account: bank\n");
    for depth in 0..1_000 {
        text.push_str(&"  ".repeat(depth));
        text.push_str("a:\n");
    }
    write(dir.path(), "bank.yaml", &text);
    refused(dir.path(), &["E-YAML-DEPTH-LIMIT"]);
    write(
        dir.path(),
        "bank.yaml",
        &format!(
            "account: bank\ncomment: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    // The YAML scanner stops this one first, with its own located error.
    let diags = load_within(dir.path(), Duration::from_secs(5)).unwrap_err();
    assert_eq!(diags.codes(), ["E-YAML-SYNTAX"], "{diags}");
    assert!(diags.location(&diags.items[0]).is_some());
}

#[test]
fn a_seventy_thousand_character_name_is_reported_not_panicked_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    let name = "n".repeat(70_000);
    // An explicit key (`? …`) may be longer than YAML's 1024-character implicit keys.
    write(
        dir.path(),
        "bank.yaml",
        &format!("account: bank\nwarehouses:\n  ? {name}\n  : {{ warehouse_size: xsmall }}\n"),
    );
    let report = refused(dir.path(), &["E-IDENT-INVALID"]);
    assert!(report.contains("longer than 255 characters"), "{report}");
    assert!(report.len() < 5_000, "{} bytes", report.len());
    // The same name where a reference is expected, far along one line.
    write(
        dir.path(),
        "bank.yaml",
        &format!(
            "account: bank\nroles: {{ analyst: {{ comment: x }} }}\ngrants: [{{ privilege: usage, on: {{ warehouse: {name} }}, to: {{ role: analyst }} }}]\n"
        ),
    );
    let diags = load_within(dir.path(), Duration::from_secs(5)).unwrap_err();
    let report = diags.to_string();
    assert!(report.len() < 10_000, "{} bytes", report.len());
}

#[test]
fn a_huge_single_line_file_loads_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    let items = vec!["x"; 1_000_000].join(",");
    write(
        dir.path(),
        "bank.yaml",
        &format!("account: bank\nwarehouses: {{ w: {{ comment: [{items}], nope: é }} }}\n"),
    );
    let diags = load_within(dir.path(), Duration::from_secs(20)).unwrap_err();
    assert!(!diags.is_empty());
    let report = diags.to_string();
    assert!(report.len() < 10_000, "{} bytes", report.len());
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "floe.yaml",
        "\u{feff}# yaml-language-server: $schema=schemas/floe.schema.json\naccounts:\n  bank: {}\n",
    );
    write(
        dir.path(),
        "bank.yaml",
        "\u{feff}# yaml-language-server: $schema=schemas/account.schema.json\naccount: bank\nwarehouses:\n  w: { warehouse_size: xsmall }\n",
    );
    let project = load_within(dir.path(), Duration::from_secs(5)).unwrap();
    assert_eq!(project.desired.objects.len(), 1);
}

#[test]
fn variables_cannot_expand_without_bound() {
    let dir = tempfile::tempdir().unwrap();
    let big = "x".repeat(1 << 20);
    write(
        dir.path(),
        "floe.yaml",
        &format!("accounts:\n  bank: {{}}\nvariables:\n  big: {big}\n"),
    );
    let uses = "${var.big}".repeat(20);
    write(
        dir.path(),
        "bank.yaml",
        &format!(
            "account: bank\nwarehouses:\n  w: {{ warehouse_size: xsmall, comment: '{uses}' }}\n"
        ),
    );
    refused(dir.path(), &["E-VAR-TOO-LARGE"]);
}

#[test]
fn declared_secrets_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "floe.yaml",
        "accounts:\n  bank: {}\nsecrets: [BANK_S3_KEY_ID, BANK_S3_SECRET]\n",
    );
    write(
        dir.path(),
        "bank.yaml",
        "account: bank\ndatabases:\n  d:\n    schemas:\n      s:\n        stages:\n          landing:\n            url: s3://bucket/raw/\n            credentials: { aws_key_id_env: BANK_S3_KEY_ID, aws_secret_key_env: BANK_S3_SECRET }\n",
    );
    load_within(dir.path(), Duration::from_secs(5)).unwrap();
    // Undeclared, even when the variable is set in the environment.
    write(
        dir.path(),
        "floe.yaml",
        "accounts:\n  bank: {}\nsecrets: [BANK_S3_KEY_ID]\n",
    );
    refused(dir.path(), &["E-SECRET-UNDECLARED"]);
}

#[test]
fn aliases_cannot_multiply_a_large_scalar() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    let big = "x".repeat(1 << 20);
    let aliases = vec!["*big"; 20].join(", ");
    write(
        dir.path(),
        "bank.yaml",
        &format!("account: bank\nbig: &big {big}\ncopies: [{aliases}]\n"),
    );
    let diags = load_within(dir.path(), Duration::from_secs(5)).unwrap_err();
    assert_eq!(diags.codes(), ["E-YAML-ALIAS-LIMIT"], "{diags}");
}

#[test]
fn the_alias_budget_is_shared_by_the_files_of_a_project() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    // Each file expands to about 11,000 nodes: well under the cap alone, not together.
    let mut text = String::from("account: bank\nl0: &l0 [a, a, a, a, a, a, a, a, a]\n");
    for i in 1..4 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        text.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    write(dir.path(), "a0.yaml", &text);
    let one = load_within(dir.path(), Duration::from_secs(5)).unwrap_err();
    assert!(!one.codes().contains(&"E-YAML-ALIAS-LIMIT"), "{one}");
    for i in 1..12 {
        write(dir.path(), &format!("a{i}.yaml"), &text);
    }
    let all = load_within(dir.path(), Duration::from_secs(5)).unwrap_err();
    assert!(all.codes().contains(&"E-YAML-ALIAS-LIMIT"), "{all}");
}

#[test]
fn the_manifests_of_a_project_are_capped_in_total() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "floe.yaml", FLOE_YAML);
    let comment = "#".repeat(1023) + "\n";
    let text = format!("account: bank\n{}", comment.repeat(7 << 10));
    for i in 0..5 {
        write(dir.path(), &format!("f{i}.yaml"), &text);
    }
    let diags = load_within(dir.path(), Duration::from_secs(60)).unwrap_err();
    assert!(diags.codes().contains(&"E-FILE-TOO-LARGE"), "{diags}");
}

#[test]
fn the_emulator_file_of_a_target_stays_inside_the_project() {
    let outside = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bank.yaml", "account: bank\n");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).unwrap();
    let target = |path: &str| {
        write(
            dir.path(),
            "floe.yaml",
            &format!("accounts:\n  bank: {{}}\ntargets:\n  ci:\n    emulator: {path}\n"),
        );
        match load_within(dir.path(), Duration::from_secs(5)) {
            Ok(_) => Vec::new(),
            Err(d) => {
                assert!(d.items.iter().all(|i| d.location(i).is_some()), "{d}");
                d.codes()
            }
        }
    };
    assert_eq!(target(".floe/ci.db"), Vec::<&str>::new());
    assert_eq!(target("new/folder/ci.db"), Vec::<&str>::new());
    assert_eq!(target("/tmp/ci.db"), ["E-PATH-ABSOLUTE"]);
    assert_eq!(target("../ci.db"), ["E-PATH-OUTSIDE-PROJECT"]);
    assert_eq!(target("out/ci.db"), ["E-PATH-OUTSIDE-PROJECT"]);
}
