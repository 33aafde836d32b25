//! Small helpers every kind uses: reading SHOW values, canonical text, comparing
//! declared properties, and building [`Change`]s.

use crate::diff::{Action, Change, Hazard, PropertyChange, Shown};
use crate::model::{AccountRef, ObjectId};
use crate::sql::{self, Statement};

use super::Context;

/// A SHOW value with Snowflake's "unset" spellings (`NULL`, `''`, literal `null`) as `None`.
pub fn clean(value: Option<&str>) -> Option<String> {
    let v = value?.trim();
    if v.is_empty() || v.eq_ignore_ascii_case("null") {
        None
    } else {
        Some(v.to_string())
    }
}

/// A comment as observed: unset comments read as the empty string. The text is
/// kept exactly, line endings included (literals carry them escaped).
pub fn comment(value: Option<&str>) -> Option<String> {
    Some(value.unwrap_or_default().to_string())
}

/// `Y`/`N`, `true`/`false`, `TRUE`/`FALSE`, `ON`/`OFF` → bool.
pub fn parse_bool(value: Option<&str>) -> Option<bool> {
    match value?.trim().to_ascii_uppercase().as_str() {
        "Y" | "YES" | "TRUE" | "ON" => Some(true),
        "N" | "NO" | "FALSE" | "OFF" => Some(false),
        _ => None,
    }
}

pub fn parse_num<T: std::str::FromStr>(value: Option<&str>) -> Option<T> {
    clean(value)?.parse().ok()
}

/// Canonical form of a SQL or Python body: LF line endings, no trailing spaces on
/// lines, no leading or trailing blank lines.
pub fn norm_body(text: &str) -> String {
    let unix = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = unix.lines().map(str::trim_end).collect();
    let joined = lines.join("\n");
    joined.trim_matches('\n').trim().to_string()
}

/// Whitespace runs collapsed to one space, trimmed.
pub fn collapse_ws(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits on commas outside parentheses and quotes: `A, F(B, C)` → `A`, ` F(B, C)`.
pub fn split_top_level(text: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quote) = (Vec::new(), String::new(), 0i32, None::<char>);
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

pub fn bool_sql(value: bool) -> &'static str {
    if value { "TRUE" } else { "FALSE" }
}

/// An enumerated value (`STANDARD`, `ECONOMY`, `CSV`): bare when it is a plain
/// keyword, otherwise a string literal, so it can never inject SQL.
pub fn keyword(value: &str) -> String {
    if !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        value.to_string()
    } else {
        sql::literal(value)
    }
}

/// ` COMMENT = '…'` when declared.
pub fn comment_clause(comment: &Option<String>) -> String {
    match comment {
        Some(c) => format!(" COMMENT = {}", sql::literal(c)),
        None => String::new(),
    }
}

/// Resolves a project account to its data-sharing identifier when known; upper-cases
/// literal identifiers.
pub fn resolve_account(account: &AccountRef, ctx: &Context) -> AccountRef {
    match account {
        AccountRef::Project(p) => match ctx.account_identifiers.get(p) {
            Some(id) => AccountRef::Identifier(id.to_ascii_uppercase()),
            None => account.clone(),
        },
        AccountRef::Identifier(id) => AccountRef::Identifier(id.trim().to_ascii_uppercase()),
    }
}

/// `ORG.ACCOUNT` rendered part by part as identifiers.
pub fn account_sql(account: &AccountRef) -> String {
    match account {
        AccountRef::Identifier(id) => id
            .split('.')
            .map(|p| crate::model::Ident::from_stored(p).sql())
            .collect::<Vec<_>>()
            .join("."),
        AccountRef::Project(p) => {
            crate::model::Ident::from_stored(p.as_str().to_ascii_uppercase()).sql()
        }
    }
}

pub fn account_text(account: &AccountRef) -> String {
    match account {
        AccountRef::Identifier(id) => id.clone(),
        AccountRef::Project(p) => format!("<account {p}>"),
    }
}

/// The properties that differ between a desired and an observed spec.
#[derive(Default)]
pub struct Props(pub Vec<PropertyChange>);

impl Props {
    pub fn push(&mut self, name: &str, old: Option<String>, new: Option<String>) {
        self.0.push(PropertyChange::scalar(name, old, new));
    }

    /// Records a list-valued property, one item per line (see [`PropertyChange::list`]).
    pub fn push_list(&mut self, name: &str, old: Option<&[String]>, new: Option<&[String]>) {
        self.0.push(PropertyChange::list(name, old, new));
    }

    /// Records a single-valued property whose sides carry their type.
    pub fn push_typed(&mut self, name: &str, old: Option<Shown>, new: Option<Shown>) {
        self.0.push(PropertyChange::typed(name, old, new));
    }

    /// Records `name` when it is declared (`desired` is Some) and differs; returns
    /// whether it was recorded. `show` gives the value as text, a number or a boolean.
    pub fn cmp<T: PartialEq, S: Into<Shown>>(
        &mut self,
        name: &str,
        desired: &Option<T>,
        observed: &Option<T>,
        show: impl Fn(&T) -> S,
    ) -> bool {
        match desired {
            Some(d) if Some(d) != observed.as_ref() => {
                let old = observed.as_ref().map(|o| show(o).into());
                self.push_typed(name, old, Some(show(d).into()));
                true
            }
            _ => false,
        }
    }

