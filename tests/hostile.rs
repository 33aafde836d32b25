//! The hostile corpus: every project under `tests/hostile/` (written by
//! `tests/hostile/generate.py`, see its doc for the `CASE` file) and a few cases built
//! here at run time because git cannot hold them (symlinks leaving the project, FIFOs,
//! files past the size cap) must be refused by the real `floe` binary:
//!
//! - `floe validate` exits 1 within a time bound, never panics, and reports at least
//!   one diagnostic naming a file, line and column — in the mutated file, and with the
//!   codes the case lists;
//! - nothing the project points at outside itself, and no secret value from the
//!   environment, appears in floe's output;
//! - `floe apply --auto-approve` on a copy of the case fails the same way and sends no
//!   statement: the emulator file is not created, or holds no account, object, grant or
//!   stage file, and no other file appears in the project.
//!
//! Cases run on several threads, each in its own temporary copy of the project.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A process still running after this long has hung: it is killed and the case fails.
const TIME_LIMIT: Duration = Duration::from_secs(10);
/// What the output of a run-time case must never contain (it is written only outside
/// the project).
const OUTSIDE_SECRET: &str = "OUTSIDE-THE-PROJECT-7f3a";

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

/// One hostile project and what its `CASE` file says about it.
struct Case {
    name: String,
    /// The committed project, copied before every run.
    source: PathBuf,
    description: String,
    /// The file holding the mutation (relative): some diagnostic must name it.
    file: String,
    codes: Vec<String>,
    /// `file:line:column` some diagnostic must be located at exactly.
    at: Option<String>,
    env: Vec<(String, String)>,
    /// Applied to the copy before running (run-time cases only).
    prepare: Option<fn(&Path)>,
    /// Whether a `file:LINE:COL` is required. Only a manifest that is itself a link
    /// out has no line to point at (it is never read): its name must appear instead.
    has_line: bool,
}

fn parse_case(name: &str, dir: &Path) -> Case {
    let text = std::fs::read_to_string(dir.join("CASE"))
        .unwrap_or_else(|e| panic!("{name}: cannot read CASE: {e}"));
    let mut case = Case {
        name: name.to_string(),
        source: dir.to_path_buf(),
        description: String::new(),
        file: String::new(),
        codes: Vec::new(),
        at: None,
        env: Vec::new(),
        prepare: None,
        has_line: true,
    };
    for line in text.lines() {
        let Some((key, value)) = line.split_once(": ") else {
            continue;
        };
        match key {
            "description" => case.description = value.to_string(),
            "file" => case.file = value.to_string(),
            "codes" => case.codes = value.split_whitespace().map(String::from).collect(),
            "at" => case.at = Some(value.to_string()),
            "env" => {
                let (n, v) = value
                    .split_once('=')
                    .unwrap_or_else(|| panic!("{name}: env line without `=`"));
                case.env.push((n.to_string(), v.to_string()));
            }
            other => panic!("{name}: unknown CASE key `{other}`"),
        }
    }
    assert!(
        !case.description.is_empty(),
        "{name}: CASE has no description"
    );
    assert!(!case.file.is_empty(), "{name}: CASE names no file");
    case
}

/// The committed cases: every folder of `tests/hostile/` with a `CASE` file.
fn committed_cases() -> Vec<Case> {
    let mut out: Vec<Case> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("CASE").is_file())
        .map(|e| parse_case(&e.file_name().to_string_lossy(), &e.path()))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

// ---------------------------------------------------------------- run-time cases

const MODEL: &str = "partner/scored_model.yaml";
const BODY: &str = "partner/python/cc_batch_processing.py";
const ARTIFACT: &str = "partner/model/cc_default_model.json";

