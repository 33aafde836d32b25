//! The emulator's file: one SQLite database (WAL, busy timeout) holding every
//! account of the local organisation. Objects are rows keyed by
//! (account, kind, database, schema, name, signature) with their properties as JSON;
//! grants and stage files have their own tables. The schema is versioned.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::EmulatorError;
use super::error::SfError;

/// Version of the file layout; a file of another version is refused.
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE accounts (name TEXT PRIMARY KEY, created_on INTEGER NOT NULL);
CREATE TABLE objects (
  account TEXT NOT NULL, kind TEXT NOT NULL, db TEXT NOT NULL, schema TEXT NOT NULL,
  name TEXT NOT NULL, sig TEXT NOT NULL, created_on INTEGER NOT NULL, owner TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (account, kind, db, schema, name, sig)) WITHOUT ROWID;
CREATE TABLE grants (
  account TEXT NOT NULL, privilege TEXT NOT NULL, on_kind TEXT NOT NULL, db TEXT NOT NULL,
  schema TEXT NOT NULL, name TEXT NOT NULL, sig TEXT NOT NULL, to_kind TEXT NOT NULL,
  grantee TEXT NOT NULL, grant_option INTEGER NOT NULL, granted_by TEXT NOT NULL,
  created_on INTEGER NOT NULL,
  PRIMARY KEY (account, privilege, on_kind, db, schema, name, sig, to_kind, grantee)) WITHOUT ROWID;
CREATE INDEX grants_grantee ON grants (account, to_kind, grantee);
CREATE TABLE stage_files (
  account TEXT NOT NULL, db TEXT NOT NULL, schema TEXT NOT NULL, stage TEXT NOT NULL,
  path TEXT NOT NULL, content BLOB NOT NULL, md5 TEXT NOT NULL, size INTEGER NOT NULL,
  last_modified INTEGER NOT NULL,
  PRIMARY KEY (account, db, schema, stage, path)) WITHOUT ROWID;
";

/// Opens (creating if needed) and checks the file.
pub fn open(path: &Path) -> Result<Connection, EmulatorError> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| EmulatorError::Io {
            path: parent.display().to_string(),
            source: e,
        })?;
    }
    let conn = Connection::open(path).map_err(|e| EmulatorError::open(path, e))?;
    conn.busy_timeout(Duration::from_secs(30))
        .map_err(|e| EmulatorError::open(path, e))?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| EmulatorError::open(path, e))?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(|e| EmulatorError::open(path, e))?;
    init(&conn).map_err(|e| match e {
        InitError::Sql(e) => EmulatorError::open(path, e),
        InitError::Version(found) => EmulatorError::SchemaVersion {
            path: path.display().to_string(),
            found,
            expected: SCHEMA_VERSION,
        },
    })?;
    Ok(conn)
}

pub fn open_in_memory() -> Result<Connection, EmulatorError> {
    let conn =
        Connection::open_in_memory().map_err(|e| EmulatorError::open(Path::new(":memory:"), e))?;
    init(&conn).map_err(|e| match e {
        InitError::Sql(e) => EmulatorError::open(Path::new(":memory:"), e),
        InitError::Version(found) => EmulatorError::SchemaVersion {
            path: ":memory:".into(),
            found,
            expected: SCHEMA_VERSION,
        },
    })?;
    Ok(conn)
}

enum InitError {
    Sql(rusqlite::Error),
    Version(String),
}

impl From<rusqlite::Error> for InitError {
    fn from(e: rusqlite::Error) -> InitError {
        InitError::Sql(e)
    }
}

