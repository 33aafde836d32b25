//! Where connection definitions come from, before any environment override: the
//! files in the Snowflake configuration folder, or the `SNOWFLAKE_CONNECTIONS`
//! variable, with the rules Snowflake's CLI (`snow`) applies to them.
//!
//! - The folder is `$SNOWFLAKE_HOME`, else `~/.snowflake/` when it exists, else the
//!   platform's configuration folder (`$XDG_CONFIG_HOME/snowflake`,
//!   `~/.config/snowflake`, `~/Library/Application Support/snowflake`).
//! - `SNOWFLAKE_CONNECTIONS` (a TOML document of connection tables) replaces the
//!   files' connections. Otherwise `connections.toml`, when it exists, holds them
//!   all and `config.toml`'s `[connections.*]` tables are ignored; without it they
//!   come from `config.toml`.
//! - `default_connection_name` is read from `SNOWFLAKE_DEFAULT_CONNECTION_NAME`, else
//!   from `config.toml`; a top-level key of that name in `connections.toml` is not a
//!   connection and is ignored with a warning, as `snow` does.
//! - Both files are refused when other users may write them, or read them (they
//!   hold credentials), unless `SF_SKIP_TOKEN_FILE_PERMISSIONS_VERIFICATION` is true,
//!   which turns the second case into a warning. The error carries the `chmod 0600`
//!   that fixes it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::config::{ConfigError, Environment, Origin};

/// One connection's keys (lower case) and values, as written.
pub type Table = BTreeMap<String, String>;

/// The connections defined before environment overrides, and what was noticed
/// on the way.
#[derive(Clone, Debug, Default)]
pub struct Definitions {
    /// Connection name → its keys and values.
    pub connections: BTreeMap<String, Table>,
    /// Where the connections came from (one file, or the `SNOWFLAKE_CONNECTIONS` variable).
    pub origin: Option<Origin>,
    /// The default connection's name and where it came from.
    pub default_name: (String, Origin),
    /// Where connections were looked for, for "not found" messages.
    pub searched: String,
    /// Things `snow` warns about and ignores.
    pub warnings: Vec<String>,
}

