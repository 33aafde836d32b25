//! `floe doctor`: log into every account of a target and check what floe needs —
//! the account's identifier, the role and warehouse the session runs with, and
//! whether that role may create databases, shares, listings and run tasks. For a
//! Snowflake target it first prints the connection's user, host, authenticator,
//! role and warehouse with the file or variable each came from, and requires a
//! warehouse (observing real Snowflake needs one). Stops with exit code 1 and a
//! fix at the first problem.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::process::ExitCode;

use anyhow::Context;

use crate::manifest::Project;
use crate::model::Ident;
use crate::plan::saved::SavedTarget;
use crate::runtime::session::{BackendError, SqlSession};
use crate::snowflake::config::{self, Environment, Origin, Resolved};

/// Entry point of `floe doctor`.
pub fn doctor(args: &super::DoctorArgs) -> anyhow::Result<ExitCode> {
    let Some(project) = load_project(&args.project)? else {
        return Ok(ExitCode::from(1));
    };
    let (name, target) = super::plan::select_target(&project, args.target.target.as_deref())?;
    println!("target {name}");
    match target {
        SavedTarget::Snowflake { connections } => {
            if let Some(missing) = project
                .accounts
                .iter()
                .find(|account| !connections.contains_key(*account))
            {
                anyhow::bail!("target `{name}` names no connection for account `{missing}`");
            }
            let env = Environment::from_process();
            let mut warned = BTreeSet::new();
            // Sessions open lazily, one account after the other, so the first
            // problem stops the run before the next login.
            let accounts = connections.iter().map(|(account, connection)| {
                let via = format!("connection `{connection}`");
                match config::resolve_connection_in(Some(connection), &env) {
                    Ok(resolved) => {
                        // The connections share their files: each warning once.
                        for warning in &resolved.warnings {
                            if warned.insert(warning.clone()) {
                                eprintln!("warning: {warning}");
                            }
                        }
                        Reach {
                            account: account.to_string(),
                            via,
                            settings: settings(&resolved),
                            warehouse_hint: Some(warehouse_hint(&resolved)),
                            session: crate::snowflake::connect_with(resolved.config)
                                .map(|s| Box::new(s) as Box<dyn SqlSession>)
                                .map_err(|e| format!("cannot log in: {e}")),
                        }
                    }
                    Err(error) => Reach {
                        account: account.to_string(),
                        via,
                        settings: Vec::new(),
                        warehouse_hint: None,
                        session: Err(error.to_string()),
                    },
                }
            });
            Ok(report(accounts))
        }
        SavedTarget::Emulator { path } => {
            let emulator = crate::emulator::Emulator::open(&path)
                .with_context(|| format!("cannot open the emulator at {}", path.display()))?;
            let via = format!("emulator {}", path.display());
            let accounts = project.accounts.iter().map(|account| {
                let session: Box<dyn SqlSession> = Box::new(emulator.session(account.as_str()));
                Reach {
                    account: account.to_string(),
                    via: via.clone(),
                    settings: Vec::new(),
                    // The emulator observes without a warehouse.
                    warehouse_hint: None,
                    session: Ok(session),
                }
            });
            Ok(report(accounts))
        }
    }
}

/// One account as `doctor` reaches it.
pub struct Reach {
    pub account: String,
    /// How it is reached (`connection `bank``, `emulator <file>`).
    pub via: String,
    /// The connection's settings and where each came from (printed before logging in).
    pub settings: Vec<String>,
    /// When the account needs a warehouse (observing real Snowflake does), how to set one.
    pub warehouse_hint: Option<String>,
    /// The session, or why there is none.
    pub session: Result<Box<dyn SqlSession>, String>,
}

/// The settings that decide how floe logs in and what it may do, each with the
/// file or variable it came from. Secrets are never among them.
pub fn settings(resolved: &Resolved) -> Vec<String> {
    let config = &resolved.config;
    let line = |key: &str, value: Option<&str>, origin: Origin| {
        let origin = match origin {
            Origin::Default => "(default)".to_string(),
            other => format!("(from {other})"),
        };
        format!(
            "    {key:<14} {:<32} {origin}",
            value.unwrap_or("(not set)")
        )
    };
    vec![
        "  connection settings:".to_string(),
        line("user", Some(&config.user), resolved.origin("user")),
        line(
            "host",
            Some(&config.resolved_base_url()),
            resolved.host_origin(),
        ),
        line(
            "authenticator",
            Some(config.auth.authenticator()),
            resolved.origin("authenticator"),
        ),
        line("role", config.role.as_deref(), resolved.origin("role")),
        line(
            "warehouse",
            config.warehouse.as_deref(),
            resolved.origin("warehouse"),
        ),
    ]
}

