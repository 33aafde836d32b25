//! Emulator performance: 10,000 CREATE TABLE statements (goal < 5 s) and
//! SHOW TABLES IN ACCOUNT over 10,000 tables (goal < 50 ms), on a file in the
//! temporary folder. Run with `cargo bench --bench emulator`; prints the figures.

use std::time::Instant;

use floe::emulator::Emulator;
use floe::runtime::session::SqlSession;

fn main() {
    let dir = std::env::temp_dir().join(format!("floe-emulator-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("bench.db");
    let emulator = match Emulator::open(&path) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot open {}: {e}", path.display());
            std::process::exit(1);
        }
    };
    let session = emulator.session("bench");
    let setup = session.execute_script("create database d; create schema d.s1; create schema d.s2");
    if let Err(e) = setup {
        eprintln!("setup failed: {e}");
        std::process::exit(1);
    }

    let n = 10_000;
    let started = Instant::now();
    for i in 0..n {
        let schema = if i % 2 == 0 { "S1" } else { "S2" };
        let sql = format!(
            "create table d.{schema}.table_{i:05} (id number(38,0) not null, name varchar(100), amount number(12,2), created timestamp_ntz, \"customer_ID\" varchar)"
        );
        if let Err(e) = session.execute(&sql) {
            eprintln!("statement {i} failed: {e}");
            std::process::exit(1);
        }
    }
    let create = started.elapsed();

    let mut best = std::time::Duration::MAX;
    let mut rows = 0;
    for _ in 0..5 {
        let t = Instant::now();
        match session.execute("show tables in account") {
            Ok(r) => rows = r.len(),
            Err(e) => {
                eprintln!("show failed: {e}");
                std::process::exit(1);
            }
        }
        best = best.min(t.elapsed());
    }
    let t = Instant::now();
    let paged = session
        .execute("show tables in account limit 10000 from 'TABLE_04999'")
        .map(|r| r.len())
        .unwrap_or(0);
    let paged_time = t.elapsed();

    println!("emulator bench ({n} tables, file {}):", path.display());
    println!(
        "  {n} x CREATE TABLE: {:.3} s ({:.0} us/statement; goal < 5 s) {}",
        create.as_secs_f64(),
        create.as_micros() as f64 / n as f64,
        if create.as_secs_f64() < 5.0 {
            "ok"
        } else {
            "SLOW"
        }
    );
    println!(
        "  SHOW TABLES IN ACCOUNT: {rows} rows in {:.1} ms (best of 5; goal < 50 ms) {}",
        best.as_secs_f64() * 1000.0,
        if best.as_secs_f64() < 0.05 {
            "ok"
        } else {
            "SLOW"
        }
    );
    println!(
        "  SHOW TABLES … LIMIT 10000 FROM 'TABLE_04999': {paged} rows in {:.1} ms",
        paged_time.as_secs_f64() * 1000.0
    );
    drop(session);
    drop(emulator);
    let _ = std::fs::remove_dir_all(&dir);
}
