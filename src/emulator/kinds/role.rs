//! Roles: the system roles every account has, CREATE/ALTER/DROP ROLE, SHOW ROLES.

use serde::{Deserialize, Serialize};

use super::{created, done, text_value};
use crate::emulator::columns::{self, ROLES};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, opt};
use crate::emulator::parser::Parser;
use crate::emulator::render::{ts, yn};
use crate::emulator::show;
use crate::emulator::storage::{self, Key, Obj};
use crate::runtime::session::Rows;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RoleData {
    pub comment: Option<String>,
    pub system: bool,
}

fn system_children(role: &str) -> &'static [&'static str] {
    match role {
        "ACCOUNTADMIN" => &["SECURITYADMIN", "SYSADMIN"],
        "SECURITYADMIN" => &["USERADMIN"],
        _ => &[],
    }
}

fn system_parent(role: &str) -> Option<&'static str> {
    match role {
        "SECURITYADMIN" | "SYSADMIN" => Some("ACCOUNTADMIN"),
        "USERADMIN" => Some("SECURITYADMIN"),
        _ => None,
    }
}

pub fn get(ex: &Ex<'_>, name: &str) -> Result<Obj<RoleData>, SfError> {
    storage::get(ex.conn, ex.account, "ROLE", &Key::account(name))?
        .ok_or_else(|| SfError::not_found("Role", name))
}

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    head.only(&[], "ROLE")?;
    head.read_ine(p)?;
    let name = p.ident()?;
    let mut data = RoleData::default();
    for (k, v, _) in p.props(&[])? {
        match k.as_str() {
            "COMMENT" => data.comment = Some(text_value(&v, &k)?),
            other => return Err(SfError::unsupported(&format!("ROLE property {other}"))),
        }
    }
    p.end()?;
    if !ex.has_account_privilege("CREATE ROLE")? {
        return Err(SfError::insufficient_privileges(&format!(
            "account '{}'",
            ex.account
        )));
    }
    let key = Key::account(&name);
    if let Some(existing) = storage::get::<RoleData>(ex.conn, ex.account, "ROLE", &key)? {
        if head.if_not_exists {
            return Ok(columns::status(format!(
                "{name} already exists, statement succeeded."
            )));
        }
        if !head.or_replace || existing.data.system {
            return Err(SfError::already_exists(&name));
        }
        ex.check_owner(&existing.owner, &format!("role '{name}'"))?;
        storage::delete(ex.conn, ex.account, "ROLE", &key)?;
        super::grant::forget_grantee(ex, "ROLE", &name)?;
    }
    storage::put(ex.conn, ex.account, "ROLE", &ex.new_obj(&key, data))?;
    Ok(created("Role", &name))
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.ident()?;
    let mut r = match get(ex, &name) {
        Ok(r) => r,
        Err(_) if if_exists => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&r.owner, &format!("role '{name}'"))?;
    if p.eat_kw("SET") {
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
                "COMMENT" => r.data.comment = Some(text_value(&v, &k)?),
                other => return Err(SfError::unsupported(&format!("ROLE property {other}"))),
            }
        }
    } else if p.eat_kw("UNSET") {
        p.expect_kw("COMMENT")?;
        p.end()?;
        r.data.comment = None;
    } else if p.eat_kws(&["RENAME", "TO"]) {
        let new = p.ident()?;
        p.end()?;
        if r.data.system {
            return Err(SfError::insufficient_privileges(&format!("role '{name}'")));
        }
        if storage::exists(ex.conn, ex.account, "ROLE", &Key::account(&new))? {
            return Err(SfError::already_exists(&new));
        }
        storage::delete(ex.conn, ex.account, "ROLE", &Key::account(&name))?;
        ex.conn.execute(
            "UPDATE grants SET grantee = ?3 WHERE account = ?1 AND to_kind = 'ROLE' AND grantee = ?2",
            rusqlite::params![ex.account, name, new],
        )?;
        ex.conn.execute(
            "UPDATE grants SET name = ?3 WHERE account = ?1 AND on_kind = 'ROLE' AND name = ?2",
            rusqlite::params![ex.account, name, new],
        )?;
        ex.conn.execute(
            "UPDATE objects SET owner = ?3 WHERE account = ?1 AND owner = ?2",
            rusqlite::params![ex.account, name, new],
        )?;
        r.name = new;
    } else {
        return Err(p.error());
    }
    storage::put(ex.conn, ex.account, "ROLE", &r)?;
    Ok(done())
}

pub fn drop(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.ident()?;
    p.end()?;
    let r = match get(ex, &name) {
        Ok(r) => r,
        Err(_) if if_exists => {
            return Ok(columns::status(format!(
                "Drop statement executed successfully ({name} already dropped)."
            )));
        }
        Err(e) => return Err(e),
    };
    if r.data.system {
        return Err(SfError::compile(
            "003013",
            "42501",
            format!("Cannot drop system role '{name}'."),
        ));
    }
    ex.check_owner(&r.owner, &format!("role '{name}'"))?;
    storage::delete(ex.conn, ex.account, "ROLE", &Key::account(&name))?;
    super::grant::forget_grantee(ex, "ROLE", &name)?;
    ex.conn.execute(
        "UPDATE objects SET owner = ?3 WHERE account = ?1 AND owner = ?2",
        rusqlite::params![ex.account, name, ex.ctx.role],
    )?;
    if ex.ctx.role == name {
        ex.ctx.role = "PUBLIC".into();
    }
    Ok(columns::status(format!("{name} successfully dropped.")))
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    if p.is_kw("LIKE") || p.at_end() || p.is_kw("STARTS") || p.is_kw("LIMIT") {
    } else if p.is_kw("IN") {
        return Err(SfError::unsupported("SHOW ROLES IN CLASS"));
    }
    let opts = show::parse_opts(p, false)?;
    let effective = ex.effective_roles()?;
    let mut items = Vec::new();
    for r in storage::list::<RoleData>(ex.conn, ex.account, "ROLE", None, None)? {
        let granted_to = super::grant::roles_holding(ex, &r.name)?.len()
            + usize::from(system_parent(&r.name).is_some());
        let granted =
            super::grant::roles_granted_to(ex, &r.name)?.len() + system_children(&r.name).len();
        let row = vec![
            Some(ts(r.created_on)),
            opt(&r.name),
            opt("N"),
            Some(yn(ex.ctx.role == r.name)),
            Some(yn(ex.ctx.role != r.name && effective.contains(&r.name))),
            opt("0"),
            Some(granted_to.to_string()),
            Some(granted.to_string()),
            opt(&r.owner),
            Some(r.data.comment.clone().unwrap_or_default()),
        ];
        items.push((r.name.clone(), row));
    }
    Ok(opts.finish(columns::rows(ROLES), items))
}
