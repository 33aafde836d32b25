//! Streams on tables: creating one needs change tracking on the source (the owner's
//! CREATE STREAM switches it on; on a shared table the provider must have enabled
//! it). Only the comment can be altered.

use serde::{Deserialize, Serialize};

use super::{created, done, text_value};
use crate::emulator::columns::{self, STREAMS, TERSE_STREAMS};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, opt};
use crate::emulator::parser::Parser;
use crate::emulator::render::{fqn, ts};
use crate::emulator::show;
use crate::emulator::storage::{self, Key, Obj};
use crate::runtime::session::Rows;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StreamData {
    /// The source table as resolved in this account.
    pub table: Key,
    pub append_only: bool,
    pub show_initial_rows: bool,
    pub comment: String,
    /// The source table's incarnation when the stream was created: a replaced
    /// (dropped and created again) source makes the stream stale, as in Snowflake.
    #[serde(default)]
    pub source_incarnation: Option<i64>,
}

const STALE_AFTER_MS: i64 = 14 * 24 * 3600 * 1000;

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    head.only(&[], "STREAM")?;
    head.read_ine(p)?;
    let name = p.name(3)?;
    let key = ex.object_key(&name)?;
    if p.is_kw("WITH") || p.is_kw("TAG") {
        return Err(SfError::unsupported("CREATE STREAM … WITH TAG"));
    }
    let copy_grants = p.eat_kws(&["COPY", "GRANTS"]);
    p.expect_kw("ON")?;
    if !p.eat_kw("TABLE") {
        if let Some(w) = p.word().filter(|w| {
            matches!(
                w.as_str(),
                "VIEW" | "STAGE" | "EXTERNAL" | "DYNAMIC" | "EVENT"
            )
        }) {
            return Err(SfError::unsupported(&format!("CREATE STREAM … ON {w}")));
        }
        return Err(p.error());
    }
    let table_name = p.name(3)?;
    if p.eat_kw("AT") || p.eat_kw("BEFORE") {
        p.expect_sym("(")?;
        let Some(w) = p.word() else {
            return Err(p.error());
        };
        if !matches!(w.as_str(), "TIMESTAMP" | "OFFSET" | "STATEMENT" | "STREAM") {
            return Err(p.error());
        }
        p.advance();
        p.expect_sym("=>")?;
        p.value()?;
        p.expect_sym(")")?;
    }
    let mut data = StreamData {
        table: ex.object_key(&table_name)?,
        append_only: false,
        show_initial_rows: false,
        comment: String::new(),
        source_incarnation: None,
    };
    for (k, v, _) in p.props(&[])? {
        let b = || {
            v.as_bool()
                .ok_or_else(|| SfError::invalid_value(&v.text().unwrap_or_default(), &k))
        };
        match k.as_str() {
            "APPEND_ONLY" => data.append_only = b()?,
            "SHOW_INITIAL_ROWS" => data.show_initial_rows = b()?,
            "COMMENT" => data.comment = text_value(&v, &k)?,
            "INSERT_ONLY" => return Err(SfError::unsupported("INSERT_ONLY (external tables)")),
            other => return Err(SfError::unsupported(&format!("STREAM property {other}"))),
        }
    }
    p.end()?;
    ex.writable_schema(&key.db, &key.schema)?;
    let saved = if copy_grants {
        super::grant::grants_on(ex, "STREAM", &key)?
    } else {
        Vec::new()
    };
    if let super::Existing::Skip(rows) = super::check_existing(ex, "STREAM", &key, &head, "Stream")?
    {
        return Ok(rows);
    }
    let (mut table, shared) = super::table::lookup(ex, &data.table)?;
    if !table.data.change_tracking {
        let shown = fqn(&[&data.table.db, &data.table.schema, &data.table.name]);
        let not_enabled = || {
            SfError::compile(
                "091104",
                "42601",
                format!(
                    "Change tracking is not enabled on table '{shown}' and the current role cannot enable it. The table owner must run ALTER TABLE … SET CHANGE_TRACKING = TRUE."
                ),
            )
        };
        if shared {
            return Err(not_enabled());
        }
        ex.check_owner(&table.owner, &format!("table '{}'", table.name))
            .map_err(|_| not_enabled())?;
        table.data.change_tracking = true;
        storage::put(ex.conn, ex.account, "TABLE", &table)?;
    }
    data.source_incarnation = Some(table.data.incarnation);
    storage::put(ex.conn, ex.account, "STREAM", &ex.new_obj(&key, data))?;
    super::grant::restore(ex, &saved)?;
    Ok(created("Stream", &key.name))
}

