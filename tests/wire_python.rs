//! Snowflake's official Python connector (`snowflake-connector-python`) against
//! floe's wire server. Skipped, with the reason printed, where the connector is
//! not installed (`.ci/run` installs it).

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use floe::runtime::session::{BackendError, Column, Rows, SqlSession};
use floe::wire::{self, ServerOptions, SessionFactory};

fn python_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python")
}

/// Why the Python tests cannot run here, if they cannot.
fn skip_reason() -> Option<String> {
    match Command::new("python3")
        .args(["-c", "import snowflake.connector"])
        .output()
    {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!(
            "snowflake-connector-python is not installed ({}); `pip install 'snowflake-connector-python<5'`",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("import failed")
        )),
        Err(e) => Some(format!("python3 is not available: {e}")),
    }
}

fn run_script(script: &str, args: &[String]) {
    let out = Command::new("python3")
        .arg(python_dir().join(script))
        .args(args)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
}

struct Scripted;

fn column(name: &str, type_name: &str) -> Column {
    Column {
        name: name.to_string(),
        type_name: type_name.to_string(),
    }
}

impl SqlSession for Scripted {
    fn execute(&self, sql: &str) -> Result<Rows, BackendError> {
        let some = |s: &str| Some(s.to_string());
        match sql.trim() {
            "SELECT CURRENT_ACCOUNT_NAME()" => Ok(Rows {
                columns: vec![column("CURRENT_ACCOUNT_NAME()", "TEXT")],
                rows: vec![vec![some("BANK")]],
            }),
            "SELECT TYPED" => Ok(Rows {
                columns: vec![
                    column("N", "FIXED"),
                    column("D", "DATE"),
                    column("CREATED_ON", "TIMESTAMP_LTZ"),
                    column("FLAG", "BOOLEAN"),
                    column("LABEL", "TEXT"),
                ],
                rows: vec![vec![
                    some("42"),
                    some("2026-11-26"),
                    some("2026-11-26 10:00:00.123 +0000"),
                    some("true"),
                    None,
                ]],
            }),
            "SHOW DATABASES" => Ok(Rows {
                columns: vec![
                    column("created_on", "TIMESTAMP_LTZ"),
                    column("name", "TEXT"),
                ],
                rows: (0..25_000)
                    .map(|i| {
                        vec![
                            some("2026-11-26 10:00:00.000 +0000"),
                            Some(format!("DB_{i:05}")),
                        ]
                    })
                    .collect(),
            }),
            _ => Err(BackendError::Sql {
                code: "002003".to_string(),
                sqlstate: "42S02".to_string(),
                message:
                    "SQL compilation error:\nObject 'MISSING' does not exist or not authorized."
                        .to_string(),
                query_id: None,
                statement: sql.to_string(),
            }),
        }
    }
}

#[test]
fn python_connector_speaks_the_protocol() {
    if let Some(reason) = skip_reason() {
        println!("skipped: {reason}");
        return;
    }
    let factory: SessionFactory =
        Arc::new(|_account: &str| Ok(Box::new(Scripted) as Box<dyn SqlSession>));
    let server = wire::serve_with(
        factory,
        ServerOptions {
            chunk_rows: 3_000,
            ..ServerOptions::default()
        },
    )
    .unwrap();
    run_script(
        "protocol_check.py",
        &["--port".to_string(), server.addr().port().to_string()],
    );
}

/// Kills the served emulator when the test ends, however it ends.
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn python_smoke_against_floe_emulator_serve() {
    if let Some(reason) = skip_reason() {
        println!("skipped: {reason}");
        return;
    }
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_floe"))
        .args(["emulator", "serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("emulator.db"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("floe emulator serve starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let served = Served(child);
    let mut reader = std::io::BufReader::new(stdout);
    let mut first = String::new();
    reader
        .read_line(&mut first)
        .expect("the address is printed");
    // Keep draining what the server prints.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let port = first
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    // Strict: every kind must be supported by the emulator, not only reported.
    let args = [
        "--port".to_string(),
        port.to_string(),
        "--workdir".to_string(),
        dir.path().to_string_lossy().into_owned(),
        "--strict".to_string(),
    ];
    run_script("smoke.py", &args);
    drop(served);
}
