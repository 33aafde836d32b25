//! Property tests of the loader and validator against hostile manifests: arbitrary
//! bytes, deep nesting, huge scalars, alias bombs, and the trimmed example project
//! (`tests/hostile/_base/`) with lines deleted, duplicated or retyped at random.
//!
//! Whatever the input, `floe::manifest::load_with_env` must return (no panic) within
//! `TIME_LIMIT`, and when it refuses the project, at least one diagnostic must name a
//! file, line and column.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;

/// Longest a single load may take (debug build, busy machine).
const TIME_LIMIT: Duration = Duration::from_secs(5);

fn base_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/_base")
}

/// The trimmed example project, relative path → bytes.
fn base_files() -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&base_dir(), &base_dir(), &mut out);
    out
}

/// The YAML files of the base project (the targets of line mutations), sorted.
fn yaml_names() -> Vec<String> {
    base_files()
        .into_keys()
        .filter(|k| k.ends_with(".yaml"))
        .collect()
}

/// What happened when loading a project.
enum Outcome {
    Loaded,
    /// Every diagnostic rendered with its location (`None` when it has none).
    Refused(Vec<(String, Option<String>)>),
}

/// Writes `files` to a fresh folder and loads it on a separate thread, so a panic is
/// caught and a hang is noticed.
fn load(files: &BTreeMap<String, Vec<u8>>) -> Result<Outcome, String> {
    let dir = tempfile::tempdir().unwrap();
    for (rel, data) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    let path = dir.path().to_path_buf();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(16 * 1024 * 1024)
        .spawn(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                match floe::manifest::load_with_env(&path, &[], Box::new(|_: &str| None)) {
                    Ok(_) => Outcome::Loaded,
                    Err(diags) => {
                        // Rendering is part of what must not panic.
                        let _ = diags.render(false);
                        Outcome::Refused(
                            diags
                                .items
                                .iter()
                                .map(|d| (format!("{}: {}", d.code, d.summary), diags.location(d)))
                                .collect(),
                        )
                    }
                }
            }));
            let _ = tx.send(result.map_err(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "a panic".into())
            }));
        })
        .unwrap();
    match rx.recv_timeout(TIME_LIMIT) {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(panic)) => Err(format!("the loader panicked: {panic}")),
        Err(_) => Err(format!("the loader did not return within {TIME_LIMIT:?}")),
    }
}

/// Fails unless the load returned in time without panicking, and a refusal is located.
fn check(files: &BTreeMap<String, Vec<u8>>, must_refuse: bool) -> Result<(), TestCaseError> {
    match load(files).map_err(TestCaseError::fail)? {
        Outcome::Loaded if must_refuse => Err(TestCaseError::fail("invalid input was accepted")),
        Outcome::Loaded => Ok(()),
        Outcome::Refused(diags) => {
            prop_assert!(!diags.is_empty(), "refused without a diagnostic");
            prop_assert!(
                diags.iter().any(|(_, loc)| loc.is_some()),
                "no diagnostic has a location: {diags:?}"
            );
            Ok(())
        }
    }
}

/// The base project with one account file replaced.
fn with_file(rel: &str, data: Vec<u8>) -> BTreeMap<String, Vec<u8>> {
    let mut files = base_files();
    files.insert(rel.to_string(), data);
    files
}

/// Values of every YAML shape, to put where another shape is expected.
fn any_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[a, b]".to_string()),
        Just("{ k: v }".to_string()),
        Just("~".to_string()),
        Just("''".to_string()),
        Just("true".to_string()),
        Just("-1".to_string()),
        Just("9223372036854775808".to_string()),
        Just("1e400".to_string()),
        Just(".nan".to_string()),
        Just("!!binary aGk=".to_string()),
        Just("*undefined_anchor".to_string()),
        Just("'${env.HOME}'".to_string()),
        Just("'${var.x'".to_string()),
        "[a-z_]{1,12}",
        "'[ -~]{0,40}'".prop_map(|s| s.replace('\'', "''")),
    ]
}

