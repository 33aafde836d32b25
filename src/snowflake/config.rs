//! Connection settings the way Snowflake's own tools keep them.
//!
//! `connections.toml` lives in `$SNOWFLAKE_HOME` when that is set, else in
//! `~/.snowflake/` (or `~/.config/snowflake/` when only that exists). Each top-level
//! table is one connection; `default_connection_name` (there, in `config.toml`, or
//! `SNOWFLAKE_DEFAULT_CONNECTION_NAME`) names the default. Environment variables
//! override the file: `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>` for any connection and
//! `SNOWFLAKE_<KEY>` for the default one. A connection may live in the environment
//! alone (CI), with no file at all.
//!
//! Secrets (password, token, key passphrase) are [`Secret`]s from the moment they
//! are read, so no `Debug` of a config or error can show them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::secret::Secret;

/// Keys floe understands in a connection (as in Snowflake's CLI, plus `base_url`).
pub const KNOWN_KEYS: &[&str] = &[
    "account",
    "user",
    "password",
    "authenticator",
    "private_key_file",
    "private_key_path",
    "private_key_file_pwd",
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

/// How the client proves who it is.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Auth {
    /// `authenticator = snowflake` (the default).
    Password(Secret),
    /// `authenticator = SNOWFLAKE_JWT`: an RSA key in PKCS#8 PEM (optionally
    /// encrypted) or PKCS#1 PEM.
    KeyPair {
        private_key_file: PathBuf,
        passphrase: Option<Secret>,
    },
    /// `authenticator = PROGRAMMATIC_ACCESS_TOKEN`.
    ProgrammaticAccessToken(Secret),
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

/// Why a connection could not be read.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path} is not valid TOML: {message}")]
    Parse { path: PathBuf, message: String },
    #[error(
        "no connection named `{name}` (looked in {searched} and in SNOWFLAKE_CONNECTIONS_{env_name}_* variables; known: {known})"
    )]
    UnknownConnection {
        name: String,
        env_name: String,
        searched: String,
        known: String,
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

    fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The folder holding connections.toml and config.toml.
    pub fn config_dir(&self) -> Option<PathBuf> {
        if let Some(dir) = self.var("SNOWFLAKE_HOME") {
            return Some(PathBuf::from(dir));
        }
        let home = self.home.as_ref()?;
        let dot = home.join(".snowflake");
        let xdg = home.join(".config").join("snowflake");
        if !dot.exists() && xdg.exists() {
            Some(xdg)
        } else {
            Some(dot)
        }
    }
}

type Table = BTreeMap<String, String>;

/// Reads the connection `name` (or the default connection) in the process environment.
pub fn load_connection(name: Option<&str>) -> Result<ConnectionConfig, ConfigError> {
    load_connection_in(name, &Environment::from_process())
}

/// Reads the connection `name` (or the default connection) in `env`.
pub fn load_connection_in(
    name: Option<&str>,
    env: &Environment,
) -> Result<ConnectionConfig, ConfigError> {
    let dir = env.config_dir();
    let connections_path = dir.as_ref().map(|d| d.join("connections.toml"));
    let config_path = dir.as_ref().map(|d| d.join("config.toml"));

    let mut files: BTreeMap<String, Table> = BTreeMap::new();
    let mut default_name = None;
    // config.toml first: connections.toml wins where both define something.
    if let Some(path) = config_path.as_deref()
        && let Some(doc) = read_toml(path)?
    {
        if let Some(toml::Value::String(n)) = doc.get("default_connection_name") {
            default_name = Some(n.clone());
        }
        if let Some(toml::Value::Table(conns)) = doc.get("connections") {
            collect_tables(conns, path, &mut files)?;
        }
    }
    if let Some(path) = connections_path.as_deref()
        && let Some(doc) = read_toml(path)?
    {
        if let Some(toml::Value::String(n)) = doc.get("default_connection_name") {
            default_name = Some(n.clone());
        }
        collect_tables(&doc, path, &mut files)?;
    }
    if let Some(n) = env.var("SNOWFLAKE_DEFAULT_CONNECTION_NAME") {
        default_name = Some(n.to_string());
    }
    let default_name = default_name.unwrap_or_else(|| "default".to_string());
    let name = name.unwrap_or(&default_name).to_string();
    let is_default = name == default_name;

    let env_name = env_key(&name);
    let mut values = files.get(&name).cloned().unwrap_or_default();
    let mut from_env = false;
    for key in KNOWN_KEYS {
        let upper = key.to_ascii_uppercase();
        if is_default && let Some(v) = env.var(&format!("SNOWFLAKE_{upper}")) {
            values.insert(key.to_string(), v.to_string());
            from_env = true;
        }
        if let Some(v) = env.var(&format!("SNOWFLAKE_CONNECTIONS_{env_name}_{upper}")) {
            values.insert(key.to_string(), v.to_string());
            from_env = true;
        }
    }
    if !files.contains_key(&name) && !from_env {
        return Err(ConfigError::UnknownConnection {
            name,
            env_name,
            searched: connections_path
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "no config folder (HOME unset)".to_string()),
            known: if files.is_empty() {
                "none".to_string()
            } else {
                files.keys().cloned().collect::<Vec<_>>().join(", ")
            },
        });
    }
    build(&name, values, env)
}