/// Reads the connection definitions `env` points at.
pub fn read_definitions(env: &Environment) -> Result<Definitions, ConfigError> {
    let dir = config_dir(env);
    let connections_path = dir.as_ref().map(|d| d.join("connections.toml"));
    let config_path = dir.as_ref().map(|d| d.join("config.toml"));
    let mut warnings = Vec::new();
    for path in [&connections_path, &config_path].into_iter().flatten() {
        check_permissions(path, env, &mut warnings)?;
    }

    let config_doc = match &config_path {
        Some(path) => read_toml(path)?,
        None => None,
    };
    let config_connections = config_doc
        .as_ref()
        .and_then(|doc| doc.get("connections"))
        .and_then(toml::Value::as_table);

    let mut definitions = Definitions {
        searched: match (&connections_path, &config_path) {
            (Some(c), Some(f)) => format!("{} and {}", c.display(), f.display()),
            _ => "no configuration folder (neither SNOWFLAKE_HOME nor HOME is set)".to_string(),
        },
        default_name: ("default".to_string(), Origin::Default),
        ..Definitions::default()
    };

    if let Some(text) = env.raw_var("SNOWFLAKE_CONNECTIONS") {
        let doc = parse_toml(text, Path::new("SNOWFLAKE_CONNECTIONS"))?;
        collect(
            &doc,
            "SNOWFLAKE_CONNECTIONS",
            &mut definitions,
            &mut warnings,
        )?;
        definitions.origin = Some(Origin::ConnectionsVariable);
        definitions.searched = "the SNOWFLAKE_CONNECTIONS variable".to_string();
    } else if let Some(path) = &connections_path
        && let Some(doc) = read_toml(path)?
    {
        collect(
            &doc,
            &path.display().to_string(),
            &mut definitions,
            &mut warnings,
        )?;
        definitions.origin = Some(Origin::File(path.clone()));
        if let (Some(config_path), Some(ignored)) = (&config_path, config_connections)
            && !ignored.is_empty()
        {
            warnings.push(format!(
                "{} exists, so the [connections.*] tables of {} are ignored ({})",
                path.display(),
                config_path.display(),
                ignored.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    } else if let (Some(path), Some(table)) = (&config_path, config_connections) {
        collect(
            table,
            &path.display().to_string(),
            &mut definitions,
            &mut warnings,
        )?;
        definitions.origin = Some(Origin::File(path.clone()));
    }

    if let Some(name) = env.var("SNOWFLAKE_DEFAULT_CONNECTION_NAME") {
        definitions.default_name = (
            name.to_string(),
            Origin::Variable("SNOWFLAKE_DEFAULT_CONNECTION_NAME".to_string()),
        );
    } else if let (Some(path), Some(toml::Value::String(name))) = (
        &config_path,
        config_doc
            .as_ref()
            .and_then(|doc| doc.get("default_connection_name")),
    ) {
        definitions.default_name = (name.clone(), Origin::File(path.clone()));
    }
    definitions.warnings = warnings;
    Ok(definitions)
}

/// The folder holding connections.toml and config.toml.
pub fn config_dir(env: &Environment) -> Option<PathBuf> {
    if let Some(dir) = env.var("SNOWFLAKE_HOME") {
        return Some(env.expand_home(dir));
    }
    let home = env.home()?;
    let dot = home.join(".snowflake");
    if dot.is_dir() {
        return Some(dot);
    }
    if cfg!(target_os = "macos") {
        return Some(home.join("Library/Application Support/snowflake"));
    }
    Some(match env.var("XDG_CONFIG_HOME") {
        Some(xdg) => PathBuf::from(xdg).join("snowflake"),
        None => home.join(".config").join("snowflake"),
    })
}

/// Refuses a file others may write, or read (unless the skip variable says so).
#[cfg(unix)]
fn check_permissions(
    path: &Path,
    env: &Environment,
    warnings: &mut Vec<String>,
) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let mode = meta.permissions().mode() & 0o777;
    let refused = |what: &str| ConfigError::Permissions {
        path: path.to_path_buf(),
        mode,
        what: what.to_string(),
    };
    if mode & 0o022 != 0 {
        return Err(refused("writable"));
    }
    if mode & 0o044 != 0 {
        let skip = [
            "SF_SKIP_TOKEN_FILE_PERMISSIONS_VERIFICATION",
            "SKIP_TOKEN_FILE_PERMISSIONS_VERIFICATION",
        ]
        .iter()
        .find_map(|name| env.raw_var(name))
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1"));
        if !skip {
            return Err(refused("readable"));
        }
        warnings.push(format!(
            "{} is readable by other users (mode {mode:04o}); run `chmod 0600 \"{}\"`",
            path.display(),
            path.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(
    _path: &Path,
    _env: &Environment,
    _warnings: &mut Vec<String>,
) -> Result<(), ConfigError> {
    Ok(())
}

/// The connection tables of `doc`; other top-level entries are skipped with a warning.
fn collect(
    doc: &toml::Table,
    source: &str,
    definitions: &mut Definitions,
    warnings: &mut Vec<String>,
) -> Result<(), ConfigError> {
    for (name, value) in doc {
        let toml::Value::Table(table) = value else {
            let hint = if name == "default_connection_name" {
                ": it belongs in config.toml, or in the SNOWFLAKE_DEFAULT_CONNECTION_NAME variable"
            } else {
                ""
            };
            warnings.push(format!(
                "{source}: `{name}` is not a connection table and is ignored{hint}"
            ));
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
                        path: PathBuf::from(source),
                        message: format!("connection `{name}`: `{key}` must be a plain value"),
                    });
                }
            };
            values.insert(key.to_ascii_lowercase(), text);
        }
        definitions.connections.insert(name.clone(), values);
    }
    Ok(())
}

fn read_toml(path: &Path) -> Result<Option<toml::Table>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_toml(&text, path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConfigError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
    }
}

fn parse_toml(text: &str, path: &Path) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>().map_err(|e| {
        // toml's message quotes the offending line, which may hold a password: keep
        // only its first line (the kind of error) and say where it is.
        let start = e.span().map_or(0, |span| span.start.min(text.len()));
        let before = &text[..start];
        ConfigError::Syntax {
            path: path.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().unwrap_or("").chars().count() + 1,
            message: e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_is_snowflake_home_else_dot_snowflake_else_the_platform_folder() {
        let home = tempfile::tempdir().unwrap();
        let env = |vars: &[(&str, &str)]| {
            Environment::new(
                vars.iter().map(|(k, v)| (k.to_string(), v.to_string())),
                Some(home.path().to_path_buf()),
            )
        };
        assert_eq!(
            config_dir(&env(&[("SNOWFLAKE_HOME", "~/sf")])),
            Some(home.path().join("sf"))
        );
        if !cfg!(target_os = "macos") {
            assert_eq!(
                config_dir(&env(&[])),
                Some(home.path().join(".config/snowflake"))
            );
            assert_eq!(
                config_dir(&env(&[("XDG_CONFIG_HOME", "/xdg")])),
                Some(PathBuf::from("/xdg/snowflake"))
            );
        }
        std::fs::create_dir(home.path().join(".snowflake")).unwrap();
        assert_eq!(config_dir(&env(&[])), Some(home.path().join(".snowflake")));
    }

    #[test]
    fn a_parse_error_says_where_and_never_quotes_the_line() {
        let err =
            parse_toml("[x]\npassword = \"SENTINEL\" oops\n", Path::new("c.toml")).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("SENTINEL"), "{err}");
        assert!(
            err.to_string().starts_with("c.toml:2:23: not valid TOML: "),
            "{err}"
        );
    }
}
