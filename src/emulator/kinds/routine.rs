//! Stored procedures and user-defined functions. Their identity is the name plus
//! the argument types (legacy names: `VARCHAR`, `NUMBER`), so several overloads can
//! live side by side and DROP/DESCRIBE/ALTER/GRANT must give the types.

use serde::{Deserialize, Serialize};

use super::table::{SqlType, parse_type};
use super::{created, done};
use crate::emulator::columns::{self, DESC_ROUTINE, FUNCTIONS, PROCEDURES};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, opt};
use crate::emulator::parser::{Parser, Value};
use crate::emulator::render::{fqn, quote_part, ts};
use crate::emulator::show;
use crate::emulator::storage::{self, Key, Obj};
use crate::emulator::tokenizer::Tok;
use crate::runtime::session::Rows;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routine {
    Procedure,
    Function,
}

impl Routine {
    pub fn kind(self) -> &'static str {
        match self {
            Routine::Procedure => "PROCEDURE",
            Routine::Function => "FUNCTION",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Routine::Procedure => "Procedure",
            Routine::Function => "Function",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Arg {
    pub name: String,
    pub ty: SqlType,
    pub default: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RoutineData {
    pub args: Vec<Arg>,
    /// Full return type (`VARCHAR(16777216)`, `TABLE (A NUMBER(38,0))`).
    pub returns: String,
    pub returns_legacy: String,
    pub returns_type: Option<SqlType>,
    pub returns_not_null: bool,
    pub is_table: bool,
    pub language: String,
    pub runtime_version: Option<String>,
    pub packages: Vec<String>,
    pub imports: Vec<String>,
    pub handler: Option<String>,
    pub secure: bool,
    pub comment: Option<String>,
    pub execute_as: String,
    pub null_handling: String,
    pub volatility: String,
    pub body: Option<String>,
    pub external_access_integrations: Vec<String>,
    pub last_altered: i64,
}

fn sig_of(args: &[Arg]) -> String {
    args.iter()
        .map(|a| a.ty.legacy())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses `(type, …)` of a signature into the stored form `VARCHAR, NUMBER`.
pub fn parse_sig(p: &mut Parser<'_>) -> Result<String, SfError> {
    p.expect_sym("(")?;
    let mut types = Vec::new();
    if !p.eat_sym(")") {
        loop {
            // An argument name may precede the type (`p(a VARCHAR)`): skip it.
            if matches!(p.peek().tok, Tok::Word(_) | Tok::Quoted(_))
                && matches!(p.peek_at(1), Tok::Word(_))
            {
                let save = p.position();
                p.advance();
                if parse_type(p).is_err() {
                    p.seek(save);
                } else {
                    p.seek(save + 1);
                }
            }
            types.push(parse_type(p)?.legacy());
            if !p.eat_sym(",") {
                break;
            }
        }
        p.expect_sym(")")?;
    }
    Ok(types.join(", "))
}

fn string_list(v: &Value, key: &str) -> Result<Vec<String>, SfError> {
    match v {
        Value::List(items) => items
            .iter()
            .map(|i| match i {
                Value::Str(s) => Ok(s.clone()),
                other => other
                    .as_ident()
                    .ok_or_else(|| SfError::invalid_value(&format!("{other:?}"), key)),
            })
            .collect(),
        Value::Str(s) => Ok(vec![s.clone()]),
        other => Err(SfError::invalid_value(&format!("{other:?}"), key)),
    }
}

fn display_name(_kind: Routine, key: &Key) -> String {
    format!("{}({})", fqn(&[&key.db, &key.schema, &key.name]), key.sig)
}

pub fn create(
    ex: &mut Ex<'_>,
    p: &mut Parser<'_>,
    mut head: CreateHead,
    kind: Routine,
) -> Result<Rows, SfError> {
    head.only(&["SECURE"], kind.kind())?;
    head.read_ine(p)?;
    let name = p.name(3)?;
    let mut key = ex.object_key(&name)?;
    p.expect_sym("(")?;
    let mut args = Vec::new();
    if !p.eat_sym(")") {
        loop {
            let arg_name = p.ident()?;
            let ty = parse_type(p)?;
            let mut default = None;
            if p.eat_kw("DEFAULT") {
                let start = p.position();
                p.value()?;
                default = Some(p.text_between(start, p.position()).to_string());
            }
            args.push(Arg {
                name: arg_name,
                ty,
                default,
            });
            if !p.eat_sym(",") {
                break;
            }
        }
        p.expect_sym(")")?;
    }
    key.sig = sig_of(&args);
    let mut d = RoutineData {
        args,
        execute_as: "OWNER".into(),
        null_handling: "CALLED ON NULL INPUT".into(),
        volatility: "VOLATILE".into(),
        secure: head.has("SECURE"),
        last_altered: ex.now,
        ..RoutineData::default()
    };
    let copy_grants = p.eat_kws(&["COPY", "GRANTS"]);
    p.expect_kw("RETURNS")?;
    if p.eat_kw("TABLE") {
        let start = p.position();
        p.expect_sym("(")?;
        let mut cols = Vec::new();
        if !p.eat_sym(")") {
            loop {
                let c = p.ident()?;
                let t = parse_type(p)?;
                cols.push(format!("{} {}", quote_part(&c), t.desc()));
                if !p.eat_sym(",") {
                    break;
                }
            }
            p.expect_sym(")")?;
        }
        let _ = start;
        d.is_table = true;
        d.returns = format!("TABLE ({})", cols.join(", "));
        d.returns_legacy = "TABLE".into();
    } else {
        let t = parse_type(p)?;
        d.returns = t.desc();
        d.returns_legacy = t.legacy();
        d.returns_type = Some(t);
        if p.eat_kws(&["NOT", "NULL"]) {
            d.returns_not_null = true;
        } else {
            p.eat_kw("NULL");
        }
    }
    let mut language = None;
    loop {
        if p.eat_kw("LANGUAGE") {
            let l = p.word().ok_or_else(|| p.error())?;
            p.advance();
            language = Some(l);
        } else if p.eat_kws(&["CALLED", "ON", "NULL", "INPUT"]) {
            d.null_handling = "CALLED ON NULL INPUT".into();
        } else if p.eat_kws(&["RETURNS", "NULL", "ON", "NULL", "INPUT"]) || p.eat_kw("STRICT") {
            d.null_handling = "RETURNS NULL ON NULL INPUT".into();
        } else if p.eat_kw("VOLATILE") {
            d.volatility = "VOLATILE".into();
        } else if p.eat_kw("IMMUTABLE") {
            d.volatility = "IMMUTABLE".into();
        } else if p.eat_kws(&["EXECUTE", "AS"]) {
            d.execute_as = parse_execute_as(p)?;
            if kind == Routine::Function {
                return Err(SfError::unsupported("EXECUTE AS on a function"));
            }
        } else if p.is_kw("AS") {
            p.advance();
            d.body = Some(p.string()?);
        } else if matches!(p.peek().tok, Tok::Word(_)) && matches!(p.peek_at(1), Tok::Sym("=")) {
            let props = p.props(&["AS"])?;
            for (k, v, _) in props {
                match k.as_str() {
                    "RUNTIME_VERSION" => {
                        d.runtime_version =
                            Some(v.text().ok_or_else(|| SfError::invalid_value("", &k))?)
                    }
                    "PACKAGES" => d.packages = string_list(&v, &k)?,
                    "IMPORTS" => d.imports = string_list(&v, &k)?,
                    "HANDLER" => {
                        d.handler = Some(v.text().ok_or_else(|| SfError::invalid_value("", &k))?)
                    }
                    "COMMENT" => d.comment = Some(super::text_value(&v, &k)?),
                    "EXTERNAL_ACCESS_INTEGRATIONS" => {
                        d.external_access_integrations = string_list(&v, &k)?
                    }
                    other => {
                        return Err(SfError::unsupported(&format!(
                            "{} property {other}",
                            kind.kind()
                        )));
                    }
                }
            }
        } else {
            break;
        }
    }
    p.end()?;
    let language = language.unwrap_or_else(|| "SQL".into());
    match language.as_str() {
        "PYTHON" => {
            if d.runtime_version.is_none() {
                return Err(SfError::compile(
                    "002121",
                    "42601",
                    "RUNTIME_VERSION must be specified for Python.",
                ));
            }
            if d.handler.is_none() {
                return Err(SfError::compile(
                    "002122",
                    "42601",
                    "HANDLER must be specified for Python.",
                ));
            }
            if kind == Routine::Procedure
                && !d
                    .packages
                    .iter()
                    .any(|p| p.split(['=', '>', '<']).next() == Some("snowflake-snowpark-python"))
            {
                return Err(SfError::compile(
                    "002123",
                    "42601",
                    "Python stored procedures require the package 'snowflake-snowpark-python'.",
                ));
            }
            if d.body.is_none() && d.imports.is_empty() {
                return Err(SfError::compile(
                    "002124",
                    "42601",
                    "A Python handler needs AS code or IMPORTS.",
                ));
            }
        }
        "SQL" | "JAVASCRIPT" => {
            if d.body.is_none() {
                return Err(SfError::compile(
                    "002124",
                    "42601",
                    format!(
                        "{language} {} needs an AS body.",
                        kind.kind().to_lowercase()
                    ),
                ));
            }
            if d.runtime_version.is_some() || d.handler.is_some() || !d.packages.is_empty() {
                return Err(SfError::compile(
                    "002125",
                    "42601",
                    format!(
                        "RUNTIME_VERSION, HANDLER and PACKAGES are not valid for LANGUAGE {language}."
                    ),
                ));
            }
        }
        other => return Err(SfError::unsupported(&format!("LANGUAGE {other}"))),
    }
    d.language = language;
    ex.writable_schema(&key.db, &key.schema)?;
    let mut saved = Vec::new();
    if let Some(existing) = storage::get::<RoutineData>(ex.conn, ex.account, kind.kind(), &key)? {
        if head.if_not_exists {
            return Ok(columns::status(format!(
                "{} already exists, statement succeeded.",
                key.name
            )));
        }
        if !head.or_replace {
            return Err(SfError::already_exists(&key.name));
        }
        ex.check_owner(
            &existing.owner,
            &format!("{} '{}'", kind.kind().to_lowercase(), key.name),
        )?;
        saved = super::grant::grants_on(ex, kind.kind(), &key)?;
        storage::delete(ex.conn, ex.account, kind.kind(), &key)?;
    }
    storage::put(ex.conn, ex.account, kind.kind(), &ex.new_obj(&key, d))?;
    // COPY GRANTS is the only way grants survive; keep them when it was given.
    if copy_grants {
        super::grant::restore(ex, &saved)?;
    }
    Ok(created("Function", &key.name))
}

fn parse_execute_as(p: &mut Parser<'_>) -> Result<String, SfError> {
    if p.eat_kw("OWNER") {
        Ok("OWNER".into())
    } else if p.eat_kw("CALLER") {
        Ok("CALLER".into())
    } else if p.eat_kws(&["RESTRICTED", "CALLER"]) {
        Ok("RESTRICTED CALLER".into())
    } else {
        Err(p.error())
    }
}

fn lookup(
    ex: &Ex<'_>,
    p: &mut Parser<'_>,
    kind: Routine,
) -> Result<(Key, Option<Obj<RoutineData>>), SfError> {
    let name = p.name(3)?;
    let mut key = ex.object_key(&name)?;
    key.sig = parse_sig(p)?;
    ex.parent_exists(&key)?;
    Ok((
        key.clone(),
        storage::get(ex.conn, ex.account, kind.kind(), &key)?,
    ))
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>, kind: Routine) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let (key, found) = lookup(ex, p, kind)?;
    let Some(mut r) = found else {
        if if_exists {
            p.skip_to_end();
            return Ok(done());
        }
        return Err(SfError::not_found(kind.noun(), &display_name(kind, &key)));
    };
    ex.check_owner(
        &r.owner,
        &format!("{} '{}'", kind.kind().to_lowercase(), key.name),
    )?;
    if p.eat_kw("SET") {
        if p.eat_kw("SECURE") {
            p.end()?;
            r.data.secure = true;
        } else {
            if p.is_kw("TAG") {
                return Err(SfError::unsupported("SET TAG"));
            }
            let props = p.props(&[])?;
            p.end()?;
            if props.is_empty() {
                return Err(p.error());
            }
            for (k, v, _) in props {
                match k.as_str() {
                    "COMMENT" => r.data.comment = Some(super::text_value(&v, &k)?),
                    "EXTERNAL_ACCESS_INTEGRATIONS" => {
                        r.data.external_access_integrations = string_list(&v, &k)?
                    }
                    other => {
                        return Err(SfError::unsupported(&format!(
                            "{} property {other}",
                            kind.kind()
                        )));
                    }
                }
            }
        }
    } else if p.eat_kw("UNSET") {
        let w = p.ident()?;
        p.end()?;
        match w.as_str() {
            "COMMENT" => r.data.comment = None,
            "SECURE" => r.data.secure = false,
            "EXTERNAL_ACCESS_INTEGRATIONS" => r.data.external_access_integrations.clear(),
            other => return Err(SfError::unsupported(&format!("UNSET {other}"))),
        }
    } else if kind == Routine::Procedure && p.eat_kws(&["EXECUTE", "AS"]) {
        r.data.execute_as = parse_execute_as(p)?;
        p.end()?;
    } else if p.eat_kws(&["RENAME", "TO"]) {
        let new = p.name(3)?;
        p.end()?;
        let mut new_key = if new.parts.len() == 1 {
            Key::in_schema(&key.db, &key.schema, &new.parts[0])
        } else {
            ex.object_key(&new)?
        };
        new_key.sig = key.sig.clone();
        ex.writable_schema(&new_key.db, &new_key.schema)?;
        if storage::exists(ex.conn, ex.account, kind.kind(), &new_key)? {
            return Err(SfError::already_exists(&new_key.name));
        }
        storage::delete(ex.conn, ex.account, kind.kind(), &key)?;
        r.db = new_key.db;
        r.schema = new_key.schema;
        r.name = new_key.name;
    } else {
        return Err(p.error());
    }
    r.data.last_altered = ex.now;
    storage::put(ex.conn, ex.account, kind.kind(), &r)?;
    Ok(done())
}

pub fn drop(ex: &mut Ex<'_>, p: &mut Parser<'_>, kind: Routine) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let (key, found) = lookup(ex, p, kind)?;
    p.end()?;
    let Some(r) = found else {
        if if_exists {
            return Ok(columns::status(format!(
                "Drop statement executed successfully ({} already dropped).",
                key.name
            )));
        }
        return Err(SfError::not_found(kind.noun(), &display_name(kind, &key)));
    };
    ex.check_owner(
        &r.owner,
        &format!("{} '{}'", kind.kind().to_lowercase(), key.name),
    )?;
    storage::delete(ex.conn, ex.account, kind.kind(), &key)?;
    Ok(columns::status(format!(
        "{} successfully dropped.",
        key.name
    )))
}

/// `NAME(VARCHAR, VARCHAR) RETURN VARCHAR`
fn arguments_text(r: &Obj<RoutineData>) -> String {
    let args: Vec<String> = r
        .data
        .args
        .iter()
        .map(|a| {
            if a.default.is_some() {
                format!("DEFAULT {}", a.ty.legacy())
            } else {
                a.ty.legacy()
            }
        })
        .collect();
    format!(
        "{}({}) RETURN {}",
        r.name,
        args.join(", "),
        r.data.returns_legacy
    )
}

fn bracket_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

fn packages_text(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|p| format!("'{p}'"))
            .collect::<Vec<_>>()
            .join(",")
    )
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>, kind: Routine) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, true)?;
    let within = ex.within(opts.scope.as_ref(), false)?;
    let roles = ex.effective_roles()?;
    let mut items = Vec::new();
    for r in storage::list::<RoutineData>(
        ex.conn,
        ex.account,
        kind.kind(),
        within.db(),
        within.schema(),
    )? {
        let key = Key {
            db: r.db.clone(),
            schema: r.schema.clone(),
            name: r.name.clone(),
            sig: r.sig.clone(),
        };
        if !ex.is_admin()
            && !roles.contains(&r.owner)
            && !super::grant::has_privilege(ex, &roles, kind.kind(), &key)?
        {
            continue;
        }
        let d = &r.data;
        let required = d.args.iter().filter(|a| a.default.is_none()).count();
        let default_desc = match kind {
            Routine::Procedure => "user-defined procedure",
            Routine::Function => "user-defined function",
        };
        let mut row = vec![
            Some(ts(r.created_on)),
            opt(&r.name),
            opt(&r.schema),
            opt("N"),
            opt("N"),
            opt("N"),
            Some(required.to_string()),
            Some(d.args.len().to_string()),
            Some(arguments_text(&r)),
            Some(
                d.comment
                    .clone()
                    .unwrap_or_else(|| default_desc.to_string()),
            ),
            opt(&r.db),
            opt(if d.is_table { "Y" } else { "N" }),
            opt("N"),
            opt(if d.secure { "Y" } else { "N" }),
            None,
            if d.external_access_integrations.is_empty() {
                None
            } else {
                Some(bracket_list(&d.external_access_integrations))
            },
        ];
        if kind == Routine::Function {
            row.extend([opt("N"), opt(&d.language), opt("N"), opt("N")]);
        }
        items.push((r.name.clone(), row));
    }
    let cols = match kind {
        Routine::Procedure => PROCEDURES,
        Routine::Function => FUNCTIONS,
    };
    Ok(opts.finish(columns::rows(cols), items))
}