#[derive(Debug, Clone)]
enum LineOp {
    Delete,
    Duplicate,
    /// Keeps the key, replaces the value.
    Retype(String),
    /// Indents the line by this many extra spaces.
    Indent(usize),
}

fn line_op() -> impl Strategy<Value = LineOp> {
    prop_oneof![
        Just(LineOp::Delete),
        Just(LineOp::Duplicate),
        any_value().prop_map(LineOp::Retype),
        (1usize..6).prop_map(LineOp::Indent),
    ]
}

/// Every `key: scalar` line of the base project's account files (not `account:`), as
/// (file, line index): a list or map there is always wrong.
fn scalar_lines() -> Vec<(String, usize)> {
    let files = base_files();
    let mut out = Vec::new();
    for name in yaml_names().into_iter().filter(|n| n != "floe.yaml") {
        let text = String::from_utf8(files[&name].clone()).unwrap();
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start();
            let Some((key, value)) = t.split_once(": ") else {
                continue;
            };
            let plain_key =
                !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            let scalar = !value.is_empty() && !value.starts_with(['[', '{', '|', '>', '#']);
            if plain_key && scalar && key != "account" && !t.starts_with("- ") {
                out.push((name.clone(), i));
            }
        }
    }
    out
}

/// Applies `op` to line `index` (modulo the line count) of `text`.
fn mutate(text: &str, index: usize, op: &LineOp) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let i = index % lines.len();
    match op {
        LineOp::Delete => {
            lines.remove(i);
        }
        LineOp::Duplicate => {
            let l = lines[i].clone();
            lines.insert(i + 1, l);
        }
        LineOp::Retype(v) => {
            let line = &lines[i];
            let key_end = line
                .find(": ")
                .or_else(|| line.strip_suffix(':').map(|s| s.len()));
            lines[i] = match key_end {
                Some(end) => format!("{}: {v}", &line[..end]),
                None => format!("{line} {v}"),
            };
        }
        LineOp::Indent(n) => lines[i] = format!("{}{}", " ".repeat(*n), lines[i]),
    }
    lines.join("\n") + "\n"
}

/// Few cases (the suite must stay fast), no persisted failures, and bounded
/// shrinking: a case that hangs costs `TIME_LIMIT` per shrinking step.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        failure_persistence: None,
        max_shrink_iters: 64,
        max_shrink_time: 20_000,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Random bytes as an account file, and as the project file.
    #[test]
    fn arbitrary_bytes_are_refused_or_loaded_never_crash(
        bytes in proptest::collection::vec(any::<u8>(), 0..2000),
        as_project in any::<bool>(),
    ) {
        let rel = if as_project { "floe.yaml" } else { "bank/noise.yaml" };
        check(&with_file(rel, bytes), false)?;
    }

    /// Random printable text that looks like YAML punctuation and keys.
    #[test]
    fn yamlish_noise_is_refused_or_loaded_never_crash(
        text in "(account: |warehouses:|\n|  |- |\\[|\\]|\\{|\\}|&a |\\*a|!t |: |\"|'|#|[a-z0-9_]{1,8}){0,200}",
    ) {
        check(&with_file("bank/noise.yaml", text.into_bytes()), false)?;
    }

    /// One to three lines of one of the example's files deleted, duplicated, retyped
    /// or re-indented.
    #[test]
    fn mutated_example_files_never_crash(
        file in proptest::sample::select(yaml_names()),
        ops in proptest::collection::vec((any::<usize>(), line_op()), 1..4),
    ) {
        let base = base_files();
        let mut text = String::from_utf8(base[&file].clone()).unwrap();
        for (index, op) in &ops {
            text = mutate(&text, *index, op);
        }
        check(&with_file(&file, text.into_bytes()), false)?;
    }

    /// Deep flow or block nesting must be refused (a warehouse map cannot nest like
    /// that), located, and not overflow the stack.
    #[test]
    fn deep_nesting_is_refused(depth in 1usize..20_000, flow in any::<bool>(), map in any::<bool>()) {
        let text = if flow {
            let (open, close) = if map { ("{a: ", "}") } else { ("[", "]") };
            format!("account: bank\nwarehouses:\n  w: {}1{}\n", open.repeat(depth), close.repeat(depth))
        } else {
            let depth = depth.min(2_000);
            let mut t = String::from("account: bank\nwarehouses:\n  w:\n");
            for d in 0..depth {
                t.push_str(&" ".repeat(4 + d));
                t.push_str(if map { "k:\n" } else { "-\n" });
            }
            t.push_str(&" ".repeat(4 + depth));
            t.push_str("x\n");
            t
        };
        check(&with_file("bank/deep.yaml", text.into_bytes()), true)?;
    }

    /// Huge scalars as names must be refused (past 255 characters) and located; as a
    /// comment they may load but must not crash.
    #[test]
    fn huge_scalars_never_crash(len in 256usize..200_000, as_name in any::<bool>(), ch in "[a-zA-Z_é]") {
        let s = ch.repeat(len);
        let text = if as_name {
            format!("account: bank\nroles:\n  {s}:\n    comment: x\n")
        } else {
            format!("account: bank\nroles:\n  huge_comment_role:\n    comment: {s}\n")
        };
        check(&with_file("bank/huge.yaml", text.into_bytes()), as_name)?;
    }

    /// Alias bombs of any shape must be refused quickly, with a location.
    #[test]
    fn alias_bombs_are_refused(levels in 4usize..12, width in 4usize..12) {
        let mut t = String::from("account: bank\nbomb:\n  a0: &a0 [lol, lol, lol, lol]\n");
        for i in 1..levels {
            let refs = vec![format!("*a{}", i - 1); width].join(", ");
            t.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
        }
        check(&with_file("bank/bomb.yaml", t.into_bytes()), true)?;
    }
}

