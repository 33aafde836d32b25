//! Snowflake-shaped errors: six-digit error number, SQLSTATE and message text,
//! as the reference lists them (`SQL compilation error:\n…`).

use crate::runtime::session::BackendError;

/// An error raised while executing one statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SfError {
    pub code: &'static str,
    pub sqlstate: &'static str,
    pub message: String,
}

const COMPILE: &str = "SQL compilation error:\n";

impl SfError {
    pub fn new(code: &'static str, sqlstate: &'static str, message: impl Into<String>) -> SfError {
        SfError {
            code,
            sqlstate,
            message: message.into(),
        }
    }

    /// `syntax error line L at position P unexpected 'X'.`
    pub fn syntax_at(line: usize, col: usize, unexpected: &str) -> SfError {
        SfError::new(
            "001003",
            "42000",
            format!(
                "{COMPILE}syntax error line {line} at position {col} unexpected '{unexpected}'."
            ),
        )
    }

    /// `Object 'X' already exists.`
    pub fn already_exists(name: &str) -> SfError {
        SfError::new(
            "002002",
            "42710",
            format!("{COMPILE}Object '{name}' already exists."),
        )
    }

    /// `<Kind> 'X' does not exist or not authorized.`
    pub fn not_found(kind: &str, name: &str) -> SfError {
        let sqlstate = match kind {
            "Table" | "Object" => "42S02",
            _ => "02000",
        };
        SfError::new(
            "002003",
            sqlstate,
            format!("{COMPILE}{kind} '{name}' does not exist or not authorized."),
        )
    }

    /// `Object does not exist, or operation cannot be performed.`
    pub fn cannot_perform() -> SfError {
        SfError::new(
            "002043",
            "02000",
            format!("{COMPILE}Object does not exist, or operation cannot be performed."),
        )
    }

    pub fn no_current_database() -> SfError {
        SfError::new(
            "090105",
            "22000",
            "Cannot perform operation. This session does not have a current database. Call 'USE DATABASE', or use a qualified name.",
        )
    }

    pub fn no_current_schema() -> SfError {
        SfError::new(
            "090106",
            "22000",
            "Cannot perform operation. This session does not have a current schema. Call 'USE SCHEMA', or use a qualified name.",
        )
    }

    /// A statement, clause or property the emulator does not implement.
    pub fn unsupported(what: &str) -> SfError {
        SfError::new(
            "000002",
            "0A000",
            format!("Unsupported feature '{what}': not supported by the floe Snowflake emulator."),
        )
    }

    pub fn insufficient_privileges(on: &str) -> SfError {
        SfError::new(
            "003001",
            "42501",
            format!("SQL access control error:\nInsufficient privileges to operate on {on}"),
        )
    }

    pub fn invalid_value(value: &str, param: &str) -> SfError {
        SfError::new(
            "001008",
            "22023",
            format!("{COMPILE}invalid value [{value}] for parameter '{param}'"),
        )
    }

    pub fn invalid_property(prop: &str, kind: &str) -> SfError {
        SfError::new(
            "001420",
            "22023",
            format!("{COMPILE}invalid property '{prop}' for '{kind}'"),
        )
    }

    /// A compile-time error with a free text (used where Snowflake's text is specific).
    pub fn compile(code: &'static str, sqlstate: &'static str, text: impl AsRef<str>) -> SfError {
        SfError::new(code, sqlstate, format!("{COMPILE}{}", text.as_ref()))
    }

    /// A user error outside compilation (state checks at execution time).
    pub fn user(text: impl Into<String>) -> SfError {
        SfError::new("091089", "22000", text)
    }

    pub fn shared_database_gone() -> SfError {
        SfError::new(
            "003030",
            "02000",
            format!(
                "{COMPILE}Shared database is no longer available for use. It will need to be re-created if and when the publisher makes it available again."
            ),
        )
    }

    pub fn storage(err: impl std::fmt::Display) -> SfError {
        SfError::new(
            "000603",
            "XX000",
            format!("SQL execution internal error:\n{err}"),
        )
    }

    pub fn into_backend(self, statement: &str, query_id: Option<String>) -> BackendError {
        BackendError::Sql {
            code: self.code.to_string(),
            sqlstate: self.sqlstate.to_string(),
            message: self.message,
            query_id,
            statement: statement.to_string(),
        }
    }
}

impl From<rusqlite::Error> for SfError {
    fn from(e: rusqlite::Error) -> SfError {
        SfError::storage(e)
    }
}

impl From<serde_json::Error> for SfError {
    fn from(e: serde_json::Error) -> SfError {
        SfError::storage(e)
    }
}
