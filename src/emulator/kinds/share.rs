//! Shares between accounts of the organisation. The provider grants one database
//! (and schemas/tables in it) to a share and adds consumer accounts; consumers see
//! the share as INBOUND, mount it read-only with CREATE DATABASE … FROM SHARE and see
//! the provider's granted objects live until the share is dropped or they are removed.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::database::{DatabaseData, Origin};
use super::{created, done, text_value};
use crate::emulator::ORGANIZATION;
use crate::emulator::columns::{self, DESC_SHARE, SHARES};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, opt};
use crate::emulator::parser::{Parser, Value};
use crate::emulator::render::{fqn, ts};
use crate::emulator::show;
use crate::emulator::storage::{self, Key, Obj};
use crate::runtime::session::Rows;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ShareData {
    pub comment: String,
    /// Consumer account names (upper-case, without the organisation).
    pub accounts: Vec<String>,
    pub secure_objects_only: bool,
}

/// What a consumer sees through a mounted share.
pub struct Mounted {
    pub provider: String,
    /// The provider's database.
    pub db: String,
    pub schemas: BTreeSet<String>,
    pub tables: BTreeSet<(String, String)>,
}

pub fn own_share(ex: &Ex<'_>, name: &str) -> Result<Obj<ShareData>, SfError> {
    storage::get(ex.conn, ex.account, "SHARE", &Key::account(name))?
        .ok_or_else(|| SfError::not_found("Share", name))
}

fn share_in(ex: &Ex<'_>, provider: &str, name: &str) -> Result<Option<Obj<ShareData>>, SfError> {
    storage::get(ex.conn, provider, "SHARE", &Key::account(name))
}

/// The database a share has USAGE on, if any.
fn share_database(ex: &Ex<'_>, provider: &str, share: &str) -> Result<Option<String>, SfError> {
    Ok(super::grant::grants_to_share_in(ex, provider, share)?
        .into_iter()
        .find(|g| g.on_kind == "DATABASE" && g.privilege == "USAGE")
        .map(|g| g.key.name))
}

/// Whether `consumer` may use the provider's share: it was added to the share, or it
/// is a target of a listing attached to the share (`published` requires the listing
/// to be published, for new mounts).
fn has_access(
    ex: &Ex<'_>,
    provider: &str,
    share: &Obj<ShareData>,
    consumer: &str,
    published: bool,
) -> Result<bool, SfError> {
    if provider == consumer {
        return Ok(false);
    }
    if share.data.accounts.iter().any(|a| a == consumer) {
        return Ok(true);
    }
    super::listing::grants_share_access(ex, provider, &share.name, consumer, published)
}

/// Resolves what an imported database shows, or Snowflake's error once access is gone.
pub fn mounted(ex: &Ex<'_>, db: &Obj<DatabaseData>) -> Result<Mounted, SfError> {
    let Some(origin) = &db.data.origin else {
        return Err(SfError::cannot_perform());
    };
    let gone = SfError::shared_database_gone;
    let share = share_in(ex, &origin.account, &origin.share)?.ok_or_else(gone)?;
    if share.created_on > db.created_on
        || !has_access(ex, &origin.account, &share, ex.account, false)?
    {
        return Err(gone());
    }
    let grants = super::grant::grants_to_share_in(ex, &origin.account, &origin.share)?;
    let pdb = grants
        .iter()
        .find(|g| g.on_kind == "DATABASE" && g.privilege == "USAGE")
        .map(|g| g.key.name.clone())
        .ok_or_else(gone)?;
    let mut m = Mounted {
        provider: origin.account.clone(),
        db: pdb.clone(),
        schemas: BTreeSet::new(),
        tables: BTreeSet::new(),
    };
    for g in &grants {
        match g.on_kind.as_str() {
            "SCHEMA" if g.key.db == pdb => {
                m.schemas.insert(g.key.name.clone());
            }
            "TABLE" if g.key.db == pdb => {
                m.tables.insert((g.key.schema.clone(), g.key.name.clone()));
            }
            _ => {}
        }
    }
    let schemas = m.schemas.clone();
    m.tables.retain(|(s, _)| schemas.contains(s));
    Ok(m)
}

