//! Every project under `tests/broken/` has one class of problem (listed in its
//! `EXPECT` file): loading must fail with exactly those codes, every diagnostic must
//! name a file and line, and the rendered report is snapshotted next to the case.

use std::collections::BTreeSet;
use std::path::PathBuf;

use floe::manifest::load_with_env;

fn cases() -> Vec<(String, PathBuf)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/broken");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("floe.yaml").is_file())
        .map(|e| (e.file_name().to_string_lossy().to_string(), e.path()))
        .collect();
    out.sort();
    out
}

#[test]
fn at_least_thirty_broken_projects() {
    assert!(
        cases().len() >= 30,
        "only {} broken projects",
        cases().len()
    );
}

#[test]
fn broken_projects_fail_with_their_diagnostics() {
    let mut failures = Vec::new();
    for (name, dir) in cases() {
        let expected: BTreeSet<String> = std::fs::read_to_string(dir.join("EXPECT"))
            .unwrap_or_else(|_| panic!("{name}: missing EXPECT file"))
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        let diags = match load_with_env(&dir, &[], Box::new(|_: &str| None)) {
            Ok(_) => {
                failures.push(format!("{name}: loaded without errors"));
                continue;
            }
            Err(d) => d,
        };
        let found: BTreeSet<String> = diags.codes().iter().map(|c| c.to_string()).collect();
        if found != expected {
            failures.push(format!(
                "{name}: expected codes {expected:?}, found {found:?}\n{diags}"
            ));
        }
        for d in &diags.items {
            let Some(location) = diags.location(d) else {
                failures.push(format!("{name}: `{}` has no location", d.summary));
                continue;
            };
            if !location.contains(".yaml:") {
                failures.push(format!("{name}: `{}` is located at {location}", d.summary));
            }
        }
        let rendered = diags.to_string();
        for d in &diags.items {
            let location = diags.location(d).unwrap_or_default();
            let mut parts = location.split(':');
            let (file, line) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            if !rendered.contains(&format!("[{file}:")) || !rendered.contains(&format!(" {line} │"))
            {
                failures.push(format!(
                    "{name}: the report does not show {file} line {line}"
                ));
            }
        }
        insta::with_settings!({
            snapshot_path => dir.clone(),
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("floe validate tests/broken/{name}"),
        }, {
            insta::assert_snapshot!("diagnostics", rendered);
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
