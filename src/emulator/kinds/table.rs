//! Tables: columns with Snowflake's type normalisation, change tracking, comments,
//! clustering; ALTER of columns with the in-place rules; SHOW TABLES, SHOW COLUMNS,
//! DESCRIBE TABLE; tables of imported databases read live from the provider.

use serde::{Deserialize, Serialize};

use super::database::DatabaseData;
use super::{created, done, text_value};
use crate::emulator::columns::{self, COLUMNS, DESC_TABLE, TABLES, TERSE};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, Within, opt};
use crate::emulator::parser::Parser;
use crate::emulator::render::{fqn, on_off, quote_part, ts};
use crate::emulator::show::{self, Scope};
use crate::emulator::storage::{self, Key, Obj};
use crate::emulator::tokenizer::Tok;
use crate::runtime::session::Rows;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlType {
    /// NUMBER, FLOAT, VARCHAR, BINARY, BOOLEAN, DATE, TIME, TIMESTAMP_NTZ, …
    pub base: String,
    pub a: Option<i64>,
    pub b: Option<i64>,
}

impl SqlType {
    /// The form DESCRIBE TABLE prints: `NUMBER(38,0)`, `VARCHAR(16777216)`.
    pub fn desc(&self) -> String {
        match (self.a, self.b) {
            (Some(a), Some(b)) => format!("{}({a},{b})", self.base),
            (Some(a), None) => format!("{}({a})", self.base),
            _ => self.base.clone(),
        }
    }

    /// The legacy name SHOW PROCEDURES and INFORMATION_SCHEMA use (`NUMBER`, `VARCHAR`).
    pub fn legacy(&self) -> String {
        self.base.clone()
    }

    /// INFORMATION_SCHEMA DATA_TYPE.
    pub fn info_name(&self) -> &str {
        match self.base.as_str() {
            "VARCHAR" => "TEXT",
            other => other,
        }
    }

    /// SHOW COLUMNS `data_type` JSON.
    pub fn json(&self, nullable: bool) -> String {
        let v = match self.base.as_str() {
            "NUMBER" => {
                serde_json::json!({"type": "FIXED", "precision": self.a, "scale": self.b, "nullable": nullable})
            }
            "FLOAT" => serde_json::json!({"type": "REAL", "nullable": nullable}),
            "VARCHAR" => {
                let l = self.a.unwrap_or(16_777_216);
                serde_json::json!({"type": "TEXT", "length": l, "byteLength": (l * 4).min(16_777_216), "nullable": nullable, "fixed": false})
            }
            "BINARY" => {
                let l = self.a.unwrap_or(8_388_608);
                serde_json::json!({"type": "BINARY", "length": l, "byteLength": l, "nullable": nullable, "fixed": false})
            }
            "TIME" | "TIMESTAMP_NTZ" | "TIMESTAMP_LTZ" | "TIMESTAMP_TZ" => {
                serde_json::json!({"type": self.base, "precision": 0, "scale": self.a, "nullable": nullable})
            }
            other => serde_json::json!({"type": other, "nullable": nullable}),
        };
        v.to_string()
    }
}

