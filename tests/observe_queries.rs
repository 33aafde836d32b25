//! Observing reads state with a fixed number of bulk queries, whatever the number of
//! tables, pages large SHOW results, and treats "does not exist" as "nothing there".

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use floe::model::*;
use floe::runtime::observe::{Sessions, observe};
use floe::runtime::session::{BackendError, Column, Rows, SqlSession};

/// A session answering from canned result sets and counting statements.
struct FakeAccount {
    org_account: (String, String),
    tables: Vec<String>,
    statements: AtomicUsize,
    log: Mutex<Vec<String>>,
    fail_on: Option<&'static str>,
}

fn rows(columns: &[&str], data: Vec<Vec<Option<String>>>) -> Rows {
    Rows {
        columns: columns
            .iter()
            .map(|c| Column {
                name: c.to_string(),
                type_name: "TEXT".into(),
            })
            .collect(),
        rows: data,
    }
}

impl FakeAccount {
    fn new(account: &str, tables: usize) -> FakeAccount {
        FakeAccount {
            org_account: ("LOCALORG".into(), account.into()),
            tables: (0..tables).map(|i| format!("T{i:05}")).collect(),
            statements: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
            fail_on: None,
        }
    }

    fn show_tables(&self, from: Option<&str>) -> Rows {
        let data = self
            .tables
            .iter()
            .filter(|t| from.is_none_or(|f| t.as_str() > f))
            .take(10_000)
            .map(|t| {
                [
                    "t",
                    t.as_str(),
                    "DB",
                    "S",
                    "TABLE",
                    "",
                    "",
                    "0",
                    "0",
                    "SYSADMIN",
                    "1",
                    "ON",
                ]
                .iter()
                .map(|v| Some(v.to_string()))
                .collect()
            })
            .collect();
        rows(
            &[
                "created_on",
                "name",
                "database_name",
                "schema_name",
                "kind",
                "comment",
                "cluster_by",
                "rows",
                "bytes",
                "owner",
                "retention_time",
                "change_tracking",
            ],
            data,
        )
    }

    fn columns(&self) -> Rows {
        let data = self
            .tables
            .iter()
            .map(|t| {
                vec![
                    Some("S".into()),
                    Some(t.clone()),
                    Some("ID".into()),
                    Some("1".into()),
                    None,
                    Some("YES".into()),
                    Some("NUMBER".into()),
                    None,
                    Some("38".into()),
                    Some("0".into()),
                    None,
                    None,
                ]
            })
            .collect();
        rows(
            &[
                "TABLE_SCHEMA",
                "TABLE_NAME",
                "COLUMN_NAME",
                "ORDINAL_POSITION",
                "COLUMN_DEFAULT",
                "IS_NULLABLE",
                "DATA_TYPE",
                "CHARACTER_MAXIMUM_LENGTH",
                "NUMERIC_PRECISION",
                "NUMERIC_SCALE",
                "DATETIME_PRECISION",
                "COMMENT",
            ],
            data,
        )
    }
}

impl SqlSession for FakeAccount {
    fn execute(&self, sql: &str) -> Result<Rows, BackendError> {
        self.statements.fetch_add(1, Ordering::SeqCst);
        self.log.lock().unwrap().push(sql.to_string());
        if self.fail_on.is_some_and(|f| sql.starts_with(f)) {
            return Err(BackendError::Sql {
                code: "003001".into(),
                sqlstate: "42501".into(),
                message: "SQL access control error:\nInsufficient privileges".into(),
                query_id: None,
                statement: sql.into(),
            });
        }
        if sql.starts_with("SELECT CURRENT_ORGANIZATION_NAME()") {
            let (org, acct) = &self.org_account;
            return Ok(rows(
                &["CURRENT_ORGANIZATION_NAME()", "CURRENT_ACCOUNT_NAME()"],
                vec![vec![Some(org.clone()), Some(acct.clone())]],
            ));
        }
        if let Some(rest) = sql.strip_prefix("SHOW TABLES IN ACCOUNT") {
            let from = rest
                .split("FROM '")
                .nth(1)
                .map(|s| s.trim_end_matches('\''));
            return Ok(self.show_tables(from));
        }
        if sql.contains("INFORMATION_SCHEMA.COLUMNS") {
            return Ok(self.columns());
        }
        if sql.starts_with("SHOW DATABASES") {
            return Ok(rows(
                &["name", "origin", "kind"],
                vec![vec![
                    Some("DB".into()),
                    Some(String::new()),
                    Some("STANDARD".into()),
                ]],
            ));
        }
        if sql.starts_with("SHOW GRANTS TO SHARE") {
            return Err(BackendError::Sql {
                code: "002003".into(),
                sqlstate: "02000".into(),
                message: "SQL compilation error:\nShare 'S' does not exist or not authorized."
                    .into(),
                query_id: None,
                statement: sql.into(),
            });
        }
        Ok(Rows::default())
    }
}

