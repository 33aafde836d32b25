//! `floe emulator …`: run SQL against the embedded emulator and list its accounts.

use std::process::ExitCode;

use anyhow::Context;

use super::{EmulatorDbArgs, EmulatorSqlArgs, TableFormat};
use crate::emulator::Emulator;
use crate::runtime::session::{BackendError, Rows};

pub fn sql(args: &EmulatorSqlArgs) -> anyhow::Result<ExitCode> {
    let emulator = Emulator::open(&args.db.db)
        .with_context(|| format!("opening emulator file {}", args.db.db.display()))?;
    let session = emulator.session(&args.account);
    // `-` reads the statements from standard input (for scripts too long for argv).
    let text = if args.sql == "-" {
        let mut buf = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut buf)
            .context("reading SQL from stdin")?;
        buf
    } else {
        args.sql.clone()
    };
    let mut results = Vec::new();
    let mut failure = None;
    match crate::emulator::split_script(&text) {
        Ok(statements) => {
            for statement in statements {
                match session.execute_script(&statement) {
                    Ok(mut rows) => results.append(&mut rows),
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
        }
        Err(e) => failure = Some(e),
    }
    match args.format {
        TableFormat::Table => {
            for rows in &results {
                println!("{}", render_table(rows));
            }
        }
        TableFormat::Json => {
            let list: Vec<serde_json::Value> = results.iter().map(to_json).collect();
            let value = if list.len() == 1 {
                list.into_iter().next().unwrap_or_default()
            } else {
                serde_json::Value::Array(list)
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&value).context("rendering JSON")?
            );
        }
    }
    match failure {
        None => Ok(ExitCode::SUCCESS),
        Some(e) => {
            eprintln!("{}", describe_error(&e));
            Ok(ExitCode::from(1))
        }
    }
}

fn describe_error(e: &BackendError) -> String {
    match e {
        BackendError::Sql {
            code,
            sqlstate,
            message,
            statement,
            ..
        } => {
            format!("error: {code} ({sqlstate}): {message}\n  in statement: {statement}")
        }
        other => format!("error: {other}"),
    }
}

pub fn accounts(args: &EmulatorDbArgs) -> anyhow::Result<ExitCode> {
    // Opening creates the file: listing a path that does not exist would print nothing.
    if !args.db.exists() {
        anyhow::bail!(
            "no emulator file at {}: a project's emulator is <project>/.floe/emulator.db \
             (for the example project: --db manifests/.floe/emulator.db)",
            args.db.display()
        );
    }
    let emulator = Emulator::open(&args.db)
        .with_context(|| format!("opening emulator file {}", args.db.display()))?;
    for account in emulator.accounts().context("listing accounts")? {
        println!("{account}");
    }
    Ok(ExitCode::SUCCESS)
}

fn to_json(rows: &Rows) -> serde_json::Value {
    serde_json::json!({
        "columns": rows.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        "rows": rows.rows,
    })
}

/// An aligned text table; NULL shown as `NULL`, multi-line values on one line.
pub fn render_table(rows: &Rows) -> String {
    let cells: Vec<Vec<String>> = rows
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| {
                    v.as_deref()
                        .map(|s| s.replace('\n', "\\n"))
                        .unwrap_or_else(|| "NULL".into())
                })
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = rows
        .columns
        .iter()
        .map(|c| c.name.chars().count())
        .collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |values: &[String]| -> String {
        let parts: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{v:<w$}", w = widths.get(i).copied().unwrap_or(0)))
            .collect();
        format!("| {} |", parts.join(" | "))
    };
    let sep = format!(
        "+{}+",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("+")
    );
    let mut out = vec![
        sep.clone(),
        line(
            &rows
                .columns
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>(),
        ),
        sep.clone(),
    ];
    for r in &cells {
        out.push(line(r));
    }
    out.push(sep);
    out.push(format!("{} row(s)", cells.len()));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_accounts_of_a_missing_file_is_an_error_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(".floe/emulator.db");
        let err = accounts(&EmulatorDbArgs { db: db.clone() }).unwrap_err();
        assert!(err.to_string().contains("no emulator file"), "{err}");
        assert!(!db.exists());
    }
}
