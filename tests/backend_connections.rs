//! Connections resolved exactly as Snowflake's CLI (`snow` 3.30) resolves them, one
//! test per rule (each was checked against `snow` on the same files and
//! variables), and a Snowflake target end to end: connections.toml entries whose
//! base_url points at the wire server, opened for every project account.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use floe::model::AccountName;
use floe::runtime::session::{BackendError, Column, Rows, SqlSession};
use floe::snowflake::config::{load_connection_in, resolve_connection_in};
use floe::snowflake::{self, Auth, ConfigError, Environment, Origin};
use floe::wire::{self, ServerOptions, SessionFactory};

/// Writes a configuration file the way it must be: readable by its owner only.
fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    set_mode(path, 0o600);
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// An environment with `SNOWFLAKE_HOME=home` and `vars`.
fn env(home: &Path, vars: &[(&str, &str)]) -> Environment {
    let mut all: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    all.push((
        "SNOWFLAKE_HOME".to_string(),
        home.to_string_lossy().into_owned(),
    ));
    Environment::new(all, Some(home.to_path_buf()))
}

const BANK_AND_PARTNER: &str = r#"
[bank]
account = "myorg-bank"
user = "floe"
password = "SENTINEL-PW-BANK"
role = "FILE_ROLE"

[partner]
account = "myorg-partner"
user = "floe"
password = "SENTINEL-PW-PARTNER"
"#;

fn home_with(connections: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    write_private(&home.path().join("connections.toml"), connections);
    home
}

#[test]
fn default_connection_name_in_connections_toml_is_ignored_with_a_warning() {
    let home = home_with(&format!(
        "default_connection_name = \"bank\"\n{BANK_AND_PARTNER}"
    ));
    let env = env(home.path(), &[]);
    // snow: the default stays `default`, which is not defined.
    let err = load_connection_in(None, &env).unwrap_err();
    assert!(
        matches!(err, ConfigError::UnknownConnection { ref name, .. } if name == "default"),
        "{err}"
    );
    let bank = resolve_connection_in(Some("bank"), &env).unwrap();
    assert!(
        bank.warnings.iter().any(|w| w
            .contains("`default_connection_name` is not a connection table")
            && w.contains("config.toml")),
        "{:?}",
        bank.warnings
    );
}

#[test]
fn the_default_connection_is_named_in_config_toml_or_the_environment() {
    let home = home_with(BANK_AND_PARTNER);
    write_private(
        &home.path().join("config.toml"),
        "default_connection_name = \"partner\"\n",
    );
    let from_file = load_connection_in(None, &env(home.path(), &[])).unwrap();
    assert_eq!(from_file.name, "partner");

    let from_var = load_connection_in(
        None,
        &env(
            home.path(),
            &[("SNOWFLAKE_DEFAULT_CONNECTION_NAME", "bank")],
        ),
    )
    .unwrap();
    assert_eq!(from_var.name, "bank");
}

#[test]
fn config_toml_connections_are_ignored_when_connections_toml_exists() {
    let home = tempfile::tempdir().unwrap();
    let config = "[connections.fromconfig]\naccount = \"cfg\"\nuser = \"u\"\npassword = \"p\"\n";
    write_private(&home.path().join("config.toml"), config);
    // Without connections.toml, config.toml's connections count.
    let alone = load_connection_in(Some("fromconfig"), &env(home.path(), &[])).unwrap();
    assert_eq!(alone.account, "cfg");

    write_private(&home.path().join("connections.toml"), BANK_AND_PARTNER);
    let err = load_connection_in(Some("fromconfig"), &env(home.path(), &[])).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("no connection named `fromconfig`"), "{text}");
    assert!(text.contains("known: bank, partner"), "{text}");
    let bank = resolve_connection_in(Some("bank"), &env(home.path(), &[])).unwrap();
    assert!(
        bank.warnings
            .iter()
            .any(|w| w.contains("are ignored (fromconfig)")),
        "{:?}",
        bank.warnings
    );
}

#[test]
fn a_connection_only_in_variables_is_not_configured() {
    let vars = [
        ("SNOWFLAKE_CONNECTIONS_CI_ACCOUNT", "org-ci"),
        ("SNOWFLAKE_CONNECTIONS_CI_USER", "bot"),
        ("SNOWFLAKE_CONNECTIONS_CI_PASSWORD", "SENTINEL-PW-CI"),
    ];
    let home = home_with(BANK_AND_PARTNER);
    let err = load_connection_in(Some("ci"), &env(home.path(), &vars)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("no connection named `ci`"), "{text}");
    assert!(text.contains("add an empty `[ci]` table"), "{text}");
    assert!(!text.contains("SENTINEL"), "{text}");

    // An empty table defines it; the variables fill it in.
    let home = home_with("[ci]\n");
    let ci = resolve_connection_in(Some("ci"), &env(home.path(), &vars)).unwrap();
    assert_eq!(ci.config.account, "org-ci");
    assert_eq!(
        ci.origin("user"),
        Origin::Variable("SNOWFLAKE_CONNECTIONS_CI_USER".to_string())
    );
}

