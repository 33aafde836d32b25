//! `floe doctor` end to end: a project whose `prod` target reaches the emulator
//! through the wire server with floe's Snowflake backend, and the local target.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use floe::emulator::Emulator;
use floe::runtime::session::SqlSession;
use floe::wire::{self, ServerHandle, SessionFactory};

fn serve(emulator: &Emulator) -> ServerHandle {
    let emulator = emulator.clone();
    let factory: SessionFactory = Arc::new(move |account: &str| {
        Ok(Box::new(emulator.session(account)) as Box<dyn SqlSession>)
    });
    wire::serve(
        factory,
        "127.0.0.1:0".parse().unwrap(),
        std::time::Duration::ZERO,
    )
    .unwrap()
}

fn project(dir: &Path) {
    std::fs::write(
        dir.join("floe.yaml"),
        "accounts:\n  bank: {}\n  partner: {}\ntargets:\n  local:\n    emulator: .floe/emulator.db\n  prod:\n    bank: { connection: bank_ci }\n    partner: { connection: partner_ci }\ndefault_target: local\n",
    )
    .unwrap();
}

fn connections(home: &Path, server: &ServerHandle, partner_role: Option<&str>) {
    let role = partner_role
        .map(|r| format!("role = \"{r}\"\n"))
        .unwrap_or_default();
    write_private(
        &home.join("connections.toml"),
        &format!(
            "[bank_ci]\naccount = \"bank\"\nuser = \"floe\"\npassword = \"SENTINEL-DOCTOR-PW\"\nwarehouse = \"FLOE_WH\"\nbase_url = \"{url}\"\n\n[partner_ci]\naccount = \"partner\"\nuser = \"floe\"\npassword = \"SENTINEL-DOCTOR-PW\"\nbase_url = \"{url}\"\n{role}",
            url = server.base_url()
        ),
    );
}

/// A configuration file readable by its owner only, as it must be.
fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// An emulator whose accounts each have the warehouse FLOE_WH.
fn emulator_with_warehouses() -> Emulator {
    let emulator = Emulator::open_in_memory().unwrap();
    for account in ["bank", "partner"] {
        emulator
            .session(account)
            .execute("CREATE WAREHOUSE FLOE_WH")
            .unwrap();
    }
    emulator
}

fn doctor(dir: &Path, home: &Path, target: &str) -> (bool, String) {
    doctor_with(dir, home, target, &[])
}

fn doctor_with(dir: &Path, home: &Path, target: &str, vars: &[(&str, &str)]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_floe"))
        .arg("doctor")
        .arg(dir)
        .args(["--target", target])
        .env("SNOWFLAKE_HOME", home)
        .env_remove("SNOWFLAKE_DEFAULT_CONNECTION_NAME")
        .env_remove("SNOWFLAKE_WAREHOUSE")
        .env_remove("SNOWFLAKE_ROLE")
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("SENTINEL"),
        "doctor printed a secret:\n{text}"
    );
    (out.status.success(), text)
}