proptest! {
    #![proptest_config(config())]

    /// Any scalar field of the example turned into a list or a map is refused, with a
    /// diagnostic in the file that was changed.
    #[test]
    fn retyped_scalar_fields_are_refused_in_their_file(
        (file, index) in proptest::sample::select(scalar_lines()),
        value in prop_oneof![
            Just("[a, b]"),
            Just("[]"),
            Just("{ k: v }"),
            Just("{}"),
        ],
    ) {
        let text = String::from_utf8(base_files()[&file].clone()).unwrap();
        let mutated = mutate(&text, index, &LineOp::Retype(value.to_string()));
        match load(&with_file(&file, mutated.into_bytes())).map_err(TestCaseError::fail)? {
            Outcome::Loaded => prop_assert!(false, "accepted a {value} at {file} line {}", index + 1),
            Outcome::Refused(diags) => prop_assert!(
                diags.iter().any(|(_, loc)| loc.as_deref().is_some_and(|l| l.starts_with(&format!("{file}:")))),
                "nothing located in {file}: {diags:?}"
            ),
        }
    }
}

/// The unmutated base loads, so the properties above exercise real, nearly valid input.
#[test]
fn the_base_project_loads() {
    match load(&base_files()) {
        Ok(Outcome::Loaded) => {}
        Ok(Outcome::Refused(d)) => panic!("the base project is refused: {d:?}"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn mutations_do_what_they_say() {
    let t = "a: 1\nb:\n  c: x\n";
    assert_eq!(mutate(t, 0, &LineOp::Delete), "b:\n  c: x\n");
    assert_eq!(mutate(t, 3, &LineOp::Duplicate), "a: 1\na: 1\nb:\n  c: x\n");
    assert_eq!(
        mutate(t, 1, &LineOp::Retype("[a]".into())),
        "a: 1\nb: [a]\n  c: x\n"
    );
    assert_eq!(
        mutate(t, 2, &LineOp::Retype("~".into())),
        "a: 1\nb:\n  c: ~\n"
    );
    assert_eq!(mutate(t, 0, &LineOp::Indent(2)), "  a: 1\nb:\n  c: x\n");
}