/// Checks a consumer may create a database from `provider.share`.
pub fn check_importable(ex: &Ex<'_>, provider: &str, share: &str) -> Result<Origin, SfError> {
    let missing = || SfError::not_found("Share", &format!("{ORGANIZATION}.{provider}.{share}"));
    let s = share_in(ex, provider, share)?.ok_or_else(missing)?;
    if !has_access(ex, provider, &s, ex.account, true)?
        || share_database(ex, provider, share)?.is_none()
    {
        return Err(missing());
    }
    Ok(Origin {
        account: provider.to_string(),
        share: share.to_string(),
        listing: None,
    })
}

/// Checks a grant to a share follows Snowflake's rules.
pub fn check_grant(
    ex: &Ex<'_>,
    share: &str,
    privilege: &str,
    kind: &str,
    key: &Key,
) -> Result<(), SfError> {
    own_share(ex, share)?;
    let current = share_database(ex, ex.account, share)?;
    let need_db = |db: &str| -> Result<(), SfError> {
        match &current {
            Some(d) if d == db => Ok(()),
            _ => Err(SfError::compile(
                "003037",
                "42601",
                format!("Database '{db}' must be granted to share '{share}' before objects in it."),
            )),
        }
    };
    match (kind, privilege) {
        ("DATABASE", "USAGE") => {
            if ex.database(&key.name)?.data.origin.is_some() {
                return Err(SfError::compile(
                    "003045",
                    "42601",
                    "Objects of a database created from a share cannot be re-shared.",
                ));
            }
            match &current {
                Some(d) if d != &key.name => Err(SfError::compile(
                    "003032",
                    "42601",
                    format!(
                        "A share can only include a single database. Share '{share}' already includes database '{d}'."
                    ),
                )),
                _ => Ok(()),
            }
        }
        ("DATABASE", "REFERENCE_USAGE") => Ok(()),
        ("SCHEMA", "USAGE") => need_db(&key.db),
        ("TABLE", "SELECT") | ("TABLE", "EVOLVE SCHEMA") => need_db(&key.db),
        ("FUNCTION", "USAGE") => need_db(&key.db),
        _ => Err(SfError::compile(
            "003011",
            "42601",
            format!("Invalid privilege {privilege} on {kind} for a share."),
        )),
    }
}

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    head.only(&[], "SHARE")?;
    head.read_ine(p)?;
    let name = p.ident()?;
    let mut data = ShareData {
        secure_objects_only: true,
        ..ShareData::default()
    };
    for (k, v, _) in p.props(&[])? {
        match k.as_str() {
            "COMMENT" => data.comment = text_value(&v, &k)?,
            "SECURE_OBJECTS_ONLY" => {
                data.secure_objects_only = v
                    .as_bool()
                    .ok_or_else(|| SfError::invalid_value(&v.text().unwrap_or_default(), &k))?
            }
            other => return Err(SfError::unsupported(&format!("SHARE property {other}"))),
        }
    }
    p.end()?;
    if !ex.is_admin() {
        return Err(SfError::insufficient_privileges(&format!(
            "account '{}'",
            ex.account
        )));
    }
    let key = Key::account(&name);
    if let Some(existing) = storage::get::<ShareData>(ex.conn, ex.account, "SHARE", &key)? {
        if head.if_not_exists {
            return Ok(columns::status(format!(
                "{name} already exists, statement succeeded."
            )));
        }
        if !head.or_replace {
            return Err(SfError::already_exists(&name));
        }
        ex.check_owner(&existing.owner, &format!("share '{name}'"))?;
        storage::delete(ex.conn, ex.account, "SHARE", &key)?;
        super::grant::forget_grantee(ex, "SHARE", &name)?;
    }
    storage::put(ex.conn, ex.account, "SHARE", &ex.new_obj(&key, data))?;
    Ok(created("Share", &name))
}

