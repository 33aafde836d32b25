//! Connection settings read exactly the way Snowflake's CLI (`snow`) reads them.
//!
//! The definitions come from `connections.toml`, `config.toml` or the
//! `SNOWFLAKE_CONNECTIONS` variable ([`super::connection_files`] says which, and
//! refuses files other users may read). A connection must be defined there; the
//! environment then fills it in, in this order of precedence:
//!
//! 1. `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>` (the connection's name upper-cased as
//!    written), over
//! 2. the connection's own table, over
//! 3. `SNOWFLAKE_<KEY>`, which fills a key the connection leaves unset — in every
//!    connection, not only the default one.
//!
//! `PRIVATE_KEY_PASSPHRASE` wins over `private_key_file_pwd`. A key pair comes from a
//! file (`private_key_file`, alias `private_key_path`) or from the PEM text itself
//! (`private_key_raw`), and needs `authenticator = "SNOWFLAKE_JWT"`.
//!
//! Secrets (password, token, key passphrase, raw key) are [`Secret`]s from the moment
//! they are read, so no `Debug` of a config or error can show them. Every value
//! remembers its [`Origin`], which `floe doctor` prints.

use std::collections::BTreeMap;
use std::fmt;
#[cfg(test)]
use std::path::Path;
use std::path::PathBuf;
use std::time::Duration;

use super::connection_files::{Table, read_definitions};
use super::secret::Secret;

/// Keys floe understands in a connection (as in Snowflake's CLI, plus `base_url`,
/// `login_timeout` and `network_timeout`).
pub const KNOWN_KEYS: &[&str] = &[
    "account",
    "user",
    "password",
    "authenticator",
    "private_key_file",
    "private_key_path",
    "private_key_raw",
    "private_key_file_pwd",
    "private_key_passphrase",
    "token",
    "token_file_path",
    "role",
    "warehouse",
    "database",
    "schema",
    "host",
    "port",
    "protocol",
    "base_url",
    "login_timeout",
    "network_timeout",
];

/// The keys a generic `SNOWFLAKE_<KEY>` variable may fill in (those of Snowflake's
/// CLI that floe uses).
pub const GENERIC_KEYS: &[&str] = &[
    "account",
    "user",
    "password",
    "host",
    "port",
    "protocol",
    "authenticator",
    "private_key_file",
    "private_key_path",
    "private_key_raw",
    "database",
    "schema",
    "role",
    "warehouse",
    "token",
    "token_file_path",
];

/// Other names for a key, as Snowflake's CLI accepts them.
const ALIASES: &[(&str, &str)] = &[
    ("private_key_path", "private_key_file"),
    ("private_key_file_pwd", "private_key_passphrase"),
];

/// Where an RSA private key comes from.
#[derive(Clone, PartialEq, Eq, Debug)]
enum KeySource {
    /// `private_key_file`: a PEM file.
    File(PathBuf),
    /// `private_key_raw`: the PEM text itself.
    Raw(Secret),
}

/// How the client proves who it is.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Auth {
    /// `authenticator = snowflake` (the default).
    Password(Secret),
    /// `authenticator = SNOWFLAKE_JWT` with `private_key_file`: an RSA key in PKCS#8
    /// PEM (optionally encrypted) or PKCS#1 PEM.
    KeyPair {
        private_key_file: PathBuf,
        passphrase: Option<Secret>,
    },
    /// `authenticator = SNOWFLAKE_JWT` with `private_key_raw`: the same key given
    /// as PEM text (a CI secret, say) rather than a file.
    KeyPairRaw {
        private_key: Secret,
        passphrase: Option<Secret>,
    },
    /// `authenticator = PROGRAMMATIC_ACCESS_TOKEN`.
    ProgrammaticAccessToken(Secret),
}

impl Auth {
    /// The authenticator's name, as written in a connection.
    pub fn authenticator(&self) -> &'static str {
        match self {
            Auth::Password(_) => "snowflake",
            Auth::KeyPair { .. } | Auth::KeyPairRaw { .. } => "SNOWFLAKE_JWT",
            Auth::ProgrammaticAccessToken(_) => "PROGRAMMATIC_ACCESS_TOKEN",
        }
    }
}