#[test]
fn connection_variables_beat_the_file_which_beats_generic_variables_in_every_connection() {
    let home = home_with(BANK_AND_PARTNER);
    let file = home.path().join("connections.toml");
    let env = env(
        home.path(),
        &[
            ("SNOWFLAKE_ROLE", "GENERIC_ROLE"),
            ("SNOWFLAKE_WAREHOUSE", "GENERIC_WH"),
            ("SNOWFLAKE_CONNECTIONS_PARTNER_WAREHOUSE", "PARTNER_WH"),
        ],
    );
    let bank = resolve_connection_in(Some("bank"), &env).unwrap();
    // The file's role stays; the generic warehouse fills the unset key.
    assert_eq!(bank.config.role.as_deref(), Some("FILE_ROLE"));
    assert_eq!(bank.origin("role"), Origin::File(file.clone()));
    assert_eq!(bank.config.warehouse.as_deref(), Some("GENERIC_WH"));
    assert_eq!(
        bank.origin("warehouse"),
        Origin::Variable("SNOWFLAKE_WAREHOUSE".to_string())
    );

    // The generic role reaches the non-default connection too; its own variable
    // beats the generic one.
    let partner = resolve_connection_in(Some("partner"), &env).unwrap();
    assert_eq!(partner.config.role.as_deref(), Some("GENERIC_ROLE"));
    assert_eq!(partner.config.warehouse.as_deref(), Some("PARTNER_WH"));
    assert_eq!(
        partner.origin("warehouse"),
        Origin::Variable("SNOWFLAKE_CONNECTIONS_PARTNER_WAREHOUSE".to_string())
    );

    // The connection's variable beats the file.
    let bank = load_connection_in(
        Some("bank"),
        &self::env(
            home.path(),
            &[("SNOWFLAKE_CONNECTIONS_BANK_ROLE", "VARIABLE_ROLE")],
        ),
    )
    .unwrap();
    assert_eq!(bank.role.as_deref(), Some("VARIABLE_ROLE"));
}

#[test]
fn connection_variables_use_the_name_upper_cased_as_written() {
    let home = home_with("[bank-ci]\naccount = \"b\"\npassword = \"p\"\n");
    // `BANK_CI` is not `BANK-CI`: snow does not read it.
    let err = load_connection_in(
        Some("bank-ci"),
        &env(home.path(), &[("SNOWFLAKE_CONNECTIONS_BANK_CI_USER", "u")]),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "connection `bank-ci`: `user` is required");
    let ok = load_connection_in(
        Some("bank-ci"),
        &env(home.path(), &[("SNOWFLAKE_CONNECTIONS_BANK-CI_USER", "u")]),
    )
    .unwrap();
    assert_eq!(ok.user, "u");
}

#[test]
fn the_snowflake_connections_variable_replaces_the_files() {
    let home = home_with(BANK_AND_PARTNER);
    let env = env(
        home.path(),
        &[(
            "SNOWFLAKE_CONNECTIONS",
            "[envc]\naccount = \"e\"\nuser = \"u\"\npassword = \"p\"\n",
        )],
    );
    let envc = resolve_connection_in(Some("envc"), &env).unwrap();
    assert_eq!(envc.origin("account"), Origin::ConnectionsVariable);
    assert!(load_connection_in(Some("bank"), &env).is_err());
}

#[test]
fn a_connections_file_others_can_read_is_refused_with_the_chmod_fix() {
    let home = home_with(BANK_AND_PARTNER);
    let file = home.path().join("connections.toml");
    for mode in [0o644, 0o640, 0o604] {
        set_mode(&file, mode);
        let err = load_connection_in(Some("bank"), &env(home.path(), &[])).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("is readable by other users"), "{text}");
        assert!(
            text.contains(&format!("chmod 0600 \"{}\"", file.display())),
            "{text}"
        );
        assert!(!text.contains("SENTINEL"), "{text}");
    }
    set_mode(&file, 0o620);
    let err = load_connection_in(Some("bank"), &env(home.path(), &[])).unwrap_err();
    assert!(
        err.to_string().contains("is writable by other users"),
        "{err}"
    );

    // A config.toml that others can read is refused as well, as snow does.
    set_mode(&file, 0o600);
    std::fs::write(home.path().join("config.toml"), "").unwrap();
    set_mode(&home.path().join("config.toml"), 0o644);
    let err = load_connection_in(Some("bank"), &env(home.path(), &[])).unwrap_err();
    assert!(err.to_string().contains("config.toml is readable"), "{err}");

    // snow's escape hatch turns "readable" into a warning.
    let resolved = resolve_connection_in(
        Some("bank"),
        &env(
            home.path(),
            &[("SF_SKIP_TOKEN_FILE_PERMISSIONS_VERIFICATION", "true")],
        ),
    )
    .unwrap();
    assert!(
        resolved.warnings.iter().any(|w| w.contains("chmod 0600")),
        "{:?}",
        resolved.warnings
    );
}

fn keys() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys")
}