pub fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>, kind: Routine) -> Result<Rows, SfError> {
    let (key, found) = lookup(ex, p, kind)?;
    p.end()?;
    let r = found.ok_or_else(|| SfError::not_found(kind.noun(), &display_name(kind, &key)))?;
    let d = &r.data;
    let signature = format!(
        "({})",
        d.args
            .iter()
            .map(|a| format!("{} {}", a.name, a.ty.legacy()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let returns = if d.returns_not_null {
        format!("{} NOT NULL", d.returns)
    } else {
        d.returns.clone()
    };
    let mut props: Vec<(&str, Option<String>)> = vec![
        ("signature", Some(signature)),
        ("returns", Some(returns)),
        ("language", Some(d.language.clone())),
        ("null handling", Some(d.null_handling.clone())),
        ("volatility", Some(d.volatility.clone())),
    ];
    let python = d.language == "PYTHON";
    match (kind, python) {
        (Routine::Procedure, true) => props.extend([
            ("body", d.body.clone()),
            ("imports", Some(bracket_list(&d.imports))),
            ("handler", d.handler.clone()),
            ("runtime_version", d.runtime_version.clone()),
            ("packages", Some(packages_text(&d.packages))),
            ("installed_packages", Some(packages_text(&d.packages))),
            ("target_path", None),
            ("execute as", Some(d.execute_as.clone())),
            (
                "external_access_integrations",
                Some(bracket_list(&d.external_access_integrations)),
            ),
            ("secrets", Some("{}".into())),
        ]),
        (Routine::Procedure, false) => {
            props.push(("execute as", Some(d.execute_as.clone())));
            props.push(("body", d.body.clone()));
        }
        (Routine::Function, true) => props.extend([
            ("body", d.body.clone()),
            (
                "external_access_integrations",
                Some(bracket_list(&d.external_access_integrations)),
            ),
            ("secrets", Some("{}".into())),
            ("imports", Some(bracket_list(&d.imports))),
            ("handler", d.handler.clone()),
            ("runtime_version", d.runtime_version.clone()),
            ("packages", Some(packages_text(&d.packages))),
            ("installed_packages", Some(packages_text(&d.packages))),
            ("is_aggregate", Some("false".into())),
            ("target_path", None),
        ]),
        (Routine::Function, false) => props.push(("body", d.body.clone())),
    }
    let mut out = columns::rows(DESC_ROUTINE);
    for (k, v) in props {
        out.rows.push(vec![opt(k), v]);
    }
    Ok(out)
}

/// `"NAME(A VARCHAR, B VARCHAR):VARCHAR(16777216)"` as SHOW GRANTS names routines.
pub fn grant_display(ex: &Ex<'_>, kind: &str, key: &Key) -> Result<String, SfError> {
    let r: Obj<RoutineData> = storage::get(ex.conn, ex.account, kind, key)?
        .ok_or_else(|| SfError::not_found(super::error_noun(kind), &key.name))?;
    let args: Vec<String> = r
        .data
        .args
        .iter()
        .map(|a| format!("{} {}", a.name, a.ty.legacy()))
        .collect();
    let ret = if r.data.is_table {
        "TABLE: ()".to_string()
    } else {
        r.data.returns.clone()
    };
    Ok(format!("\"{}({}):{}\"", r.name, args.join(", "), ret))
}

/// All routines of a kind in a database (for INFORMATION_SCHEMA).
pub fn all_in(ex: &Ex<'_>, kind: Routine, db: &str) -> Result<Vec<Obj<RoutineData>>, SfError> {
    storage::list(ex.conn, ex.account, kind.kind(), Some(db), None)
}