fn init(conn: &Connection) -> Result<(), InitError> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        let has_meta: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)?;
        if !has_meta {
            let other: i64 =
                conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            if other > 0 {
                return Err(InitError::Version(
                    "unknown (not a floe emulator file)".into(),
                ));
            }
            conn.execute_batch(SCHEMA)?;
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?1), ('next_id', '1')",
                params![SCHEMA_VERSION.to_string()],
            )?;
            return Ok(());
        }
        let version: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        match version {
            Some(v) if v == SCHEMA_VERSION.to_string() => Ok(()),
            Some(v) => Err(InitError::Version(v)),
            None => Err(InitError::Version("missing".into())),
        }
    })();
    match result {
        Ok(()) => {
            conn.execute_batch("COMMIT")?;
            Ok(())
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// A stored object with typed properties.
#[derive(Clone, Debug)]
pub struct Obj<T> {
    pub db: String,
    pub schema: String,
    pub name: String,
    pub sig: String,
    pub created_on: i64,
    pub owner: String,
    pub data: T,
}

/// Where an object lives: (database, schema, name, signature); empty parts for
/// account-level objects.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize,
)]
pub struct Key {
    pub db: String,
    pub schema: String,
    pub name: String,
    pub sig: String,
}

impl Key {
    pub fn account(name: &str) -> Key {
        Key {
            name: name.to_string(),
            ..Key::default()
        }
    }
    pub fn in_db(db: &str, name: &str) -> Key {
        Key {
            db: db.to_string(),
            name: name.to_string(),
            ..Key::default()
        }
    }
    pub fn in_schema(db: &str, schema: &str, name: &str) -> Key {
        Key {
            db: db.to_string(),
            schema: schema.to_string(),
            name: name.to_string(),
            sig: String::new(),
        }
    }
}

fn row_to_obj<T: DeserializeOwned>(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<Result<Obj<T>, serde_json::Error>> {
    let data: String = r.get(6)?;
    Ok(serde_json::from_str(&data).map(|data| Obj {
        db: r.get(0).unwrap_or_default(),
        schema: r.get(1).unwrap_or_default(),
        name: r.get(2).unwrap_or_default(),
        sig: r.get(3).unwrap_or_default(),
        created_on: r.get(4).unwrap_or_default(),
        owner: r.get(5).unwrap_or_default(),
        data,
    }))
}

pub fn get<T: DeserializeOwned>(
    conn: &Connection,
    account: &str,
    kind: &str,
    key: &Key,
) -> Result<Option<Obj<T>>, SfError> {
    let mut st = conn.prepare_cached(
        "SELECT db, schema, name, sig, created_on, owner, data FROM objects
         WHERE account = ?1 AND kind = ?2 AND db = ?3 AND schema = ?4 AND name = ?5 AND sig = ?6",
    )?;
    let r = st
        .query_row(
            params![account, kind, key.db, key.schema, key.name, key.sig],
            row_to_obj::<T>,
        )
        .optional()?;
    Ok(r.transpose()?)
}

pub fn exists(conn: &Connection, account: &str, kind: &str, key: &Key) -> Result<bool, SfError> {
    let mut st = conn.prepare_cached(
        "SELECT 1 FROM objects
         WHERE account = ?1 AND kind = ?2 AND db = ?3 AND schema = ?4 AND name = ?5 AND sig = ?6",
    )?;
    Ok(st.exists(params![
        account, kind, key.db, key.schema, key.name, key.sig
    ])?)
}

/// Objects of a kind, optionally within a database/schema, ordered by db, schema, name, sig.
pub fn list<T: DeserializeOwned>(
    conn: &Connection,
    account: &str,
    kind: &str,
    db: Option<&str>,
    schema: Option<&str>,
) -> Result<Vec<Obj<T>>, SfError> {
    let mut st = conn.prepare_cached(
        "SELECT db, schema, name, sig, created_on, owner, data FROM objects
         WHERE account = ?1 AND kind = ?2 AND (?3 IS NULL OR db = ?3) AND (?4 IS NULL OR schema = ?4)
         ORDER BY db, schema, name, sig",
    )?;
    let rows = st.query_map(params![account, kind, db, schema], row_to_obj::<T>)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r??);
    }
    Ok(out)
}