/// A folder beside the project copy (so outside it) holding a readable file whose
/// text must never reach floe's output.
fn outside(project: &Path) -> PathBuf {
    let dir = project.parent().unwrap().join("outside");
    std::fs::create_dir_all(&dir).unwrap();
    let body = format!("def cc_batch_processing(*args):\n    return '{OUTSIDE_SECRET}'\n");
    std::fs::write(dir.join("cc_batch_processing.py"), &body).unwrap();
    std::fs::write(dir.join("cc_profile_processing.py"), &body).unwrap();
    std::fs::write(dir.join("batch_predict_cc_default.py"), &body).unwrap();
    std::fs::write(
        dir.join("cc_default_model.json"),
        format!("{{\"secret\": \"{OUTSIDE_SECRET}\"}}\n"),
    )
    .unwrap();
    dir
}

fn replace_with_symlink(project: &Path, rel: &str, target: &Path) {
    let link = project.join(rel);
    if link.is_dir() {
        std::fs::remove_dir_all(&link).unwrap();
    } else {
        std::fs::remove_file(&link).unwrap();
    }
    std::os::unix::fs::symlink(target, &link).unwrap();
}

fn symlink_body_outside(project: &Path) {
    let target = outside(project).join("cc_batch_processing.py");
    replace_with_symlink(project, BODY, &target);
}

fn symlink_artifact_outside(project: &Path) {
    let target = outside(project).join("cc_default_model.json");
    replace_with_symlink(project, ARTIFACT, &target);
}

fn symlink_folder_outside(project: &Path) {
    let target = outside(project);
    replace_with_symlink(project, "partner/python", &target);
}

fn symlink_relative_outside(project: &Path) {
    outside(project);
    replace_with_symlink(
        project,
        BODY,
        Path::new("../../../outside/cc_batch_processing.py"),
    );
}

/// A link to a link inside the project, which leads out.
fn symlink_chain_outside(project: &Path) {
    let target = outside(project).join("cc_batch_processing.py");
    let hop = project.join("partner/python/hop.py");
    std::os::unix::fs::symlink(&target, &hop).unwrap();
    replace_with_symlink(project, BODY, Path::new("hop.py"));
}

/// A link to an endless device.
fn symlink_to_device(project: &Path) {
    replace_with_symlink(project, BODY, Path::new("/dev/zero"));
}

fn symlink_loop(project: &Path) {
    replace_with_symlink(project, BODY, Path::new("cc_batch_processing.py"));
}

/// An account file that is a link to a file outside the project.
fn symlink_manifest_outside(project: &Path) {
    let dir = outside(project);
    let target = dir.join("leak.yaml");
    let text = format!("account: bank\nroles:\n  leaked:\n    comment: {OUTSIDE_SECRET}\n");
    std::fs::write(&target, text).unwrap();
    std::os::unix::fs::symlink(&target, project.join("bank/leak.yaml")).unwrap();
}

/// floe.yaml itself is a link to a file outside the project.
fn symlink_project_file_outside(project: &Path) {
    let dir = outside(project);
    let mut text = std::fs::read_to_string(project.join("floe.yaml")).unwrap();
    text.push_str(&format!("# {OUTSIDE_SECRET}\n"));
    std::fs::write(dir.join("floe.yaml"), text).unwrap();
    replace_with_symlink(project, "floe.yaml", &dir.join("floe.yaml"));
}

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    assert_eq!(rc, 0, "mkfifo {}", path.display());
}

fn fifo_body(project: &Path) {
    std::fs::remove_file(project.join(BODY)).unwrap();
    mkfifo(&project.join(BODY));
}

fn fifo_artifact(project: &Path) {
    std::fs::remove_file(project.join(ARTIFACT)).unwrap();
    mkfifo(&project.join(ARTIFACT));
}