/// Parses a data type at the cursor and normalises it like Snowflake.
pub fn parse_type(p: &mut Parser<'_>) -> Result<SqlType, SfError> {
    let at = p.position();
    let Some(word) = p.word() else {
        return Err(p.error());
    };
    p.advance();
    let mut word = word;
    if word == "DOUBLE" && p.eat_kw("PRECISION") {
        word = "DOUBLE".into();
    }
    if (word == "CHAR" || word == "CHARACTER") && p.eat_kw("VARYING") {
        word = "VARCHAR".into();
    }
    let mut args = Vec::new();
    if p.eat_sym("(") {
        args.push(p.number()?);
        if p.eat_sym(",") {
            args.push(p.number()?);
        }
        p.expect_sym(")")?;
    }
    let t = |base: &str, a: Option<i64>, b: Option<i64>| SqlType {
        base: base.into(),
        a,
        b,
    };
    let a0 = args.first().copied();
    let a1 = args.get(1).copied();
    let ty = match word.as_str() {
        "NUMBER" | "DECIMAL" | "NUMERIC" | "DEC" => {
            let p_ = a0.unwrap_or(38);
            let s = a1.unwrap_or(0);
            if !(1..=38).contains(&p_) || s < 0 || s > p_ || s > 37 {
                return Err(SfError::compile(
                    "002024",
                    "42000",
                    format!("Unsupported data type 'NUMBER({p_},{s})'."),
                ));
            }
            t("NUMBER", Some(p_), Some(s))
        }
        "INT" | "INTEGER" | "BIGINT" | "SMALLINT" | "TINYINT" | "BYTEINT" if args.is_empty() => {
            t("NUMBER", Some(38), Some(0))
        }
        "FLOAT" | "FLOAT4" | "FLOAT8" | "DOUBLE" | "REAL" => t("FLOAT", None, None),
        "VARCHAR" | "STRING" | "TEXT" | "NVARCHAR" | "NVARCHAR2" | "CHAR_VARYING" => t(
            "VARCHAR",
            Some(length(a0, 16_777_216, "character", 134_217_728)?),
            None,
        ),
        "CHAR" | "CHARACTER" | "NCHAR" => t(
            "VARCHAR",
            Some(length(a0, 1, "character", 134_217_728)?),
            None,
        ),
        "BINARY" | "VARBINARY" => t(
            "BINARY",
            Some(length(a0, 8_388_608, "binary", 67_108_864)?),
            None,
        ),
        "BOOLEAN" | "BOOL" if args.is_empty() => t("BOOLEAN", None, None),
        "DATE" if args.is_empty() => t("DATE", None, None),
        "TIME" => t("TIME", Some(fraction(a0, "TIME")?), None),
        "DATETIME"
        | "TIMESTAMP"
        | "TIMESTAMP_NTZ"
        | "TIMESTAMPNTZ"
        | "TIMESTAMP_WITHOUT_TIME_ZONE" => {
            t("TIMESTAMP_NTZ", Some(fraction(a0, "TIMESTAMP_NTZ")?), None)
        }
        "TIMESTAMP_LTZ" | "TIMESTAMPLTZ" => {
            t("TIMESTAMP_LTZ", Some(fraction(a0, "TIMESTAMP_LTZ")?), None)
        }
        "TIMESTAMP_TZ" | "TIMESTAMPTZ" => {
            t("TIMESTAMP_TZ", Some(fraction(a0, "TIMESTAMP_TZ")?), None)
        }
        "VARIANT" | "OBJECT" | "ARRAY" | "GEOGRAPHY" | "GEOMETRY" if args.is_empty() => {
            t(&word, None, None)
        }
        "VECTOR" | "FILE" | "MAP" => {
            return Err(SfError::unsupported(&format!("data type {word}")));
        }
        _ => return Err(p.error_at(at)),
    };
    Ok(ty)
}

/// A VARCHAR/BINARY length (`default` when not written) within 1 … `max`, refused
/// with Snowflake's `Invalid character length: N. Must be between 1 and M` text.
fn length(written: Option<i64>, default: i64, what: &str, max: i64) -> Result<i64, SfError> {
    let n = written.unwrap_or(default);
    if (1..=max).contains(&n) {
        return Ok(n);
    }
    Err(SfError::compile(
        "002024",
        "42000",
        format!(
            "Invalid {what} length: {}. Must be between 1 and {}",
            thousands(n),
            thousands(max)
        ),
    ))
}

/// Fractional-second precision of TIME/TIMESTAMP types: 0 … 9 (default 9).
fn fraction(written: Option<i64>, base: &str) -> Result<i64, SfError> {
    let n = written.unwrap_or(9);
    if (0..=9).contains(&n) {
        return Ok(n);
    }
    Err(SfError::compile(
        "002024",
        "42000",
        format!("Unsupported data type '{base}({n})'."),
    ))
}

/// `134217728` → `134,217,728`, as Snowflake prints lengths in this message.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ColumnDef {
    pub name: String,
    pub ty: SqlType,
    pub nullable: bool,
    pub default: Option<String>,
    pub comment: Option<String>,
    pub primary_key: bool,
    pub unique: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TableData {
    pub columns: Vec<ColumnDef>,
    pub comment: String,
    pub change_tracking: bool,
    pub cluster_by: Vec<String>,
    /// TABLE, TRANSIENT or TEMPORARY.
    pub kind: String,
    pub retention: i64,
    pub max_extension: Option<i64>,
    pub schema_evolution: bool,
}

/// The table properties SHOW TABLES prints, read without decoding the columns.
#[derive(Clone, Debug)]
pub struct TableSummary {
    pub comment: String,
    pub change_tracking: bool,
    pub cluster_by: Vec<String>,
    pub kind: String,
    pub retention: i64,
    pub schema_evolution: bool,
}

