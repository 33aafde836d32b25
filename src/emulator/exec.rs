//! Statement dispatch and what every executor shares: the session context, name
//! resolution against it, existence checks with Snowflake's errors, and simple
//! role checks (ACCOUNTADMIN may do everything; other roles act on what they own).

use std::collections::BTreeSet;

use rusqlite::Connection;

use super::error::SfError;
use super::kinds::database::DatabaseData;
use super::kinds::{self, schema::SchemaData};
use super::parser::{Name, Parser};
use super::storage::{self, Key, Obj};
use crate::runtime::session::Rows;

pub const SYSTEM_ROLES: &[&str] = &[
    "ACCOUNTADMIN",
    "SECURITYADMIN",
    "USERADMIN",
    "SYSADMIN",
    "PUBLIC",
];

/// The session context.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub role: String,
    pub warehouse: Option<String>,
    pub database: Option<String>,
    pub schema: Option<String>,
}

impl Ctx {
    pub fn new() -> Ctx {
        Ctx {
            role: "ACCOUNTADMIN".into(),
            warehouse: None,
            database: None,
            schema: None,
        }
    }
}

/// One statement's execution: the open transaction, the account and the context.
pub struct Ex<'a> {
    pub conn: &'a Connection,
    pub account: &'a str,
    pub ctx: &'a mut Ctx,
    pub now: i64,
}

/// Creates the account and its system roles on first use.
pub fn bootstrap_account(conn: &Connection, account: &str, now: i64) -> Result<(), SfError> {
    if storage::ensure_account(conn, account, now)? {
        for role in SYSTEM_ROLES {
            let obj = Obj {
                db: String::new(),
                schema: String::new(),
                name: role.to_string(),
                sig: String::new(),
                created_on: now,
                owner: String::new(),
                data: kinds::role::RoleData {
                    comment: None,
                    system: true,
                },
            };
            storage::put(conn, account, "ROLE", &obj)?;
        }
    }
    Ok(())
}

/// `CREATE` modifiers and flags.
#[derive(Debug, Default)]
pub struct CreateHead {
    pub or_replace: bool,
    pub if_not_exists: bool,
    pub modifiers: Vec<String>,
}

impl CreateHead {
    /// Reads `IF NOT EXISTS` (after the kind keyword).
    pub fn read_ine(&mut self, p: &mut Parser<'_>) -> Result<(), SfError> {
        if p.eat_kws(&["IF", "NOT", "EXISTS"]) {
            self.if_not_exists = true;
            if self.or_replace {
                return Err(SfError::compile(
                    "002025",
                    "42000",
                    "options IF NOT EXISTS and OR REPLACE are incompatible.",
                ));
            }
        }
        Ok(())
    }

    /// Refuses modifiers the kind does not take.
    pub fn only(&self, allowed: &[&str], kind: &str) -> Result<(), SfError> {
        for m in &self.modifiers {
            if !allowed.contains(&m.as_str()) {
                return Err(SfError::unsupported(&format!("CREATE {m} {kind}")));
            }
        }
        Ok(())
    }

    pub fn has(&self, m: &str) -> bool {
        self.modifiers.iter().any(|x| x == m)
    }
}

pub fn execute(ex: &mut Ex<'_>, mut p: Parser<'_>) -> Result<Rows, SfError> {
    let Some(word) = p.word() else {
        return Err(p.error());
    };
    match word.as_str() {
        "CREATE" => {
            p.advance();
            create(ex, &mut p)
        }
        "ALTER" => {
            p.advance();
            alter(ex, &mut p)
        }
        "DROP" => {
            p.advance();
            drop(ex, &mut p)
        }
        "SHOW" => {
            p.advance();
            show(ex, &mut p)
        }
        "DESC" | "DESCRIBE" => {
            p.advance();
            describe(ex, &mut p)
        }
        "USE" => kinds::context::use_(ex, &mut p),
        "SELECT" => kinds::context::select(ex, &mut p),
        "GRANT" => kinds::grant::grant(ex, &mut p),
        "REVOKE" => kinds::grant::revoke(ex, &mut p),
        "EXECUTE" => kinds::task::execute_task(ex, &mut p),
        "PUT" => kinds::stage::put(ex, &mut p),
        "LIST" | "LS" => kinds::stage::list(ex, &mut p),
        "REMOVE" | "RM" => kinds::stage::remove(ex, &mut p),
        "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "COPY" | "CALL" | "TRUNCATE" | "UNDROP"
        | "COMMENT" | "BEGIN" | "COMMIT" | "ROLLBACK" | "SET" | "UNSET" | "WITH" | "GET"
        | "EXPLAIN" | "UNDO" => Err(SfError::unsupported(&word)),
        _ => Err(p.error()),
    }
}

fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let mut head = CreateHead::default();
    if p.eat_kws(&["OR", "REPLACE"]) {
        head.or_replace = true;
    } else if p.eat_kws(&["OR", "ALTER"]) {
        return Err(SfError::unsupported("CREATE OR ALTER"));
    }
    while let Some(w) = p.word() {
        match w.as_str() {
            "TRANSIENT" | "TEMPORARY" | "TEMP" | "SECURE" | "EXTERNAL" | "AGGREGATE" | "LOCAL"
            | "GLOBAL" | "VOLATILE" | "HYBRID" | "DYNAMIC" | "ICEBERG" | "MATERIALIZED"
            | "RECURSIVE" | "ORGANIZATION" => {
                head.modifiers
                    .push(if w == "TEMP" { "TEMPORARY".into() } else { w });
                p.advance();
            }
            _ => break,
        }
    }
    let Some(kind) = p.word() else {
        return Err(p.error());
    };
    p.advance();
    match kind.as_str() {
        "WAREHOUSE" => kinds::warehouse::create(ex, p, head),
        "DATABASE" => kinds::database::create(ex, p, head),
        "SCHEMA" => kinds::schema::create(ex, p, head),
        "FILE" => {
            p.expect_kw("FORMAT")?;
            kinds::file_format::create(ex, p, head)
        }
        "STAGE" => kinds::stage::create(ex, p, head),
        "TABLE" => kinds::table::create(ex, p, head),
        "SHARE" => kinds::share::create(ex, p, head),
        "LISTING" => kinds::listing::create(ex, p, head),
        "STREAM" => kinds::stream::create(ex, p, head),
        "TASK" => kinds::task::create(ex, p, head),
        "PROCEDURE" => kinds::routine::create(ex, p, head, kinds::routine::Routine::Procedure),
        "FUNCTION" => kinds::routine::create(ex, p, head, kinds::routine::Routine::Function),
        "MODEL" => kinds::model::create(ex, p, head),
        "ROLE" => kinds::role::create(ex, p, head),
        "USER" => kinds::user::create(ex, p, head),
        "VIEW" | "SEQUENCE" | "PIPE" | "ALERT" | "SECRET" | "INTEGRATION" | "TAG" | "NETWORK"
        | "RESOURCE" | "STORAGE" | "API" | "NOTIFICATION" | "EXTERNAL" | "DATABASE_ROLE"
        | "APPLICATION" | "MASKING" | "ROW" | "SESSION" | "PASSWORD" | "SERVICE" | "COMPUTE"
        | "IMAGE" | "NOTEBOOK" | "STREAMLIT" | "DYNAMIC" | "EVENT" | "CORTEX" | "SEMANTIC"
        | "AGENT" | "SNAPSHOT" | "DATA" | "REPLICATION" | "FAILOVER" | "CONNECTION" | "ACCOUNT"
        | "ORGANIZATION" | "GIT" | "RESULTSET" => {
            Err(SfError::unsupported(&format!("CREATE {kind}")))
        }
        _ => Err(p.error_at(p.position() - 1)),
    }
}

fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let Some(kind) = p.word() else {
        return Err(p.error());
    };
    p.advance();
    match kind.as_str() {
        "WAREHOUSE" => kinds::warehouse::alter(ex, p),
        "DATABASE" => kinds::database::alter(ex, p),
        "SCHEMA" => kinds::schema::alter(ex, p),
        "FILE" => {
            p.expect_kw("FORMAT")?;
            kinds::file_format::alter(ex, p)
        }
        "STAGE" => kinds::stage::alter(ex, p),
        "TABLE" => kinds::table::alter(ex, p),
        "SHARE" => kinds::share::alter(ex, p),
        "LISTING" => kinds::listing::alter(ex, p),
        "STREAM" => kinds::stream::alter(ex, p),
        "TASK" => kinds::task::alter(ex, p),
        "PROCEDURE" => kinds::routine::alter(ex, p, kinds::routine::Routine::Procedure),
        "FUNCTION" => kinds::routine::alter(ex, p, kinds::routine::Routine::Function),
        "MODEL" => kinds::model::alter(ex, p),
        "ROLE" => kinds::role::alter(ex, p),
        "USER" => kinds::user::alter(ex, p),
        "SESSION" | "ACCOUNT" | "VIEW" | "SEQUENCE" | "PIPE" | "ALERT" | "SECRET"
        | "INTEGRATION" | "TAG" | "EXTERNAL" | "DYNAMIC" | "MATERIALIZED" | "NETWORK"
        | "RESOURCE" | "STORAGE" => Err(SfError::unsupported(&format!("ALTER {kind}"))),
        _ => Err(p.error_at(p.position() - 1)),
    }
}