/// A body of valid Python one line past 1 MB (the documented cap for bodies).
fn oversized_body(project: &Path) {
    let mut body = String::from("def cc_batch_processing(*args):\n    return None\n");
    while body.len() <= 1024 * 1024 {
        body.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(project.join(BODY), body).unwrap();
}

fn runtime_cases() -> Vec<Case> {
    let base = corpus_dir().join("_base");
    let make = |name: &str, code: &str, description: &str, prepare: fn(&Path)| Case {
        name: format!("runtime_{name}"),
        source: base.clone(),
        description: description.to_string(),
        file: MODEL.to_string(),
        codes: vec![code.to_string()],
        at: None,
        env: Vec::new(),
        prepare: Some(prepare),
        has_line: true,
    };
    let unlocated = |name: &str, file: &str, description: &str, prepare: fn(&Path)| Case {
        file: file.to_string(),
        has_line: false,
        ..make(name, "E-PATH-OUTSIDE-PROJECT", description, prepare)
    };
    vec![
        unlocated(
            "symlink_manifest_outside",
            "bank/leak.yaml",
            "an account file that is a symlink to a file outside the project",
            symlink_manifest_outside,
        ),
        unlocated(
            "symlink_project_file_outside",
            "floe.yaml",
            "floe.yaml is a symlink to a file outside the project",
            symlink_project_file_outside,
        ),
        make(
            "symlink_body_outside",
            "E-PATH-OUTSIDE-PROJECT",
            "a body file that is a symlink to a file outside the project",
            symlink_body_outside,
        ),
        make(
            "symlink_relative_outside",
            "E-PATH-OUTSIDE-PROJECT",
            "a body file that is a relative symlink climbing out of the project",
            symlink_relative_outside,
        ),
        make(
            "symlink_folder_outside",
            "E-PATH-OUTSIDE-PROJECT",
            "the folder of the body files is a symlink to a folder outside the project",
            symlink_folder_outside,
        ),
        make(
            "symlink_artifact_outside",
            "E-PATH-OUTSIDE-PROJECT",
            "a model artifact that is a symlink to a file outside the project",
            symlink_artifact_outside,
        ),
        make(
            "symlink_chain_outside",
            "E-PATH-OUTSIDE-PROJECT",
            "a body file that links to a link inside the project that leads out",
            symlink_chain_outside,
        ),
        make(
            "symlink_to_device",
            "E-PATH-NOT-FILE",
            "a body file that links to /dev/zero",
            symlink_to_device,
        ),
        make(
            "symlink_loop",
            "E-BODY-FILE-MISSING",
            "a body file that is a symlink to itself",
            symlink_loop,
        ),
        make(
            "fifo_body",
            "E-PATH-NOT-FILE",
            "a body file that is a FIFO",
            fifo_body,
        ),
        make(
            "fifo_artifact",
            "E-PATH-NOT-FILE",
            "a model artifact that is a FIFO",
            fifo_artifact,
        ),
        make(
            "oversized_body",
            "E-FILE-TOO-LARGE",
            "a body file one line past 1 MB",
            oversized_body,
        ),
    ]
}

// ---------------------------------------------------------------- running floe

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&src, &dst);
        } else if entry.file_name() != "CASE" {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Every path below `dir`, without following symlinks.
fn listing(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(p.clone());
            }
            out.insert(p.strip_prefix(dir).unwrap().to_path_buf());
        }
    }
    out
}

struct Run {
    status: Option<ExitStatus>,
    output: String,
    elapsed: Duration,
}

/// Runs floe with its output in files (a pipe could fill and stall it), killing it
/// past `TIME_LIMIT`.
fn run_floe(args: &[&str], env: &[(String, String)], scratch: &Path, tag: &str) -> Run {
    let out_path = scratch.join(format!("{tag}.out"));
    let out = std::fs::File::create(&out_path).unwrap();
    let err = out.try_clone().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_floe"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("FLOE_TARGET")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn floe");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let bytes = std::fs::read(&out_path).unwrap_or_default();
    Run {
        status,
        output: String::from_utf8_lossy(&bytes).into_owned(),
        elapsed,
    }
}

