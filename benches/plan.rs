//! Planning cost against the embedded emulator for 100, 1,000 and 10,000 existing
//! tables: the number of queries observing sends (it must stay flat) and the CPU time
//! of normalize + diff + plan (the goal: under 100 ms at 1,000 tables).
//!
//! Run with `cargo bench --bench plan`. Plain `std::time` timing; figures are printed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use floe::emulator::Emulator;
use floe::kinds::{self, Context};
use floe::model::*;
use floe::plan::plan;
use floe::runtime::SqlSession;
use floe::runtime::instrument::CountingSession;
use floe::runtime::observe::{Observed, Sessions, observe};

const DB: &str = "BENCH";
const SCHEMA: &str = "DATA";

fn table_id(i: usize) -> ObjectId {
    ObjectId::new(
        AccountName::new("bank"),
        ObjectKind::Table,
        ObjectName::in_schema(
            Ident::from_stored(DB),
            Ident::from_stored(SCHEMA),
            Ident::from_stored(format!("T{i:05}")),
        ),
    )
}

fn desired(n: usize) -> Catalog {
    let bank = AccountName::new("bank");
    let mut c = Catalog::new();
    c.insert(
        ObjectId::new(
            bank.clone(),
            ObjectKind::Database,
            ObjectName::account_level(Ident::from_stored(DB)),
        ),
        Spec::Database(DatabaseSpec::default()),
    );
    c.insert(
        ObjectId::new(
            bank,
            ObjectKind::Schema,
            ObjectName::in_database(Ident::from_stored(DB), Ident::from_stored(SCHEMA)),
        ),
        Spec::Schema(SchemaSpec::default()),
    );
    for i in 0..n {
        c.insert(
            table_id(i),
            Spec::Table(TableSpec {
                columns: vec![
                    ColumnSpec {
                        name: Ident::from_stored("ID"),
                        data_type: "NUMBER(38,0)".into(),
                        nullable: None,
                        default: None,
                        comment: None,
                    },
                    ColumnSpec {
                        name: Ident::from_stored("NAME"),
                        data_type: "VARCHAR".into(),
                        nullable: None,
                        default: None,
                        comment: None,
                    },
                ],
                ..TableSpec::default()
            }),
        );
    }
    c
}

fn seed(emulator: &Emulator, n: usize) {
    let bank = emulator.session("bank");
    let mut script = format!("CREATE DATABASE {DB}; CREATE SCHEMA {DB}.{SCHEMA};");
    for i in 0..n {
        script.push_str(&format!(
            " CREATE TABLE {DB}.{SCHEMA}.T{i:05} (ID NUMBER(38,0), NAME VARCHAR);"
        ));
    }
    if let Err(e) = bank.execute_script(&script) {
        panic!("seeding {n} tables failed: {e}");
    }
}

fn main() {
    println!(
        "tables | queries | observe (ms) | normalize (ms) | diff (ms) | plan (ms) | planning CPU total (ms) | steps"
    );
    println!(
        "------:|--------:|-------------:|---------------:|----------:|----------:|------------------------:|------:"
    );
    for n in [100usize, 1_000, 10_000] {
        let emulator = match Emulator::open_in_memory() {
            Ok(e) => e,
            Err(e) => panic!("emulator: {e}"),
        };
        seed(&emulator, n);
        let count = Arc::new(AtomicUsize::new(0));
        let mut sessions: Sessions = BTreeMap::new();
        for account in ["bank", "partner"] {
            let inner: Arc<dyn SqlSession> = Arc::new(emulator.session(account));
            sessions.insert(
                AccountName::new(account),
                Arc::new(CountingSession::new(inner, count.clone())),
            );
        }
        let desired = desired(n);
        let runs = if n >= 10_000 { 1 } else { 3 };
        let mut best_observe = Duration::MAX;
        let mut best_plan = Duration::MAX;
        let mut queries = 0;
        let mut steps = 0;
        let mut phases = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
        for _ in 0..runs {
            count.store(0, Ordering::SeqCst);
            let started = Instant::now();
            let observed = match observe(&sessions, &desired) {
                Ok(o) => o,
                Err(e) => panic!("observe: {e}"),
            };
            best_observe = best_observe.min(started.elapsed());
            queries = count.load(Ordering::SeqCst);

            let started = Instant::now();
            let ctx = Context::new(&desired, observed.account_identifiers.clone());
            let d = kinds::normalize_catalog(&desired, &ctx);
            let o = kinds::normalize_catalog(&observed.catalog, &ctx);
            let normalized = Instant::now();
            let changes = floe::diff::diff_normalized(&d, &o, &ctx);
            let diffed = Instant::now();
            let observed = Observed {
                catalog: o,
                ..Observed::default()
            };
            let p = plan(&d, &observed, changes);
            let planned = Instant::now();
            best_plan = best_plan.min(planned - started);
            phases = (normalized - started, diffed - normalized, planned - diffed);
            steps = match p {
                Ok(p) => p.steps.len(),
                Err(e) => panic!("plan: {e}"),
            };
        }
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{n:>6} | {queries:>7} | {:>12.1} | {:>14.1} | {:>9.1} | {:>9.1} | {:>23.1} | {steps:>5}",
            ms(best_observe),
            ms(phases.0),
            ms(phases.1),
            ms(phases.2),
            ms(best_plan)
        );
    }

    // Planning every table from nothing: the planner's own cost with many steps.
    println!();
    println!("tables to create | queries | planning CPU total (ms) | steps");
    println!("----------------:|--------:|------------------------:|------:");
    for n in [100usize, 1_000, 10_000] {
        let emulator = match Emulator::open_in_memory() {
            Ok(e) => e,
            Err(e) => panic!("emulator: {e}"),
        };
        let count = Arc::new(AtomicUsize::new(0));
        let mut sessions: Sessions = BTreeMap::new();
        for account in ["bank", "partner"] {
            let inner: Arc<dyn SqlSession> = Arc::new(emulator.session(account));
            sessions.insert(
                AccountName::new(account),
                Arc::new(CountingSession::new(inner, count.clone())),
            );
        }
        let desired = desired(n);
        let observed = match observe(&sessions, &desired) {
            Ok(o) => o,
            Err(e) => panic!("observe: {e}"),
        };
        let started = Instant::now();
        let ctx = Context::new(&desired, observed.account_identifiers.clone());
        let d = kinds::normalize_catalog(&desired, &ctx);
        let o = kinds::normalize_catalog(&observed.catalog, &ctx);
        let changes = floe::diff::diff_normalized(&d, &o, &ctx);
        let observed = Observed {
            catalog: o,
            ..Observed::default()
        };
        let steps = match plan(&d, &observed, changes) {
            Ok(p) => p.steps.len(),
            Err(e) => panic!("plan: {e}"),
        };
        println!(
            "{n:>16} | {:>7} | {:>23.1} | {steps:>5}",
            count.load(Ordering::SeqCst),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
}