fn desired(tables: usize) -> Catalog {
    let bank = AccountName::new("bank");
    let mut c = Catalog::new();
    let db = Ident::parse("db").unwrap();
    let s = Ident::parse("s").unwrap();
    c.insert(
        ObjectId::new(
            bank.clone(),
            ObjectKind::Database,
            ObjectName::account_level(db.clone()),
        ),
        Spec::Database(DatabaseSpec::default()),
    );
    c.insert(
        ObjectId::new(
            bank.clone(),
            ObjectKind::Schema,
            ObjectName::in_database(db.clone(), s.clone()),
        ),
        Spec::Schema(SchemaSpec::default()),
    );
    c.insert(
        ObjectId::new(
            bank.clone(),
            ObjectKind::Share,
            ObjectName::account_level(Ident::parse("s").unwrap()),
        ),
        Spec::Share(ShareSpec::default()),
    );
    for i in 0..tables {
        c.insert(
            ObjectId::new(
                bank.clone(),
                ObjectKind::Table,
                ObjectName::in_schema(
                    db.clone(),
                    s.clone(),
                    Ident::from_stored(format!("T{i:05}")),
                ),
            ),
            Spec::Table(TableSpec::default()),
        );
    }
    c
}

fn observe_with(tables: usize) -> (floe::runtime::observe::Observed, Arc<FakeAccount>) {
    observe_desired(&desired(tables), tables)
}

/// Observes `desired` in one fake account holding `tables` tables.
fn observe_desired(
    desired: &Catalog,
    tables: usize,
) -> (floe::runtime::observe::Observed, Arc<FakeAccount>) {
    let fake = Arc::new(FakeAccount::new("BANK", tables));
    let mut sessions: Sessions = BTreeMap::new();
    sessions.insert(AccountName::new("bank"), fake.clone());
    let observed = observe(&sessions, desired).unwrap();
    (observed, fake)
}

#[test]
fn query_count_does_not_grow_with_tables() {
    let (small, small_fake) = observe_with(10);
    let (large, large_fake) = observe_with(1_000);
    assert_eq!(small.catalog.of_kind(ObjectKind::Table).count(), 10);
    assert_eq!(large.catalog.of_kind(ObjectKind::Table).count(), 1_000);
    assert_eq!(
        small.queries,
        large.queries,
        "{:?}",
        large_fake.log.lock().unwrap()
    );
    assert_eq!(small.queries, small_fake.statements.load(Ordering::SeqCst));
    assert_eq!(large.queries, large_fake.statements.load(Ordering::SeqCst));
    assert!(small.queries <= 16, "{}", small.queries);
    // Columns came from the one INFORMATION_SCHEMA query.
    let any_table = large.catalog.of_kind(ObjectKind::Table).next().unwrap().1;
    let Spec::Table(t) = any_table else { panic!() };
    assert_eq!(t.columns[0].data_type, "NUMBER(38,0)");
    assert_eq!(
        large
            .account_identifiers
            .get(&AccountName::new("bank"))
            .map(String::as_str),
        Some("LOCALORG.BANK")
    );
}

