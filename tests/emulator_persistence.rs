//! The emulator file across processes: state survives reopening and is shared with
//! another process (the `floe emulator sql` binary); two processes writing at once
//! lose nothing; a process killed mid-batch leaves a consistent file.

mod emulator_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use emulator_support::*;
use floe::emulator::Emulator;

const FLOE: &str = env!("CARGO_BIN_EXE_floe");

fn floe_sql(db: &Path, account: &str, sql: &str) -> std::process::Output {
    Command::new(FLOE)
        .args(["emulator", "sql", "--db"])
        .arg(db)
        .args(["--account", account, "--format", "json", sql])
        .output()
        .expect("run floe")
}

fn table_count(db: &Path, account: &str) -> usize {
    let e = Emulator::open(db).expect("open");
    run(&e.session(account), "show tables in account")
        .remove(0)
        .len()
}

#[test]
fn state_survives_reopening_and_is_shared_with_another_process() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("nested").join("emulator.db");
    {
        let e = Emulator::open(&db).expect("open creates folders and file");
        run(
            &e.session("bank"),
            "create database d; create table t (a int)",
        );
    }
    assert_eq!(table_count(&db, "bank"), 1);
    // Another process sees the table and adds one.
    let out = floe_sql(
        &db,
        "bank",
        "show tables in account; create table d.public.t2 (b varchar)",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    assert_eq!(json[0]["rows"].as_array().map(|r| r.len()), Some(1));
    assert_eq!(json[0]["columns"][1], "name");
    assert_eq!(table_count(&db, "bank"), 2);
    // Errors exit 1 with Snowflake's text.
    let out = floe_sql(&db, "bank", "create table d.public.t (a int)");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("002002 (42710): SQL compilation error:\nObject 'T' already exists.")
    );
    // Accounts are listed.
    let out = Command::new(FLOE)
        .args(["emulator", "accounts", "--db"])
        .arg(&db)
        .output()
        .expect("run floe");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "BANK\n");
    // The text table format aligns columns.
    let out = Command::new(FLOE)
        .args(["emulator", "sql", "--db"])
        .arg(&db)
        .args(["--account", "bank", "select current_account_name()"])
        .output()
        .expect("run floe");
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_file_of_another_layout_version_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    drop(Emulator::open(&db).expect("open"));
    let conn = rusqlite::Connection::open(&db).expect("sqlite");
    conn.execute(
        "UPDATE meta SET value = '999' WHERE key = 'schema_version'",
        [],
    )
    .expect("update");
    drop(conn);
    let err = Emulator::open(&db).err().expect("refused").to_string();
    assert!(
        err.contains("version 999") && err.contains("expects version 1"),
        "{err}"
    );
    let junk = dir.path().join("junk.db");
    std::fs::write(
        &junk,
        b"not a database at all, just text that is long enough",
    )
    .expect("write");
    assert!(Emulator::open(&junk).is_err());
}

#[test]
fn two_processes_writing_at_once_lose_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    run(
        &Emulator::open(&db).expect("open").session("bank"),
        "create database d",
    );
    let script = |prefix: &str| {
        (0..60)
            .map(|i| format!("create table d.public.{prefix}_{i} (a int)"))
            .collect::<Vec<_>>()
            .join(";\n")
    };
    let children: Vec<_> = ["a", "b"]
        .iter()
        .map(|p| {
            Command::new(FLOE)
                .args(["emulator", "sql", "--db"])
                .arg(&db)
                .args(["--account", "bank", "--format", "json", &script(p)])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn floe")
        })
        .collect();
    // This process writes too.
    let e = Emulator::open(&db).expect("open");
    run(&e.session("bank"), &script("c"));
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(table_count(&db, "bank"), 180);
}

#[test]
fn a_process_killed_mid_batch_leaves_a_consistent_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    run(
        &Emulator::open(&db).expect("open").session("bank"),
        "create database d",
    );
    let script = (0..20_000)
        .map(|i| format!("create table d.public.t_{i} (a int, b varchar comment 'row {i}')"))
        .collect::<Vec<_>>()
        .join(";");
    let mut child = Command::new(FLOE)
        .args(["emulator", "sql", "--db"])
        .arg(&db)
        .args(["--account", "bank", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn floe");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(script.as_bytes()).expect("write script");
    }
    // Wait until it has written something, then kill it with SIGKILL.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let n = table_count(&db, "bank");
        if n > 20 || std::time::Instant::now() > deadline {
            break;
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let conn = rusqlite::Connection::open(&db).expect("sqlite");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(check, "ok");
    drop(conn);
    let e = Emulator::open(&db).expect("reopen after kill");
    let s = e.session("bank");
    let tables = run(&s, "show tables in account").remove(0);
    let n = tables.len();
    assert!(n > 0 && n <= 20_000, "{n} tables");
    // Every committed table is whole: its columns are all there.
    for name in column(&tables, "name").into_iter().flatten().take(50) {
        let desc = run(&s, &format!("describe table d.public.{name}")).remove(0);
        assert_eq!(desc.len(), 2, "{name}");
    }
    // And the file keeps working.
    run(&s, "create table d.public.after_kill (a int)");
    assert_eq!(table_count(&db, "bank"), n + 1);
}
