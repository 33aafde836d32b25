//! Resolving names written in manifests: identifiers, references relative to the
//! place they are written, data types and routine signatures.

use crate::model::{Ident, IdentError, ObjectName, split_dotted};

/// Where a reference is written: the database and schema around it, if any.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub database: Option<Ident>,
    pub schema: Option<Ident>,
}

impl Scope {
    pub fn account() -> Scope {
        Scope::default()
    }
    pub fn database(db: &Ident) -> Scope {
        Scope {
            database: Some(db.clone()),
            schema: None,
        }
    }
    pub fn schema(db: &Ident, schema: &Ident) -> Scope {
        Scope {
            database: Some(db.clone()),
            schema: Some(schema.clone()),
        }
    }
}

/// Why a reference could not be resolved syntactically.
#[derive(Debug, Clone, PartialEq)]
pub enum NameError {
    Ident(IdentError),
    /// Too many or too few parts for the kind of object referenced.
    Parts {
        expected: &'static str,
    },
}

impl std::fmt::Display for NameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameError::Ident(e) => write!(f, "{e}"),
            NameError::Parts { expected } => write!(f, "expected {expected}"),
        }
    }
}

fn parts(text: &str) -> Result<Vec<Ident>, NameError> {
    split_dotted(text.trim())
        .iter()
        .map(|p| Ident::parse(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(NameError::Ident)
}

/// An account-level name (warehouse, role, database, share, listing): one part.
pub fn account_level(text: &str) -> Result<ObjectName, NameError> {
    let mut p = parts(text)?;
    if p.len() != 1 {
        return Err(NameError::Parts {
            expected: "a single name",
        });
    }
    Ok(ObjectName::account_level(p.remove(0)))
}

/// A schema name: `schema` (in the scope's database) or `db.schema`.
pub fn schema_level(text: &str, scope: &Scope) -> Result<ObjectName, NameError> {
    let p = parts(text)?;
    match (p.as_slice(), &scope.database) {
        ([name], Some(db)) => Ok(ObjectName::in_database(db.clone(), name.clone())),
        ([db, name], _) => Ok(ObjectName::in_database(db.clone(), name.clone())),
        _ => Err(NameError::Parts {
            expected: if scope.database.is_some() {
                "`schema` or `database.schema`"
            } else {
                "`database.schema`"
            },
        }),
    }
}

/// A schema object name: `name` (in the scope's schema), `schema.name` (in the scope's
/// database) or `db.schema.name`.
pub fn object_level(text: &str, scope: &Scope) -> Result<ObjectName, NameError> {
    let p = parts(text)?;
    match (p.as_slice(), &scope.database, &scope.schema) {
        ([name], Some(db), Some(schema)) => Ok(ObjectName::in_schema(
            db.clone(),
            schema.clone(),
            name.clone(),
        )),
        ([schema, name], Some(db), _) => Ok(ObjectName::in_schema(
            db.clone(),
            schema.clone(),
            name.clone(),
        )),
        ([db, schema, name], _, _) => Ok(ObjectName::in_schema(
            db.clone(),
            schema.clone(),
            name.clone(),
        )),
        _ => Err(NameError::Parts {
            expected: match (&scope.database, &scope.schema) {
                (Some(_), Some(_)) => "`name`, `schema.name` or `database.schema.name`",
                (Some(_), None) => "`schema.name` or `database.schema.name`",
                _ => "a fully qualified name `database.schema.name`",
            },
        }),
    }
}

/// Splits `name(type, type)` into the name and the written argument types.
pub fn split_signature(text: &str) -> (String, Option<Vec<String>>) {
    let text = text.trim();
    // The argument list starts at the first `(` outside double quotes.
    let mut in_quotes = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '(' if !in_quotes => {
                let name = text[..i].trim().to_string();
                let inner = text[i + 1..].trim_end().trim_end_matches(')');
                let types = if inner.trim().is_empty() {
                    Vec::new()
                } else {
                    split_top_level(inner)
                        .into_iter()
                        .map(|t| t.trim().to_string())
                        .collect()
                };
                return (name, Some(types));
            }
            _ => {}
        }
    }
    (text.to_string(), None)
}