/// `SNOWFLAKE_CONNECTIONS_<NAME>_…`: the name upper-cased, other characters as `_`.
fn env_key(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn read_toml(path: &Path) -> Result<Option<toml::Table>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                message: e.to_string(),
            });
        }
    };
    text.parse::<toml::Table>()
        .map(Some)
        .map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            // toml's message quotes the offending line, which may hold a password:
            // keep only its first line (the position and the kind of error).
            message: e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string(),
        })
}

fn collect_tables(
    doc: &toml::Table,
    path: &Path,
    out: &mut BTreeMap<String, Table>,
) -> Result<(), ConfigError> {
    for (name, value) in doc {
        let toml::Value::Table(table) = value else {
            continue;
        };
        let mut values = Table::new();
        for (key, value) in table {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Float(f) => f.to_string(),
                _ => {
                    return Err(ConfigError::Parse {
                        path: path.to_path_buf(),
                        message: format!("connection `{name}`: `{key}` must be a plain value"),
                    });
                }
            };
            values.insert(key.to_ascii_lowercase(), text);
        }
        out.insert(name.clone(), values);
    }
    Ok(())
}

fn build(name: &str, mut v: Table, env: &Environment) -> Result<ConnectionConfig, ConfigError> {
    let missing = |key: &str| ConfigError::Missing {
        connection: name.to_string(),
        key: key.to_string(),
    };
    let account = v.remove("account").ok_or_else(|| missing("account"))?;
    let user = v.remove("user").ok_or_else(|| missing("user"))?;
    let key_file = v
        .remove("private_key_file")
        .or_else(|| v.remove("private_key_path"));
    let authenticator = v.remove("authenticator").unwrap_or_else(|| {
        if key_file.is_some() && !v.contains_key("password") {
            "snowflake_jwt".to_string()
        } else {
            "snowflake".to_string()
        }
    });
    let auth = match authenticator.to_ascii_lowercase().as_str() {
        "snowflake" => Auth::Password(Secret::new(
            v.remove("password").ok_or_else(|| missing("password"))?,
        )),
        "snowflake_jwt" => {
            let file = key_file.ok_or_else(|| missing("private_key_file"))?;
            let passphrase = v
                .remove("private_key_file_pwd")
                .or_else(|| env.var("PRIVATE_KEY_PASSPHRASE").map(str::to_string))
                .map(Secret::new);
            Auth::KeyPair {
                private_key_file: expand_home(&file, env),
                passphrase,
            }
        }
        "programmatic_access_token" => {
            let token = match (v.remove("token"), v.remove("token_file_path")) {
                (Some(token), _) => token,
                (None, Some(path)) => {
                    let path = expand_home(&path, env);
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

fn expand_home(path: &str, env: &Environment) -> PathBuf {
    match (path.strip_prefix("~/"), env.home.as_ref()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with(dir: &Path, vars: &[(&str, &str)]) -> Environment {
        let mut all: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        all.push((
            "SNOWFLAKE_HOME".to_string(),
            dir.to_string_lossy().into_owned(),
        ));
        Environment::new(all, Some(dir.to_path_buf()))
    }

    const FILE: &str = r#"
default_connection_name = "bank"

[bank]
account = "myorg-bank"
user = "floe"
password = "SENTINEL-PW-1"
role = "SYSADMIN"
warehouse = "WH"

[partner]
account = "myorg-partner"
user = "floe"
authenticator = "SNOWFLAKE_JWT"
private_key_file = "~/keys/partner.p8"

[pat]
account = "myorg-pat"
user = "ci"
authenticator = "programmatic_access_token"
token = "SENTINEL-TOKEN-2"
network_timeout = 30
"#;

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("connections.toml"), FILE).unwrap();
        dir
    }

    #[test]
    fn reads_default_and_named_connections() {
        let dir = project();
        let env = env_with(dir.path(), &[]);
        let bank = load_connection_in(None, &env).unwrap();
        assert_eq!(bank.name, "bank");
        assert_eq!(bank.account, "myorg-bank");
        assert_eq!(bank.auth, Auth::Password(Secret::new("SENTINEL-PW-1")));
        assert_eq!(bank.role.as_deref(), Some("SYSADMIN"));
        assert_eq!(
            bank.resolved_base_url(),
            "https://myorg-bank.snowflakecomputing.com"
        );

        let partner = load_connection_in(Some("partner"), &env).unwrap();
        assert_eq!(
            partner.auth,
            Auth::KeyPair {
                private_key_file: dir.path().join("keys/partner.p8"),
                passphrase: None
            }
        );
        let pat = load_connection_in(Some("pat"), &env).unwrap();
        assert_eq!(
            pat.auth,
            Auth::ProgrammaticAccessToken(Secret::new("SENTINEL-TOKEN-2"))
        );
        assert_eq!(pat.options.request_timeout, Duration::from_secs(30));
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = project();
        let env = env_with(
            dir.path(),
            &[
                ("SNOWFLAKE_ROLE", "DEFAULT_ONLY"),
                ("SNOWFLAKE_CONNECTIONS_PARTNER_ROLE", "PARTNER_ROLE"),
                (
                    "SNOWFLAKE_CONNECTIONS_PARTNER_BASE_URL",
                    "http://127.0.0.1:9",
                ),
                ("PRIVATE_KEY_PASSPHRASE", "SENTINEL-PASS-3"),
            ],
        );
        let bank = load_connection_in(Some("bank"), &env).unwrap();
        assert_eq!(bank.role.as_deref(), Some("DEFAULT_ONLY"));
        let partner = load_connection_in(Some("partner"), &env).unwrap();
        assert_eq!(partner.role.as_deref(), Some("PARTNER_ROLE"));
        assert_eq!(partner.resolved_base_url(), "http://127.0.0.1:9");
        assert!(matches!(
            partner.auth,
            Auth::KeyPair { passphrase: Some(ref p), .. } if p.expose() == "SENTINEL-PASS-3"
        ));
    }

    #[test]
    fn a_connection_may_live_in_the_environment_only() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_with(
            dir.path(),
            &[
                ("SNOWFLAKE_CONNECTIONS_CI_ACCOUNT", "org-ci"),
                ("SNOWFLAKE_CONNECTIONS_CI_USER", "bot"),
                ("SNOWFLAKE_CONNECTIONS_CI_PASSWORD", "SENTINEL-PW-4"),
                ("SNOWFLAKE_CONNECTIONS_CI_HOST", "localhost"),
                ("SNOWFLAKE_CONNECTIONS_CI_PORT", "8080"),
                ("SNOWFLAKE_CONNECTIONS_CI_PROTOCOL", "http"),
            ],
        );
        let ci = load_connection_in(Some("ci"), &env).unwrap();
        assert_eq!(ci.account, "org-ci");
        assert_eq!(ci.resolved_base_url(), "http://localhost:8080");
    }

    #[test]
    fn errors_name_the_problem_and_never_a_secret() {
        let dir = project();
        let env = env_with(dir.path(), &[]);
        let err = load_connection_in(Some("nope"), &env).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("no connection named `nope`"), "{text}");
        assert!(text.contains("bank, partner, pat"), "{text}");

        std::fs::write(
            dir.path().join("connections.toml"),
            "[x]\naccount = \"a\"\nuser = \"u\"\npassword = \"SENTINEL-PW-5\"\nauthenticator = \"externalbrowser\"\n",
        )
        .unwrap();
        let err = load_connection_in(Some("x"), &env).unwrap_err();
        assert!(err.to_string().contains("externalbrowser"));

        std::fs::write(
            dir.path().join("connections.toml"),
            "[x]\npassword = \"SENTINEL-PW-6\" oops\n",
        )
        .unwrap();
        let err = load_connection_in(Some("x"), &env).unwrap_err();
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains("SENTINEL"), "{text}");
        }

        std::fs::write(
            dir.path().join("connections.toml"),
            "[x]\naccount = \"a\"\n",
        )
        .unwrap();
        let err = load_connection_in(Some("x"), &env).unwrap_err();
        assert_eq!(err.to_string(), "connection `x`: `user` is required");
    }

    #[test]
    fn debug_of_a_config_hides_secrets() {
        let dir = project();
        let env = env_with(dir.path(), &[("PRIVATE_KEY_PASSPHRASE", "SENTINEL-PASS-7")]);
        for name in ["bank", "partner", "pat"] {
            let config = load_connection_in(Some(name), &env).unwrap();
            let text = format!("{config:?}");
            assert!(!text.contains("SENTINEL"), "{text}");
        }
    }
}
