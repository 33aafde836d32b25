//! Snowflake identifiers.
//!
//! An [`Ident`] holds the *stored* form of a name, the one SHOW and DESCRIBE print:
//! unquoted identifiers fold to upper case, quoted identifiers keep every character.
//! [`Ident::sql`] renders it back so that Snowflake resolves it to the same stored
//! name: bare when it is a simple upper-case identifier, double-quoted otherwise.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a piece of text is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentError {
    #[error("an identifier cannot be empty")]
    Empty,
    #[error("identifier is longer than 255 characters")]
    TooLong,
    #[error(
        "`{0}` is not a valid unquoted identifier: it must start with a letter or `_` and contain only letters, digits, `_` and `$` (quote it as '\"{0}\"' to keep it as written)"
    )]
    InvalidUnquoted(String),
    #[error("`{0}` has an unterminated or malformed double quote")]
    BadQuoting(String),
}

/// A resolved Snowflake identifier (the stored name, without quotes).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ident(String);

impl Ident {
    /// Parses an identifier as a user writes it in a manifest or in SQL:
    /// `query_wh` → `QUERY_WH`, `"customer_ID"` → `customer_ID`, `"a""b"` → `a"b`.
    pub fn parse(text: &str) -> Result<Ident, IdentError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(IdentError::Empty);
        }
        let stored = if let Some(inner) = text.strip_prefix('"') {
            let inner = inner
                .strip_suffix('"')
                .ok_or_else(|| IdentError::BadQuoting(text.to_string()))?;
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        out.push('"');
                    } else {
                        return Err(IdentError::BadQuoting(text.to_string()));
                    }
                } else {
                    out.push(c);
                }
            }
            if out.is_empty() {
                return Err(IdentError::Empty);
            }
            out
        } else {
            if !is_valid_unquoted(text) {
                return Err(IdentError::InvalidUnquoted(text.to_string()));
            }
            text.to_ascii_uppercase()
        };
        if stored.chars().count() > 255 {
            return Err(IdentError::TooLong);
        }
        Ok(Ident(stored))
    }

    /// Wraps an already-resolved (stored) name, e.g. a `name` column of SHOW output.
    pub fn from_stored(stored: impl Into<String>) -> Ident {
        Ident(stored.into())
    }

    /// The stored name, as SHOW prints it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the stored name can be written without quotes.
    pub fn is_simple(&self) -> bool {
        is_valid_unquoted(&self.0) && self.0.chars().all(|c| !c.is_ascii_lowercase())
    }

    /// The SQL form: bare when simple, otherwise double-quoted with `""` escapes.
    pub fn sql(&self) -> String {
        if self.is_simple() {
            self.0.clone()
        } else {
            format!("\"{}\"", self.0.replace('"', "\"\""))
        }
    }
}

fn is_valid_unquoted(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

impl fmt::Display for Ident {
    /// Displays the SQL form, so messages show names the way a user would type them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql())
    }
}

impl fmt::Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.sql())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquoted_folds_to_upper_case() {
        assert_eq!(Ident::parse("query_wh").unwrap().as_str(), "QUERY_WH");
        assert_eq!(
            Ident::parse("QUERY_WH").unwrap(),
            Ident::parse("query_wh").unwrap()
        );
    }

    #[test]
    fn quoted_keeps_case_and_escapes() {
        let id = Ident::parse("\"customer_ID\"").unwrap();
        assert_eq!(id.as_str(), "customer_ID");
        assert_eq!(id.sql(), "\"customer_ID\"");
        let q = Ident::parse("\"a\"\"b\"").unwrap();
        assert_eq!(q.as_str(), "a\"b");
        assert_eq!(q.sql(), "\"a\"\"b\"");
        assert_eq!(Ident::parse(&q.sql()).unwrap(), q);
    }

    #[test]
    fn quoted_upper_case_equals_unquoted() {
        assert_eq!(
            Ident::parse("\"MYTABLE\"").unwrap(),
            Ident::parse("mytable").unwrap()
        );
        assert_ne!(
            Ident::parse("\"mytable\"").unwrap(),
            Ident::parse("mytable").unwrap()
        );
    }

    #[test]
    fn invalid_unquoted_rejected() {
        assert!(matches!(
            Ident::parse("my-table"),
            Err(IdentError::InvalidUnquoted(_))
        ));
        assert!(matches!(
            Ident::parse("1abc"),
            Err(IdentError::InvalidUnquoted(_))
        ));
        assert!(matches!(
            Ident::parse("\"abc"),
            Err(IdentError::BadQuoting(_))
        ));
        assert!(matches!(
            Ident::parse("\"a\"b\""),
            Err(IdentError::BadQuoting(_))
        ));
        assert_eq!(Ident::parse(""), Err(IdentError::Empty));
        assert_eq!(Ident::parse("\"\""), Err(IdentError::Empty));
    }

    #[test]
    fn sql_form_quotes_only_when_needed() {
        assert_eq!(Ident::from_stored("S_2").sql(), "S_2");
        assert_eq!(Ident::from_stored("has space").sql(), "\"has space\"");
        assert_eq!(Ident::from_stored("A$B").sql(), "A$B");
        assert_eq!(
            Ident::from_stored("x; DROP TABLE t").sql(),
            "\"x; DROP TABLE t\""
        );
    }
}