    /// Like [`Props::cmp`] for comments, where an unknown observed comment is empty.
    /// Comments compare exactly: a CRLF the manifest declares is stored as CRLF.
    pub fn cmp_comment(&mut self, desired: &Option<String>, observed: &Option<String>) -> bool {
        let observed = Some(observed.clone().unwrap_or_default());
        self.cmp("comment", desired, &observed, |c| c.clone())
    }

    /// Lists declared properties for a create.
    pub fn declare<T, S: Into<Shown>>(
        &mut self,
        name: &str,
        desired: &Option<T>,
        show: impl Fn(&T) -> S,
    ) {
        if let Some(d) = desired {
            self.push_typed(name, None, Some(show(d).into()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|p| p.name == name)
    }
}

/// Compares the comment (see [`Props::cmp_comment`]) and, when it differs, adds
/// `ALTER <target> SET COMMENT = '…'`; `target` is the keyword and name (`TABLE D.S.T`).
pub fn alter_comment(
    props: &mut Props,
    statements: &mut Vec<Statement>,
    target: &str,
    desired: &Option<String>,
    observed: &Option<String>,
) {
    if props.cmp_comment(desired, observed) {
        statements.push(stmt(format!(
            "ALTER {target} SET COMMENT = {}",
            sql::literal(desired.as_deref().unwrap_or_default())
        )));
    }
}

/// Compares `data_retention_time_in_days` and, when it differs, adds
/// `ALTER <target> SET DATA_RETENTION_TIME_IN_DAYS = n` (Snowflake's default, 1, when
/// the declaration is removed).
pub fn alter_retention(
    props: &mut Props,
    statements: &mut Vec<Statement>,
    target: &str,
    desired: &Option<u32>,
    observed: &Option<u32>,
) {
    if props.cmp("data_retention_time_in_days", desired, observed, |v| *v) {
        statements.push(stmt(format!(
            "ALTER {target} SET DATA_RETENTION_TIME_IN_DAYS = {}",
            desired.unwrap_or(1)
        )));
    }
}

/// The items of `items` that `other` lacks, in order (for lists compared as sets).
pub fn missing_from<'a, T: PartialEq>(items: &'a [T], other: &[T]) -> Vec<&'a T> {
    items.iter().filter(|i| !other.contains(i)).collect()
}

/// An in-place alter when any property differs, else `None`.
pub fn altered(
    id: &ObjectId,
    props: Props,
    statements: Vec<Statement>,
    hazards: Vec<Hazard>,
) -> Option<Change> {
    if props.is_empty() {
        return None;
    }
    Some(change(id, Action::Alter, None, props, statements, hazards))
}

pub fn change(
    id: &ObjectId,
    action: Action,
    reason: Option<String>,
    props: Props,
    statements: Vec<Statement>,
    mut hazards: Vec<Hazard>,
) -> Change {
    hazards.sort();
    hazards.dedup();
    Change {
        id: id.clone(),
        action,
        reason,
        properties: props.0,
        statements,
        hazards,
    }
}

pub fn stmt(text: impl Into<String>) -> Statement {
    Statement::new(text)
}

pub fn show_bool(b: &bool) -> bool {
    *b
}

#[allow(clippy::ptr_arg)] // used as `Fn(&T) -> String` with T = String
pub fn show_str(s: &String) -> String {
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_from_keeps_order_and_ignores_shared_items() {
        assert_eq!(missing_from(&[3, 1, 2], &[2]), vec![&3, &1]);
        assert!(missing_from(&[1, 2], &[2, 1]).is_empty());
    }

    #[test]
    fn unset_spellings() {
        assert_eq!(clean(Some("")), None);
        assert_eq!(clean(Some("null")), None);
        assert_eq!(clean(None), None);
        assert_eq!(clean(Some(" x ")), Some("x".into()));
        assert_eq!(parse_bool(Some("Y")), Some(true));
        assert_eq!(parse_bool(Some("false")), Some(false));
        assert_eq!(parse_bool(Some("OFF")), Some(false));
    }

    #[test]
    fn bodies_compare_by_canonical_form() {
        let a = "\r\ndef run(x):  \r\n    return x\r\n\r\n";
        let b = "def run(x):\n    return x";
        assert_eq!(norm_body(a), norm_body(b));
        assert_eq!(norm_body(&norm_body(a)), norm_body(a));
    }

    #[test]
    fn comments_compare_exactly_and_unset_is_empty() {
        let mut p = Props::default();
        assert!(!p.cmp_comment(&Some("a\r\nb".into()), &Some("a\r\nb".into())));
        assert!(!p.cmp_comment(&Some(String::new()), &None));
        assert!(!p.cmp_comment(&None, &Some("x".into())));
        assert!(p.cmp_comment(&Some("y".into()), &Some("x".into())));
        assert!(p.cmp_comment(&Some("a\r\nb".into()), &Some("a\nb".into())));
        assert_eq!(p.0.len(), 2);
    }

    #[test]
    fn keywords_cannot_inject() {
        assert_eq!(keyword("ECONOMY"), "ECONOMY");
        assert_eq!(keyword("X'; DROP TABLE T; --"), "'X''; DROP TABLE T; --'");
    }
}