/// Parses `= org.acct[, …]` into account names.
fn accounts_list(p: &mut Parser<'_>) -> Result<Vec<String>, SfError> {
    p.expect_sym("=")?;
    let mut out = Vec::new();
    loop {
        let at = p.position();
        let v = p.value()?;
        let name = match &v {
            Value::Path(parts) if parts.len() == 2 && parts[0] == ORGANIZATION => parts[1].clone(),
            Value::Path(parts) if parts.len() == 2 => {
                return Err(SfError::compile(
                    "002003",
                    "02000",
                    format!(
                        "Account '{}' does not exist or not authorized.",
                        parts.join(".")
                    ),
                ));
            }
            Value::Word(_) | Value::Quoted(_) => v.as_ident().unwrap_or_default(),
            _ => return Err(p.error_at(at)),
        };
        out.push(name);
        if !p.eat_sym(",") {
            break;
        }
    }
    Ok(out)
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.ident()?;
    let mut s = match own_share(ex, &name) {
        Ok(s) => s,
        Err(_) if if_exists => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&s.owner, &format!("share '{name}'"))?;
    let Some(action) = p.word() else {
        return Err(p.error());
    };
    p.advance();
    match action.as_str() {
        "ADD" | "REMOVE" => {
            if !(p.eat_kw("ACCOUNTS") || p.eat_kw("ACCOUNT")) {
                return Err(p.error());
            }
            let list = accounts_list(p)?;
            if p.eat_kw("SHARE_RESTRICTIONS") {
                p.expect_sym("=")?;
                p.value()?;
            }
            p.end()?;
            if action == "ADD" {
                if share_database(ex, ex.account, &name)?.is_none() {
                    return Err(SfError::compile(
                        "003034",
                        "42601",
                        format!(
                            "Cannot add accounts to share '{name}': no database has been granted to the share."
                        ),
                    ));
                }
                for a in list {
                    if a == ex.account {
                        return Err(SfError::compile(
                            "003035",
                            "42601",
                            "Cannot share to the provider account itself.",
                        ));
                    }
                    if !s.data.accounts.contains(&a) {
                        s.data.accounts.push(a);
                    }
                }
            } else {
                s.data.accounts.retain(|a| !list.contains(a));
            }
        }
        "SET" => {
            if p.eat_kw("ACCOUNTS") || p.eat_kw("ACCOUNT") {
                let list = accounts_list(p)?;
                if p.is_kw("SHARE_RESTRICTIONS") {
                    return Err(SfError::invalid_property("SHARE_RESTRICTIONS", "SHARE"));
                }
                p.end()?;
                if !list.is_empty() && share_database(ex, ex.account, &name)?.is_none() {
                    return Err(SfError::compile(
                        "003034",
                        "42601",
                        format!(
                            "Cannot add accounts to share '{name}': no database has been granted to the share."
                        ),
                    ));
                }
                s.data.accounts = list;
            } else {
                let props = p.props(&[])?;
                p.end()?;
                if props.is_empty() {
                    return Err(p.error());
                }
                for (k, v, _) in props {
                    match k.as_str() {
                        "COMMENT" => s.data.comment = text_value(&v, &k)?,
                        other => {
                            return Err(SfError::unsupported(&format!("SHARE property {other}")));
                        }
                    }
                }
            }
        }
        "UNSET" => {
            p.expect_kw("COMMENT")?;
            p.end()?;
            s.data.comment.clear();
        }
        other => return Err(SfError::unsupported(&format!("ALTER SHARE … {other}"))),
    }
    s.data.accounts.sort();
    storage::put(ex.conn, ex.account, "SHARE", &s)?;
    Ok(done())
}