fn drop(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let Some(kind) = p.word() else {
        return Err(p.error());
    };
    p.advance();
    match kind.as_str() {
        "WAREHOUSE" => kinds::warehouse::drop(ex, p),
        "DATABASE" => kinds::database::drop(ex, p),
        "SCHEMA" => kinds::schema::drop(ex, p),
        "FILE" => {
            p.expect_kw("FORMAT")?;
            kinds::schema_object_drop(ex, p, "FILE_FORMAT")
        }
        "STAGE" => kinds::schema_object_drop(ex, p, "STAGE"),
        "TABLE" => kinds::table::drop(ex, p),
        "SHARE" => kinds::share::drop(ex, p),
        "LISTING" => kinds::listing::drop(ex, p),
        "STREAM" => kinds::schema_object_drop(ex, p, "STREAM"),
        "TASK" => kinds::task::drop(ex, p),
        "PROCEDURE" => kinds::routine::drop(ex, p, kinds::routine::Routine::Procedure),
        "FUNCTION" => kinds::routine::drop(ex, p, kinds::routine::Routine::Function),
        "MODEL" => kinds::schema_object_drop(ex, p, "MODEL"),
        "ROLE" => kinds::role::drop(ex, p),
        "USER" => kinds::user::drop(ex, p),
        "VIEW" | "SEQUENCE" | "PIPE" | "ALERT" | "SECRET" | "INTEGRATION" | "TAG" | "EXTERNAL"
        | "DYNAMIC" | "MATERIALIZED" | "NETWORK" | "RESOURCE" | "STORAGE" | "DATABASE_ROLE" => {
            Err(SfError::unsupported(&format!("DROP {kind}")))
        }
        _ => Err(p.error_at(p.position() - 1)),
    }
}

fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let terse = p.eat_kw("TERSE");
    let Some(kind) = p.word() else {
        return Err(p.error());
    };
    p.advance();
    let terse_ok = |ok: bool| {
        if terse && !ok {
            Err(SfError::unsupported(&format!("SHOW TERSE {kind}")))
        } else {
            Ok(())
        }
    };
    if p.is_kw("HISTORY") {
        return Err(SfError::unsupported(&format!("SHOW {kind} HISTORY")));
    }
    match kind.as_str() {
        "WAREHOUSES" => {
            terse_ok(false)?;
            kinds::warehouse::show(ex, p)
        }
        "DATABASES" => kinds::database::show(ex, p, terse),
        "SCHEMAS" => kinds::schema::show(ex, p, terse),
        "FILE" => {
            terse_ok(false)?;
            p.expect_kw("FORMATS")?;
            kinds::file_format::show(ex, p)
        }
        "STAGES" => {
            terse_ok(false)?;
            kinds::stage::show(ex, p)
        }
        "TABLES" => kinds::table::show(ex, p, terse),
        "COLUMNS" => {
            terse_ok(false)?;
            kinds::table::show_columns(ex, p)
        }
        "SHARES" => {
            terse_ok(false)?;
            kinds::share::show(ex, p)
        }
        "LISTINGS" => {
            terse_ok(false)?;
            kinds::listing::show(ex, p)
        }
        "STREAMS" => kinds::stream::show(ex, p, terse),
        "TASKS" => kinds::task::show(ex, p, terse),
        "PROCEDURES" => {
            terse_ok(false)?;
            kinds::routine::show(ex, p, kinds::routine::Routine::Procedure)
        }
        "USER" => {
            terse_ok(false)?;
            if p.eat_kw("FUNCTIONS") {
                kinds::routine::show(ex, p, kinds::routine::Routine::Function)
            } else if p.eat_kw("PROCEDURES") {
                kinds::routine::show(ex, p, kinds::routine::Routine::Procedure)
            } else {
                Err(SfError::unsupported("SHOW USER …"))
            }
        }
        "MODELS" => {
            terse_ok(false)?;
            kinds::model::show(ex, p)
        }
        "VERSIONS" => {
            terse_ok(false)?;
            kinds::model::show_versions(ex, p)
        }
        "ROLES" => {
            terse_ok(false)?;
            kinds::role::show(ex, p)
        }
        "GRANTS" => {
            terse_ok(false)?;
            kinds::grant::show(ex, p)
        }
        "USERS" => {
            terse_ok(false)?;
            kinds::user::show(ex, p)
        }
        "PARAMETERS" => {
            terse_ok(false)?;
            kinds::parameters::show(ex, p)
        }
        "FUNCTIONS" | "VIEWS" | "SEQUENCES" | "PIPES" | "ALERTS" | "SECRETS" | "INTEGRATIONS"
        | "OBJECTS" | "FUTURE" | "EXTERNAL" | "DYNAMIC" | "MATERIALIZED" | "NETWORK"
        | "RESOURCE" | "STORAGE" | "TAGS" | "AVAILABLE" | "REGIONS" | "ORGANIZATION"
        | "ACCOUNTS" | "REPLICATION" | "PRIMARY" | "DATABASE" | "APPLICATION" | "APPLICATIONS"
        | "SERVICES" | "ICEBERG" | "EVENT" | "HYBRID" | "LOCKS" | "TRANSACTIONS" | "VARIABLES"
        | "CHANNELS" | "CONNECTIONS" | "STREAMLITS" | "NOTEBOOKS" | "IMAGE" | "COMPUTE"
        | "SNAPSHOTS" | "PACKAGES" | "CLASSES" | "INSTANCES" | "POLICIES" | "MASKING" | "ROW"
        | "SESSION" | "PASSWORD" | "CORTEX" | "AGENTS" | "SEMANTIC" | "GIT" | "DATA"
        | "RELEASE" | "WAREHOUSE" | "BUDGETS" => Err(SfError::unsupported(&format!("SHOW {kind}"))),
        _ => Err(p.error_at(p.position() - 1)),
    }
}

fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let Some(kind) = p.word() else {
        return Err(p.error());
    };
    p.advance();
    match kind.as_str() {
        "WAREHOUSE" => kinds::warehouse::describe(ex, p),
        "DATABASE" => kinds::database::describe(ex, p),
        "SCHEMA" => kinds::schema::describe(ex, p),
        "FILE" => {
            p.expect_kw("FORMAT")?;
            kinds::file_format::describe(ex, p)
        }
        "STAGE" => kinds::stage::describe(ex, p),
        "TABLE" => kinds::table::describe(ex, p),
        "SHARE" => kinds::share::describe(ex, p),
        "LISTING" => kinds::listing::describe(ex, p),
        "STREAM" => kinds::stream::describe(ex, p),
        "TASK" => kinds::task::describe(ex, p),
        "PROCEDURE" => kinds::routine::describe(ex, p, kinds::routine::Routine::Procedure),
        "FUNCTION" => kinds::routine::describe(ex, p, kinds::routine::Routine::Function),
        "USER" => kinds::user::describe(ex, p),
        "VIEW" | "SEQUENCE" | "PIPE" | "INTEGRATION" | "SECRET" | "ALERT" | "MODEL" | "RESULT"
        | "EXTERNAL" | "DYNAMIC" | "MATERIALIZED" | "NETWORK" | "AVAILABLE" | "SEARCH" => {
            Err(SfError::unsupported(&format!("DESCRIBE {kind}")))
        }
        _ => Err(p.error_at(p.position() - 1)),
    }
}

/// Resolved container of a SHOW: the whole account, one database, or one schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Within {
    Account,
    Database(String),
    Schema(String, String),
}

impl Within {
    pub fn db(&self) -> Option<&str> {
        match self {
            Within::Account => None,
            Within::Database(d) | Within::Schema(d, _) => Some(d),
        }
    }
    pub fn schema(&self) -> Option<&str> {
        match self {
            Within::Schema(_, s) => Some(s),
            _ => None,
        }
    }
}

impl<'a> Ex<'a> {
    pub fn is_admin(&self) -> bool {
        self.ctx.role == "ACCOUNTADMIN"
    }

