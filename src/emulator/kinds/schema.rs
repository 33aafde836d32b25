//! Schemas: CREATE/ALTER/DROP, SHOW SCHEMAS (with the virtual INFORMATION_SCHEMA of
//! every database) and DESCRIBE SCHEMA.

use serde::{Deserialize, Serialize};

use super::database::DatabaseData;
use super::table::TableData;
use super::{created, done, text_value};
use crate::emulator::columns::{self, DESC_KIND, SCHEMAS, TERSE};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, Within, opt};
use crate::emulator::parser::Parser;
use crate::emulator::render::{ts, yn};
use crate::emulator::show;
use crate::emulator::storage::{self, Key, Obj};
use crate::runtime::session::Rows;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SchemaData {
    pub comment: String,
    pub transient: bool,
    pub managed_access: bool,
    pub retention: i64,
    pub max_extension: Option<i64>,
}

const INFO_COMMENT: &str = "Views describing the contents of schemas in this database";

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    head.only(&["TRANSIENT"], "SCHEMA")?;
    head.read_ine(p)?;
    let name = p.name(2)?;
    let (db, schema) = ex.schema_name(&name)?;
    let mut data = SchemaData {
        transient: head.has("TRANSIENT"),
        retention: 1,
        ..SchemaData::default()
    };
    if p.is_kw("CLONE") {
        return Err(SfError::unsupported("CREATE SCHEMA … CLONE"));
    }
    if p.eat_kws(&["WITH", "MANAGED", "ACCESS"]) {
        data.managed_access = true;
    }
    for (k, v, _) in p.props(&[])? {
        match k.as_str() {
            "COMMENT" => data.comment = text_value(&v, &k)?,
            "DATA_RETENTION_TIME_IN_DAYS" => data.retention = super::retention_days(&v, &k)?,
            "MAX_DATA_EXTENSION_TIME_IN_DAYS" => data.max_extension = v.as_i64(),
            other => return Err(SfError::unsupported(&format!("SCHEMA property {other}"))),
        }
    }
    p.end()?;
    let database = ex.database(&db)?;
    if database.data.origin.is_some() {
        return Err(SfError::insufficient_privileges(&format!(
            "database '{db}'"
        )));
    }
    if !ex.is_admin() {
        let roles = ex.effective_roles()?;
        if !roles.contains(&database.owner)
            && !super::grant::has_privilege(ex, &roles, "DATABASE", &Key::account(&db))?
        {
            return Err(SfError::insufficient_privileges(&format!(
                "database '{db}'"
            )));
        }
    }
    if schema == "INFORMATION_SCHEMA" {
        return Err(SfError::already_exists(&schema));
    }
    let key = Key::in_db(&db, &schema);
    if let Some(existing) = storage::get::<SchemaData>(ex.conn, ex.account, "SCHEMA", &key)? {
        if head.if_not_exists {
            return Ok(columns::status(format!(
                "{schema} already exists, statement succeeded."
            )));
        }
        if !head.or_replace {
            return Err(SfError::already_exists(&schema));
        }
        ex.check_owner(&existing.owner, &format!("schema '{schema}'"))?;
        storage::delete(ex.conn, ex.account, "SCHEMA", &key)?;
        storage::delete_contents(ex.conn, ex.account, &db, Some(&schema))?;
    }
    storage::put(ex.conn, ex.account, "SCHEMA", &ex.new_obj(&key, data))?;
    ex.ctx.database = Some(db);
    ex.ctx.schema = Some(schema.clone());
    Ok(created("Schema", &schema))
}

