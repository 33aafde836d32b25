//! What `floe drift` reads that the emulator must answer as Snowflake does:
//! `SHOW PARAMETERS IN WAREHOUSE|TASK`, and streams going stale when their source
//! table is replaced.

mod emulator_support;

use emulator_support::*;
use floe::runtime::session::{Rows, SqlSession};

fn value(rows: &Rows, key: &str, column: &str) -> Option<String> {
    let k = rows.column_index("key").unwrap();
    let c = rows.column_index(column).unwrap();
    rows.rows
        .iter()
        .find(|r| r[k].as_deref() == Some(key))
        .and_then(|r| r[c].clone())
}

#[test]
fn show_parameters_in_warehouse_and_task() {
    let e = emulator();
    let s = e.session("bank");
    s.execute("create warehouse wh max_concurrency_level = 2")
        .unwrap();
    let rows = s.execute("show parameters in warehouse wh").unwrap();
    let names: Vec<&str> = rows.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["key", "value", "default", "level", "description", "type"]
    );
    assert_eq!(
        value(&rows, "MAX_CONCURRENCY_LEVEL", "value").as_deref(),
        Some("2")
    );
    assert_eq!(
        value(&rows, "MAX_CONCURRENCY_LEVEL", "default").as_deref(),
        Some("8")
    );
    assert_eq!(
        value(&rows, "MAX_CONCURRENCY_LEVEL", "level").as_deref(),
        Some("WAREHOUSE")
    );
    assert_eq!(
        value(&rows, "STATEMENT_TIMEOUT_IN_SECONDS", "level").as_deref(),
        Some("")
    );
    let like = s
        .execute("show parameters like 'statement%' in warehouse wh")
        .unwrap();
    assert_eq!(like.rows.len(), 2);
    let err = s.execute("show parameters in warehouse nope").unwrap_err();
    assert!(err.is_not_found(), "{err}");

    s.execute("create database d").unwrap();
    s.execute("create schema d.s").unwrap();
    s.execute("create task d.s.t user_task_managed_initial_warehouse_size = 'small' as select 1")
        .unwrap();
    let rows = s.execute("show parameters in task d.s.t").unwrap();
    assert_eq!(
        value(&rows, "USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE", "value").as_deref(),
        Some("SMALL")
    );
    assert_eq!(
        value(&rows, "SUSPEND_TASK_AFTER_NUM_FAILURES", "value").as_deref(),
        Some("10")
    );
}

#[test]
fn a_stream_goes_stale_when_its_table_is_replaced() {
    let e = emulator();
    let s = e.session("bank");
    for sql in [
        "create database d",
        "create schema d.s",
        "create table d.s.t (a int)",
        "create stream d.s.st on table d.s.t",
        "alter table d.s.t add column b int",
    ] {
        s.execute(sql).unwrap();
    }
    let stale = |s: &dyn SqlSession| {
        let rows = s.execute("show streams in schema d.s").unwrap();
        let i = rows.column_index("stale").unwrap();
        let r = rows.column_index("invalid_reason").unwrap();
        (
            rows.rows[0][i].clone().unwrap(),
            rows.rows[0][r].clone().unwrap(),
        )
    };
    assert_eq!(
        stale(&s),
        ("false".into(), "N/A".into()),
        "altering keeps it"
    );
    s.execute("create or replace table d.s.t (a int)").unwrap();
    assert_eq!(stale(&s).0, "true");
    s.execute("create or replace stream d.s.st on table d.s.t")
        .unwrap();
    assert_eq!(stale(&s).0, "false", "recreating the stream repairs it");
}