#[test]
fn full_show_pages_are_followed() {
    let (observed, fake) = observe_with(10_001);
    assert_eq!(observed.catalog.of_kind(ObjectKind::Table).count(), 10_001);
    let log = fake.log.lock().unwrap();
    assert!(
        log.iter()
            .any(|s| s == "SHOW TABLES IN ACCOUNT LIMIT 10000 FROM 'T09999'"),
        "{log:?}"
    );
}

#[test]
fn both_accounts_are_observed_and_errors_name_the_account() {
    let mut sessions: Sessions = BTreeMap::new();
    sessions.insert(
        AccountName::new("bank"),
        Arc::new(FakeAccount::new("BANK", 3)),
    );
    sessions.insert(
        AccountName::new("partner"),
        Arc::new(FakeAccount::new("PARTNER", 0)),
    );
    let observed = observe(&sessions, &desired(3)).unwrap();
    assert_eq!(observed.account_identifiers.len(), 2);
    assert_eq!(
        observed.account_identifiers[&AccountName::new("partner")],
        "LOCALORG.PARTNER"
    );
    let mut failing = FakeAccount::new("PARTNER", 0);
    failing.fail_on = Some("SELECT CURRENT_ORGANIZATION_NAME()");
    sessions.insert(AccountName::new("partner"), Arc::new(failing));
    let err = observe(&sessions, &desired(3)).unwrap_err();
    assert_eq!(err.account, AccountName::new("partner"));
    assert!(err.to_string().contains("003001"), "{err}");
}

/// `desired(tables)` plus `roles` roles and `warehouses` warehouses that declare
/// `max_concurrency_level` (a parameter SHOW WAREHOUSES does not return).
fn with_roles_and_warehouses(tables: usize, roles: usize, warehouses: usize) -> Catalog {
    let bank = AccountName::new("bank");
    let mut c = desired(tables);
    for i in 0..roles {
        c.insert(
            ObjectId::new(
                bank.clone(),
                ObjectKind::Role,
                ObjectName::account_level(Ident::from_stored(format!("R{i}"))),
            ),
            Spec::Role(RoleSpec::default()),
        );
    }
    for i in 0..warehouses {
        c.insert(
            ObjectId::new(
                bank.clone(),
                ObjectKind::Warehouse,
                ObjectName::account_level(Ident::from_stored(format!("W{i}"))),
            ),
            Spec::Warehouse(WarehouseSpec {
                max_concurrency_level: Some(2),
                ..WarehouseSpec::default()
            }),
        );
    }
    c
}

fn count(desired: &Catalog, tables: usize) -> (usize, Vec<String>) {
    let (observed, fake) = observe_desired(desired, tables);
    let log = fake.log.lock().unwrap().clone();
    (observed.queries, log)
}

/// Per account: a fixed number of statements (identity, one SHOW per kind, one
/// INFORMATION_SCHEMA.COLUMNS per managed database, one per managed share …), plus
/// `SHOW ROLES` once and one `SHOW GRANTS TO ROLE` per declared role, plus
/// `SHOW WAREHOUSES` once and one `SHOW PARAMETERS IN WAREHOUSE` per warehouse that
/// declares a parameter. Never one per table.
#[test]
fn query_count_is_fixed_plus_one_per_role_and_per_parameter_warehouse() {
    let (base, _) = count(&desired(10), 10);
    for (tables, roles, warehouses) in [(10, 1, 1), (10, 3, 2), (1_000, 3, 2)] {
        let (n, log) = count(
            &with_roles_and_warehouses(tables, roles, warehouses),
            tables,
        );
        assert_eq!(n, base + 1 + roles + 1 + warehouses, "{log:?}");
        assert_eq!(
            log.iter()
                .filter(|s| s.starts_with("SHOW GRANTS TO ROLE"))
                .count(),
            roles
        );
        assert_eq!(
            log.iter()
                .filter(|s| s.starts_with("SHOW PARAMETERS IN WAREHOUSE"))
                .count(),
            warehouses
        );
    }
}
