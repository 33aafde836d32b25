//! Load + validate a generated project of about 10,000 objects across two accounts.
//!
//! Run with `cargo bench --bench validate`. Prints the object count and the time of
//! each phase (median of several runs); the target is well under one second.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

const DATABASES: usize = 5;
const SCHEMAS: usize = 10;
const TABLES: usize = 80;
const STREAMS: usize = 10;
const TASKS: usize = 5;

fn write_project(root: &Path) {
    std::fs::write(
        root.join("floe.yaml"),
        "accounts:\n  bank: {}\n  partner: {}\nvariables:\n  bucket: bench-bucket\n",
    )
    .unwrap();
    for account in ["bank", "partner"] {
        let dir = root.join(account);
        std::fs::create_dir_all(&dir).unwrap();
        let mut wh = format!(
            "account: {account}\nwarehouses:\n  query_wh: {{ warehouse_size: x-small, auto_suspend: 60 }}\nroles:\n  reader: {{}}\ngrants:\n"
        );
        for d in 0..DATABASES {
            let _ = writeln!(
                wh,
                "  - {{ privilege: usage, on: {{ database: db_{d} }}, to_role: reader }}"
            );
        }
        std::fs::write(dir.join("account.yaml"), wh).unwrap();
        for d in 0..DATABASES {
            let mut y = format!("account: {account}\ndatabases:\n  db_{d}:\n    schemas:\n");
            for s in 0..SCHEMAS {
                let _ = writeln!(y, "      sch_{s}:");
                let _ = writeln!(
                    y,
                    "        file_formats:\n          pq: {{ type: parquet }}"
                );
                let _ = writeln!(y, "        stages:");
                for g in 0..2 {
                    let _ = writeln!(
                        y,
                        "          landing_{g}: {{ url: 's3://${{var.bucket}}/{d}/{s}/{g}/', file_format: pq }}"
                    );
                }
                let _ = writeln!(y, "        tables:");
                for t in 0..TABLES {
                    let _ = writeln!(
                        y,
                        "          t_{t}:\n            change_tracking: true\n            columns:\n              - {{ name: '\"id\"', type: number }}\n              - {{ name: name, type: varchar }}\n              - {{ name: amount, type: 'number(38,2)' }}\n              - {{ name: at, type: timestamp_ntz }}"
                    );
                }
                let _ = writeln!(y, "        streams:");
                for t in 0..STREAMS {
                    let _ = writeln!(y, "          st_{t}: {{ table: t_{t} }}");
                }
                let _ = writeln!(y, "        tasks:");
                for t in 0..TASKS {
                    if t == 0 {
                        let _ = writeln!(
                            y,
                            "          task_0: {{ warehouse: query_wh, schedule: 5 MINUTE, body: 'INSERT INTO t_1 SELECT * FROM t_0' }}"
                        );
                    } else {
                        let _ = writeln!(
                            y,
                            "          task_{t}: {{ warehouse: query_wh, after: [task_{}], body: 'COPY INTO t_2 FROM @landing_0' }}",
                            t - 1
                        );
                    }
                }
                let _ = writeln!(
                    y,
                    "        procedures:\n          p:\n            language: sql\n            arguments: [ {{ name: x, type: varchar }} ]\n            returns: varchar\n            body: BEGIN RETURN x; END"
                );
                let _ = writeln!(
                    y,
                    "          q:\n            language: sql\n            returns: number\n            body: BEGIN RETURN 1; END"
                );
            }
            std::fs::write(dir.join(format!("db_{d}.yaml")), y).unwrap();
        }
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    write_project(dir.path());
    println!("generated project in {:?}", started.elapsed());

    let runs = 5;
    let mut load_times = Vec::new();
    let mut graph_times = Vec::new();
    let mut objects = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let project = match floe::manifest::load(dir.path(), &[]) {
            Ok(p) => p,
            Err(d) => panic!("generated project does not validate:\n{d}"),
        };
        load_times.push(t.elapsed());
        objects = project.desired.len();
        let t = Instant::now();
        let graph = floe::graph::build_graph(&project.desired).expect("no cycles");
        let order = graph.topological_order();
        graph_times.push(t.elapsed());
        assert_eq!(order.len(), objects);
    }
    let load = median(load_times);
    let graph = median(graph_times);
    println!("objects: {objects}");
    println!("load + validate: {load:?} (median of {runs})");
    println!("build graph + order: {graph:?} (median of {runs})");
    println!(
        "total: {:?} — target < 1s: {}",
        load + graph,
        if load + graph < Duration::from_secs(1) {
            "ok"
        } else {
            "MISSED"
        }
    );
}
