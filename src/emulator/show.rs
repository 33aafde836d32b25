//! The options every SHOW shares — `TERSE`, `LIKE`, `IN …`, `STARTS WITH`,
//! `LIMIT n FROM` — and applying them to rows in Snowflake's order.

use super::error::SfError;
use super::parser::{Name, Parser, like};
use crate::runtime::session::Rows;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Account,
    Database(Option<Name>),
    Schema(Option<Name>),
    /// `IN TABLE t`, `IN MODEL m`, … (keyword upper-cased).
    Object(String, Name),
}

#[derive(Clone, Debug, Default)]
pub struct ShowOpts {
    pub like: Option<String>,
    pub scope: Option<Scope>,
    pub starts_with: Option<String>,
    pub limit: Option<usize>,
    pub from: Option<String>,
    /// `ROOT ONLY` (SHOW TASKS).
    pub root_only: bool,
}

/// Parses the trailing options. `scopes` says whether an `IN` clause is allowed.
pub fn parse_opts(p: &mut Parser<'_>, scopes: bool) -> Result<ShowOpts, SfError> {
    let mut o = ShowOpts::default();
    if p.eat_kw("LIKE") {
        o.like = Some(p.string()?);
    }
    if scopes && p.eat_kw("IN") {
        o.scope = Some(if p.eat_kw("ACCOUNT") {
            Scope::Account
        } else if p.eat_kw("DATABASE") {
            Scope::Database(if p.at_end() || p.is_kw("STARTS") || p.is_kw("LIMIT") {
                None
            } else {
                Some(p.name(1)?)
            })
        } else if p.eat_kw("SCHEMA") {
            Scope::Schema(if p.at_end() || p.is_kw("STARTS") || p.is_kw("LIMIT") {
                None
            } else {
                Some(p.name(2)?)
            })
        } else if let Some(w) = p
            .word()
            .filter(|w| matches!(w.as_str(), "TABLE" | "VIEW" | "MODEL"))
        {
            p.advance();
            Scope::Object(w, p.name(3)?)
        } else if p.is_kw("APPLICATION") || p.is_kw("CLASS") {
            return Err(SfError::unsupported(&format!(
                "SHOW … IN {}",
                p.word().unwrap_or_default()
            )));
        } else {
            Scope::Schema(Some(p.name(2)?))
        });
    }
    if p.eat_kws(&["STARTS", "WITH"]) {
        o.starts_with = Some(p.string()?);
    }
    if p.eat_kws(&["ROOT", "ONLY"]) {
        o.root_only = true;
    }
    if p.eat_kw("LIMIT") {
        let n = p.number()?;
        if !(0..=10_000).contains(&n) {
            return Err(SfError::invalid_value(&n.to_string(), "LIMIT"));
        }
        o.limit = Some(n as usize);
        if p.eat_kw("FROM") {
            o.from = Some(p.string()?);
        }
    }
    p.end()?;
    Ok(o)
}

impl ShowOpts {
    /// Whether a row named `name` passes LIKE / STARTS WITH / FROM.
    pub fn accepts(&self, name: &str) -> bool {
        if let Some(l) = &self.like
            && !like(l, name)
        {
            return false;
        }
        if let Some(s) = &self.starts_with
            && !name.starts_with(s.as_str())
        {
            return false;
        }
        if let Some(f) = &self.from
            && name <= f.as_str()
        {
            return false;
        }
        true
    }

    /// Filters (name, row) pairs already in Snowflake's order into `out`.
    pub fn finish(&self, mut out: Rows, items: Vec<(String, Vec<Option<String>>)>) -> Rows {
        for (name, row) in items {
            if self.limit.is_some_and(|l| out.rows.len() >= l) {
                break;
            }
            if self.accepts(&name) {
                out.rows.push(row);
            }
        }
        out
    }
}