/// How a table shape is read from storage: whole, or only what SHOW TABLES needs
/// (read with SQLite's JSON functions, without decoding the columns).
pub trait TableLoad: Sized {
    fn list_in(
        conn: &rusqlite::Connection,
        account: &str,
        db: Option<&str>,
        schema: Option<&str>,
    ) -> Result<Vec<Obj<Self>>, SfError>;
    fn get_one(
        conn: &rusqlite::Connection,
        account: &str,
        key: &Key,
    ) -> Result<Option<Obj<Self>>, SfError>;
}

impl TableLoad for TableData {
    fn list_in(
        conn: &rusqlite::Connection,
        account: &str,
        db: Option<&str>,
        schema: Option<&str>,
    ) -> Result<Vec<Obj<Self>>, SfError> {
        storage::list(conn, account, "TABLE", db, schema)
    }
    fn get_one(
        conn: &rusqlite::Connection,
        account: &str,
        key: &Key,
    ) -> Result<Option<Obj<Self>>, SfError> {
        storage::get(conn, account, "TABLE", key)
    }
}

const SUMMARY_SELECT: &str = "SELECT db, schema, name, sig, created_on, owner,
    json_extract(data, '$.comment'), json_extract(data, '$.change_tracking'),
    json_extract(data, '$.cluster_by'), json_extract(data, '$.kind'), json_extract(data, '$.retention'),
    json_extract(data, '$.schema_evolution')
    FROM objects WHERE account = ?1 AND kind = 'TABLE'";

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Obj<TableSummary>> {
    let cluster: String = r.get(8)?;
    let cluster_by = if cluster == "[]" {
        Vec::new()
    } else {
        serde_json::from_str(&cluster).unwrap_or_default()
    };
    Ok(Obj {
        db: r.get(0)?,
        schema: r.get(1)?,
        name: r.get(2)?,
        sig: r.get(3)?,
        created_on: r.get(4)?,
        owner: r.get(5)?,
        data: TableSummary {
            comment: r.get(6)?,
            change_tracking: r.get::<_, i64>(7)? != 0,
            cluster_by,
            kind: r.get(9)?,
            retention: r.get(10)?,
            schema_evolution: r.get::<_, Option<i64>>(11)?.unwrap_or(0) != 0,
        },
    })
}