/// Timeouts and retries of the HTTP client.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ClientOptions {
    /// Time to open a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// Time for one whole HTTP exchange (login, one statement, one chunk).
    pub request_timeout: Duration,
    /// Retries of a transient failure (connection refused, 429, 502-504) before giving up.
    pub max_retries: u32,
    /// First backoff; doubles on each retry.
    pub retry_backoff: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(300),
            max_retries: 3,
            retry_backoff: Duration::from_millis(250),
        }
    }
}

/// Everything needed to open a session with one account.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ConnectionConfig {
    /// The connection's name (for messages).
    pub name: String,
    /// Account identifier, `orgname-accountname` (or a legacy locator).
    pub account: String,
    pub user: String,
    pub auth: Auth,
    pub role: Option<String>,
    pub warehouse: Option<String>,
    pub database: Option<String>,
    pub schema: Option<String>,
    /// Where the REST API lives; default `https://<account>.snowflakecomputing.com`.
    pub base_url: Option<String>,
    pub options: ClientOptions,
}

impl ConnectionConfig {
    /// A password connection with default options (mostly for tests and tools).
    pub fn password(account: &str, user: &str, password: impl Into<Secret>) -> Self {
        ConnectionConfig {
            name: account.to_string(),
            account: account.to_string(),
            user: user.to_string(),
            auth: Auth::Password(password.into()),
            role: None,
            warehouse: None,
            database: None,
            schema: None,
            base_url: None,
            options: ClientOptions::default(),
        }
    }

    /// The REST API's base URL, without a trailing slash.
    pub fn resolved_base_url(&self) -> String {
        match &self.base_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("https://{}", default_host(&self.account)),
        }
    }

    /// The secrets this connection holds, for redacting messages.
    pub fn secrets(&self) -> Vec<&Secret> {
        match &self.auth {
            Auth::Password(secret) | Auth::ProgrammaticAccessToken(secret) => vec![secret],
            Auth::KeyPair { passphrase, .. } => passphrase.iter().collect(),
            Auth::KeyPairRaw {
                private_key,
                passphrase,
            } => std::iter::once(private_key).chain(passphrase).collect(),
        }
    }
}

/// `<account>.snowflakecomputing.com`, with Snowflake's host rules: lower case and
/// underscores as hyphens.
pub fn default_host(account: &str) -> String {
    format!(
        "{}.snowflakecomputing.com",
        account.to_ascii_lowercase().replace('_', "-")
    )
}

/// Where one value of a connection came from.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub enum Origin {
    /// A file: `connections.toml`, or `config.toml`'s `[connections.*]`.
    File(PathBuf),
    /// The `SNOWFLAKE_CONNECTIONS` variable (a TOML document of connections).
    ConnectionsVariable,
    /// An environment variable: `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>`,
    /// `SNOWFLAKE_<KEY>`, `PRIVATE_KEY_PASSPHRASE`, `SNOWFLAKE_DEFAULT_CONNECTION_NAME`.
    Variable(String),
    /// Set nowhere: the default (or, for the host, made from the account).
    #[default]
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::ConnectionsVariable => f.write_str("SNOWFLAKE_CONNECTIONS"),
            Origin::Variable(name) => f.write_str(name),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A connection as resolved: the configuration, where each key's value came from,
/// and the warnings met on the way (entries Snowflake's CLI ignores too).
#[derive(Clone, Debug)]
pub struct Resolved {
    pub config: ConnectionConfig,
    /// Key (after aliases) → where its value came from.
    pub origins: BTreeMap<String, Origin>,
    pub warnings: Vec<String>,
}

impl Resolved {
    /// Where `key`'s value came from ([`Origin::Default`] when it is not set).
    pub fn origin(&self, key: &str) -> Origin {
        self.origins.get(key).cloned().unwrap_or(Origin::Default)
    }

    /// Where the host came from: `base_url` or `host`, else the account.
    pub fn host_origin(&self) -> Origin {
        ["base_url", "host"]
            .iter()
            .find_map(|key| self.origins.get(*key).cloned())
            .unwrap_or(Origin::Default)
    }
}