/// Objects of a kind with a given name in every account (org-wide names such as listings).
pub fn list_all_accounts<T: DeserializeOwned>(
    conn: &Connection,
    kind: &str,
) -> Result<Vec<(String, Obj<T>)>, SfError> {
    let mut st = conn.prepare_cached(
        "SELECT db, schema, name, sig, created_on, owner, data, account FROM objects
         WHERE kind = ?1 ORDER BY account, db, schema, name, sig",
    )?;
    let rows = st.query_map(params![kind], |r| {
        let acct: String = r.get(7)?;
        Ok((acct, row_to_obj::<T>(r)?))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let (a, o) = r?;
        out.push((a, o?));
    }
    Ok(out)
}

pub fn put<T: Serialize>(
    conn: &Connection,
    account: &str,
    kind: &str,
    obj: &Obj<T>,
) -> Result<(), SfError> {
    let data = serde_json::to_string(&obj.data)?;
    let mut st = conn.prepare_cached(
        "INSERT OR REPLACE INTO objects (account, kind, db, schema, name, sig, created_on, owner, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    st.execute(params![
        account,
        kind,
        obj.db,
        obj.schema,
        obj.name,
        obj.sig,
        obj.created_on,
        obj.owner,
        data
    ])?;
    Ok(())
}

/// Deletes one object and every grant on it.
pub fn delete(conn: &Connection, account: &str, kind: &str, key: &Key) -> Result<(), SfError> {
    conn.execute(
        "DELETE FROM objects WHERE account = ?1 AND kind = ?2 AND db = ?3 AND schema = ?4 AND name = ?5 AND sig = ?6",
        params![account, kind, key.db, key.schema, key.name, key.sig],
    )?;
    conn.execute(
        "DELETE FROM grants WHERE account = ?1 AND on_kind = ?2 AND db = ?3 AND schema = ?4 AND name = ?5 AND sig = ?6",
        params![account, kind, key.db, key.schema, key.name, key.sig],
    )?;
    if kind == "STAGE" {
        conn.execute(
            "DELETE FROM stage_files WHERE account = ?1 AND db = ?2 AND schema = ?3 AND stage = ?4",
            params![account, key.db, key.schema, key.name],
        )?;
    }
    Ok(())
}

/// Deletes everything inside a database (and schema, when given): objects, grants, files.
pub fn delete_contents(
    conn: &Connection,
    account: &str,
    db: &str,
    schema: Option<&str>,
) -> Result<(), SfError> {
    match schema {
        None => {
            conn.execute(
                "DELETE FROM objects WHERE account = ?1 AND db = ?2",
                params![account, db],
            )?;
            conn.execute(
                "DELETE FROM grants WHERE account = ?1 AND db = ?2",
                params![account, db],
            )?;
            conn.execute(
                "DELETE FROM stage_files WHERE account = ?1 AND db = ?2",
                params![account, db],
            )?;
        }
        Some(s) => {
            conn.execute(
                "DELETE FROM objects WHERE account = ?1 AND db = ?2 AND schema = ?3",
                params![account, db, s],
            )?;
            conn.execute(
                "DELETE FROM grants WHERE account = ?1 AND db = ?2 AND schema = ?3",
                params![account, db, s],
            )?;
            conn.execute(
                "DELETE FROM stage_files WHERE account = ?1 AND db = ?2 AND schema = ?3",
                params![account, db, s],
            )?;
        }
    }
    Ok(())
}

/// A fresh number from the file-wide counter (task ids, listing names).
pub fn next_id(conn: &Connection) -> Result<i64, SfError> {
    let id: i64 = conn.query_row(
        "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_id'",
        [],
        |r| r.get(0),
    )?;
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'next_id'",
        params![(id + 1).to_string()],
    )?;
    Ok(id)
}

/// Creates the account on first use; returns true when it was created.
pub fn ensure_account(conn: &Connection, account: &str, now: i64) -> Result<bool, SfError> {
    let n = conn.execute(
        "INSERT OR IGNORE INTO accounts (name, created_on) VALUES (?1, ?2)",
        params![account, now],
    )?;
    Ok(n > 0)
}

pub fn accounts(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare("SELECT name FROM accounts ORDER BY name")?;
    let rows = st.query_map([], |r| r.get(0))?;
    rows.collect()
}