/// What to do when a session has no warehouse.
fn warehouse_hint(resolved: &Resolved) -> String {
    let config = &resolved.config;
    match &config.warehouse {
        Some(warehouse) => format!(
            "connection `{}` asks for warehouse {warehouse} (from {}), but the session has none: it does not exist or the role cannot use it (`GRANT USAGE ON WAREHOUSE …`); observing needs one",
            config.name,
            resolved.origin("warehouse")
        ),
        None => format!(
            "no warehouse: set `warehouse` in connection `{}` (or SNOWFLAKE_CONNECTIONS_{}_WAREHOUSE, or SNOWFLAKE_WAREHOUSE), or give user {} a DEFAULT_WAREHOUSE; observing needs one",
            config.name,
            config.name.to_uppercase(),
            config.user
        ),
    }
}

/// Loads the project, printing its diagnostics when it has problems (`None` then).
fn load_project(args: &super::ProjectArgs) -> anyhow::Result<Option<Project>> {
    let vars = super::validate::parse_vars(&args.vars)?;
    match crate::manifest::load(&args.dir, &vars) {
        Ok(project) => Ok(Some(project)),
        Err(diagnostics) => {
            super::validate::print_diagnostics(&diagnostics);
            Ok(None)
        }
    }
}

/// What floe needs on the account, as (what, privilege on ACCOUNT).
pub const NEEDED: &[(&str, &str)] = &[
    ("create databases", "CREATE DATABASE"),
    ("create shares", "CREATE SHARE"),
    ("create listings", "CREATE LISTING"),
    ("run tasks", "EXECUTE TASK"),
];

/// What one account looks like from floe's session.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AccountCheck {
    /// `ORG.ACCOUNT`, the data-sharing identifier.
    pub identifier: String,
    pub role: Option<String>,
    pub warehouse: Option<String>,
    /// Privilege → held (directly or through an inherited role).
    pub privileges: BTreeMap<&'static str, bool>,
}

impl AccountCheck {
    /// The first missing privilege with the statement that grants it.
    pub fn first_problem(&self) -> Option<String> {
        let role = self.role.as_deref().unwrap_or("<role>");
        NEEDED.iter().find_map(|(what, privilege)| {
            (!self.privileges.get(privilege).copied().unwrap_or(false)).then(|| {
                format!(
                    "role {role} cannot {what}: run `GRANT {privilege} ON ACCOUNT TO ROLE {}` as ACCOUNTADMIN, or use a role that has it",
                    Ident::from_stored(role).sql()
                )
            })
        })
    }

    /// The report lines for this account.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![
            format!("  identifier   {}", self.identifier),
            format!(
                "  role         {}",
                self.role.as_deref().unwrap_or("(none)")
            ),
            format!(
                "  warehouse    {}",
                self.warehouse
                    .as_deref()
                    .unwrap_or("(none: tasks, procedures and queries that need one will fail)")
            ),
        ];
        for (what, privilege) in NEEDED {
            let held = self.privileges.get(privilege).copied().unwrap_or(false);
            lines.push(format!(
                "  {:<18}{} ({privilege})",
                what,
                if held { "yes" } else { "NO" }
            ));
        }
        lines
    }
}

/// Reads identifier, role, warehouse and account-level privileges over `session`.
pub fn check_account(session: &dyn SqlSession) -> Result<AccountCheck, BackendError> {
    let rows = session.execute(
        "SELECT CURRENT_ORGANIZATION_NAME(), CURRENT_ACCOUNT_NAME(), CURRENT_ROLE(), CURRENT_WAREHOUSE()",
    )?;
    let first = rows
        .rows
        .first()
        .ok_or_else(|| BackendError::Protocol("the context query returned no row".to_string()))?;
    let cell = |i: usize| first.get(i).cloned().flatten();
    let identifier = match (cell(0), cell(1)) {
        (Some(org), Some(account)) => format!("{org}.{account}"),
        (None, Some(account)) => account,
        _ => {
            return Err(BackendError::Protocol(
                "CURRENT_ACCOUNT_NAME() returned nothing".to_string(),
            ));
        }
    };
    let role = cell(2);
    let warehouse = cell(3);
    let held = match &role {
        Some(role) => account_privileges(session, role)?,
        None => BTreeSet::new(),
    };
    let privileges = NEEDED
        .iter()
        .map(|(_, privilege)| (*privilege, held.contains(*privilege)))
        .collect();
    Ok(AccountCheck {
        identifier,
        role,
        warehouse,
        privileges,
    })
}

