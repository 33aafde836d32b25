//! The emulator served over the wire and read back with floe's Snowflake backend:
//! every answer must be the one the emulator gives in process — same columns,
//! same types, same values (timestamps included), same errors.

use std::sync::Arc;
use std::time::Duration;

use floe::emulator::Emulator;
use floe::runtime::session::{BackendError, SqlSession};
use floe::snowflake::{self, ConnectionConfig, SnowflakeSession};
use floe::wire::{self, ServerHandle, ServerOptions, SessionFactory};

fn serve(emulator: &Emulator, chunk_rows: usize) -> ServerHandle {
    let emulator = emulator.clone();
    let factory: SessionFactory = Arc::new(move |account: &str| {
        Ok(Box::new(emulator.session(account)) as Box<dyn SqlSession>)
    });
    wire::serve_with(
        factory,
        ServerOptions {
            chunk_rows,
            ..ServerOptions::default()
        },
    )
    .expect("server starts")
}

fn connect(server: &ServerHandle, account: &str) -> SnowflakeSession {
    let mut config = ConnectionConfig::password(account, "floe", "pw");
    config.base_url = Some(server.base_url());
    config.options.request_timeout = Duration::from_secs(60);
    snowflake::connect_with(config).expect("login")
}

fn sql_parts(error: BackendError) -> (String, String, String) {
    match error {
        BackendError::Sql {
            code,
            sqlstate,
            message,
            ..
        } => (code, sqlstate, message),
        other => panic!("expected an SQL error, got {other}"),
    }
}

#[test]
fn answers_over_the_wire_equal_answers_in_process() {
    let emulator = Emulator::open_in_memory().unwrap();
    let server = serve(&emulator, 10_000);
    let remote = connect(&server, "bank");
    let local = emulator.session("bank");

    for ddl in [
        "CREATE ROLE ANALYST COMMENT = 'reads things'",
        "CREATE WAREHOUSE QUERY_WH WAREHOUSE_SIZE = XSMALL AUTO_SUSPEND = 60",
        "CREATE DATABASE SALES COMMENT = 'it''s sales'",
        "CREATE SCHEMA SALES.RAW",
        "CREATE TABLE SALES.RAW.ORDERS (\"order_ID\" NUMBER(38,0), PLACED DATE, NOTE VARCHAR) CHANGE_TRACKING = TRUE",
        "GRANT USAGE ON DATABASE SALES TO ROLE ANALYST",
        "CREATE SHARE SALES_SHARE",
        "GRANT USAGE ON DATABASE SALES TO SHARE SALES_SHARE",
    ] {
        let rows = remote.execute(ddl).unwrap_or_else(|e| panic!("{ddl}: {e}"));
        assert_eq!(rows.columns.len(), 1, "{ddl}: one status column");
        assert_eq!(rows.columns[0].name, "status", "{ddl}");
    }

    // Creating a warehouse, database or schema makes it current in that session:
    // give the in-process session the same context.
    local.execute("USE WAREHOUSE QUERY_WH").unwrap();
    local.execute("USE SCHEMA SALES.RAW").unwrap();
    for read in [
        "SELECT CURRENT_ORGANIZATION_NAME(), CURRENT_ACCOUNT_NAME()",
        "SHOW ROLES",
        "SHOW WAREHOUSES",
        "SHOW DATABASES",
        "SHOW SCHEMAS IN DATABASE SALES",
        "SHOW TABLES IN ACCOUNT",
        "DESCRIBE TABLE SALES.RAW.ORDERS",
        "SHOW GRANTS TO ROLE ANALYST",
        "SHOW SHARES",
        "SHOW SCHEMAS IN DATABASE SALES LIMIT 1 FROM 'NOPE'",
    ] {
        let over_wire = remote
            .execute(read)
            .unwrap_or_else(|e| panic!("{read}: {e}"));
        let in_process = local
            .execute(read)
            .unwrap_or_else(|e| panic!("{read}: {e}"));
        assert_eq!(over_wire, in_process, "{read}");
    }

    for bad in [
        "DESCRIBE TABLE SALES.RAW.MISSING",
        "CREATE DATABASE SALES",
        "SHOW TABLES IN SCHEMA NOWHERE.NOTHING",
        "THIS IS NOT SQL",
    ] {
        let over_wire = remote.execute(bad).unwrap_err();
        let in_process = local.execute(bad).unwrap_err();
        assert_eq!(sql_parts(over_wire), sql_parts(in_process), "{bad}");
    }
}

#[test]
fn accounts_are_picked_at_login_and_stay_apart() {
    let emulator = Emulator::open_in_memory().unwrap();
    let server = serve(&emulator, 10_000);
    let bank = connect(&server, "bank");
    let partner = connect(&server, "partner");
    bank.execute("CREATE DATABASE ONLY_IN_BANK").unwrap();
    let names = |s: &SnowflakeSession| -> Vec<String> {
        s.execute("SHOW DATABASES")
            .unwrap()
            .iter()
            .filter_map(|r| r.get("name").map(str::to_string))
            .collect()
    };
    assert!(names(&bank).contains(&"ONLY_IN_BANK".to_string()));
    assert!(!names(&partner).contains(&"ONLY_IN_BANK".to_string()));
    let who = partner.execute("SELECT CURRENT_ACCOUNT_NAME()").unwrap();
    assert_eq!(who.rows[0][0].as_deref(), Some("PARTNER"));
}

#[test]
fn paging_over_25000_show_rows() {
    let emulator = Emulator::open_in_memory().unwrap();
    let local = emulator.session("bank");
    for i in 0..25_000 {
        local
            .execute(&format!("CREATE ROLE R_{i:05}"))
            .expect("create role");
    }
    let server = serve(&emulator, 3_000);
    let remote = connect(&server, "bank");

    // Page the way the observer does: LIMIT 10000 FROM '<last name>'.
    let mut names: Vec<String> = Vec::new();
    let mut pages = 0;
    loop {
        let sql = match names.last() {
            None => "SHOW ROLES LIKE 'R%' LIMIT 10000".to_string(),
            Some(last) => format!(
                "SHOW ROLES LIKE 'R%' LIMIT 10000 FROM {}",
                floe::sql::literal(last)
            ),
        };
        let rows = remote
            .execute(&sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        pages += 1;
        let count = rows.len();
        names.extend(
            rows.iter()
                .filter_map(|r| r.get("name").map(str::to_string)),
        );
        if count < 10_000 {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 25_000);
    assert_eq!(names.first().map(String::as_str), Some("R_00000"));
    assert_eq!(names.last().map(String::as_str), Some("R_24999"));
    assert!(names.windows(2).all(|w| w[0] < w[1]));
}
