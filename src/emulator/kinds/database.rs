//! Databases: standard, and imported from a share or a listing (read-only, live view
//! of the provider's granted objects); SHOW DATABASES / DESCRIBE DATABASE.

use serde::{Deserialize, Serialize};

use super::schema::SchemaData;
use super::{created, done, text_value};
use crate::emulator::ORGANIZATION;
use crate::emulator::columns::{self, DATABASES, DESC_KIND, TERSE};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, opt};
use crate::emulator::parser::Parser;
use crate::emulator::render::{ts, yn};
use crate::emulator::show;
use crate::emulator::storage::{self, Key, Obj};
use crate::runtime::session::Rows;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DatabaseData {
    pub comment: String,
    pub transient: bool,
    pub retention: i64,
    pub max_extension: Option<i64>,
    /// For databases created from a share or a listing.
    pub origin: Option<Origin>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Origin {
    /// Provider account name (upper-case).
    pub account: String,
    pub share: String,
    /// The listing global name when mounted from a listing.
    pub listing: Option<String>,
}

impl Origin {
    pub fn text(&self) -> String {
        format!("{ORGANIZATION}.{}.{}", self.account, self.share)
    }
}

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    head.only(&["TRANSIENT"], "DATABASE")?;
    head.read_ine(p)?;
    let name = p.ident()?;
    let mut data = DatabaseData {
        retention: 1,
        transient: head.has("TRANSIENT"),
        ..DatabaseData::default()
    };
    if p.eat_kw("FROM") {
        if p.eat_kw("SHARE") {
            let share = p.name(3)?;
            let (account, share_name) = match share.parts.as_slice() {
                [org, acct, s] if org == ORGANIZATION => (acct.clone(), s.clone()),
                [acct, s] => (acct.clone(), s.clone()),
                _ => return Err(SfError::not_found("Share", &share.parts.join("."))),
            };
            data.origin = Some(super::share::check_importable(ex, &account, &share_name)?);
        } else if p.eat_kw("LISTING") {
            let global = p.string()?;
            data.origin = Some(super::listing::importable(ex, &global)?);
        } else {
            return Err(SfError::unsupported("CREATE DATABASE … FROM"));
        }
        data.retention = 0;
    } else if p.is_kw("CLONE") || p.is_kw("AS") {
        return Err(SfError::unsupported(&format!(
            "CREATE DATABASE … {}",
            p.word().unwrap_or_default()
        )));
    }
    for (k, v, _) in p.props(&[])? {
        match k.as_str() {
            "COMMENT" => data.comment = text_value(&v, &k)?,
            "DATA_RETENTION_TIME_IN_DAYS" if data.origin.is_none() => {
                data.retention = super::retention_days(&v, &k)?
            }
            "MAX_DATA_EXTENSION_TIME_IN_DAYS" if data.origin.is_none() => {
                data.max_extension = v.as_i64()
            }
            other => return Err(SfError::unsupported(&format!("DATABASE property {other}"))),
        }
    }
    p.end()?;
    if (!ex.is_admin() && data.origin.is_some()) || !ex.has_account_privilege("CREATE DATABASE")? {
        return Err(SfError::insufficient_privileges(&format!(
            "account '{}'",
            ex.account
        )));
    }
    let key = Key::account(&name);
    if let Some(existing) = storage::get::<DatabaseData>(ex.conn, ex.account, "DATABASE", &key)? {
        if head.if_not_exists {
            return Ok(columns::status(format!(
                "{name} already exists, statement succeeded."
            )));
        }
        if !head.or_replace {
            return Err(SfError::already_exists(&name));
        }
        ex.check_owner(&existing.owner, &format!("database '{name}'"))?;
        storage::delete(ex.conn, ex.account, "DATABASE", &key)?;
        storage::delete_contents(ex.conn, ex.account, &name, None)?;
    }
    let imported = data.origin.is_some();
    storage::put(ex.conn, ex.account, "DATABASE", &ex.new_obj(&key, data))?;
    ex.ctx.database = Some(name.clone());
    if imported {
        ex.ctx.schema = None;
    } else {
        let public = ex.new_obj(
            &Key::in_db(&name, "PUBLIC"),
            SchemaData {
                retention: 1,
                ..SchemaData::default()
            },
        );
        storage::put(ex.conn, ex.account, "SCHEMA", &public)?;
        ex.ctx.schema = Some("PUBLIC".into());
    }
    Ok(created("Database", &name))
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.ident()?;
    let mut db = match ex.database(&name) {
        Ok(d) => d,
        Err(_) if if_exists => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&db.owner, &format!("database '{name}'"))?;
    let Some(action) = p.word() else {
        return Err(p.error());
    };
    p.advance();
    match action.as_str() {
        "SET" => {
            if p.is_kw("TAG") {
                return Err(SfError::unsupported("SET TAG"));
            }
            let props = p.props(&[])?;
            p.end()?;
            if props.is_empty() {
                return Err(p.error());
            }
            if db.data.origin.is_some() {
                return Err(SfError::compile(
                    "003122",
                    "42601",
                    format!("Cannot alter an imported database '{name}'."),
                ));
            }
            for (k, v, _) in props {
                match k.as_str() {
                    "COMMENT" => db.data.comment = text_value(&v, &k)?,
                    "DATA_RETENTION_TIME_IN_DAYS" => {
                        db.data.retention = super::retention_days(&v, &k)?
                    }
                    "MAX_DATA_EXTENSION_TIME_IN_DAYS" => db.data.max_extension = v.as_i64(),
                    other => {
                        return Err(SfError::unsupported(&format!("DATABASE property {other}")));
                    }
                }
            }
        }
        "UNSET" => {
            let mut names = vec![p.ident()?];
            while p.eat_sym(",") {
                names.push(p.ident()?);
            }
            p.end()?;
            for n in names {
                match n.as_str() {
                    "COMMENT" => db.data.comment.clear(),
                    "DATA_RETENTION_TIME_IN_DAYS" => db.data.retention = 1,
                    "MAX_DATA_EXTENSION_TIME_IN_DAYS" => db.data.max_extension = None,
                    other => return Err(SfError::unsupported(&format!("UNSET {other}"))),
                }
            }
        }
        "RENAME" => {
            p.expect_kw("TO")?;
            let new = p.ident()?;
            p.end()?;
            if storage::exists(ex.conn, ex.account, "DATABASE", &Key::account(&new))? {
                return Err(SfError::already_exists(&new));
            }
            rename_contents(ex, &name, &new)?;
            storage::delete(ex.conn, ex.account, "DATABASE", &Key::account(&name))?;
            db.name = new.clone();
            if ex.ctx.database.as_deref() == Some(name.as_str()) {
                ex.ctx.database = Some(new);
            }
        }
        other => return Err(SfError::unsupported(&format!("ALTER DATABASE … {other}"))),
    }
    storage::put(ex.conn, ex.account, "DATABASE", &db)?;
    Ok(done())
}