/// Why a connection could not be read.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path} is not valid TOML: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}:{line}:{column}: not valid TOML: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path} is {what} by other users (mode {mode:04o}) and may hold credentials; floe refuses it, as Snowflake's CLI does. Fix: chmod 0600 \"{path}\""
    )]
    Permissions {
        path: PathBuf,
        mode: u32,
        what: String,
    },
    #[error("no connection named `{name}` (looked in {searched}; known: {known}){hint}")]
    UnknownConnection {
        name: String,
        searched: String,
        known: String,
        hint: String,
    },
    #[error("connection `{connection}`: `{key}` is required")]
    Missing { connection: String, key: String },
    #[error("connection `{connection}`: `{key}` {message}")]
    Invalid {
        connection: String,
        key: String,
        message: String,
    },
    #[error(
        "connection `{connection}`: authenticator `{authenticator}` is not supported (use snowflake, SNOWFLAKE_JWT or PROGRAMMATIC_ACCESS_TOKEN)"
    )]
    UnsupportedAuthenticator {
        connection: String,
        authenticator: String,
    },
}

/// The environment a connection is resolved in: variables and the home folder.
/// Tests build one by hand; [`Environment::from_process`] reads the real one.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
}

impl Environment {
    pub fn from_process() -> Self {
        Environment {
            vars: std::env::vars().collect(),
            home: std::env::var_os("HOME").map(PathBuf::from),
        }
    }

    pub fn new(vars: impl IntoIterator<Item = (String, String)>, home: Option<PathBuf>) -> Self {
        Environment {
            vars: vars.into_iter().collect(),
            home,
        }
    }

    /// A variable's value, when set and not empty.
    pub(crate) fn var(&self, name: &str) -> Option<&str> {
        self.raw_var(name).filter(|v| !v.is_empty())
    }

    /// A variable's value when set, even empty.
    pub(crate) fn raw_var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    pub(crate) fn home(&self) -> Option<&PathBuf> {
        self.home.as_ref()
    }

    /// `~/…` relative to the home folder.
    pub(crate) fn expand_home(&self, path: &str) -> PathBuf {
        match (path.strip_prefix("~/"), self.home.as_ref()) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(path),
        }
    }

    /// The folder holding connections.toml and config.toml.
    pub fn config_dir(&self) -> Option<PathBuf> {
        super::connection_files::config_dir(self)
    }
}

/// Reads the connection `name` (or the default connection) in the process environment.
pub fn load_connection(name: Option<&str>) -> Result<ConnectionConfig, ConfigError> {
    load_connection_in(name, &Environment::from_process())
}

/// Reads the connection `name` (or the default connection) in `env`.
pub fn load_connection_in(
    name: Option<&str>,
    env: &Environment,
) -> Result<ConnectionConfig, ConfigError> {
    resolve_connection_in(name, env).map(|resolved| resolved.config)
}

