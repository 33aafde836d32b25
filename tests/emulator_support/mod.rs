//! Helpers for the emulator test suites: run statements and render a transcript
//! (timestamps redacted) that golden snapshots can hold.

#![allow(dead_code)]

use floe::emulator::{Emulator, EmulatorSession};
use floe::runtime::session::{BackendError, Rows, SqlSession};

pub fn emulator() -> Emulator {
    Emulator::open_in_memory().expect("in-memory emulator")
}

/// Renders rows as an aligned table; TIMESTAMP_LTZ values become `<ts>`.
pub fn table(rows: &Rows) -> String {
    let cells: Vec<Vec<String>> = rows
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(i, v)| {
                    let ty = rows
                        .columns
                        .get(i)
                        .map(|c| c.type_name.as_str())
                        .unwrap_or("");
                    let name = rows.columns.get(i).map(|c| c.name.as_str()).unwrap_or("");
                    match v {
                        None => "NULL".to_string(),
                        Some(_) if ty == "TIMESTAMP_LTZ" || name == "last_modified" => {
                            "<ts>".to_string()
                        }
                        Some(s) => s.replace('\n', "\\n"),
                    }
                })
                .collect()
        })
        .collect();
    let mut out = String::new();
    let header: Vec<String> = rows
        .columns
        .iter()
        .map(|c| format!("{}:{}", c.name, c.type_name))
        .collect();
    out.push_str(&header.join(" | "));
    out.push('\n');
    for r in cells {
        out.push_str(&r.join(" | "));
        out.push('\n');
    }
    out
}

pub fn error_text(e: &BackendError) -> String {
    match e {
        BackendError::Sql {
            code,
            sqlstate,
            message,
            ..
        } => format!("ERROR {code} ({sqlstate}): {message}"),
        other => format!("ERROR {other}"),
    }
}

/// Runs each statement and records `> statement` followed by its result or error.
pub fn transcript(session: &EmulatorSession, statements: &[&str]) -> String {
    let mut out = String::new();
    for s in statements {
        out.push_str("> ");
        out.push_str(s.trim());
        out.push('\n');
        match session.execute(s) {
            Ok(rows) => out.push_str(&table(&rows)),
            Err(e) => {
                out.push_str(&error_text(&e));
                out.push('\n');
            }
        }
        out.push('\n');
    }
    out
}

/// Runs statements that must succeed.
pub fn run(session: &EmulatorSession, sql: &str) -> Vec<Rows> {
    match session.execute_script(sql) {
        Ok(r) => r,
        Err(e) => panic!("statement failed: {}\n{sql}", error_text(&e)),
    }
}

/// Runs one statement that must fail; returns (code, message).
pub fn fails(session: &EmulatorSession, sql: &str) -> (String, String) {
    match session.execute(sql) {
        Ok(rows) => panic!("expected an error from {sql}, got {}", table(&rows)),
        Err(BackendError::Sql { code, message, .. }) => (code, message),
        Err(other) => panic!("unexpected error kind {other}"),
    }
}

/// The values of one column of a result.
pub fn column(rows: &Rows, name: &str) -> Vec<Option<String>> {
    let i = rows
        .column_index(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    rows.rows.iter().map(|r| r[i].clone()).collect()
}