    /// The roles the current role holds (itself, roles granted to it, PUBLIC).
    pub fn effective_roles(&self) -> Result<BTreeSet<String>, SfError> {
        let mut out = BTreeSet::new();
        let mut todo = vec![self.ctx.role.clone(), "PUBLIC".to_string()];
        match self.ctx.role.as_str() {
            "ACCOUNTADMIN" => {
                todo.extend(["SECURITYADMIN", "SYSADMIN", "USERADMIN"].map(String::from))
            }
            "SECURITYADMIN" => todo.push("USERADMIN".into()),
            _ => {}
        }
        while let Some(r) = todo.pop() {
            if out.insert(r.clone()) {
                todo.extend(kinds::grant::roles_granted_to(self, &r)?);
            }
        }
        Ok(out)
    }

    /// Whether the current role holds an account-level privilege (`CREATE DATABASE`, …).
    pub fn has_account_privilege(&self, privilege: &str) -> Result<bool, SfError> {
        if self.is_admin() {
            return Ok(true);
        }
        let roles = self.effective_roles()?;
        let builtin = match privilege {
            "CREATE DATABASE" | "CREATE WAREHOUSE" => roles.contains("SYSADMIN"),
            "CREATE ROLE" | "CREATE USER" => roles.contains("USERADMIN"),
            _ => false,
        };
        Ok(builtin
            || kinds::grant::grants_on(self, "ACCOUNT", &Key::default())?
                .iter()
                .any(|g| {
                    g.privilege == privilege && g.to_kind == "ROLE" && roles.contains(&g.grantee)
                }))
    }

    /// Fails unless the current role owns (or inherits the owner of) the object.
    pub fn check_owner(&self, owner: &str, what: &str) -> Result<(), SfError> {
        if self.is_admin() || self.effective_roles()?.contains(owner) {
            Ok(())
        } else {
            Err(SfError::insufficient_privileges(what))
        }
    }

    pub fn current_db(&self) -> Result<String, SfError> {
        self.ctx
            .database
            .clone()
            .ok_or_else(SfError::no_current_database)
    }

    /// `db` from a one-part name.
    pub fn db_name(&self, name: &Name) -> Result<String, SfError> {
        match name.parts.as_slice() {
            [d] => Ok(d.clone()),
            _ => Err(SfError::unsupported("qualified database name")),
        }
    }

    /// (db, schema) from a one- or two-part name.
    pub fn schema_name(&self, name: &Name) -> Result<(String, String), SfError> {
        match name.parts.as_slice() {
            [s] => Ok((self.current_db()?, s.clone())),
            [d, s] => Ok((d.clone(), s.clone())),
            _ => Err(SfError::unsupported("name with too many parts")),
        }
    }

    /// (db, schema, name) from a one- to three-part name.
    pub fn object_key(&self, name: &Name) -> Result<Key, SfError> {
        match name.parts.as_slice() {
            [n] => {
                let db = self.current_db()?;
                let schema = self
                    .ctx
                    .schema
                    .clone()
                    .ok_or_else(SfError::no_current_schema)?;
                Ok(Key::in_schema(&db, &schema, n))
            }
            [s, n] => Ok(Key::in_schema(&self.current_db()?, s, n)),
            [d, s, n] => Ok(Key::in_schema(d, s, n)),
            _ => Err(SfError::unsupported("name with too many parts")),
        }
    }

    pub fn database(&self, db: &str) -> Result<Obj<DatabaseData>, SfError> {
        storage::get::<DatabaseData>(self.conn, self.account, "DATABASE", &Key::account(db))?
            .ok_or_else(|| SfError::not_found("Database", db))
    }

    /// Checks that a schema exists (stored, INFORMATION_SCHEMA, or shared into an
    /// imported database).
    pub fn schema_exists(&self, db: &str, schema: &str) -> Result<bool, SfError> {
        let Some(d) =
            storage::get::<DatabaseData>(self.conn, self.account, "DATABASE", &Key::account(db))?
        else {
            return Ok(false);
        };
        if schema == "INFORMATION_SCHEMA" {
            return Ok(true);
        }
        if d.data.origin.is_some() {
            return Ok(match kinds::share::mounted(self, &d) {
                Ok(m) => m.schemas.contains(schema),
                Err(_) => false,
            });
        }
        storage::exists(self.conn, self.account, "SCHEMA", &Key::in_db(db, schema))
    }