fn get(ex: &Ex<'_>, db: &str, schema: &str) -> Result<Obj<SchemaData>, SfError> {
    let d = ex.database(db)?;
    if (d.data.origin.is_some() || schema == "INFORMATION_SCHEMA")
        && ex.schema_exists(db, schema)?
    {
        return Err(SfError::insufficient_privileges(&format!(
            "schema '{schema}'"
        )));
    }
    storage::get(ex.conn, ex.account, "SCHEMA", &Key::in_db(db, schema))?
        .ok_or_else(|| SfError::not_found("Schema", &format!("{db}.{schema}")))
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.name(2)?;
    let (db, schema) = ex.schema_name(&name)?;
    let mut s = match get(ex, &db, &schema) {
        Ok(s) => s,
        Err(e) if if_exists && e.code == "002003" => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&s.owner, &format!("schema '{schema}'"))?;
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
            for (k, v, _) in props {
                match k.as_str() {
                    "COMMENT" => s.data.comment = text_value(&v, &k)?,
                    "DATA_RETENTION_TIME_IN_DAYS" => {
                        s.data.retention = super::retention_days(&v, &k)?
                    }
                    "MAX_DATA_EXTENSION_TIME_IN_DAYS" => s.data.max_extension = v.as_i64(),
                    other => return Err(SfError::unsupported(&format!("SCHEMA property {other}"))),
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
                    "COMMENT" => s.data.comment.clear(),
                    "DATA_RETENTION_TIME_IN_DAYS" => s.data.retention = 1,
                    "MAX_DATA_EXTENSION_TIME_IN_DAYS" => s.data.max_extension = None,
                    other => return Err(SfError::unsupported(&format!("UNSET {other}"))),
                }
            }
        }
        "ENABLE" | "DISABLE" => {
            p.expect_kws(&["MANAGED", "ACCESS"])?;
            p.end()?;
            s.data.managed_access = action == "ENABLE";
        }
        "RENAME" => {
            p.expect_kw("TO")?;
            let new = p.name(2)?;
            p.end()?;
            let (new_db, new_schema) = match new.parts.as_slice() {
                [s] => (db.clone(), s.clone()),
                _ => ex.schema_name(&new)?,
            };
            if new_db != db {
                return Err(SfError::unsupported("moving a schema to another database"));
            }
            if storage::exists(ex.conn, ex.account, "SCHEMA", &Key::in_db(&db, &new_schema))? {
                return Err(SfError::already_exists(&new_schema));
            }
            for table in ["objects", "grants", "stage_files"] {
                ex.conn.execute(
                    &format!("UPDATE {table} SET schema = ?4 WHERE account = ?1 AND db = ?2 AND schema = ?3"),
                    rusqlite::params![ex.account, db, schema, new_schema],
                )?;
            }
            storage::delete(ex.conn, ex.account, "SCHEMA", &Key::in_db(&db, &schema))?;
            s.name = new_schema.clone();
            if ex.ctx.database.as_deref() == Some(db.as_str())
                && ex.ctx.schema.as_deref() == Some(schema.as_str())
            {
                ex.ctx.schema = Some(new_schema);
            }
        }
        other => return Err(SfError::unsupported(&format!("ALTER SCHEMA … {other}"))),
    }
    storage::put(ex.conn, ex.account, "SCHEMA", &s)?;
    Ok(done())
}