/// The `file.yaml:LINE:COL` locations in floe's output.
fn locations(output: &str) -> Vec<(String, u64, u64)> {
    let mut out = Vec::new();
    for ext in [".yaml:", ".yml:"] {
        let mut from = 0;
        while let Some(pos) = output[from..].find(ext) {
            let at = from + pos;
            from = at + ext.len();
            let start = output[..at]
                .rfind(|c: char| c.is_whitespace() || "[(`'\"".contains(c))
                .map_or(0, |i| i + 1);
            let file = &output[start..at + ext.len() - 1];
            let mut nums = output[from..].splitn(3, ':');
            let line = nums.next().and_then(|s| s.parse::<u64>().ok());
            let col = nums.next().and_then(|s| {
                let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<u64>().ok()
            });
            if let (Some(line), Some(col)) = (line, col) {
                out.push((file.to_string(), line, col));
            }
        }
    }
    out
}

fn describe(status: Option<ExitStatus>) -> String {
    match status {
        None => format!("no exit within {TIME_LIMIT:?} (killed)"),
        Some(s) => match s.code() {
            Some(code) => format!("exit {code}"),
            None => format!("killed by {s}"),
        },
    }
}

/// Rows in the emulator file's tables that any statement would have filled.
fn emulator_contents(db: &Path) -> Result<String, String> {
    let emulator = floe::emulator::Emulator::open(db).map_err(|e| e.to_string())?;
    let accounts = emulator.accounts().map_err(|e| e.to_string())?;
    drop(emulator);
    let conn = rusqlite::Connection::open(db).map_err(|e| e.to_string())?;
    let mut counts = Vec::new();
    for table in ["objects", "grants", "stage_files"] {
        let n: i64 = conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .map_err(|e| e.to_string())?;
        if n > 0 {
            counts.push(format!("{n} rows in {table}"));
        }
    }
    if !accounts.is_empty() {
        counts.push(format!("accounts {accounts:?}"));
    }
    Ok(counts.join(", "))
}

/// Checks one case; returns its problems and the validate time.
fn check(case: &Case, scratch_root: &Path) -> (Vec<String>, Duration) {
    let mut problems = Vec::new();
    let scratch = scratch_root.join(&case.name);
    let project = scratch.join("project");
    copy_tree(&case.source, &project);
    if let Some(prepare) = case.prepare {
        prepare(&project);
    }
    let before = listing(&project);
    let project_arg = project.to_str().unwrap();
    let secrets: Vec<&str> = case
        .env
        .iter()
        .map(|(_, v)| v.as_str())
        .chain([OUTSIDE_SECRET])
        .collect();

    let validate = run_floe(&["validate", project_arg], &case.env, &scratch, "validate");
    let out = &validate.output;
    if validate.status.and_then(|s| s.code()) != Some(1) {
        problems.push(format!(
            "validate: {}, expected exit 1",
            describe(validate.status)
        ));
    }
    if out.contains("panicked at") {
        problems.push("validate panicked".into());
    }
    let located = locations(out);
    if !case.has_line {
        if !out.contains(&format!("`{}`", case.file)) {
            problems.push(format!("validate does not name {}", case.file));
        }
    } else if located.is_empty() {
        problems.push("validate names no file.yaml:LINE:COL".into());
    } else if !located
        .iter()
        .any(|(f, _, _)| f.ends_with(&case.file) || case.file.ends_with(f.as_str()))
    {
        problems.push(format!(
            "no diagnostic names the mutated file {} (located: {:?})",
            case.file,
            located.iter().map(|l| &l.0).collect::<BTreeSet<_>>()
        ));
    }
    for code in &case.codes {
        if !out.contains(code.as_str()) {
            problems.push(format!("validate does not report {code}"));
        }
    }
    if let Some(at) = &case.at
        && !located
            .iter()
            .any(|(f, l, c)| at.ends_with(&format!("{f}:{l}:{c}")))
    {
        problems.push(format!("no diagnostic is located at {at}"));
    }
    for secret in &secrets {
        if out.contains(secret) {
            problems.push(format!("validate printed the secret `{secret}`"));
        }
    }

    let apply = run_floe(
        &["apply", project_arg, "--auto-approve"],
        &case.env,
        &scratch,
        "apply",
    );
    let code = apply.status.and_then(|s| s.code());
    if !matches!(code, Some(c) if c != 0 && c != 101) || apply.output.contains("panicked at") {
        problems.push(format!(
            "apply: {}, expected a clean failure",
            describe(apply.status)
        ));
    }
    for secret in &secrets {
        if apply.output.contains(secret) {
            problems.push(format!("apply printed the secret `{secret}`"));
        }
    }
    let db = project.join(".floe/emulator.db");
    if db.exists() {
        match emulator_contents(&db) {
            Ok(found) if found.is_empty() => {}
            Ok(found) => problems.push(format!("apply reached the emulator: {found}")),
            Err(e) => problems.push(format!("the emulator file is unreadable: {e}")),
        }
    }
    let created: Vec<_> = listing(&project)
        .difference(&before)
        .filter(|p| !p.starts_with(".floe"))
        .cloned()
        .collect();
    if !created.is_empty() {
        problems.push(format!("apply created {created:?}"));
    }
    if !problems.is_empty() {
        let head: String = out.chars().take(1500).collect();
        problems.push(format!("validate output:\n{head}"));
    }
    (problems, validate.elapsed)
}