/// Reads the connection `name` (or the default connection) in `env`, with the
/// origin of every value.
pub fn resolve_connection_in(
    name: Option<&str>,
    env: &Environment,
) -> Result<Resolved, ConfigError> {
    let definitions = read_definitions(env)?;
    let name = name.unwrap_or(&definitions.default_name.0).to_string();
    let prefix = format!("SNOWFLAKE_CONNECTIONS_{}_", name.to_uppercase());
    let Some(table) = definitions.connections.get(&name) else {
        let overrides = env.vars.keys().any(|k| k.starts_with(&prefix));
        return Err(ConfigError::UnknownConnection {
            hint: if overrides {
                format!(
                    ". {prefix}* variables only override a connection defined in a file: add an empty `[{name}]` table to connections.toml"
                )
            } else {
                String::new()
            },
            name,
            searched: definitions.searched,
            known: if definitions.connections.is_empty() {
                "none".to_string()
            } else {
                definitions
                    .connections
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        });
    };

    let file_origin = definitions.origin.clone().unwrap_or(Origin::Default);
    let mut collected = Collected::default();
    // The file's table, with the canonical key winning over its alias.
    for (key, value) in table.iter().filter(|(k, _)| is_alias(k)) {
        collected.set(key, value, file_origin.clone());
    }
    for (key, value) in table.iter().filter(|(k, _)| !is_alias(k)) {
        collected.set(key, value, file_origin.clone());
    }
    // SNOWFLAKE_CONNECTIONS_<NAME>_<KEY> over the file, even when empty.
    for (var, value) in env.vars.iter().filter(|(k, _)| k.starts_with(&prefix)) {
        let key = var[prefix.len()..].to_ascii_lowercase();
        collected.set(&key, value, Origin::Variable(var.clone()));
    }
    // SNOWFLAKE_<KEY> under both, only where the key is still unset.
    for key in GENERIC_KEYS {
        let var = format!("SNOWFLAKE_{}", key.to_ascii_uppercase());
        if !collected.values.contains_key(canonical(key))
            && let Some(value) = env.var(&var)
        {
            collected.set(key, value, Origin::Variable(var));
        }
    }
    if let Some(passphrase) = env.raw_var("PRIVATE_KEY_PASSPHRASE") {
        collected.set(
            "private_key_passphrase",
            passphrase,
            Origin::Variable("PRIVATE_KEY_PASSPHRASE".to_string()),
        );
    }
    let Collected { values, origins } = collected;
    let config = build(&name, values, env)?;
    Ok(Resolved {
        config,
        origins,
        warnings: definitions.warnings,
    })
}

/// A connection's values by canonical key, with their origins.
#[derive(Default)]
struct Collected {
    values: Table,
    origins: BTreeMap<String, Origin>,
}

impl Collected {
    fn set(&mut self, key: &str, value: &str, origin: Origin) {
        let key = canonical(key);
        self.values.insert(key.to_string(), value.to_string());
        self.origins.insert(key.to_string(), origin);
    }
}

/// The key an alias stands for (the key itself when it is none).
fn canonical(key: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == key)
        .map_or(key, |(_, canonical)| canonical)
}

fn is_alias(key: &str) -> bool {
    canonical(key) != key
}

fn build(name: &str, mut v: Table, env: &Environment) -> Result<ConnectionConfig, ConfigError> {
    // An empty value (an override set to "") means "not set".
    v.retain(|_, value| !value.is_empty());
    let missing = |key: &str| ConfigError::Missing {
        connection: name.to_string(),
        key: key.to_string(),
    };
    let account = v.remove("account").ok_or_else(|| missing("account"))?;
    let user = v.remove("user").ok_or_else(|| missing("user"))?;
    let key = match (v.remove("private_key_file"), v.remove("private_key_raw")) {
        (Some(file), _) => Some(KeySource::File(env.expand_home(&file))),
        (None, Some(pem)) => Some(KeySource::Raw(Secret::new(pem))),
        (None, None) => None,
    };
    let authenticator = v
        .remove("authenticator")
        .unwrap_or_else(|| "snowflake".to_string());
    let auth = match authenticator.to_ascii_lowercase().as_str() {
        "snowflake_jwt" => {
            let passphrase = v.remove("private_key_passphrase").map(Secret::new);
            match key.ok_or_else(|| missing("private_key_file` (or `private_key_raw"))? {
                KeySource::File(private_key_file) => Auth::KeyPair {
                    private_key_file,
                    passphrase,
                },
                KeySource::Raw(private_key) => Auth::KeyPairRaw {
                    private_key,
                    passphrase,
                },
            }
        }
        _ if key.is_some() => {
            return Err(ConfigError::Invalid {
                connection: name.to_string(),
                key: "authenticator".to_string(),
                message: format!(
                    "is `{authenticator}`, but a private key is set: key-pair authentication needs authenticator = \"SNOWFLAKE_JWT\""
                ),
            });
        }
        "snowflake" => Auth::Password(Secret::new(
            v.remove("password").ok_or_else(|| missing("password"))?,
        )),
        "programmatic_access_token" => {
            let token = match (v.remove("token"), v.remove("token_file_path")) {
                (Some(token), _) => token,
                (None, Some(path)) => {
                    let path = env.expand_home(&path);
                    std::fs::read_to_string(&path)
                        .map_err(|e| ConfigError::Read {
                            path: path.clone(),
                            message: e.to_string(),
                        })?
                        .trim()
                        .to_string()
                }
                (None, None) => return Err(missing("token")),
            };
            Auth::ProgrammaticAccessToken(Secret::new(token))
        }
        _ => {
            return Err(ConfigError::UnsupportedAuthenticator {
                connection: name.to_string(),
                authenticator,
            });
        }
    };

    let mut options = ClientOptions::default();
    if let Some(t) = v.remove("login_timeout") {
        options.connect_timeout = seconds(name, "login_timeout", &t)?;
    }
    if let Some(t) = v.remove("network_timeout") {
        options.request_timeout = seconds(name, "network_timeout", &t)?;
    }
    let base_url = match (v.remove("base_url"), v.remove("host")) {
        (Some(url), _) => Some(url),
        (None, Some(host)) => {
            let protocol = v.remove("protocol").unwrap_or_else(|| "https".to_string());
            Some(match v.remove("port") {
                Some(port) => format!("{protocol}://{host}:{port}"),
                None => format!("{protocol}://{host}"),
            })
        }
        (None, None) => None,
    };
    if let Some(url) = &base_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(ConfigError::Invalid {
            connection: name.to_string(),
            key: "base_url".to_string(),
            message: format!("must start with https:// or http:// (got `{url}`)"),
        });
    }
    Ok(ConnectionConfig {
        name: name.to_string(),
        account,
        user,
        auth,
        role: v.remove("role"),
        warehouse: v.remove("warehouse"),
        database: v.remove("database"),
        schema: v.remove("schema"),
        base_url,
        options,
    })
}