pub fn drop(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.name(2)?;
    if !p.eat_kw("CASCADE") {
        p.eat_kw("RESTRICT");
    }
    p.end()?;
    let (db, schema) = ex.schema_name(&name)?;
    ex.database(&db)?;
    let s = match get(ex, &db, &schema) {
        Ok(s) => s,
        Err(e) if if_exists && e.code == "002003" => {
            return Ok(columns::status(format!(
                "Drop statement executed successfully ({schema} already dropped)."
            )));
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&s.owner, &format!("schema '{schema}'"))?;
    storage::delete(ex.conn, ex.account, "SCHEMA", &Key::in_db(&db, &schema))?;
    storage::delete_contents(ex.conn, ex.account, &db, Some(&schema))?;
    if ex.ctx.database.as_deref() == Some(db.as_str())
        && ex.ctx.schema.as_deref() == Some(schema.as_str())
    {
        ex.ctx.schema = None;
    }
    Ok(columns::status(format!("{schema} successfully dropped.")))
}

/// (created_on, name) of the schemas a database shows, INFORMATION_SCHEMA included, by name.
pub fn schemas_of(ex: &Ex<'_>, db: &Obj<DatabaseData>) -> Result<Vec<(i64, String)>, SfError> {
    let mut out = vec![(db.created_on, "INFORMATION_SCHEMA".to_string())];
    if db.data.origin.is_some() {
        let m = super::share::mounted(ex, db)?;
        for s in &m.schemas {
            out.push((db.created_on, s.clone()));
        }
    } else {
        for s in storage::list::<SchemaData>(ex.conn, ex.account, "SCHEMA", Some(&db.name), None)? {
            out.push((s.created_on, s.name));
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>, terse: bool) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, true)?;
    if matches!(
        opts.scope,
        Some(show::Scope::Schema(_)) | Some(show::Scope::Object(..))
    ) {
        return Err(SfError::unsupported("SHOW SCHEMAS IN SCHEMA"));
    }
    let within = ex.within(opts.scope.as_ref(), true)?;
    let dbs: Vec<Obj<DatabaseData>> = match &within {
        Within::Account => storage::list(ex.conn, ex.account, "DATABASE", None, None)?,
        Within::Database(d) | Within::Schema(d, _) => vec![ex.database(d)?],
    };
    let mut items = Vec::new();
    for db in dbs {
        if !super::database::visible(ex, &db)? {
            continue;
        }
        let schemas = match schemas_of(ex, &db) {
            Ok(s) => s,
            Err(e) if within == Within::Account => {
                let _ = e;
                continue;
            }
            Err(e) => return Err(e),
        };
        for (created_on, name) in schemas {
            let stored: Option<Obj<SchemaData>> =
                if db.data.origin.is_none() && name != "INFORMATION_SCHEMA" {
                    storage::get(ex.conn, ex.account, "SCHEMA", &Key::in_db(&db.name, &name))?
                } else {
                    None
                };
            let info = name == "INFORMATION_SCHEMA";
            let row = if terse {
                vec![Some(ts(created_on)), opt(&name), None, opt(&db.name), None]
            } else {
                let (owner, comment, options, retention) = match &stored {
                    Some(s) => {
                        let mut o = Vec::new();
                        if s.data.transient {
                            o.push("TRANSIENT");
                        }
                        if s.data.managed_access {
                            o.push("MANAGED ACCESS");
                        }
                        (
                            s.owner.clone(),
                            s.data.comment.clone(),
                            o.join(", "),
                            s.data.retention.to_string(),
                        )
                    }
                    None if info => (
                        String::new(),
                        INFO_COMMENT.to_string(),
                        String::new(),
                        "1".to_string(),
                    ),
                    None => (String::new(), String::new(), String::new(), "0".to_string()),
                };
                let current = ex.ctx.database.as_deref() == Some(db.name.as_str())
                    && ex.ctx.schema.as_deref() == Some(name.as_str());
                vec![
                    Some(ts(created_on)),
                    opt(&name),
                    opt("N"),
                    Some(yn(current)),
                    opt(&db.name),
                    Some(owner.clone()),
                    Some(comment),
                    Some(options),
                    Some(retention),
                    opt(if owner.is_empty() { "" } else { "ROLE" }),
                    None,
                    opt("N"),
                ]
            };
            items.push((name, row));
        }
    }
    Ok(opts.finish(columns::rows(if terse { TERSE } else { SCHEMAS }), items))
}

pub fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let name = p.name(2)?;
    p.end()?;
    let (db, schema) = ex.schema_name(&name)?;
    ex.database(&db)?;
    if !ex.schema_exists(&db, &schema)? {
        return Err(SfError::not_found("Schema", &format!("{db}.{schema}")));
    }
    let mut r = columns::rows(DESC_KIND);
    for t in super::table::tables_in(ex, &Within::Schema(db, schema))? {
        let t: Obj<TableData> = t;
        r.rows
            .push(vec![Some(ts(t.created_on)), opt(&t.name), opt("TABLE")]);
    }
    Ok(r)
}