    /// Fails with Snowflake's errors unless `db.schema` exists and can hold new objects.
    pub fn writable_schema(&self, db: &str, schema: &str) -> Result<(), SfError> {
        let d = self.database(db)?;
        if !self.schema_exists(db, schema)? {
            return Err(SfError::not_found("Schema", &format!("{db}.{schema}")));
        }
        if d.data.origin.is_some() || schema == "INFORMATION_SCHEMA" {
            return Err(SfError::insufficient_privileges(&format!(
                "schema '{schema}'"
            )));
        }
        if !self.is_admin() {
            let s = storage::get::<SchemaData>(
                self.conn,
                self.account,
                "SCHEMA",
                &Key::in_db(db, schema),
            )?;
            let owner = s.map(|s| s.owner).unwrap_or_default();
            let roles = self.effective_roles()?;
            if !roles.contains(&owner)
                && !kinds::grant::has_privilege(self, &roles, "SCHEMA", &Key::in_db(db, schema))?
            {
                return Err(SfError::insufficient_privileges(&format!(
                    "schema '{schema}'"
                )));
            }
        }
        Ok(())
    }

    /// Fails unless the parent schema of a key exists (for ALTER/DROP/DESCRIBE).
    pub fn parent_exists(&self, key: &Key) -> Result<(), SfError> {
        self.database(&key.db)?;
        if !self.schema_exists(&key.db, &key.schema)? {
            return Err(SfError::not_found(
                "Schema",
                &format!("{}.{}", key.db, key.schema),
            ));
        }
        Ok(())
    }

    /// Resolves a SHOW scope to a container, checking it exists.
    pub fn within(
        &self,
        scope: Option<&super::show::Scope>,
        missing_is_2043: bool,
    ) -> Result<Within, SfError> {
        use super::show::Scope;
        let missing = |what: &str, name: &str| {
            if missing_is_2043 {
                SfError::cannot_perform()
            } else {
                SfError::not_found(what, name)
            }
        };
        let w = match scope {
            None => match &self.ctx.database {
                Some(d) => Within::Database(d.clone()),
                None => Within::Account,
            },
            Some(Scope::Account) => Within::Account,
            Some(Scope::Database(None)) => Within::Database(
                self.ctx
                    .database
                    .clone()
                    .ok_or_else(SfError::cannot_perform)?,
            ),
            Some(Scope::Database(Some(n))) => Within::Database(self.db_name(n)?),
            Some(Scope::Schema(None)) => match (&self.ctx.database, &self.ctx.schema) {
                (Some(d), Some(s)) => Within::Schema(d.clone(), s.clone()),
                _ => return Err(SfError::cannot_perform()),
            },
            Some(Scope::Schema(Some(n))) => {
                let (d, s) = self.schema_name(n).map_err(|_| SfError::cannot_perform())?;
                Within::Schema(d, s)
            }
            Some(Scope::Object(k, _)) => {
                return Err(SfError::unsupported(&format!("SHOW … IN {k}")));
            }
        };
        match &w {
            Within::Account => {}
            Within::Database(d) => {
                let db = storage::get::<DatabaseData>(
                    self.conn,
                    self.account,
                    "DATABASE",
                    &Key::account(d),
                )?
                .ok_or_else(|| missing("Database", d))?;
                if db.data.origin.is_some() {
                    kinds::share::mounted(self, &db)?;
                }
            }
            Within::Schema(d, s) => {
                let db = storage::get::<DatabaseData>(
                    self.conn,
                    self.account,
                    "DATABASE",
                    &Key::account(d),
                )?
                .ok_or_else(|| missing("Database", d))?;
                if db.data.origin.is_some() {
                    kinds::share::mounted(self, &db)?;
                }
                if !self.schema_exists(d, s)? {
                    return Err(missing("Schema", &format!("{d}.{s}")));
                }
            }
        }
        Ok(w)
    }

    /// The owner role for new objects.
    pub fn owner(&self) -> String {
        self.ctx.role.clone()
    }

    pub fn new_obj<T>(&self, key: &Key, data: T) -> Obj<T> {
        Obj {
            db: key.db.clone(),
            schema: key.schema.clone(),
            name: key.name.clone(),
            sig: key.sig.clone(),
            created_on: self.now,
            owner: self.owner(),
            data,
        }
    }
}

pub fn opt(s: &str) -> Option<String> {
    Some(s.to_string())
}
