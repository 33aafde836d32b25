//! The real Snowflake backend: a [`SqlSession`](crate::runtime::session::SqlSession)
//! over Snowflake's REST protocol, connections read like Snowflake's CLI reads them,
//! and key-pair / token / password authentication.
//!
//! `client` speaks the protocol, `config` reads `connections.toml` and the
//! environment, `auth` signs key-pair login tokens, `values` converts Snowflake's
//! JSON cell encodings, `secret` keeps credentials out of every printout.
//! ARCHITECTURE.md ("Snowflake backend") says why this is an in-house client.

pub mod auth;
pub mod client;
pub mod config;
pub mod secret;
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