impl TableLoad for TableSummary {
    fn list_in(
        conn: &rusqlite::Connection,
        account: &str,
        db: Option<&str>,
        schema: Option<&str>,
    ) -> Result<Vec<Obj<Self>>, SfError> {
        let sql = format!(
            "{SUMMARY_SELECT} AND (?2 IS NULL OR db = ?2) AND (?3 IS NULL OR schema = ?3) ORDER BY db, schema, name, sig"
        );
        let mut st = conn.prepare_cached(&sql)?;
        let rows = st.query_map(rusqlite::params![account, db, schema], summary_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
    fn get_one(
        conn: &rusqlite::Connection,
        account: &str,
        key: &Key,
    ) -> Result<Option<Obj<Self>>, SfError> {
        use rusqlite::OptionalExtension;
        let sql =
            format!("{SUMMARY_SELECT} AND db = ?2 AND schema = ?3 AND name = ?4 AND sig = ''");
        let mut st = conn.prepare_cached(&sql)?;
        Ok(st
            .query_row(
                rusqlite::params![account, key.db, key.schema, key.name],
                summary_row,
            )
            .optional()?)
    }
}

/// Parses one column definition (name, type and constraints).
fn parse_column(p: &mut Parser<'_>) -> Result<ColumnDef, SfError> {
    let name = p.ident()?;
    let ty = parse_type(p)?;
    let mut c = ColumnDef {
        name,
        ty,
        nullable: true,
        default: None,
        comment: None,
        primary_key: false,
        unique: false,
    };
    loop {
        if p.eat_kws(&["NOT", "NULL"]) {
            c.nullable = false;
        } else if p.eat_kw("NULL") {
            c.nullable = true;
        } else if p.eat_kw("DEFAULT") {
            let start = p.position();
            match p.peek().tok.clone() {
                Tok::Str(s) => {
                    p.advance();
                    c.default = Some(format!("'{}'", s.replace('\'', "''")));
                }
                Tok::Num(_) | Tok::Sym("-") => {
                    p.value()?;
                    c.default = Some(p.text_between(start, p.position()).to_string());
                }
                Tok::Word(_) => {
                    let n = p.name(3)?;
                    if p.eat_sym("(") {
                        p.expect_sym(")")?;
                        c.default = Some(format!("{}()", n.parts.join(".")));
                    } else {
                        c.default = Some(n.parts.join("."));
                    }
                }
                _ => return Err(p.error()),
            }
        } else if p.eat_kws(&["PRIMARY", "KEY"]) {
            c.primary_key = true;
            c.nullable = false;
        } else if p.eat_kw("UNIQUE") {
            c.unique = true;
        } else if p.eat_kw("COMMENT") {
            p.eat_sym("=");
            c.comment = Some(p.string()?);
        } else if p.is_kw("COLLATE")
            || p.is_kw("AUTOINCREMENT")
            || p.is_kw("IDENTITY")
            || p.is_kw("MASKING")
            || p.is_kw("WITH")
            || p.is_kw("AS")
            || p.is_kw("REFERENCES")
            || p.is_kw("FOREIGN")
            || p.is_kw("CONSTRAINT")
        {
            return Err(SfError::unsupported(&format!(
                "column {}",
                p.word().unwrap_or_default()
            )));
        } else {
            break;
        }
    }
    Ok(c)
}

fn cluster_list(p: &mut Parser<'_>) -> Result<Vec<String>, SfError> {
    p.expect_sym("(")?;
    let mut out = Vec::new();
    loop {
        let start = p.position();
        if matches!(p.peek().tok, Tok::Word(_) | Tok::Quoted(_))
            && matches!(p.peek_at(1), Tok::Sym(",") | Tok::Sym(")"))
        {
            out.push(quote_part(&p.ident()?));
        } else {
            let mut depth = 0;
            while !p.at_end() {
                if p.is_sym("(") {
                    depth += 1;
                } else if p.is_sym(")") {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                } else if p.is_sym(",") && depth == 0 {
                    break;
                }
                p.advance();
            }
            if p.position() == start {
                return Err(p.error());
            }
            out.push(p.text_between(start, p.position()).to_string());
        }
        if !p.eat_sym(",") {
            break;
        }
    }
    p.expect_sym(")")?;
    Ok(out)
}

fn apply_table_prop(
    d: &mut TableData,
    k: &str,
    v: &crate::emulator::parser::Value,
) -> Result<(), SfError> {
    let bad = || SfError::invalid_value(&v.text().unwrap_or_default(), k);
    match k {
        "CHANGE_TRACKING" => d.change_tracking = v.as_bool().ok_or_else(bad)?,
        "COMMENT" => d.comment = text_value(v, k)?,
        "DATA_RETENTION_TIME_IN_DAYS" => d.retention = super::retention_days(v, k)?,
        "MAX_DATA_EXTENSION_TIME_IN_DAYS" => d.max_extension = Some(v.as_i64().ok_or_else(bad)?),
        "ENABLE_SCHEMA_EVOLUTION" => d.schema_evolution = v.as_bool().ok_or_else(bad)?,
        other => return Err(SfError::unsupported(&format!("TABLE property {other}"))),
    }
    Ok(())
}

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    head.only(&["TRANSIENT", "TEMPORARY"], "TABLE")?;
    head.read_ine(p)?;
    let name = p.name(3)?;
    let key = ex.object_key(&name)?;
    if p.is_kw("AS") || p.is_kw("LIKE") || p.is_kw("CLONE") || p.is_kw("USING") {
        return Err(SfError::unsupported(&format!(
            "CREATE TABLE … {}",
            p.word().unwrap_or_default()
        )));
    }
    p.expect_sym("(")?;
    let mut cols: Vec<ColumnDef> = Vec::new();
    loop {
        if p.eat_kws(&["PRIMARY", "KEY"]) {
            p.expect_sym("(")?;
            let mut names = vec![p.ident()?];
            while p.eat_sym(",") {
                names.push(p.ident()?);
            }
            p.expect_sym(")")?;
            for n in names {
                let c = cols.iter_mut().find(|c| c.name == n).ok_or_else(|| {
                    SfError::compile(
                        "000904",
                        "42000",
                        format!("invalid identifier '{}'", quote_part(&n)),
                    )
                })?;
                c.primary_key = true;
                c.nullable = false;
            }
        } else if p.is_kw("CONSTRAINT") || p.is_kw("UNIQUE") || p.is_kw("FOREIGN") {
            return Err(SfError::unsupported(&format!(
                "table constraint {}",
                p.word().unwrap_or_default()
            )));
        } else {
            let c = parse_column(p)?;
            if cols.iter().any(|x| x.name == c.name) {
                return Err(SfError::compile(
                    "002025",
                    "42S21",
                    format!("duplicate column name '{}'", c.name),
                ));
            }
            cols.push(c);
        }
        if !p.eat_sym(",") {
            break;
        }
    }
    p.expect_sym(")")?;
    let mut data = TableData {
        columns: cols,
        comment: String::new(),
        change_tracking: false,
        cluster_by: Vec::new(),
        kind: if head.has("TRANSIENT") {
            "TRANSIENT".into()
        } else if head.has("TEMPORARY") {
            "TEMPORARY".into()
        } else {
            "TABLE".into()
        },
        retention: 1,
        max_extension: None,
        schema_evolution: false,
    };
    let mut copy_grants = false;
    loop {
        if p.eat_kws(&["CLUSTER", "BY"]) {
            data.cluster_by = cluster_list(p)?;
        } else if p.eat_kws(&["COPY", "GRANTS"]) {
            copy_grants = true;
        } else if p.is_kw("WITH")
            || p.is_kw("TAG")
            || p.is_kw("STAGE_FILE_FORMAT")
            || p.is_kw("STAGE_COPY_OPTIONS")
        {
            return Err(SfError::unsupported(&format!(
                "CREATE TABLE … {}",
                p.word().unwrap_or_default()
            )));
        } else {
            let props = p.props(&[])?;
            if props.is_empty() {
                break;
            }
            for (k, v, _) in props {
                apply_table_prop(&mut data, &k, &v)?;
            }
        }
    }
    p.end()?;
    ex.writable_schema(&key.db, &key.schema)?;
    let mut saved_grants = Vec::new();
    if let Some(existing) = storage::get::<TableData>(ex.conn, ex.account, "TABLE", &key)? {
        if head.if_not_exists {
            return Ok(columns::status(format!(
                "{} already exists, statement succeeded.",
                key.name
            )));
        }
        if !head.or_replace {
            return Err(SfError::already_exists(&key.name));
        }
        ex.check_owner(&existing.owner, &format!("table '{}'", key.name))?;
        if copy_grants {
            saved_grants = super::grant::grants_on(ex, "TABLE", &key)?;
        }
        storage::delete(ex.conn, ex.account, "TABLE", &key)?;
    }
    storage::put(ex.conn, ex.account, "TABLE", &ex.new_obj(&key, data))?;
    super::grant::restore(ex, &saved_grants)?;
    Ok(created("Table", &key.name))
}

/// A table by key: local, or shared into an imported database (read-only).
pub fn lookup(ex: &Ex<'_>, key: &Key) -> Result<(Obj<TableData>, bool), SfError> {
    let db = ex.database(&key.db)?;
    let missing = || SfError::not_found("Table", &fqn(&[&key.db, &key.schema, &key.name]));
    if db.data.origin.is_some() {
        let m = super::share::mounted(ex, &db)?;
        if !m.schemas.contains(&key.schema) {
            return Err(SfError::not_found(
                "Schema",
                &format!("{}.{}", key.db, key.schema),
            ));
        }
        if !m.tables.contains(&(key.schema.clone(), key.name.clone())) {
            return Err(missing());
        }
        let mut t: Obj<TableData> = storage::get(
            ex.conn,
            &m.provider,
            "TABLE",
            &Key::in_schema(&m.db, &key.schema, &key.name),
        )?
        .ok_or_else(missing)?;
        t.db = key.db.clone();
        t.owner = String::new();
        return Ok((t, true));
    }
    ex.parent_exists(key)?;
    let t = storage::get(ex.conn, ex.account, "TABLE", key)?.ok_or_else(missing)?;
    Ok((t, false))
}

/// Tables within a container, in (db, schema, name) order, shared ones included.
pub fn tables_in<T: TableLoad>(ex: &Ex<'_>, within: &Within) -> Result<Vec<Obj<T>>, SfError> {
    let dbs: Vec<Obj<DatabaseData>> = match within {
        Within::Account => storage::list(ex.conn, ex.account, "DATABASE", None, None)?,
        Within::Database(d) | Within::Schema(d, _) => vec![ex.database(d)?],
    };
    let imported: Vec<&Obj<DatabaseData>> =
        dbs.iter().filter(|d| d.data.origin.is_some()).collect();
    let mut out: Vec<Obj<T>> = Vec::new();
    if imported.len() == dbs.len() && !dbs.is_empty() && within != &Within::Account {
        // only an imported database
    } else {
        let local = T::list_in(ex.conn, ex.account, within.db(), within.schema())?;
        out.extend(local);
    }
    let mut merged = false;
    for db in imported {
        let Ok(m) = super::share::mounted(ex, db) else {
            if within != &Within::Account {
                super::share::mounted(ex, db)?;
            }
            continue;
        };
        for (schema, name) in &m.tables {
            if within.schema().is_some_and(|s| s != schema) {
                continue;
            }
            if let Some(mut t) =
                T::get_one(ex.conn, &m.provider, &Key::in_schema(&m.db, schema, name))?
            {
                t.db = db.name.clone();
                t.owner = String::new();
                out.push(t);
                merged = true;
            }
        }
    }
    if merged {
        out.sort_by(|a, b| (&a.db, &a.schema, &a.name).cmp(&(&b.db, &b.schema, &b.name)));
    }
    if !ex.is_admin() {
        let roles = ex.effective_roles()?;
        let mut visible = Vec::with_capacity(out.len());
        for t in out {
            let key = Key::in_schema(&t.db, &t.schema, &t.name);
            if t.owner.is_empty()
                || roles.contains(&t.owner)
                || super::grant::has_privilege(ex, &roles, "TABLE", &key)?
            {
                visible.push(t);
            }
        }
        out = visible;
    }
    Ok(out)
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.name(3)?;
    let key = ex.object_key(&name)?;
    let (mut t, shared) = match lookup(ex, &key) {
        Ok(x) => x,
        Err(e) if if_exists && e.code == "002003" && e.message.contains("Table '") => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    if shared {
        return Err(SfError::insufficient_privileges(&format!(
            "table '{}'",
            key.name
        )));
    }
    ex.check_owner(&t.owner, &format!("table '{}'", key.name))?;
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
                apply_table_prop(&mut t.data, &k, &v)?;
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
                    "COMMENT" => t.data.comment.clear(),
                    "CHANGE_TRACKING" => t.data.change_tracking = false,
                    "DATA_RETENTION_TIME_IN_DAYS" => t.data.retention = 1,
                    "MAX_DATA_EXTENSION_TIME_IN_DAYS" => t.data.max_extension = None,
                    "ENABLE_SCHEMA_EVOLUTION" => t.data.schema_evolution = false,
                    other => return Err(SfError::unsupported(&format!("UNSET {other}"))),
                }
            }
        }
        "ADD" => {
            p.eat_kw("COLUMN");
            let ine = p.eat_kws(&["IF", "NOT", "EXISTS"]);
            loop {
                let c = parse_column(p)?;
                if t.data.columns.iter().any(|x| x.name == c.name) {
                    if !ine {
                        return Err(SfError::compile(
                            "002025",
                            "42S21",
                            format!("Column '{}' already exists", c.name),
                        ));
                    }
                } else {
                    t.data.columns.push(c);
                }
                if !p.eat_sym(",") {
                    break;
                }
                p.eat_kw("COLUMN");
            }
            p.end()?;
        }
        "DROP" => {
            if p.eat_kws(&["CLUSTERING", "KEY"]) {
                p.end()?;
                t.data.cluster_by.clear();
            } else {
                p.eat_kw("COLUMN");
                let ie = p.eat_kws(&["IF", "EXISTS"]);
                let mut names = vec![p.ident()?];
                while p.eat_sym(",") {
                    names.push(p.ident()?);
                }
                p.end()?;
                for n in names {
                    let before = t.data.columns.len();
                    t.data.columns.retain(|c| c.name != n);
                    if before == t.data.columns.len() && !ie {
                        return Err(invalid_column(&n));
                    }
                }
                if t.data.columns.is_empty() {
                    return Err(SfError::compile(
                        "002028",
                        "42601",
                        "Cannot drop the last column of a table.",
                    ));
                }
            }
        }
        "RENAME" => {
            if p.eat_kw("COLUMN") {
                let from = p.ident()?;
                p.expect_kw("TO")?;
                let to = p.ident()?;
                p.end()?;
                if t.data.columns.iter().any(|c| c.name == to) {
                    return Err(SfError::compile(
                        "002025",
                        "42S21",
                        format!("Column '{to}' already exists"),
                    ));
                }
                let c = t
                    .data
                    .columns
                    .iter_mut()
                    .find(|c| c.name == from)
                    .ok_or_else(|| invalid_column(&from))?;
                c.name = to;
            } else {
                p.expect_kw("TO")?;
                let new = p.name(3)?;
                p.end()?;
                let mut new_key = ex.object_key(&new)?;
                if new.parts.len() == 1 {
                    new_key = Key::in_schema(&key.db, &key.schema, &new_key.name);
                }
                ex.writable_schema(&new_key.db, &new_key.schema)?;
                if storage::exists(ex.conn, ex.account, "TABLE", &new_key)? {
                    return Err(SfError::already_exists(&new_key.name));
                }
                let grants = super::grant::grants_on(ex, "TABLE", &key)?;
                storage::delete(ex.conn, ex.account, "TABLE", &key)?;
                t.db = new_key.db.clone();
                t.schema = new_key.schema.clone();
                t.name = new_key.name.clone();
                let moved: Vec<_> = grants.into_iter().map(|g| g.moved_to(&new_key)).collect();
                super::grant::restore(ex, &moved)?;
            }
        }
        "ALTER" | "MODIFY" => {
            let paren = p.eat_sym("(");
            loop {
                p.eat_kw("COLUMN");
                let cname = p.ident()?;
                let idx = t
                    .data
                    .columns
                    .iter()
                    .position(|c| c.name == cname)
                    .ok_or_else(|| invalid_column(&cname))?;
                alter_column(p, &mut t.data.columns[idx])?;
                if !p.eat_sym(",") {
                    break;
                }
            }
            if paren {
                p.expect_sym(")")?;
            }
            p.end()?;
        }
        "CLUSTER" => {
            p.expect_kw("BY")?;
            t.data.cluster_by = cluster_list(p)?;
            p.end()?;
        }
        other => return Err(SfError::unsupported(&format!("ALTER TABLE … {other}"))),
    }
    storage::put(ex.conn, ex.account, "TABLE", &t)?;
    Ok(done())
}