#[test]
fn a_key_pair_comes_from_private_key_file_or_private_key_raw_and_logs_in() {
    // The emulator behind the server: it answers the login's look-up of the user's
    // registered keys (there are none, so any well-formed token for the user passes).
    let emulator = floe::emulator::Emulator::open_in_memory().unwrap();
    let factory: SessionFactory = Arc::new(move |account: &str| {
        Ok(Box::new(emulator.session(account)) as Box<dyn SqlSession>)
    });
    let server = wire::serve_with(factory, ServerOptions::default()).unwrap();
    let key_file = keys().join("test_key.p8");
    let pem = std::fs::read_to_string(&key_file).unwrap();
    let home = home_with(&format!(
        "[by_file]\naccount = \"bank\"\nuser = \"floe\"\nauthenticator = \"SNOWFLAKE_JWT\"\nprivate_key_path = \"{}\"\nbase_url = \"{url}\"\n\n[by_raw]\naccount = \"partner\"\nuser = \"floe\"\nauthenticator = \"SNOWFLAKE_JWT\"\nbase_url = \"{url}\"\n\n[no_authenticator]\naccount = \"bank\"\nuser = \"floe\"\nprivate_key_file = \"{}\"\n",
        key_file.display(),
        key_file.display(),
        url = server.base_url()
    ));
    let env = env(
        home.path(),
        &[("SNOWFLAKE_CONNECTIONS_BY_RAW_PRIVATE_KEY_RAW", &pem)],
    );

    let by_file = load_connection_in(Some("by_file"), &env).unwrap();
    assert!(matches!(
        by_file.auth,
        Auth::KeyPair { ref private_key_file, .. } if *private_key_file == key_file
    ));
    let by_raw = load_connection_in(Some("by_raw"), &env).unwrap();
    assert!(matches!(by_raw.auth, Auth::KeyPairRaw { .. }));
    assert!(
        !format!("{by_raw:?}").contains("BEGIN PRIVATE KEY"),
        "a raw key must never be printed"
    );
    for (config, account) in [(by_file, "BANK"), (by_raw, "PARTNER")] {
        let session = snowflake::connect_with(config).unwrap();
        let rows = session.execute("SELECT CURRENT_ACCOUNT_NAME()").unwrap();
        assert_eq!(rows.rows[0][0].as_deref(), Some(account));
    }

    // A raw value that is not a key fails at login, naming the problem only.
    let bad = env_with_raw(home.path(), "SENTINEL-NOT-A-KEY");
    let err =
        snowflake::connect_with(load_connection_in(Some("by_raw"), &bad).unwrap()).unwrap_err();
    assert!(err.to_string().contains("not an RSA private key"), "{err}");
    assert!(!err.to_string().contains("SENTINEL"), "{err}");

    // snow requires the authenticator for a key.
    let err = load_connection_in(Some("no_authenticator"), &env).unwrap_err();
    assert!(
        err.to_string()
            .contains("key-pair authentication needs authenticator = \"SNOWFLAKE_JWT\""),
        "{err}"
    );
}

fn env_with_raw(home: &Path, raw: &str) -> Environment {
    env(
        home,
        &[("SNOWFLAKE_CONNECTIONS_BY_RAW_PRIVATE_KEY_RAW", raw)],
    )
}

#[test]
fn private_key_passphrase_beats_private_key_file_pwd() {
    let home = home_with(&format!(
        "[enc]\naccount = \"a\"\nuser = \"u\"\nauthenticator = \"SNOWFLAKE_JWT\"\nprivate_key_file = \"{}\"\nprivate_key_file_pwd = \"SENTINEL-FROM-FILE\"\n",
        keys().join("test_key_encrypted.p8").display()
    ));
    let from_file = resolve_connection_in(Some("enc"), &env(home.path(), &[])).unwrap();
    assert!(matches!(
        from_file.config.auth,
        Auth::KeyPair { passphrase: Some(ref p), .. } if p.expose() == "SENTINEL-FROM-FILE"
    ));
    let from_var = resolve_connection_in(
        Some("enc"),
        &env(
            home.path(),
            &[("PRIVATE_KEY_PASSPHRASE", "floe-test-passphrase")],
        ),
    )
    .unwrap();
    assert!(matches!(
        from_var.config.auth,
        Auth::KeyPair { passphrase: Some(ref p), .. } if p.expose() == "floe-test-passphrase"
    ));
    assert_eq!(
        from_var.origin("private_key_passphrase"),
        Origin::Variable("PRIVATE_KEY_PASSPHRASE".to_string())
    );
}

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

fn who_am_i_factory() -> SessionFactory {
    Arc::new(|account: &str| Ok(Box::new(WhoAmI(account.to_string())) as Box<dyn SqlSession>))
}

#[test]
fn every_account_of_a_target_gets_its_connection() {
    let server = wire::serve_with(who_am_i_factory(), ServerOptions::default()).unwrap();
    let home = home_with(&format!(
        "[bank_ci]\naccount = \"myorg-bank\"\nuser = \"floe\"\npassword = \"pw\"\nbase_url = \"{url}\"\n\n[partner_ci]\naccount = \"myorg-partner\"\nuser = \"floe\"\npassword = \"pw\"\nbase_url = \"{url}\"\n",
        url = server.base_url()
    ));
    let env = env(home.path(), &[]);
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
