//! Rendering SQL safely: identifier quoting, string literals, and statements whose
//! text contains values only known at apply time.
//!
//! Every statement floe sends is built from these pieces, so a name or a comment can
//! never change the meaning of a statement (no injection).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::AccountName;

/// A single-quoted SQL string literal: `it's` → `'it''s'`. Backslashes are escaped
/// too, because Snowflake treats `\` as an escape character in single-quoted strings.
pub fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A dollar-quoted body (`$$ … $$`) when the text allows it, else a string literal.
pub fn body(text: &str) -> String {
    if text.contains("$$") {
        literal(text)
    } else {
        format!("$${text}$$")
    }
}

/// A value that is not known when the plan is made, filled in by `apply`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(tag = "deferred", rename_all = "snake_case")]
pub enum Deferred {
    /// The system-generated global name of a listing created by this apply
    /// (read with `SHOW LISTINGS LIKE` in the provider account).
    ListingGlobalName {
        account: AccountName,
        listing: String,
    },
    /// A secret read from an environment variable at apply time. Rendered as a
    /// string literal; never printed.
    SecretFromEnv { var: String },
    /// A local file a statement reads (`PUT 'file://…'`), by its path relative to the
    /// project folder. Resolved to `file://<absolute path>` when applied, against the
    /// project folder apply runs from, so a saved plan names no path of the machine
    /// that made it and applies from any copy of the project.
    LocalFile { path: std::path::PathBuf },
}

impl fmt::Display for Deferred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deferred::ListingGlobalName { account, listing } => {
                write!(
                    f,
                    "'<global name of listing {account}.{listing}, known after apply>'"
                )
            }
            Deferred::SecretFromEnv { var } => write!(f, "'<secret from ${var}>'"),
            Deferred::LocalFile { path } if path.is_absolute() => {
                write!(f, "{}", literal(&format!("file://{}", path.display())))
            }
            Deferred::LocalFile { path } => write!(
                f,
                "{}",
                literal(&format!("file://<project>/{}", path.display()))
            ),
        }
    }
}

/// A piece of a statement.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Segment {
    Text(String),
    Deferred(Deferred),
}

/// One SQL statement, possibly containing deferred values.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Statement {
    pub segments: Vec<Segment>,
}

impl Statement {
    pub fn new(text: impl Into<String>) -> Statement {
        Statement {
            segments: vec![Segment::Text(text.into())],
        }
    }

    pub fn push(&mut self, text: impl AsRef<str>) -> &mut Statement {
        match self.segments.last_mut() {
            Some(Segment::Text(last)) => last.push_str(text.as_ref()),
            _ => self.segments.push(Segment::Text(text.as_ref().to_string())),
        }
        self
    }

    pub fn push_deferred(&mut self, value: Deferred) -> &mut Statement {
        self.segments.push(Segment::Deferred(value));
        self
    }

    pub fn is_deferred(&self) -> bool {
        self.segments
            .iter()
            .any(|s| matches!(s, Segment::Deferred(_)))
    }

    /// Fills in deferred values. `resolve` returns the raw value; it is rendered as a
    /// string literal here.
    pub fn resolve<E>(
        &self,
        mut resolve: impl FnMut(&Deferred) -> Result<String, E>,
    ) -> Result<String, E> {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Text(t) => out.push_str(t),
                Segment::Deferred(d) => out.push_str(&literal(&resolve(d)?)),
            }
        }
        Ok(out)
    }
}

impl fmt::Display for Statement {
    /// The reviewable form: deferred values shown as placeholders, secrets never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in &self.segments {
            match segment {
                Segment::Text(t) => f.write_str(t)?,
                Segment::Deferred(d) => write!(f, "{d}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(
            literal("a\\'; DROP TABLE x; --"),
            "'a\\\\''; DROP TABLE x; --'"
        );
    }

    #[test]
    fn bodies_fall_back_to_literals() {
        assert_eq!(body("select 1"), "$$select 1$$");
        assert_eq!(body("x $$ y"), "'x $$ y'");
    }

    #[test]
    fn deferred_values_are_hidden_until_resolved() {
        let mut s =
            Statement::new("CREATE STAGE S URL = 's3://b/' CREDENTIALS = (AWS_SECRET_KEY = ");
        s.push_deferred(Deferred::SecretFromEnv {
            var: "AWS_SECRET".into(),
        })
        .push(")");
        assert!(!s.to_string().contains("hunter2"));
        assert!(s.to_string().contains("<secret from $AWS_SECRET>"));
        let sql = s.resolve(|_| Ok::<_, ()>("hunter2".to_string())).unwrap();
        assert!(sql.ends_with("AWS_SECRET_KEY = 'hunter2')"));
    }

    #[test]
    fn local_files_show_their_project_relative_path() {
        let mut s = Statement::new("PUT ");
        s.push_deferred(Deferred::LocalFile {
            path: "model/it's.json".into(),
        })
        .push(" @S/");
        assert_eq!(s.to_string(), "PUT 'file://<project>/model/it''s.json' @S/");
        let absolute = Deferred::LocalFile {
            path: "/data/m.json".into(),
        };
        assert_eq!(absolute.to_string(), "'file:///data/m.json'");
    }
}