fn invalid_column(name: &str) -> SfError {
    SfError::compile(
        "000904",
        "42000",
        format!("invalid identifier '{}'", quote_part(name)),
    )
}

fn alter_column(p: &mut Parser<'_>, c: &mut ColumnDef) -> Result<(), SfError> {
    if p.eat_kws(&["DROP", "DEFAULT"]) {
        c.default = None;
    } else if p.eat_kws(&["SET", "NOT", "NULL"]) || p.eat_kws(&["NOT", "NULL"]) {
        c.nullable = false;
    } else if p.eat_kws(&["DROP", "NOT", "NULL"]) {
        c.nullable = true;
    } else if p.eat_kw("COMMENT") {
        c.comment = Some(p.string()?);
    } else if p.eat_kws(&["UNSET", "COMMENT"]) {
        c.comment = None;
    } else if p.is_kw("SET") && p.is_kw_at(1, "DEFAULT") {
        return Err(SfError::unsupported("ALTER COLUMN … SET DEFAULT"));
    } else {
        if p.eat_kw("SET") {
            p.expect_kws(&["DATA", "TYPE"])?;
        } else {
            p.eat_kw("TYPE");
        }
        let new = parse_type(p)?;
        check_type_change(&c.name, &c.ty, &new)?;
        c.ty = new;
    }
    Ok(())
}