pub fn drop(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.ident()?;
    p.end()?;
    let s = match own_share(ex, &name) {
        Ok(s) => s,
        Err(_) if if_exists => {
            return Ok(columns::status(format!(
                "Drop statement executed successfully ({name} already dropped)."
            )));
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&s.owner, &format!("share '{name}'"))?;
    storage::delete(ex.conn, ex.account, "SHARE", &Key::account(&name))?;
    super::grant::forget_grantee(ex, "SHARE", &name)?;
    Ok(columns::status(format!("{name} successfully dropped.")))
}

/// Inbound shares: (provider account, share) this account can see.
fn inbound(ex: &Ex<'_>) -> Result<Vec<(String, Obj<ShareData>)>, SfError> {
    let mut out = Vec::new();
    for (acct, s) in storage::list_all_accounts::<ShareData>(ex.conn, "SHARE")? {
        if acct != ex.account && has_access(ex, &acct, &s, ex.account, true)? {
            out.push((acct, s));
        }
    }
    Ok(out)
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, false)?;
    if !ex.is_admin() {
        return Ok(columns::rows(SHARES));
    }
    let mut items = Vec::new();
    for s in storage::list::<ShareData>(ex.conn, ex.account, "SHARE", None, None)? {
        let db = share_database(ex, ex.account, &s.name)?.unwrap_or_default();
        let to: Vec<String> = s
            .data
            .accounts
            .iter()
            .map(|a| format!("{ORGANIZATION}.{a}"))
            .collect();
        let listing =
            super::listing::global_name_for_share(ex, ex.account, &s.name)?.unwrap_or_default();
        items.push((
            (s.name.clone(), 0),
            vec![
                Some(ts(s.created_on)),
                opt("OUTBOUND"),
                Some(format!("{ORGANIZATION}.{}", ex.account)),
                opt(&s.name),
                Some(db),
                Some(to.join(", ")),
                opt(&s.owner),
                opt(&s.data.comment),
                Some(listing),
            ],
        ));
    }
    let dbs: Vec<Obj<DatabaseData>> = storage::list(ex.conn, ex.account, "DATABASE", None, None)?;
    for (acct, s) in inbound(ex)? {
        let local = dbs
            .iter()
            .find(|d| {
                d.data
                    .origin
                    .as_ref()
                    .is_some_and(|o| o.account == acct && o.share == s.name)
            })
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let listing =
            super::listing::global_name_for_share(ex, &acct, &s.name)?.unwrap_or_default();
        items.push((
            (s.name.clone(), 1),
            vec![
                Some(ts(s.created_on)),
                opt("INBOUND"),
                Some(format!("{ORGANIZATION}.{acct}")),
                opt(&s.name),
                Some(local),
                opt(""),
                opt(""),
                opt(&s.data.comment),
                Some(listing),
            ],
        ));
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(opts.finish(
        columns::rows(SHARES),
        items.into_iter().map(|((n, _), r)| (n, r)).collect(),
    ))
}

pub fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let name = p.name(3)?;
    p.end()?;
    if !ex.is_admin() {
        return Err(SfError::insufficient_privileges("share"));
    }
    let (provider, share, prefix) = match name.parts.as_slice() {
        [s] => {
            own_share(ex, s)?;
            (ex.account.to_string(), s.clone(), None)
        }
        [org, acct, s] if org == ORGANIZATION => (acct.clone(), s.clone(), Some(())),
        [acct, s] => (acct.clone(), s.clone(), Some(())),
        _ => return Err(SfError::not_found("Share", &name.parts.join("."))),
    };
    let mut local_db = None;
    if prefix.is_some() {
        let missing = || SfError::not_found("Share", &format!("{ORGANIZATION}.{provider}.{share}"));
        let s = share_in(ex, &provider, &share)?.ok_or_else(missing)?;
        if !has_access(ex, &provider, &s, ex.account, false)? {
            return Err(missing());
        }
        let dbs: Vec<Obj<DatabaseData>> =
            storage::list(ex.conn, ex.account, "DATABASE", None, None)?;
        local_db = Some(
            dbs.iter()
                .find(|d| {
                    d.data
                        .origin
                        .as_ref()
                        .is_some_and(|o| o.account == provider && o.share == share)
                })
                .map(|d| d.name.clone())
                .unwrap_or_else(|| "<DB>".into()),
        );
    }
    let mut grants = super::grant::grants_to_share_in(ex, &provider, &share)?;
    grants.retain(|g| g.privilege != "REFERENCE_USAGE");
    grants.sort_by_key(|g| {
        let rank = match g.on_kind.as_str() {
            "DATABASE" => 0,
            "SCHEMA" => 1,
            _ => 2,
        };
        (rank, g.key.clone())
    });
    let mut out = columns::rows(DESC_SHARE);
    for g in grants {
        let db = local_db.clone().unwrap_or_else(|| {
            if g.on_kind == "DATABASE" {
                g.key.name.clone()
            } else {
                g.key.db.clone()
            }
        });
        let shown = match g.on_kind.as_str() {
            "DATABASE" => db.clone(),
            "SCHEMA" => format!("{}.{}", db, fqn(&[&g.key.name])),
            _ => format!("{}.{}", db, fqn(&[&g.key.schema, &g.key.name])),
        };
        out.rows
            .push(vec![opt(&g.on_kind), Some(shown), Some(ts(g.created_on))]);
    }
    Ok(out)
}
