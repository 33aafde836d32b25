//! A Snowflake target end to end: connections.toml entries whose base_url points
//! at the wire server, opened for every project account.

use std::collections::BTreeMap;
use std::sync::Arc;

use floe::model::AccountName;
use floe::runtime::session::{BackendError, Column, Rows, SqlSession};
use floe::snowflake::{self, Environment};
use floe::wire::{self, ServerOptions, SessionFactory};

struct WhoAmI(String);

impl SqlSession for WhoAmI {
    fn execute(&self, _sql: &str) -> Result<Rows, BackendError> {
        Ok(Rows {
            columns: vec![Column {
                name: "CURRENT_ACCOUNT_NAME()".to_string(),
                type_name: "TEXT".to_string(),
            }],
            rows: vec![vec![Some(self.0.clone())]],
        })
    }
}

#[test]
fn every_account_of_a_target_gets_its_connection() {
    let factory: SessionFactory =
        Arc::new(|account: &str| Ok(Box::new(WhoAmI(account.to_string())) as Box<dyn SqlSession>));
    let server = wire::serve_with(factory, ServerOptions::default()).unwrap();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("connections.toml"),
        format!(
            "[bank_ci]\naccount = \"myorg-bank\"\nuser = \"floe\"\npassword = \"pw\"\nbase_url = \"{url}\"\n\n[partner_ci]\naccount = \"myorg-partner\"\nuser = \"floe\"\npassword = \"pw\"\nbase_url = \"{url}\"\n",
            url = server.base_url()
        ),
    )
    .unwrap();
    let env = Environment::new(
        [(
            "SNOWFLAKE_HOME".to_string(),
            home.path().to_string_lossy().into_owned(),
        )],
        None,
    );
    let connections = BTreeMap::from([
        (AccountName::new("bank"), "bank_ci".to_string()),
        (AccountName::new("partner"), "partner_ci".to_string()),
    ]);
    let sessions = snowflake::connect_all_in(&connections, &env).unwrap();
    let who = |account: &str| {
        sessions[&AccountName::new(account)]
            .execute("SELECT CURRENT_ACCOUNT_NAME()")
            .unwrap()
            .rows[0][0]
            .clone()
    };
    assert_eq!(who("bank").as_deref(), Some("MYORG-BANK"));
    assert_eq!(who("partner").as_deref(), Some("MYORG-PARTNER"));

    let broken = BTreeMap::from([(AccountName::new("partner"), "missing".to_string())]);
    let Err(err) = snowflake::connect_all_in(&broken, &env) else {
        panic!("a missing connection must fail");
    };
    let text = err.to_string();
    assert!(
        text.contains("account `partner` (connection `missing`)"),
        "{text}"
    );
    assert!(text.contains("no connection named `missing`"), "{text}");
}