fn check_type_change(col: &str, old: &SqlType, new: &SqlType) -> Result<(), SfError> {
    let fail = |why: &str| {
        Err(SfError::compile(
            "040052",
            "22000",
            format!(
                "cannot change column {col} from type {} to {}{why}",
                old.desc(),
                new.desc()
            ),
        ))
    };
    if old == new {
        return Ok(());
    }
    if old.base != new.base {
        return fail(" because they are incompatible types.");
    }
    match old.base.as_str() {
        "VARCHAR" if new.a >= old.a => Ok(()),
        "VARCHAR" => fail(" because reducing the byte-length of a varchar is not supported."),
        "NUMBER" if new.b != old.b => {
            fail(" because changing the scale of a number is not supported.")
        }
        "NUMBER" if new.a >= old.a => Ok(()),
        "NUMBER" => fail(" because decreasing the precision of a number is not supported."),
        _ => fail(" because they are incompatible types."),
    }
}

pub fn drop(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.name(3)?;
    if !p.eat_kw("CASCADE") {
        p.eat_kw("RESTRICT");
    }
    p.end()?;
    let key = ex.object_key(&name)?;
    match lookup(ex, &key) {
        Ok((_, true)) => Err(SfError::insufficient_privileges(&format!(
            "table '{}'",
            key.name
        ))),
        Ok((t, false)) => {
            ex.check_owner(&t.owner, &format!("table '{}'", key.name))?;
            storage::delete(ex.conn, ex.account, "TABLE", &key)?;
            Ok(columns::status(format!(
                "{} successfully dropped.",
                key.name
            )))
        }
        Err(e) if if_exists && e.message.contains("Table '") => Ok(columns::status(format!(
            "Drop statement executed successfully ({} already dropped).",
            key.name
        ))),
        Err(e) => Err(e),
    }
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>, terse: bool) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, true)?;
    let within = ex.within(opts.scope.as_ref(), true)?;
    let mut items = Vec::new();
    for t in tables_in::<TableSummary>(ex, &within)? {
        if !opts.accepts(&t.name) {
            continue;
        }
        let row = if terse {
            vec![
                Some(ts(t.created_on)),
                opt(&t.name),
                opt("TABLE"),
                opt(&t.db),
                opt(&t.schema),
            ]
        } else {
            let d = &t.data;
            let cluster = if d.cluster_by.is_empty() {
                String::new()
            } else {
                format!("LINEAR({})", d.cluster_by.join(", "))
            };
            vec![
                Some(ts(t.created_on)),
                opt(&t.name),
                opt(&t.db),
                opt(&t.schema),
                opt(&d.kind),
                opt(&d.comment),
                Some(cluster),
                opt("0"),
                opt("0"),
                opt(&t.owner),
                Some(d.retention.to_string()),
                Some(on_off(!d.cluster_by.is_empty())),
                Some(on_off(d.change_tracking)),
                opt("OFF"),
                None,
                None,
                opt("N"),
                Some(if d.schema_evolution { "Y" } else { "N" }.into()),
                opt(if t.owner.is_empty() { "" } else { "ROLE" }),
                opt("N"),
                None,
                opt("N"),
                opt("N"),
                opt("N"),
                opt("N"),
            ]
        };
        items.push((t.name.clone(), row));
    }
    Ok(opts.finish(columns::rows(if terse { TERSE } else { TABLES }), items))
}