fn run_all(cases: Vec<Case>) {
    let scratch = tempfile::tempdir().unwrap();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let timings = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8)
        * 2;
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { break };
                    let (problems, elapsed) = check(case, scratch.path());
                    timings.lock().unwrap().push((elapsed, case.name.clone()));
                    if !problems.is_empty() {
                        failures.lock().unwrap().push(format!(
                            "{} ({}):\n  {}",
                            case.name,
                            case.description,
                            problems.join("\n  ")
                        ));
                    }
                }
            });
        }
    });
    let mut timings = timings.into_inner().unwrap();
    timings.sort();
    if let Some((worst, name)) = timings.last() {
        eprintln!(
            "{} cases; slowest validate: {name} in {} ms",
            timings.len(),
            worst.as_millis()
        );
    }
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases are not refused cleanly:\n\n{}",
        failures.len(),
        timings.len(),
        failures.join("\n\n")
    );
}

#[test]
fn corpus_has_at_least_150_projects() {
    let n = committed_cases().len();
    assert!(n >= 150, "only {n} hostile projects under tests/hostile/");
}

/// The unmutated base of the corpus is valid, so each case fails for its mutation.
#[test]
fn the_trimmed_base_project_is_valid() {
    let scratch = tempfile::tempdir().unwrap();
    let run = run_floe(
        &["validate", corpus_dir().join("_base").to_str().unwrap()],
        &[],
        scratch.path(),
        "base",
    );
    assert_eq!(
        run.status.and_then(|s| s.code()),
        Some(0),
        "the base project does not validate:\n{}",
        run.output
    );
}

#[test]
fn committed_hostile_projects_are_refused_before_any_statement() {
    run_all(committed_cases());
}

#[test]
fn runtime_hostile_projects_are_refused_before_any_statement() {
    run_all(runtime_cases());
}

#[test]
fn locations_are_found_in_rendered_output() {
    let out = "  ╭─[partner/scored_model.yaml:92:21]\n x at (floe.yaml:3:1) and bank.yml:7:2.";
    assert_eq!(
        locations(out),
        vec![
            ("partner/scored_model.yaml".to_string(), 92, 21),
            ("floe.yaml".to_string(), 3, 1),
            ("bank.yml".to_string(), 7, 2),
        ]
    );
    assert!(locations("file partner/scored_model.yaml is not UTF-8").is_empty());
}