fn rename_contents(ex: &Ex<'_>, old: &str, new: &str) -> Result<(), SfError> {
    ex.conn.execute(
        "UPDATE objects SET db = ?3 WHERE account = ?1 AND db = ?2",
        rusqlite::params![ex.account, old, new],
    )?;
    ex.conn.execute(
        "UPDATE grants SET db = ?3 WHERE account = ?1 AND db = ?2",
        rusqlite::params![ex.account, old, new],
    )?;
    ex.conn.execute(
        "UPDATE stage_files SET db = ?3 WHERE account = ?1 AND db = ?2",
        rusqlite::params![ex.account, old, new],
    )?;
    Ok(())
}

pub fn drop(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.ident()?;
    if !p.eat_kw("CASCADE") {
        p.eat_kw("RESTRICT");
    }
    p.end()?;
    let key = Key::account(&name);
    let Some(db) = storage::get::<DatabaseData>(ex.conn, ex.account, "DATABASE", &key)? else {
        if if_exists {
            return Ok(columns::status(format!(
                "Drop statement executed successfully ({name} already dropped)."
            )));
        }
        return Err(SfError::not_found("Database", &name));
    };
    ex.check_owner(&db.owner, &format!("database '{name}'"))?;
    storage::delete(ex.conn, ex.account, "DATABASE", &key)?;
    storage::delete_contents(ex.conn, ex.account, &name, None)?;
    if ex.ctx.database.as_deref() == Some(name.as_str()) {
        ex.ctx.database = None;
        ex.ctx.schema = None;
    }
    Ok(columns::status(format!("{name} successfully dropped.")))
}

/// Whether the current role may see the database in SHOW.
pub fn visible(ex: &Ex<'_>, db: &Obj<DatabaseData>) -> Result<bool, SfError> {
    if ex.is_admin() {
        return Ok(true);
    }
    let roles = ex.effective_roles()?;
    Ok(roles.contains(&db.owner)
        || super::grant::has_privilege(ex, &roles, "DATABASE", &Key::account(&db.name))?)
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>, terse: bool) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, false)?;
    let all: Vec<Obj<DatabaseData>> = storage::list(ex.conn, ex.account, "DATABASE", None, None)?;
    let mut items = Vec::new();
    for d in all {
        if !visible(ex, &d)? {
            continue;
        }
        let row = if terse {
            vec![Some(ts(d.created_on)), opt(&d.name), None, None, None]
        } else {
            let origin = match &d.data.origin {
                None => String::new(),
                Some(o) => match super::share::mounted(ex, &d) {
                    Ok(_) => o.text(),
                    Err(_) => "<revoked>".into(),
                },
            };
            vec![
                Some(ts(d.created_on)),
                opt(&d.name),
                opt("N"),
                Some(yn(ex.ctx.database.as_deref() == Some(d.name.as_str()))),
                Some(origin),
                opt(&d.owner),
                opt(&d.data.comment),
                opt(if d.data.transient { "TRANSIENT" } else { "" }),
                Some(d.data.retention.to_string()),
                opt(if d.data.origin.is_some() {
                    "IMPORTED DATABASE"
                } else {
                    "STANDARD"
                }),
                None,
                opt("ROLE"),
                None,
                None,
            ]
        };
        items.push((d.name.clone(), row));
    }
    Ok(opts.finish(columns::rows(if terse { TERSE } else { DATABASES }), items))
}

pub fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let name = p.ident()?;
    p.end()?;
    let db = ex.database(&name)?;
    let mut r = columns::rows(DESC_KIND);
    for (created_on, schema) in super::schema::schemas_of(ex, &db)? {
        r.rows
            .push(vec![Some(ts(created_on)), Some(schema), opt("SCHEMA")]);
    }
    Ok(r)
}
