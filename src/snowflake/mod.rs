//! The real Snowflake backend: a [`SqlSession`](crate::runtime::session::SqlSession)
//! over Snowflake's REST protocol, connections read like Snowflake's CLI reads them,
//! and key-pair / token / password authentication.
//!
//! `client` speaks the protocol, `config` resolves a connection from its definition
//! (`connection_files`: connections.toml, config.toml) and the environment, `auth`
//! signs key-pair login tokens, `values` converts Snowflake's JSON cell encodings,
//! `secret` keeps credentials out of every printout, `transfer` uploads the files of
//! a PUT to the stage's storage (AWS S3 internal stages).
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
//! table each, readable by their owner only (`chmod 0600`):
//!
//! ```toml
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
//! private_key_file = "~/.snowflake/floe_ci.p8"   # or private_key_raw = "-----BEGIN …"
//! # passphrase: PRIVATE_KEY_PASSPHRASE, or private_key_file_pwd
//!
//! [ci]                         # programmatic access token
//! account = "myorg-bank"
//! user = "FLOE_CI"
//! authenticator = "PROGRAMMATIC_ACCESS_TOKEN"
//! token_file_path = "/run/secrets/snowflake_pat"   # or token = "…"
//! ```
//!
//! The rules are Snowflake's CLI's ([`config`] lists them): a connection must be
//! defined in a file (an empty `[bank]` table is enough);
//! `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>` overrides its keys, and `SNOWFLAKE_<KEY>`
//! fills the keys it leaves unset, in every connection. `host`/`port`/`protocol` or
//! floe's `base_url` point a connection elsewhere (private endpoints; `floe emulator
//! serve`). `login_timeout` and `network_timeout` (seconds) bound the connect and
//! each request.
//!
//! The role needs, on each account: CREATE DATABASE, CREATE SHARE, CREATE LISTING and
//! EXECUTE TASK on the account (ACCOUNTADMIN has them), and a warehouse for tasks,
//! procedures and model deployment. `floe doctor --target prod` logs into every
//! account, prints the account identifier, role, warehouse and these privileges, and
//! stops with the `GRANT` that fixes the first gap.

pub mod auth;
pub mod client;
pub mod config;
pub mod connection_files;
pub mod secret;
pub mod transfer;
pub mod values;

pub use client::{SessionInfo, SnowflakeSession};
pub use config::{
    Auth, ClientOptions, ConfigError, ConnectionConfig, Environment, Origin, Resolved,
};
pub use secret::Secret;

use std::collections::{BTreeMap, BTreeSet};
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
    connect_warning_once(connection_name, env, &mut BTreeSet::new())
}

/// [`connect_in`], printing only the warnings not in `warned` yet (connections of
/// one target come from the same files, so their warnings repeat).
fn connect_warning_once(
    connection_name: &str,
    env: &Environment,
    warned: &mut BTreeSet<String>,
) -> Result<SnowflakeSession, BackendError> {
    let resolved = config::resolve_connection_in(Some(connection_name), env)
        .map_err(|e| BackendError::Auth(e.to_string()))?;
    // What Snowflake's CLI warns about and ignores (a `default_connection_name` in
    // connections.toml, config.toml connections shadowed by connections.toml).
    for warning in resolved.warnings {
        if !warned.contains(&warning) {
            eprintln!("warning: {warning}");
            warned.insert(warning);
        }
    }
    connect_with(resolved.config)
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
    let mut warned = BTreeSet::new();
    for (account, connection) in connections {
        let session = connect_warning_once(connection, env, &mut warned)
            .map_err(|error| in_account(account, connection, error))?;
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
