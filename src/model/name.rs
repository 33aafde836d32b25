//! Object kinds, names and identities.
//!
//! An [`ObjectId`] is what makes an object unique across the whole project: the
//! project account it lives in, its kind and its (qualified) name. Procedures and
//! functions also carry their argument types, because Snowflake identifies them by
//! name *and* signature.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ident::Ident;

/// A project account as named in `floe.yaml` (`bank`, `partner`), lower-case.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountName(String);

impl AccountName {
    pub fn new(name: impl Into<String>) -> AccountName {
        AccountName(name.into().to_ascii_lowercase())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every kind of object floe manages.
///
/// The order of the variants is the order objects of different kinds are listed in
/// output when nothing else decides (containers before contents).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Role,
    Warehouse,
    Database,
    Schema,
    FileFormat,
    Stage,
    Table,
    Share,
    Listing,
    Stream,
    Procedure,
    Function,
    Model,
    Task,
    Grant,
}

impl ObjectKind {
    pub const ALL: [ObjectKind; 15] = [
        ObjectKind::Role,
        ObjectKind::Warehouse,
        ObjectKind::Database,
        ObjectKind::Schema,
        ObjectKind::FileFormat,
        ObjectKind::Stage,
        ObjectKind::Table,
        ObjectKind::Share,
        ObjectKind::Listing,
        ObjectKind::Stream,
        ObjectKind::Procedure,
        ObjectKind::Function,
        ObjectKind::Model,
        ObjectKind::Task,
        ObjectKind::Grant,
    ];

    /// The keyword used in DDL (`CREATE <keyword> …`) and in messages.
    pub fn sql_keyword(self) -> &'static str {
        match self {
            ObjectKind::Role => "ROLE",
            ObjectKind::Warehouse => "WAREHOUSE",
            ObjectKind::Database => "DATABASE",
            ObjectKind::Schema => "SCHEMA",
            ObjectKind::FileFormat => "FILE FORMAT",
            ObjectKind::Stage => "STAGE",
            ObjectKind::Table => "TABLE",
            ObjectKind::Share => "SHARE",
            ObjectKind::Listing => "LISTING",
            ObjectKind::Stream => "STREAM",
            ObjectKind::Procedure => "PROCEDURE",
            ObjectKind::Function => "FUNCTION",
            ObjectKind::Model => "MODEL",
            ObjectKind::Task => "TASK",
            ObjectKind::Grant => "GRANT",
        }
    }

    /// The snake_case name used in manifests, JSON output and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Role => "role",
            ObjectKind::Warehouse => "warehouse",
            ObjectKind::Database => "database",
            ObjectKind::Schema => "schema",
            ObjectKind::FileFormat => "file_format",
            ObjectKind::Stage => "stage",
            ObjectKind::Table => "table",
            ObjectKind::Share => "share",
            ObjectKind::Listing => "listing",
            ObjectKind::Stream => "stream",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Function => "function",
            ObjectKind::Model => "model",
            ObjectKind::Task => "task",
            ObjectKind::Grant => "grant",
        }
    }

    /// Where objects of this kind live.
    pub fn level(self) -> Level {
        match self {
            ObjectKind::Role
            | ObjectKind::Warehouse
            | ObjectKind::Database
            | ObjectKind::Share
            | ObjectKind::Listing
            | ObjectKind::Grant => Level::Account,
            ObjectKind::Schema => Level::Database,
            _ => Level::Schema,
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an object lives: directly in the account, in a database, or in a schema.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Level {
    Account,
    Database,
    Schema,
}

/// A possibly qualified object name: `NAME`, `DB.NAME` (schemas) or `DB.SCHEMA.NAME`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObjectName {
    pub database: Option<Ident>,
    pub schema: Option<Ident>,
    pub name: Ident,
}

impl ObjectName {
    pub fn account_level(name: Ident) -> ObjectName {
        ObjectName {
            database: None,
            schema: None,
            name,
        }
    }
    pub fn in_database(database: Ident, name: Ident) -> ObjectName {
        ObjectName {
            database: Some(database),
            schema: None,
            name,
        }
    }
    pub fn in_schema(database: Ident, schema: Ident, name: Ident) -> ObjectName {
        ObjectName {
            database: Some(database),
            schema: Some(schema),
            name,
        }
    }

    /// The name of the container (database for a schema, schema for a schema object).
    pub fn parent(&self) -> Option<ObjectName> {
        match (&self.database, &self.schema) {
            (Some(db), Some(schema)) => Some(ObjectName::in_database(db.clone(), schema.clone())),
            (Some(db), None) => Some(ObjectName::account_level(db.clone())),
            _ => None,
        }
    }

    /// Fully qualified SQL form, each part quoted as needed: `DB.SCH."customer_ID"`.
    pub fn sql(&self) -> String {
        let mut out = String::new();
        for part in [&self.database, &self.schema].into_iter().flatten() {
            out.push_str(&part.sql());
            out.push('.');
        }
        out.push_str(&self.name.sql());
        out
    }

    /// Parses a dotted SQL-style name (`db.sch."x"`) into its parts.
    pub fn parse(text: &str) -> Result<ObjectName, super::ident::IdentError> {
        let parts = split_dotted(text);
        let mut idents = parts
            .iter()
            .map(|p| Ident::parse(p))
            .collect::<Result<Vec<_>, _>>()?;
        let name = idents.pop().ok_or(super::ident::IdentError::Empty)?;
        Ok(match idents.len() {
            0 => ObjectName::account_level(name),
            1 => ObjectName::in_database(idents.remove(0), name),
            _ => {
                let schema = idents.pop().unwrap_or_else(|| unreachable!());
                let database = idents.pop().unwrap_or_else(|| unreachable!());
                if !idents.is_empty() {
                    return Err(super::ident::IdentError::BadQuoting(text.to_string()));
                }
                ObjectName::in_schema(database, schema, name)
            }
        })
    }
}

/// Splits `a."b.c".d` on the dots that are outside double quotes.
pub fn split_dotted(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    for c in text.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                current.push(c);
            }
            '.' if !in_quotes => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
}