fn seconds(connection: &str, key: &str, value: &str) -> Result<Duration, ConfigError> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|s| *s > 0)
        .map(Duration::from_secs)
        .ok_or_else(|| ConfigError::Invalid {
            connection: connection.to_string(),
            key: key.to_string(),
            message: format!("must be a positive number of seconds (got `{value}`)"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(pairs: &[(&str, &str)]) -> Table {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn build_reads_each_authenticator_and_hides_its_secrets() {
        let env = Environment::new([], Some(PathBuf::from("/home/u")));
        let base = [("account", "a"), ("user", "u")];
        let password = build(
            "pw",
            table(&[base[0], base[1], ("password", "SENTINEL-1")]),
            &env,
        )
        .unwrap();
        assert_eq!(password.auth, Auth::Password(Secret::new("SENTINEL-1")));
        let key = build(
            "key",
            table(&[
                base[0],
                base[1],
                ("authenticator", "snowflake_jwt"),
                ("private_key_file", "~/k.p8"),
                ("private_key_passphrase", "SENTINEL-2"),
            ]),
            &env,
        )
        .unwrap();
        assert!(matches!(
            key.auth,
            Auth::KeyPair { ref private_key_file, .. } if private_key_file == Path::new("/home/u/k.p8")
        ));
        let pat = build(
            "pat",
            table(&[
                base[0],
                base[1],
                ("authenticator", "PROGRAMMATIC_ACCESS_TOKEN"),
                ("token", "SENTINEL-3"),
                ("network_timeout", "30"),
            ]),
            &env,
        )
        .unwrap();
        assert_eq!(pat.options.request_timeout, Duration::from_secs(30));
        for config in [password, key, pat] {
            let text = format!("{config:?}");
            assert!(!text.contains("SENTINEL"), "{text}");
        }
    }

    #[test]
    fn empty_values_are_unset_and_errors_name_the_key() {
        let env = Environment::default();
        let config = build(
            "x",
            table(&[
                ("account", "a"),
                ("user", "u"),
                ("password", "p"),
                ("role", ""),
            ]),
            &env,
        )
        .unwrap();
        assert_eq!(config.role, None);
        let err = build("x", table(&[("account", "a")]), &env).unwrap_err();
        assert_eq!(err.to_string(), "connection `x`: `user` is required");
        let err = build(
            "x",
            table(&[
                ("account", "a"),
                ("user", "u"),
                ("authenticator", "externalbrowser"),
            ]),
            &env,
        )
        .unwrap_err();
        assert!(err.to_string().contains("externalbrowser"), "{err}");
    }

    #[test]
    fn origins_print_as_the_file_or_variable() {
        assert_eq!(
            Origin::File(PathBuf::from("/h/c.toml")).to_string(),
            "/h/c.toml"
        );
        assert_eq!(
            Origin::Variable("SNOWFLAKE_ROLE".to_string()).to_string(),
            "SNOWFLAKE_ROLE"
        );
        assert_eq!(Origin::Default.to_string(), "default");
    }
}