pub fn show_columns(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, true)?;
    let tables = match &opts.scope {
        Some(Scope::Object(k, n)) if k == "TABLE" => vec![lookup(ex, &ex.object_key(n)?)?.0],
        Some(Scope::Object(k, _)) => {
            return Err(SfError::unsupported(&format!("SHOW COLUMNS IN {k}")));
        }
        scope => {
            let within = ex.within(scope.as_ref(), true)?;
            tables_in(ex, &within)?
        }
    };
    let mut out = columns::rows(COLUMNS);
    for t in tables {
        for c in &t.data.columns {
            if let Some(l) = &opts.like
                && !crate::emulator::parser::like(l, &c.name)
            {
                continue;
            }
            out.rows.push(vec![
                opt(&t.name),
                opt(&t.schema),
                opt(&c.name),
                Some(c.ty.json(c.nullable)),
                Some(if c.nullable { "true" } else { "false" }.into()),
                Some(c.default.clone().unwrap_or_default()),
                opt("COLUMN"),
                opt(""),
                Some(c.comment.clone().unwrap_or_default()),
                opt(&t.db),
                opt(""),
                None,
            ]);
            if opts.limit.is_some_and(|l| out.rows.len() >= l) {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

pub fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let name = p.name(3)?;
    if p.eat_kw("TYPE") {
        p.expect_sym("=")?;
        if !p.eat_kw("COLUMNS") {
            return Err(SfError::unsupported("DESCRIBE TABLE … TYPE = STAGE"));
        }
    }
    p.end()?;
    let key = ex.object_key(&name)?;
    let (t, _) = lookup(ex, &key)?;
    let mut out = columns::rows(DESC_TABLE);
    for c in &t.data.columns {
        out.rows.push(vec![
            opt(&c.name),
            Some(c.ty.desc()),
            opt("COLUMN"),
            Some(if c.nullable { "Y" } else { "N" }.into()),
            c.default.clone(),
            Some(if c.primary_key { "Y" } else { "N" }.into()),
            Some(if c.unique { "Y" } else { "N" }.into()),
            None,
            None,
            c.comment.clone(),
            None,
            None,
        ]);
    }
    Ok(out)
}