fn get(ex: &Ex<'_>, key: &Key) -> Result<Obj<StreamData>, SfError> {
    ex.parent_exists(key)?;
    storage::get(ex.conn, ex.account, "STREAM", key)?
        .ok_or_else(|| SfError::not_found("Stream", &fqn(&[&key.db, &key.schema, &key.name])))
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.name(3)?;
    let key = ex.object_key(&name)?;
    let mut s = match get(ex, &key) {
        Ok(s) => s,
        Err(e) if if_exists && e.message.contains("Stream '") => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&s.owner, &format!("stream '{}'", key.name))?;
    if p.eat_kw("SET") {
        if p.is_kw("TAG") {
            return Err(SfError::unsupported("SET TAG"));
        }
        if !p.is_kw("COMMENT") {
            return Err(p.error());
        }
        p.advance();
        p.expect_sym("=")?;
        s.data.comment = p.string()?;
        p.end()?;
    } else if p.eat_kw("UNSET") {
        if !p.eat_kw("COMMENT") {
            return Err(p.error());
        }
        p.end()?;
        s.data.comment.clear();
    } else {
        return Err(p.error());
    }
    storage::put(ex.conn, ex.account, "STREAM", &s)?;
    Ok(done())
}

fn row(ex: &Ex<'_>, s: &Obj<StreamData>, terse: bool) -> Vec<Option<String>> {
    let t = &s.data.table;
    let (source, stale) = match super::table::lookup(ex, t) {
        Ok((table, _)) => (
            fqn(&[&t.db, &t.schema, &t.name]),
            s.data
                .source_incarnation
                .is_some_and(|i| i != table.data.incarnation),
        ),
        Err(_) => ("No privilege or table dropped".to_string(), false),
    };
    if terse {
        return vec![
            Some(ts(s.created_on)),
            opt(&s.name),
            opt("DELTA"),
            opt(&s.db),
            opt(&s.schema),
            Some(source),
        ];
    }
    vec![
        Some(ts(s.created_on)),
        opt(&s.name),
        opt(&s.db),
        opt(&s.schema),
        opt(&s.owner),
        opt(&s.data.comment),
        Some(source.clone()),
        opt("Table"),
        Some(source),
        opt("DELTA"),
        opt(if stale { "true" } else { "false" }),
        opt(if s.data.append_only {
            "APPEND_ONLY"
        } else {
            "DEFAULT"
        }),
        Some(ts(s.created_on + STALE_AFTER_MS)),
        opt("N/A"),
        opt("ROLE"),
    ]
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>, terse: bool) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, true)?;
    let within = ex.within(opts.scope.as_ref(), false)?;
    let roles = ex.effective_roles()?;
    let mut items = Vec::new();
    for s in
        storage::list::<StreamData>(ex.conn, ex.account, "STREAM", within.db(), within.schema())?
    {
        if !ex.is_admin() && !roles.contains(&s.owner) {
            continue;
        }
        items.push((s.name.clone(), row(ex, &s, terse)));
    }
    Ok(opts.finish(
        columns::rows(if terse { TERSE_STREAMS } else { STREAMS }),
        items,
    ))
}

pub fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let name = p.name(3)?;
    p.end()?;
    let key = ex.object_key(&name)?;
    let s = get(ex, &key)?;
    let mut out = columns::rows(STREAMS);
    out.rows.push(row(ex, &s, false));
    Ok(out)
}