/// Splits on commas that are not inside parentheses (`number(38,0), varchar`).
pub fn split_top_level(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

/// Base names of the SQL data types floe accepts in columns and signatures.
pub const DATA_TYPES: &[&str] = &[
    "NUMBER",
    "DECIMAL",
    "DEC",
    "NUMERIC",
    "INT",
    "INTEGER",
    "BIGINT",
    "SMALLINT",
    "TINYINT",
    "BYTEINT",
    "FLOAT",
    "FLOAT4",
    "FLOAT8",
    "DOUBLE",
    "REAL",
    "VARCHAR",
    "CHAR",
    "CHARACTER",
    "NCHAR",
    "NVARCHAR",
    "NVARCHAR2",
    "CHAR VARYING",
    "NCHAR VARYING",
    "STRING",
    "TEXT",
    "BINARY",
    "VARBINARY",
    "BOOLEAN",
    "DATE",
    "DATETIME",
    "TIME",
    "TIMESTAMP",
    "TIMESTAMP_LTZ",
    "TIMESTAMP_NTZ",
    "TIMESTAMP_TZ",
    "VARIANT",
    "OBJECT",
    "ARRAY",
    "GEOGRAPHY",
    "GEOMETRY",
    "VECTOR",
    "TABLE",
];

/// The base type name of a written type: `number(38, 0)` → `NUMBER`,
/// `double precision` → `DOUBLE`.
pub fn base_type(written: &str) -> String {
    let upper = written.trim().to_ascii_uppercase();
    let end = upper
        .find(|c: char| c == '(' || c.is_whitespace())
        .unwrap_or(upper.len());
    upper[..end].to_string()
}

/// True when the written type's base name is a known SQL type.
pub fn is_known_type(written: &str) -> bool {
    DATA_TYPES.contains(&base_type(written).as_str())
}

/// The type name as SHOW PROCEDURES/FUNCTIONS prints it in a signature: legacy names
/// without length or precision (`varchar(100)` → `VARCHAR`, `int` → `NUMBER`).
pub fn signature_type(written: &str) -> String {
    let base = base_type(written);
    match base.as_str() {
        "DECIMAL" | "DEC" | "NUMERIC" | "INT" | "INTEGER" | "BIGINT" | "SMALLINT" | "TINYINT"
        | "BYTEINT" | "NUMBER" => "NUMBER".into(),
        "FLOAT4" | "FLOAT8" | "DOUBLE" | "REAL" | "FLOAT" => "FLOAT".into(),
        "CHAR" | "CHARACTER" | "NCHAR" | "NVARCHAR" | "NVARCHAR2" | "STRING" | "TEXT"
        | "VARCHAR" => "VARCHAR".into(),
        "VARBINARY" | "BINARY" => "BINARY".into(),
        "DATETIME" | "TIMESTAMP" => "TIMESTAMP_NTZ".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> Ident {
        Ident::parse(s).unwrap()
    }

    #[test]
    fn relative_names_resolve_in_scope() {
        let scope = Scope::schema(&id("db"), &id("sch"));
        assert_eq!(
            object_level("parquet_format", &scope).unwrap().sql(),
            "DB.SCH.PARQUET_FORMAT"
        );
        assert_eq!(object_level("other.t", &scope).unwrap().sql(), "DB.OTHER.T");
        assert_eq!(
            object_level("x.y.\"customer_ID\"", &scope).unwrap().sql(),
            "X.Y.\"customer_ID\""
        );
        assert!(object_level("t", &Scope::account()).is_err());
        assert!(object_level("a.b.c.d", &scope).is_err());
        assert_eq!(
            schema_level("s", &Scope::database(&id("d"))).unwrap().sql(),
            "D.S"
        );
        assert!(account_level("a.b").is_err());
        assert!(account_level("bad-name").is_err());
    }

    #[test]
    fn signatures_use_legacy_type_names() {
        let (name, types) = split_signature("db.s.p(varchar(10), number(38, 0), int)");
        assert_eq!(name, "db.s.p");
        let types: Vec<String> = types.unwrap().iter().map(|t| signature_type(t)).collect();
        assert_eq!(types, ["VARCHAR", "NUMBER", "NUMBER"]);
        assert_eq!(split_signature("f()").1, Some(vec![]));
        assert_eq!(split_signature("f").1, None);
        assert_eq!(signature_type("double precision"), "FLOAT");
        assert!(is_known_type("number(38,0)"));
        assert!(!is_known_type("numbr"));
    }
}
