//! The Snowflake backend against a real account. Runs only when
//! `FLOE_LIVE_CONNECTION` names a connection in connections.toml (or the
//! environment); otherwise it prints why it was skipped. It creates a scratch
//! database, reads it back the way the observer does, and drops it.

use floe::model::Ident;
use floe::runtime::session::SqlSession;
use floe::snowflake;

#[test]
fn live_account_round_trip() {
    let Ok(connection) = std::env::var("FLOE_LIVE_CONNECTION") else {
        println!("skipped: set FLOE_LIVE_CONNECTION to a connection name to run against Snowflake");
        return;
    };
    let session = snowflake::connect(&connection).expect("login");
    let context = session
        .execute("SELECT CURRENT_ORGANIZATION_NAME(), CURRENT_ACCOUNT_NAME()")
        .expect("context functions");
    assert_eq!(context.rows.len(), 1);
    println!("connected to {:?}", context.rows[0]);

    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let scratch = Ident::from_stored(format!("FLOE_LIVE_{nanos}"));
    session
        .execute(&format!(
            "CREATE DATABASE {} COMMENT = {}",
            scratch.sql(),
            floe::sql::literal("floe live test, safe to drop")
        ))
        .expect("create scratch database");
    let result = (|| {
        let rows = session.execute(&format!(
            "SHOW DATABASES LIKE {}",
            floe::sql::literal(scratch.as_str())
        ))?;
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows.iter().next().and_then(|r| r.get("name")),
            Some(scratch.as_str())
        );
        let err = session
            .execute(&format!("DESCRIBE TABLE {}.PUBLIC.MISSING", scratch.sql()))
            .unwrap_err();
        assert!(err.is_not_found(), "{err}");
        Ok::<_, floe::runtime::session::BackendError>(())
    })();
    session
        .execute(&format!("DROP DATABASE {}", scratch.sql()))
        .expect("drop scratch database");
    result.expect("live checks");
    session.close().expect("logout");
}
