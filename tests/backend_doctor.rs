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
    std::fs::write(
        home.join("connections.toml"),
        format!(
            "[bank_ci]\naccount = \"bank\"\nuser = \"floe\"\npassword = \"SENTINEL-DOCTOR-PW\"\nbase_url = \"{url}\"\n\n[partner_ci]\naccount = \"partner\"\nuser = \"floe\"\npassword = \"SENTINEL-DOCTOR-PW\"\nbase_url = \"{url}\"\n{role}",
            url = server.base_url()
        ),
    )
    .unwrap();
}

fn doctor(dir: &Path, home: &Path, target: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_floe"))
        .arg("doctor")
        .arg(dir)
        .args(["--target", target])
        .env("SNOWFLAKE_HOME", home)
        .env_remove("SNOWFLAKE_DEFAULT_CONNECTION_NAME")
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
    let emulator = Emulator::open_in_memory().unwrap();
    let server = serve(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    project(dir.path());
    connections(home.path(), &server, None);

    let (ok, text) = doctor(dir.path(), home.path(), "prod");
    assert!(ok, "{text}");
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

    let (ok, text) = doctor(dir.path(), home.path(), "local");
    assert!(ok, "{text}");
    assert!(text.contains("LOCALORG.PARTNER"), "{text}");
}

#[test]
fn doctor_stops_at_the_first_problem_with_a_fix() {
    let emulator = Emulator::open_in_memory().unwrap();
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

    // A connection that is not defined anywhere.
    std::fs::write(home.path().join("connections.toml"), "").unwrap();
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