#[test]
fn doctor_checks_every_account_of_a_snowflake_target() {
    let emulator = emulator_with_warehouses();
    let server = serve(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    project(dir.path());
    connections(home.path(), &server, None);

    let (ok, text) = doctor_with(
        dir.path(),
        home.path(),
        "prod",
        &[
            ("SNOWFLAKE_WAREHOUSE", "FLOE_WH"),
            (
                "SNOWFLAKE_CONNECTIONS_PARTNER_CI_AUTHENTICATOR",
                "snowflake",
            ),
        ],
    );
    assert!(ok, "{text}");
    let file = home.path().join("connections.toml");
    for expected in [
        "bank (connection `bank_ci`)",
        "LOCALORG.BANK",
        "partner (connection `partner_ci`)",
        "LOCALORG.PARTNER",
        "ACCOUNTADMIN",
        "all accounts ready",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Each setting with where it came from: the file, the connection's variable,
    // the generic variable, or the default.
    let line = |account: &str, key: &str| -> String {
        let section = text
            .split(&format!("{account} (connection"))
            .nth(1)
            .unwrap();
        section
            .lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("no {key} line for {account} in:\n{text}"))
            .to_string()
    };
    let from_file = format!("(from {})", file.display());
    assert!(line("bank", "user").contains(&from_file), "{text}");
    assert!(line("bank", "host").contains(&server.base_url()), "{text}");
    assert!(line("bank", "host").contains(&from_file), "{text}");
    assert!(
        line("bank", "authenticator").contains("(default)"),
        "{text}"
    );
    assert!(line("bank", "warehouse").contains(&from_file), "{text}");
    assert!(line("bank", "role").contains("(not set)"), "{text}");
    assert!(
        line("partner", "authenticator")
            .contains("(from SNOWFLAKE_CONNECTIONS_PARTNER_CI_AUTHENTICATOR)"),
        "{text}"
    );
    assert!(
        line("partner", "warehouse").contains("FLOE_WH")
            && line("partner", "warehouse").contains("(from SNOWFLAKE_WAREHOUSE)"),
        "{text}"
    );

    // What snow ignores with a warning is said once, not once per account.
    let file = home.path().join("connections.toml");
    let written = std::fs::read_to_string(&file).unwrap();
    write_private(
        &file,
        &format!("default_connection_name = \"bank_ci\"\n{written}"),
    );
    let (ok, text) = doctor_with(
        dir.path(),
        home.path(),
        "prod",
        &[("SNOWFLAKE_WAREHOUSE", "FLOE_WH")],
    );
    assert!(ok, "{text}");
    assert_eq!(
        text.matches("`default_connection_name` is not a connection table")
            .count(),
        1,
        "{text}"
    );

    let (ok, text) = doctor(dir.path(), home.path(), "local");
    assert!(ok, "{text}");
    assert!(text.contains("LOCALORG.PARTNER"), "{text}");
}

#[test]
fn doctor_stops_at_the_first_problem_with_a_fix() {
    let emulator = emulator_with_warehouses();
    emulator
        .session("partner")
        .execute("CREATE ROLE DEPLOYER")
        .unwrap();
    let server = serve(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    project(dir.path());

    // A role without account privileges.
    connections(home.path(), &server, Some("deployer"));
    let (ok, text) = doctor(dir.path(), home.path(), "prod");
    assert!(!ok, "{text}");
    assert!(
        text.contains("GRANT CREATE DATABASE ON ACCOUNT TO ROLE DEPLOYER"),
        "{text}"
    );

    // A role that does not exist: the login fails.
    connections(home.path(), &server, Some("missing_role"));
    let (ok, text) = doctor(dir.path(), home.path(), "prod");
    assert!(!ok, "{text}");
    assert!(text.contains("partner: cannot log in"), "{text}");
    assert!(text.contains("MISSING_ROLE"), "{text}");

    // No warehouse for the partner: observing needs one.
    connections(home.path(), &server, None);
    let (ok, text) = doctor(dir.path(), home.path(), "prod");
    assert!(!ok, "{text}");
    assert!(text.contains("bank (connection `bank_ci`)"), "{text}");
    assert!(
        text.contains("error: partner: no warehouse: set `warehouse` in connection `partner_ci` (or SNOWFLAKE_CONNECTIONS_PARTNER_CI_WAREHOUSE, or SNOWFLAKE_WAREHOUSE)"),
        "{text}"
    );
    // A warehouse that does not exist.
    let (ok, text) = doctor_with(
        dir.path(),
        home.path(),
        "prod",
        &[("SNOWFLAKE_WAREHOUSE", "NO_SUCH_WH")],
    );
    assert!(!ok, "{text}");
    assert!(
        text.contains(
            "asks for warehouse NO_SUCH_WH (from SNOWFLAKE_WAREHOUSE), but the session has none"
        ),
        "{text}"
    );

    // A connections file others can read.
    {
        use std::os::unix::fs::PermissionsExt;
        let file = home.path().join("connections.toml");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let (ok, text) = doctor(dir.path(), home.path(), "prod");
    assert!(!ok, "{text}");
    assert!(text.contains("chmod 0600"), "{text}");

    // A connection that is not defined anywhere.
    write_private(&home.path().join("connections.toml"), "");
    let (ok, text) = doctor(dir.path(), home.path(), "prod");
    assert!(!ok, "{text}");
    assert!(text.contains("no connection named `bank_ci`"), "{text}");

    let (ok, text) = doctor(dir.path(), home.path(), "staging");
    assert!(!ok);
    assert!(text.contains("unknown target `staging`"), "{text}");
}

#[test]
fn doctor_checks_the_emulator_file_plan_and_apply_use_from_a_relative_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    std::fs::create_dir(&root).unwrap();
    project(&root);
    let out = Command::new(env!("CARGO_BIN_EXE_floe"))
        .args(["doctor", "proj"])
        .current_dir(dir.path())
        .env("SNOWFLAKE_HOME", dir.path().join("no-home"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{text}");
    let expected = dir.path().join("proj/.floe/emulator.db");
    assert!(
        text.contains(&format!("emulator {}", expected.display())),
        "{text}"
    );
    assert!(expected.exists());
    assert!(
        !root.join("proj").exists(),
        "doctor opened an emulator file under the project root joined twice"
    );
}
