//! Privileges: GRANT/REVOKE on objects to roles and shares, role hierarchy
//! (GRANT ROLE … TO ROLE), ownership transfer, and the SHOW GRANTS variants.
//! Ownership is the object's `owner`; other grants live in the `grants` table.

use std::collections::BTreeSet;

use rusqlite::params;

use super::done;
use crate::emulator::columns::{self, GRANTS_OF_ROLE, GRANTS_ON, GRANTS_TO};
use crate::emulator::error::SfError;
use crate::emulator::exec::{Ex, opt};
use crate::emulator::parser::Parser;
use crate::emulator::render::{fqn, quote_part, tf, ts};
use crate::emulator::storage::{self, Key};
use crate::runtime::session::Rows;

/// One stored grant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct GrantRow {
    pub privilege: String,
    pub on_kind: String,
    pub key: Key,
    pub to_kind: String,
    pub grantee: String,
    pub grant_option: bool,
    pub granted_by: String,
    pub created_on: i64,
}

impl GrantRow {
    pub fn moved_to(mut self, key: &Key) -> GrantRow {
        self.key.db = key.db.clone();
        self.key.schema = key.schema.clone();
        self.key.name = key.name.clone();
        self
    }
}

fn read_rows(
    ex: &Ex<'_>,
    where_: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<GrantRow>, SfError> {
    let sql = format!(
        "SELECT privilege, on_kind, db, schema, name, sig, to_kind, grantee, grant_option, granted_by, created_on
         FROM grants WHERE account = ?1 AND {where_} ORDER BY created_on, on_kind, db, schema, name, privilege"
    );
    let mut st = ex.conn.prepare_cached(&sql)?;
    let mut all: Vec<&dyn rusqlite::ToSql> = vec![&ex.account];
    all.extend_from_slice(args);
    let rows = st.query_map(all.as_slice(), |r| {
        Ok(GrantRow {
            privilege: r.get(0)?,
            on_kind: r.get(1)?,
            key: Key {
                db: r.get(2)?,
                schema: r.get(3)?,
                name: r.get(4)?,
                sig: r.get(5)?,
            },
            to_kind: r.get(6)?,
            grantee: r.get(7)?,
            grant_option: r.get::<_, i64>(8)? != 0,
            granted_by: r.get(9)?,
            created_on: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn write_row(ex: &Ex<'_>, g: &GrantRow) -> Result<(), SfError> {
    ex.conn.execute(
        "INSERT OR IGNORE INTO grants (account, privilege, on_kind, db, schema, name, sig, to_kind, grantee, grant_option, granted_by, created_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            ex.account, g.privilege, g.on_kind, g.key.db, g.key.schema, g.key.name, g.key.sig, g.to_kind, g.grantee,
            g.grant_option as i64, g.granted_by, g.created_on
        ],
    )?;
    Ok(())
}

pub fn grants_on(ex: &Ex<'_>, kind: &str, key: &Key) -> Result<Vec<GrantRow>, SfError> {
    read_rows(
        ex,
        "on_kind = ?2 AND db = ?3 AND schema = ?4 AND name = ?5 AND sig = ?6",
        &[&kind, &key.db, &key.schema, &key.name, &key.sig],
    )
}

pub fn grants_to(ex: &Ex<'_>, to_kind: &str, grantee: &str) -> Result<Vec<GrantRow>, SfError> {
    read_rows(ex, "to_kind = ?2 AND grantee = ?3", &[&to_kind, &grantee])
}

/// Grants to a share in another account (the provider's).
pub fn grants_to_share_in(
    ex: &Ex<'_>,
    provider: &str,
    share: &str,
) -> Result<Vec<GrantRow>, SfError> {
    let other = Ex {
        conn: ex.conn,
        account: provider,
        ctx: &mut ex.ctx.clone(),
        now: ex.now,
    };
    grants_to(&other, "SHARE", share)
}

pub fn restore(ex: &Ex<'_>, rows: &[GrantRow]) -> Result<(), SfError> {
    for g in rows {
        write_row(ex, g)?;
    }
    Ok(())
}

/// Roles granted to `role` (its direct children in the hierarchy).
pub fn roles_granted_to(ex: &Ex<'_>, role: &str) -> Result<Vec<String>, SfError> {
    Ok(grants_to(ex, "ROLE", role)?
        .into_iter()
        .filter(|g| g.on_kind == "ROLE")
        .map(|g| g.key.name)
        .collect())
}

/// Roles that hold `role`.
pub fn roles_holding(ex: &Ex<'_>, role: &str) -> Result<Vec<String>, SfError> {
    Ok(grants_on(ex, "ROLE", &Key::account(role))?
        .into_iter()
        .filter(|g| g.to_kind == "ROLE")
        .map(|g| g.grantee)
        .collect())
}

/// Whether any of `roles` holds a privilege on the object.
pub fn has_privilege(
    ex: &Ex<'_>,
    roles: &BTreeSet<String>,
    kind: &str,
    key: &Key,
) -> Result<bool, SfError> {
    Ok(grants_on(ex, kind, key)?
        .iter()
        .any(|g| g.to_kind == "ROLE" && roles.contains(&g.grantee)))
}

/// Removes every grant to a grantee (dropped role or share).
pub fn forget_grantee(ex: &Ex<'_>, to_kind: &str, grantee: &str) -> Result<(), SfError> {
    ex.conn.execute(
        "DELETE FROM grants WHERE account = ?1 AND to_kind = ?2 AND grantee = ?3",
        params![ex.account, to_kind, grantee],
    )?;
    if to_kind == "ROLE" {
        ex.conn.execute(
            "DELETE FROM grants WHERE account = ?1 AND on_kind = 'ROLE' AND name = ?2",
            params![ex.account, grantee],
        )?;
    }
    Ok(())
}

fn valid_privileges(kind: &str) -> &'static [&'static str] {
    match kind {
        "ACCOUNT" => &[
            "CREATE DATABASE",
            "CREATE WAREHOUSE",
            "CREATE ROLE",
            "CREATE SHARE",
            "IMPORT SHARE",
            "CREATE LISTING",
            "EXECUTE TASK",
            "EXECUTE MANAGED TASK",
            "MANAGE GRANTS",
            "MONITOR",
            "MONITOR USAGE",
            "CREATE USER",
            "CREATE INTEGRATION",
            "MONITOR EXECUTION",
            "MANAGE SHARE TARGET",
            "IMPORT LISTING",
        ],
        "DATABASE" => &[
            "USAGE",
            "MONITOR",
            "CREATE SCHEMA",
            "MODIFY",
            "IMPORTED PRIVILEGES",
            "REFERENCE_USAGE",
            "CREATE DATABASE ROLE",
            "APPLYBUDGET",
        ],
        "SCHEMA" => &[
            "USAGE",
            "MONITOR",
            "MODIFY",
            "CREATE TABLE",
            "CREATE VIEW",
            "CREATE STAGE",
            "CREATE FILE FORMAT",
            "CREATE STREAM",
            "CREATE TASK",
            "CREATE PROCEDURE",
            "CREATE FUNCTION",
            "CREATE MODEL",
            "CREATE SEQUENCE",
            "CREATE PIPE",
            "CREATE DYNAMIC TABLE",
            "CREATE SECRET",
            "ADD SEARCH OPTIMIZATION",
            "CREATE MATERIALIZED VIEW",
        ],
        "TABLE" => &[
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "TRUNCATE",
            "REFERENCES",
            "REBUILD",
            "EVOLVE SCHEMA",
            "APPLYBUDGET",
        ],
        "WAREHOUSE" => &["USAGE", "OPERATE", "MONITOR", "MODIFY", "APPLYBUDGET"],
        "STAGE" => &["USAGE", "READ", "WRITE"],
        "FILE_FORMAT" => &["USAGE"],
        "STREAM" => &["SELECT"],
        "TASK" => &["MONITOR", "OPERATE"],
        "PROCEDURE" | "FUNCTION" | "MODEL" => &["USAGE"],
        _ => &[],
    }
}

/// `granted_on` as SHOW GRANTS prints it.
fn granted_on(kind: &str) -> &str {
    match kind {
        "MODEL" => "MODULE",
        other => other,
    }
}

/// The object name as SHOW GRANTS prints it.
pub fn display_name(ex: &Ex<'_>, kind: &str, key: &Key) -> Result<String, SfError> {
    Ok(match kind {
        "ACCOUNT" => ex.account.to_string(),
        "SCHEMA" => fqn(&[&key.db, &key.name]),
        "PROCEDURE" | "FUNCTION" => {
            format!(
                "{}.{}.{}",
                quote_part(&key.db),
                quote_part(&key.schema),
                super::routine::grant_display(ex, kind, key)?
            )
        }
        _ if key.db.is_empty() => quote_part(&key.name),
        _ => fqn(&[&key.db, &key.schema, &key.name]),
    })
}

/// Parses `ON <kind> <name>` and checks the object exists; returns (kind, key).
fn parse_object(ex: &Ex<'_>, p: &mut Parser<'_>) -> Result<(String, Key), SfError> {
    if p.eat_kw("ACCOUNT") {
        return Ok(("ACCOUNT".into(), Key::default()));
    }
    if p.is_kw("ALL") || p.is_kw("FUTURE") {
        return Err(SfError::unsupported(&format!(
            "GRANT … ON {}",
            p.word().unwrap_or_default()
        )));
    }
    let Some(word) = p.word() else {
        return Err(p.error());
    };
    p.advance();
    let kind = match word.as_str() {
        "FILE" => {
            p.expect_kw("FORMAT")?;
            "FILE_FORMAT".to_string()
        }
        "DATABASE" | "SCHEMA" | "TABLE" | "WAREHOUSE" | "STAGE" | "STREAM" | "TASK"
        | "PROCEDURE" | "FUNCTION" | "MODEL" => word,
        other => return Err(SfError::unsupported(&format!("GRANT … ON {other}"))),
    };
    let key = match kind.as_str() {
        "DATABASE" | "WAREHOUSE" => {
            let n = p.ident()?;
            Key::account(&n)
        }
        "SCHEMA" => {
            let n = p.name(2)?;
            let (db, s) = ex.schema_name(&n)?;
            Key::in_db(&db, &s)
        }
        "PROCEDURE" | "FUNCTION" => {
            let n = p.name(3)?;
            let mut key = ex.object_key(&n)?;
            key.sig = super::routine::parse_sig(p)?;
            key
        }
        _ => ex.object_key(&p.name(3)?)?,
    };
    match kind.as_str() {
        "DATABASE" => {
            ex.database(&key.name)?;
        }
        "SCHEMA" => {
            ex.database(&key.db)?;
            if !ex.schema_exists(&key.db, &key.name)? {
                return Err(SfError::not_found(
                    "Schema",
                    &format!("{}.{}", key.db, key.name),
                ));
            }
        }
        "WAREHOUSE" => {
            if !storage::exists(ex.conn, ex.account, "WAREHOUSE", &key)? {
                return Err(SfError::not_found("Warehouse", &key.name));
            }
        }
        "TABLE" => {
            let (_, shared) = super::table::lookup(ex, &key)?;
            if shared {
                return Err(SfError::insufficient_privileges(&format!(
                    "table '{}'",
                    key.name
                )));
            }
        }
        _ => {
            ex.parent_exists(&key)?;
            if !storage::exists(ex.conn, ex.account, &kind, &key)? {
                let shown = if kind == "PROCEDURE" || kind == "FUNCTION" {
                    format!("{}({})", fqn(&[&key.db, &key.schema, &key.name]), key.sig)
                } else {
                    fqn(&[&key.db, &key.schema, &key.name])
                };
                return Err(SfError::not_found(super::error_noun(&kind), &shown));
            }
        }
    }
    Ok((kind, key))
}

fn owner_of(ex: &Ex<'_>, kind: &str, key: &Key) -> Result<Option<String>, SfError> {
    if kind == "ACCOUNT" {
        return Ok(None);
    }
    let stored_kind = kind;
    Ok(
        storage::get::<serde_json::Value>(ex.conn, ex.account, stored_kind, &store_key(kind, key))?
            .map(|o| o.owner),
    )
}

/// Grants on schemas are keyed (db, "", schema) in grants but (db, "", name) in objects: same shape.
fn store_key(_kind: &str, key: &Key) -> Key {
    key.clone()
}

fn parse_privileges(p: &mut Parser<'_>) -> Result<Vec<String>, SfError> {
    let mut privs = Vec::new();
    loop {
        let mut words = Vec::new();
        while let Some(w) = p.word() {
            if w == "ON" || w == "TO" || w == "FROM" {
                break;
            }
            words.push(w);
            p.advance();
            if p.is_sym(",") {
                break;
            }
        }
        if words.is_empty() {
            return Err(p.error());
        }
        privs.push(words.join(" "));
        if !p.eat_sym(",") {
            break;
        }
    }
    Ok(privs)
}

pub fn grant(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    p.advance();
    if p.eat_kw("ROLE") {
        let role = p.ident()?;
        p.expect_kw("TO")?;
        if p.eat_kw("USER") {
            p.ident()?;
            p.end()?;
            super::role::get(ex, &role)?;
            return Err(SfError::unsupported("GRANT ROLE … TO USER"));
        }
        p.expect_kw("ROLE")?;
        let to = p.ident()?;
        p.end()?;
        let r = super::role::get(ex, &role)?;
        super::role::get(ex, &to)?;
        ex.check_owner(&r.owner, &format!("role '{role}'"))?;
        write_row(
            ex,
            &GrantRow {
                privilege: "USAGE".into(),
                on_kind: "ROLE".into(),
                key: Key::account(&role),
                to_kind: "ROLE".into(),
                grantee: to,
                grant_option: false,
                granted_by: ex.ctx.role.clone(),
                created_on: ex.now,
            },
        )?;
        return Ok(done());
    }
    let privs = parse_privileges(p)?;
    p.expect_kw("ON")?;
    let (kind, key) = parse_object(ex, p)?;
    p.expect_kw("TO")?;
    let to_kind = match p.word().as_deref() {
        Some("ROLE") => "ROLE",
        Some("SHARE") => "SHARE",
        Some(other) => return Err(SfError::unsupported(&format!("GRANT … TO {other}"))),
        None => return Err(p.error()),
    };
    p.advance();
    let grantee = p.ident()?;
    let mut grant_option = false;
    if privs == ["OWNERSHIP"] {
        if p.eat_kws(&["COPY", "CURRENT", "GRANTS"]) || p.eat_kws(&["REVOKE", "CURRENT", "GRANTS"])
        {
        }
    } else if p.eat_kws(&["WITH", "GRANT", "OPTION"]) {
        grant_option = true;
    }
    p.end()?;
    if let Some(owner) = owner_of(ex, &kind, &key)? {
        ex.check_owner(&owner, &format!("{} '{}'", kind.to_lowercase(), key.name))?;
    } else if !ex.is_admin() {
        return Err(SfError::insufficient_privileges(&format!(
            "account '{}'",
            ex.account
        )));
    }
    if to_kind == "ROLE" {
        super::role::get(ex, &grantee)?;
    }
    if privs == ["OWNERSHIP"] {
        if to_kind != "ROLE" || kind == "ACCOUNT" {
            return Err(SfError::unsupported("GRANT OWNERSHIP to a share"));
        }
        let mut obj = storage::get::<serde_json::Value>(ex.conn, ex.account, &kind, &key)?
            .ok_or_else(|| SfError::not_found(super::error_noun(&kind), &key.name))?;
        obj.owner = grantee;
        storage::put(ex.conn, ex.account, &kind, &obj)?;
        return Ok(done());
    }
    for privilege in &privs {
        if privilege == "ALL" || privilege == "ALL PRIVILEGES" {
            return Err(SfError::unsupported("GRANT ALL PRIVILEGES"));
        }
        if !valid_privileges(&kind).contains(&privilege.as_str()) {
            return Err(SfError::compile(
                "003011",
                "42601",
                format!("Invalid privilege {privilege} for object type {kind}."),
            ));
        }
        if to_kind == "SHARE" {
            super::share::check_grant(ex, &grantee, privilege, &kind, &key)?;
        }
        write_row(
            ex,
            &GrantRow {
                privilege: privilege.clone(),
                on_kind: kind.clone(),
                key: key.clone(),
                to_kind: to_kind.into(),
                grantee: grantee.clone(),
                grant_option,
                granted_by: ex.ctx.role.clone(),
                created_on: ex.now,
            },
        )?;
    }
    Ok(done())
}

pub fn revoke(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    p.advance();
    if p.eat_kw("ROLE") {
        let role = p.ident()?;
        p.expect_kws(&["FROM", "ROLE"])?;
        let from = p.ident()?;
        p.end()?;
        let r = super::role::get(ex, &role)?;
        super::role::get(ex, &from)?;
        ex.check_owner(&r.owner, &format!("role '{role}'"))?;
        ex.conn.execute(
            "DELETE FROM grants WHERE account = ?1 AND on_kind = 'ROLE' AND name = ?2 AND to_kind = 'ROLE' AND grantee = ?3",
            params![ex.account, role, from],
        )?;
        return Ok(done());
    }
    let option_only = p.eat_kws(&["GRANT", "OPTION", "FOR"]);
    let privs = parse_privileges(p)?;
    p.expect_kw("ON")?;
    let (kind, key) = parse_object(ex, p)?;
    p.expect_kw("FROM")?;
    let to_kind = match p.word().as_deref() {
        Some("ROLE") => "ROLE",
        Some("SHARE") => "SHARE",
        Some(other) => return Err(SfError::unsupported(&format!("REVOKE … FROM {other}"))),
        None => return Err(p.error()),
    };
    p.advance();
    let grantee = p.ident()?;
    if !p.eat_kw("CASCADE") {
        p.eat_kw("RESTRICT");
    }
    p.end()?;
    if let Some(owner) = owner_of(ex, &kind, &key)? {
        ex.check_owner(&owner, &format!("{} '{}'", kind.to_lowercase(), key.name))?;
    }
    if to_kind == "ROLE" {
        super::role::get(ex, &grantee)?;
    } else {
        super::share::own_share(ex, &grantee)?;
    }
    for privilege in privs {
        if privilege == "OWNERSHIP" {
            return Err(SfError::unsupported("REVOKE OWNERSHIP"));
        }
        if option_only {
            ex.conn.execute(
                "UPDATE grants SET grant_option = 0 WHERE account = ?1 AND privilege = ?2 AND on_kind = ?3 AND db = ?4 AND schema = ?5 AND name = ?6 AND sig = ?7 AND to_kind = ?8 AND grantee = ?9",
                params![ex.account, privilege, kind, key.db, key.schema, key.name, key.sig, to_kind, grantee],
            )?;
        } else {
            ex.conn.execute(
                "DELETE FROM grants WHERE account = ?1 AND privilege = ?2 AND on_kind = ?3 AND db = ?4 AND schema = ?5 AND name = ?6 AND sig = ?7 AND to_kind = ?8 AND grantee = ?9",
                params![ex.account, privilege, kind, key.db, key.schema, key.name, key.sig, to_kind, grantee],
            )?;
        }
    }
    Ok(done())
}

/// (kind, key, created_on) of every object a role owns.
fn owned_by(ex: &Ex<'_>, role: &str) -> Result<Vec<(String, Key, i64)>, SfError> {
    let mut st = ex.conn.prepare_cached(
        "SELECT kind, db, schema, name, sig, created_on FROM objects WHERE account = ?1 AND owner = ?2
         ORDER BY kind, db, schema, name, sig",
    )?;
    let rows = st.query_map(params![ex.account, role], |r| {
        Ok((
            r.get(0)?,
            Key {
                db: r.get(1)?,
                schema: r.get(2)?,
                name: r.get(3)?,
                sig: r.get(4)?,
            },
            r.get(5)?,
        ))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    if p.eat_kw("TO") {
        if p.eat_kw("ROLE") {
            let role = p.ident()?;
            p.end()?;
            super::role::get(ex, &role)?;
            let mut items: Vec<(String, String, String, Vec<Option<String>>)> = Vec::new();
            for (kind, key, created_on) in owned_by(ex, &role)? {
                if matches!(kind.as_str(), "LISTING" | "ROLE" | "SHARE") && kind != "ROLE" {
                    // shares and listings are account-level too; shown like other objects
                }
                let name = display_name(ex, &kind, &key)?;
                items.push((
                    granted_on(&kind).to_string(),
                    name.clone(),
                    "OWNERSHIP".into(),
                    vec![
                        Some(ts(created_on)),
                        opt("OWNERSHIP"),
                        opt(granted_on(&kind)),
                        Some(name),
                        opt("ROLE"),
                        opt(&role),
                        Some(tf(true)),
                        opt(&role),
                    ],
                ));
            }
            for g in grants_to(ex, "ROLE", &role)? {
                let name = display_name(ex, &g.on_kind, &g.key)?;
                items.push((
                    granted_on(&g.on_kind).to_string(),
                    name.clone(),
                    g.privilege.clone(),
                    vec![
                        Some(ts(g.created_on)),
                        opt(&g.privilege),
                        opt(granted_on(&g.on_kind)),
                        Some(name),
                        opt("ROLE"),
                        opt(&role),
                        Some(tf(g.grant_option)),
                        opt(&g.granted_by),
                    ],
                ));
            }
            items.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
            let mut out = columns::rows(GRANTS_TO);
            out.rows = items.into_iter().map(|x| x.3).collect();
            return Ok(out);
        }
        if p.eat_kw("SHARE") {
            let share = p.ident()?;
            p.end()?;
            super::share::own_share(ex, &share)?;
            let mut out = columns::rows(GRANTS_TO);
            let mut grants = grants_to(ex, "SHARE", &share)?;
            grants.sort_by_key(|g| {
                (
                    g.on_kind != "DATABASE",
                    g.on_kind != "SCHEMA",
                    g.key.clone(),
                )
            });
            for g in grants {
                out.rows.push(vec![
                    Some(ts(g.created_on)),
                    opt(&g.privilege),
                    opt(granted_on(&g.on_kind)),
                    Some(display_name(ex, &g.on_kind, &g.key)?),
                    opt("SHARE"),
                    Some(format!("{}.{}", ex.account, share)),
                    Some(tf(g.grant_option)),
                    opt(&g.granted_by),
                ]);
            }
            return Ok(out);
        }
        return Err(SfError::unsupported(&format!(
            "SHOW GRANTS TO {}",
            p.word().unwrap_or_default()
        )));
    }
    if p.eat_kw("OF") {
        if !p.eat_kw("ROLE") {
            return Err(SfError::unsupported(&format!(
                "SHOW GRANTS OF {}",
                p.word().unwrap_or_default()
            )));
        }
        let role = p.ident()?;
        p.end()?;
        super::role::get(ex, &role)?;
        let mut out = columns::rows(GRANTS_OF_ROLE);
        for g in grants_on(ex, "ROLE", &Key::account(&role))? {
            out.rows.push(vec![
                Some(ts(g.created_on)),
                opt(&role),
                opt(&g.to_kind),
                opt(&g.grantee),
                opt(&g.granted_by),
            ]);
        }
        return Ok(out);
    }
    if p.eat_kw("ON") {
        let (kind, key) = parse_object(ex, p)?;
        p.end()?;
        let mut out = columns::rows(GRANTS_ON);
        let name = display_name(ex, &kind, &key)?;
        if let Some(o) = storage::get::<serde_json::Value>(ex.conn, ex.account, &kind, &key)?
            && !o.owner.is_empty()
        {
            out.rows.push(vec![
                Some(ts(o.created_on)),
                opt("OWNERSHIP"),
                opt(granted_on(&kind)),
                Some(name.clone()),
                opt("ROLE"),
                opt(&o.owner),
                Some(tf(true)),
                opt("ROLE"),
                opt(&o.owner),
            ]);
        }
        for g in grants_on(ex, &kind, &key)? {
            let grantee = if g.to_kind == "SHARE" {
                format!("{}.{}", ex.account, g.grantee)
            } else {
                g.grantee.clone()
            };
            out.rows.push(vec![
                Some(ts(g.created_on)),
                opt(&g.privilege),
                opt(granted_on(&kind)),
                Some(name.clone()),
                opt(&g.to_kind),
                Some(grantee),
                Some(tf(g.grant_option)),
                opt("ROLE"),
                opt(&g.granted_by),
            ]);
        }
        return Ok(out);
    }
    Err(SfError::unsupported("SHOW GRANTS without TO/ON/OF"))
}