/// The account-level privileges of `role` and every role it inherits.
/// ACCOUNTADMIN holds them all.
fn account_privileges(
    session: &dyn SqlSession,
    role: &str,
) -> Result<BTreeSet<String>, BackendError> {
    let mut held = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([role.to_string()]);
    while let Some(current) = queue.pop_front() {
        if !seen.insert(current.clone()) {
            continue;
        }
        if current.eq_ignore_ascii_case("ACCOUNTADMIN") {
            held.extend(NEEDED.iter().map(|(_, p)| p.to_string()));
            continue;
        }
        let grants = session.execute(&format!(
            "SHOW GRANTS TO ROLE {}",
            Ident::from_stored(current.as_str()).sql()
        ))?;
        for grant in grants.iter() {
            let privilege = grant.get("privilege").unwrap_or_default();
            match grant.get("granted_on").unwrap_or_default() {
                "ACCOUNT" => {
                    held.insert(privilege.to_ascii_uppercase());
                }
                "ROLE" if privilege.eq_ignore_ascii_case("USAGE") => {
                    if let Some(inherited) = grant.get("name") {
                        queue.push_back(inherited.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    Ok(held)
}

/// Runs the checks for each account in order, printing as it goes; returns exit
/// code 1 at the first problem.
pub fn report(accounts: impl IntoIterator<Item = Reach>) -> ExitCode {
    for reach in accounts {
        let account = &reach.account;
        println!("{account} ({})", reach.via);
        for line in &reach.settings {
            println!("{line}");
        }
        let session = match reach.session {
            Ok(session) => session,
            Err(problem) => {
                eprintln!("error: {account}: {problem}");
                return ExitCode::from(1);
            }
        };
        let check = match check_account(session.as_ref()) {
            Ok(check) => check,
            Err(error) => {
                eprintln!("error: {account}: {error}");
                return ExitCode::from(1);
            }
        };
        for line in check.lines() {
            println!("{line}");
        }
        if let Some(problem) = check.first_problem() {
            eprintln!("error: {account}: {problem}");
            return ExitCode::from(1);
        }
        if let (None, Some(hint)) = (&check.warehouse, &reach.warehouse_hint) {
            eprintln!("error: {account}: {hint}");
            return ExitCode::from(1);
        }
    }
    println!("all accounts ready");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::session::{Column, Rows};

    struct Fake {
        role: &'static str,
        grants: BTreeMap<&'static str, Vec<(&'static str, &'static str, &'static str)>>,
    }

    fn rows(columns: &[&str], data: Vec<Vec<Option<String>>>) -> Rows {
        Rows {
            columns: columns
                .iter()
                .map(|c| Column {
                    name: c.to_string(),
                    type_name: "TEXT".to_string(),
                })
                .collect(),
            rows: data,
        }
    }

    impl SqlSession for Fake {
        fn execute(&self, sql: &str) -> Result<Rows, BackendError> {
            if sql.starts_with("SELECT CURRENT_ORGANIZATION_NAME()") {
                return Ok(rows(
                    &["a", "b", "c", "d"],
                    vec![vec![
                        Some("LOCALORG".to_string()),
                        Some("BANK".to_string()),
                        Some(self.role.to_string()),
                        None,
                    ]],
                ));
            }
            let role = sql.strip_prefix("SHOW GRANTS TO ROLE ").unwrap_or_default();
            let grants = self.grants.get(role).cloned().unwrap_or_default();
            Ok(rows(
                &["created_on", "privilege", "granted_on", "name"],
                grants
                    .into_iter()
                    .map(|(p, on, name)| {
                        vec![
                            None,
                            Some(p.to_string()),
                            Some(on.to_string()),
                            Some(name.to_string()),
                        ]
                    })
                    .collect(),
            ))
        }
    }

    #[test]
    fn accountadmin_holds_everything() {
        let check = check_account(&Fake {
            role: "ACCOUNTADMIN",
            grants: BTreeMap::new(),
        })
        .unwrap();
        assert_eq!(check.identifier, "LOCALORG.BANK");
        assert!(check.privileges.values().all(|held| *held));
        assert_eq!(check.first_problem(), None);
        assert!(check.lines()[2].contains("(none"));
    }

    #[test]
    fn inherited_roles_count_and_missing_privileges_are_named() {
        let grants = BTreeMap::from([
            (
                "DEPLOYER",
                vec![
                    ("USAGE", "ROLE", "SYSADMIN"),
                    ("CREATE SHARE", "ACCOUNT", "BANK"),
                ],
            ),
            (
                "SYSADMIN",
                vec![
                    ("CREATE DATABASE", "ACCOUNT", "BANK"),
                    ("USAGE", "ROLE", "DEPLOYER"),
                ],
            ),
        ]);
        let check = check_account(&Fake {
            role: "DEPLOYER",
            grants,
        })
        .unwrap();
        assert!(check.privileges["CREATE DATABASE"]);
        assert!(check.privileges["CREATE SHARE"]);
        assert!(!check.privileges["CREATE LISTING"]);
        assert_eq!(
            check.first_problem().unwrap(),
            "role DEPLOYER cannot create listings: run `GRANT CREATE LISTING ON ACCOUNT TO ROLE DEPLOYER` as ACCOUNTADMIN, or use a role that has it"
        );
    }
}