impl fmt::Display for ObjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql())
    }
}

impl fmt::Debug for ObjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql())
    }
}

/// The identity of one managed object anywhere in the project.
///
/// * `signature` is set for procedures and functions: the normalized argument types
///   (`["VARCHAR", "NUMBER"]`), since Snowflake identifies them by name and types.
/// * Grants use `name.name` as a canonical key (`SELECT ON TABLE DB.S.T TO ROLE R`);
///   their structured form is in [`crate::model::GrantSpec`].
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObjectId {
    pub account: AccountName,
    pub kind: ObjectKind,
    pub name: ObjectName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Vec<String>>,
}

impl ObjectId {
    pub fn new(account: AccountName, kind: ObjectKind, name: ObjectName) -> ObjectId {
        ObjectId {
            account,
            kind,
            name,
            signature: None,
        }
    }

    pub fn routine(
        account: AccountName,
        kind: ObjectKind,
        name: ObjectName,
        arg_types: Vec<String>,
    ) -> ObjectId {
        ObjectId {
            account,
            kind,
            name,
            signature: Some(arg_types),
        }
    }

    /// The SQL form used to address the object, with the argument types for routines:
    /// `DB.S.P(VARCHAR, VARCHAR)`.
    pub fn sql_name(&self) -> String {
        match &self.signature {
            Some(types) => format!("{}({})", self.name.sql(), types.join(", ")),
            None => self.name.sql(),
        }
    }
}

impl fmt::Display for ObjectId {
    /// `bank: table DATA_SHARING_DEMO.DATA_SHARING_DEMO.CC_DEFAULT_UNSCORED_DATA`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == ObjectKind::Grant {
            write!(f, "{}: grant {}", self.account, self.name.name.as_str())
        } else {
            write!(f, "{}: {} {}", self.account, self.kind, self.sql_name())
        }
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_names_parse_with_quotes() {
        let n = ObjectName::parse("db.sch.\"customer.ID\"").unwrap();
        assert_eq!(n.database.unwrap().as_str(), "DB");
        assert_eq!(n.schema.unwrap().as_str(), "SCH");
        assert_eq!(n.name.as_str(), "customer.ID");
        assert!(ObjectName::parse("a.b.c.d").is_err());
    }

    #[test]
    fn sql_round_trip() {
        let n = ObjectName::parse("data_sharing_demo.\"My Schema\".t").unwrap();
        assert_eq!(n.sql(), "DATA_SHARING_DEMO.\"My Schema\".T");
        assert_eq!(ObjectName::parse(&n.sql()).unwrap(), n);
    }
}
