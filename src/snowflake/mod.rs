//! The real Snowflake backend: a [`SqlSession`](crate::runtime::session::SqlSession)
//! over Snowflake's REST protocol, connections read like Snowflake's CLI reads them,
//! and key-pair / token / password authentication.
//!
//! `client` speaks the protocol, `config` reads `connections.toml` and the
//! environment, `auth` signs key-pair login tokens, `values` converts Snowflake's
//! JSON cell encodings, `secret` keeps credentials out of every printout, `transfer`
//! uploads the files of a PUT to the stage's storage (AWS S3 internal stages).
//! ARCHITECTURE.md ("Snowflake backend") says why this is an in-house client.
//!
//! # Using it
//!
//! A target in `floe.yaml` maps each project account to a connection name:
//!
//! ```yaml
//! targets:
//!   prod:
//!     bank: { connection: bank }
//!     partner: { connection: partner }
//! ```
//!
//! Connections live in `~/.snowflake/connections.toml` (or `$SNOWFLAKE_HOME/`), one
//! table each:
//!
//! ```toml
//! default_connection_name = "bank"
//!
//! [bank]                       # password
//! account = "myorg-bank"       # orgname-accountname
//! user = "FLOE_CI"
//! password = "…"
//! role = "FLOE_DEPLOYER"
//! warehouse = "FLOE_WH"
//!
//! [partner]                    # key pair (PKCS#8, optionally encrypted)
//! account = "myorg-partner"
//! user = "FLOE_CI"
//! authenticator = "SNOWFLAKE_JWT"
//! private_key_file = "~/.snowflake/floe_ci.p8"
//! # passphrase: private_key_file_pwd, or the PRIVATE_KEY_PASSPHRASE variable
//!
//! [ci]                         # programmatic access token
//! account = "myorg-bank"
//! user = "FLOE_CI"
//! authenticator = "PROGRAMMATIC_ACCESS_TOKEN"
//! token_file_path = "/run/secrets/snowflake_pat"   # or token = "…"
//! ```
//!
//! Every key can come from the environment instead: `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>`
//! (e.g. `SNOWFLAKE_CONNECTIONS_BANK_PASSWORD`), and `SNOWFLAKE_<KEY>` for the default
//! connection — a CI job needs no file at all. `host`/`port`/`protocol` or floe's
//! `base_url` point a connection elsewhere (private endpoints; `floe emulator serve`).
//! `login_timeout` and `network_timeout` (seconds) bound the connect and each request.
//!
//! The role needs, on each account: CREATE DATABASE, CREATE SHARE, CREATE LISTING and
//! EXECUTE TASK on the account (ACCOUNTADMIN has them), and a warehouse for tasks,
//! procedures and model deployment. `floe doctor --target prod` logs into every
//! account, prints the account identifier, role, warehouse and these privileges, and
//! stops with the `GRANT` that fixes the first gap.

pub mod auth;
pub mod client;
pub mod config;
pub mod secret;
pub mod transfer;
pub mod values;

pub use client::{SessionInfo, SnowflakeSession};
pub use config::{Auth, ClientOptions, ConfigError, ConnectionConfig, Environment};
pub use secret::Secret;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::AccountName;
use crate::runtime::session::{BackendError, SqlSession};

/// Opens a session with the connection `connection_name` from connections.toml
/// (and its environment overrides).
pub fn connect(connection_name: &str) -> Result<SnowflakeSession, BackendError> {
    connect_in(connection_name, &Environment::from_process())
}

/// [`connect`] with an explicit environment (variables and home folder).
pub fn connect_in(
    connection_name: &str,
    env: &Environment,
) -> Result<SnowflakeSession, BackendError> {
    let config = config::load_connection_in(Some(connection_name), env)
        .map_err(|e| BackendError::Auth(e.to_string()))?;
    connect_with(config)
}

/// Opens a session with an explicit configuration.
pub fn connect_with(config: ConnectionConfig) -> Result<SnowflakeSession, BackendError> {
    SnowflakeSession::connect(config)
}

/// Opens one session per project account of a Snowflake target (account →
/// connection name), in account order; the first failure names its account.
pub fn connect_all(
    connections: &BTreeMap<AccountName, String>,
) -> Result<BTreeMap<AccountName, Arc<dyn SqlSession>>, BackendError> {
    connect_all_in(connections, &Environment::from_process())
}

/// [`connect_all`] with an explicit environment.
pub fn connect_all_in(
    connections: &BTreeMap<AccountName, String>,
    env: &Environment,
) -> Result<BTreeMap<AccountName, Arc<dyn SqlSession>>, BackendError> {
    let mut sessions: BTreeMap<AccountName, Arc<dyn SqlSession>> = BTreeMap::new();
    for (account, connection) in connections {
        let session =
            connect_in(connection, env).map_err(|error| in_account(account, connection, error))?;
        sessions.insert(account.clone(), Arc::new(session));
    }
    Ok(sessions)
}

/// Prefixes a connection failure with the project account and connection it is for.
fn in_account(account: &AccountName, connection: &str, error: BackendError) -> BackendError {
    let context = format!("account `{account}` (connection `{connection}`)");
    match error {
        BackendError::Auth(m) => BackendError::Auth(format!("{context}: {m}")),
        BackendError::Network(m) => BackendError::Network(format!("{context}: {m}")),
        BackendError::Timeout(m) => BackendError::Timeout(format!("{context}: {m}")),
        BackendError::Protocol(m) => BackendError::Protocol(format!("{context}: {m}")),
        sql @ BackendError::Sql { .. } => sql,
    }
}
