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

use crate::runtime::session::BackendError;

/// Opens a session with the connection `connection_name` from connections.toml
/// (and its environment overrides).
pub fn connect(connection_name: &str) -> Result<SnowflakeSession, BackendError> {
    let config = config::load_connection(Some(connection_name))
        .map_err(|e| BackendError::Auth(e.to_string()))?;
    connect_with(config)
}

/// Opens a session with an explicit configuration.
pub fn connect_with(config: ConnectionConfig) -> Result<SnowflakeSession, BackendError> {
    SnowflakeSession::connect(config)
}
