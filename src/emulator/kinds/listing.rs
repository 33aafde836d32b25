//! Private listings: a YAML manifest attached to a share and targeted at accounts of
//! the organisation. Names are unique in the organisation; each listing gets a
//! system-generated global name that consumers mount with
//! `CREATE DATABASE … FROM LISTING '<global name>'`.

use serde::{Deserialize, Serialize};

use super::database::Origin;
use super::{created, done, text_value};
use crate::emulator::ORGANIZATION;
use crate::emulator::columns::{self, DESC_LISTING, LISTINGS};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, opt};
use crate::emulator::parser::Parser;
use crate::emulator::render::{tf, ts};
use crate::emulator::show;
use crate::emulator::storage::{self, Key, Obj};
use crate::runtime::session::Rows;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ListingData {
    pub global_name: String,
    pub share: String,
    pub manifest: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub description: Option<String>,
    pub listing_terms: Option<String>,
    pub usage_examples: Option<String>,
    /// Target account names (upper-case, without the organisation).
    pub targets: Vec<String>,
    /// DRAFT, PUBLISHED or UNPUBLISHED.
    pub state: String,
    pub comment: Option<String>,
    pub updated_on: i64,
    pub published_on: Option<i64>,
}

fn manifest_error(detail: impl std::fmt::Display) -> SfError {
    SfError::compile(
        "093106",
        "22000",
        format!("Invalid listing manifest: {detail}"),
    )
}

fn yaml_text(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Null => None,
        other => serde_yaml::to_string(other)
            .ok()
            .map(|s| s.trim().to_string()),
    }
}

fn yaml_json(v: &serde_yaml::Value) -> Option<String> {
    if v.is_null() {
        return None;
    }
    serde_json::to_string(v).ok()
}

/// Reads the target accounts of a `targets: {accounts: [...]}` mapping.
fn targets_of(doc: &serde_yaml::Value) -> Result<Vec<String>, SfError> {
    let mut out = Vec::new();
    let Some(targets) = doc.get("targets") else {
        return Ok(out);
    };
    let Some(accounts) = targets.get("accounts") else {
        return Ok(out);
    };
    let Some(list) = accounts.as_sequence() else {
        return Err(manifest_error("targets.accounts must be a list"));
    };
    for item in list {
        let Some(s) = item.as_str() else {
            return Err(manifest_error("targets.accounts must hold strings"));
        };
        let upper = s.trim().trim_matches('"').to_ascii_uppercase();
        let Some((org, acct)) = upper.split_once('.') else {
            return Err(manifest_error(format!(
                "target account '{s}' must be written orgname.account_name"
            )));
        };
        if org != ORGANIZATION || acct.is_empty() || acct.contains('.') {
            return Err(manifest_error(format!(
                "target account '{s}' is not an account of organization {ORGANIZATION}"
            )));
        }
        if !out.iter().any(|a| a == acct) {
            out.push(acct.to_string());
        }
    }
    Ok(out)
}

fn parse_manifest(text: &str, d: &mut ListingData) -> Result<(), SfError> {
    let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(manifest_error)?;
    if !doc.is_mapping() {
        return Err(manifest_error("the manifest must be a mapping"));
    }
    d.title = doc
        .get("title")
        .and_then(yaml_text)
        .ok_or_else(|| manifest_error("title is required"))?;
    d.subtitle = doc.get("subtitle").and_then(yaml_text);
    d.description = doc.get("description").and_then(yaml_text);
    d.listing_terms = doc.get("listing_terms").and_then(yaml_json);
    d.usage_examples = doc.get("usage_examples").and_then(yaml_json);
    d.targets = targets_of(&doc)?;
    d.manifest = text.to_string();
    Ok(())
}

fn find_org_wide(ex: &Ex<'_>, name: &str) -> Result<Option<(String, Obj<ListingData>)>, SfError> {
    Ok(
        storage::list_all_accounts::<ListingData>(ex.conn, "LISTING")?
            .into_iter()
            .find(|(_, l)| l.name == name),
    )
}

type Flags = (Option<bool>, Option<bool>, Option<String>);

fn publish_flags(
    props: &[(String, crate::emulator::parser::Value, usize)],
) -> Result<Flags, SfError> {
    let (mut publish, mut review, mut comment) = (None, None, None);
    for (k, v, _) in props {
        let b = || {
            v.as_bool()
                .ok_or_else(|| SfError::invalid_value(&v.text().unwrap_or_default(), k))
        };
        match k.as_str() {
            "PUBLISH" => publish = Some(b()?),
            "REVIEW" => review = Some(b()?),
            "COMMENT" => comment = Some(text_value(v, k)?),
            other => return Err(SfError::unsupported(&format!("LISTING property {other}"))),
        }
    }
    Ok((publish, review, comment))
}

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    if head.or_replace {
        return Err(SfError::unsupported("CREATE OR REPLACE LISTING"));
    }
    if head.has("ORGANIZATION") {
        return Err(SfError::unsupported("CREATE ORGANIZATION LISTING"));
    }
    head.only(&["EXTERNAL"], "LISTING")?;
    head.read_ine(p)?;
    let name = p.ident()?;
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(SfError::invalid_value(&name, "LISTING name"));
    }
    let share = if p.eat_kw("SHARE") {
        p.ident()?
    } else if p.is_kw("APPLICATION") {
        return Err(SfError::unsupported("LISTING … APPLICATION PACKAGE"));
    } else {
        return Err(p.error());
    };
    if p.is_kw("FROM") {
        return Err(SfError::unsupported("CREATE LISTING … FROM stage"));
    }
    p.expect_kw("AS")?;
    let manifest = p.string()?;
    let props = p.props(&[])?;
    p.end()?;
    let (publish, review, comment) = publish_flags(&props)?;
    let (publish, review) = (publish.unwrap_or(true), review.unwrap_or(true));
    if publish && !review {
        return Err(SfError::compile(
            "093107",
            "22000",
            "Listing cannot be published without review. Set REVIEW = TRUE or PUBLISH = FALSE.",
        ));
    }
    if !ex.is_admin() {
        return Err(SfError::insufficient_privileges(&format!(
            "account '{}'",
            ex.account
        )));
    }
    super::share::own_share(ex, &share)?;
    let mut data = ListingData {
        share,
        comment,
        updated_on: ex.now,
        ..ListingData::default()
    };
    parse_manifest(&manifest, &mut data)?;
    if let Some((acct, _)) = find_org_wide(ex, &name)? {
        if head.if_not_exists && acct == ex.account {
            return Ok(columns::status(format!(
                "{name} already exists, statement succeeded."
            )));
        }
        return Err(SfError::already_exists(&name));
    }
    data.global_name = format!("GZ{}{:08}", &ORGANIZATION[..3], storage::next_id(ex.conn)?);
    if publish {
        data.state = "PUBLISHED".into();
        data.published_on = Some(ex.now);
    } else {
        data.state = "DRAFT".into();
    }
    storage::put(
        ex.conn,
        ex.account,
        "LISTING",
        &ex.new_obj(&Key::account(&name), data),
    )?;
    Ok(created("Listing", &name))
}

fn get(ex: &Ex<'_>, name: &str) -> Result<Obj<ListingData>, SfError> {
    storage::get(ex.conn, ex.account, "LISTING", &Key::account(name))?
        .ok_or_else(|| SfError::not_found("Listing", name))
}

fn publish(l: &mut ListingData, now: i64) {
    if l.state != "PUBLISHED" {
        l.state = "PUBLISHED".into();
        l.published_on = Some(now);
    }
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.ident()?;
    let mut l = match get(ex, &name) {
        Ok(l) => l,
        Err(_) if if_exists => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&l.owner, &format!("listing '{name}'"))?;
    let Some(action) = p.word() else {
        return Err(p.error());
    };
    p.advance();
    match action.as_str() {
        "PUBLISH" => {
            p.end()?;
            publish(&mut l.data, ex.now);
        }
        "UNPUBLISH" => {
            p.end()?;
            if l.data.state == "PUBLISHED" {
                l.data.state = "UNPUBLISHED".into();
            }
        }
        "REVIEW" => {
            p.end()?;
        }
        "AS" => {
            let manifest = p.string()?;
            let props = p.props(&[])?;
            p.end()?;
            let (publish_flag, review, comment) = publish_flags(&props)?;
            if publish_flag == Some(true) && review == Some(false) {
                return Err(SfError::compile(
                    "093107",
                    "22000",
                    "Listing cannot be published without review. Set REVIEW = TRUE or PUBLISH = FALSE.",
                ));
            }
            parse_manifest(&manifest, &mut l.data)?;
            if let Some(c) = comment {
                l.data.comment = Some(c);
            }
            match publish_flag {
                Some(true) => publish(&mut l.data, ex.now),
                Some(false) if l.data.state == "PUBLISHED" => l.data.state = "UNPUBLISHED".into(),
                _ => {}
            }
        }
        "ADD" | "REMOVE" => {
            p.expect_kw("TARGETS")?;
            let text = p.string()?;
            p.end()?;
            let doc: serde_yaml::Value = serde_yaml::from_str(&text).map_err(manifest_error)?;
            let change = targets_of(&doc)?;
            if change.is_empty() {
                return Err(manifest_error("targets.accounts is required"));
            }
            let mut targets = l.data.targets.clone();
            if action == "ADD" {
                for a in change {
                    if !targets.contains(&a) {
                        targets.push(a);
                    }
                }
            } else {
                targets.retain(|a| !change.contains(a));
            }
            let mut manifest: serde_yaml::Value =
                serde_yaml::from_str(&l.data.manifest).map_err(manifest_error)?;
            let list: Vec<serde_yaml::Value> = targets
                .iter()
                .map(|a| serde_yaml::Value::String(format!("{ORGANIZATION}.{a}")))
                .collect();
            if let Some(map) = manifest.as_mapping_mut() {
                let mut t = serde_yaml::Mapping::new();
                t.insert("accounts".into(), serde_yaml::Value::Sequence(list));
                map.insert("targets".into(), serde_yaml::Value::Mapping(t));
            }
            let text = serde_yaml::to_string(&manifest).map_err(manifest_error)?;
            parse_manifest(&text, &mut l.data)?;
        }
        "SET" => {
            let props = p.props(&[])?;
            p.end()?;
            if props.is_empty() {
                return Err(p.error());
            }
            for (k, v, _) in props {
                match k.as_str() {
                    "COMMENT" => l.data.comment = Some(text_value(&v, &k)?),
                    other => {
                        return Err(SfError::unsupported(&format!("LISTING property {other}")));
                    }
                }
            }
        }
        "UNSET" => {
            p.expect_kw("COMMENT")?;
            p.end()?;
            l.data.comment = None;
        }
        "RENAME" => {
            p.expect_kw("TO")?;
            let new = p.ident()?;
            p.end()?;
            if l.data.state != "DRAFT" {
                return Err(SfError::compile(
                    "093108",
                    "22000",
                    "Only a listing in DRAFT state can be renamed.",
                ));
            }
            if find_org_wide(ex, &new)?.is_some() {
                return Err(SfError::already_exists(&new));
            }
            storage::delete(ex.conn, ex.account, "LISTING", &Key::account(&name))?;
            l.name = new;
        }
        other => return Err(SfError::unsupported(&format!("ALTER LISTING … {other}"))),
    }
    l.data.updated_on = ex.now;
    storage::put(ex.conn, ex.account, "LISTING", &l)?;
    Ok(done())
}

pub fn drop(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.ident()?;
    p.end()?;
    let l = match get(ex, &name) {
        Ok(l) => l,
        Err(_) if if_exists => {
            return Ok(columns::status(format!(
                "Drop statement executed successfully ({name} already dropped)."
            )));
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&l.owner, &format!("listing '{name}'"))?;
    storage::delete(ex.conn, ex.account, "LISTING", &Key::account(&name))?;
    Ok(columns::status(format!("{name} successfully dropped.")))
}

fn target_text(l: &ListingData) -> String {
    l.targets
        .iter()
        .map(|a| format!("{ORGANIZATION}.{a}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, false)?;
    let mut items = Vec::new();
    for l in storage::list::<ListingData>(ex.conn, ex.account, "LISTING", None, None)? {
        let d = &l.data;
        let targeted = !d.targets.is_empty();
        items.push((
            l.name.clone(),
            vec![
                opt(&d.global_name),
                opt(&l.name),
                opt(&d.title),
                d.subtitle.clone(),
                opt(""),
                Some(ts(l.created_on)),
                Some(ts(d.updated_on)),
                d.published_on.map(ts),
                opt(&d.state),
                if targeted { None } else { opt("UNSENT") },
                d.comment.clone(),
                opt(&l.owner),
                opt("ROLE"),
                None,
                Some(target_text(d)),
                Some(tf(false)),
                Some(tf(false)),
                Some(tf(targeted)),
                Some(tf(false)),
                Some(tf(false)),
                opt("EXTERNAL"),
                Some(tf(false)),
                None,
                opt(""),
                None,
                None,
                None,
            ],
        ));
    }
    Ok(opts.finish(columns::rows(LISTINGS), items))
}

pub fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let name = p.ident()?;
    if p.eat_kw("REVISION") {
        p.expect_sym("=")?;
        p.ident()?;
    }
    p.end()?;
    let l = get(ex, &name)?;
    let d = &l.data;
    let targeted = !d.targets.is_empty();
    let mut row: Vec<Option<String>> = vec![None; DESC_LISTING.len()];
    let mut set = |col: &str, v: Option<String>| {
        if let Some(i) = DESC_LISTING.iter().position(|(n, _)| *n == col) {
            row[i] = v;
        }
    };
    set("global_name", opt(&d.global_name));
    set("name", opt(&l.name));
    set("owner", opt(&l.owner));
    set("owner_role_type", opt("ROLE"));
    set("created_on", Some(ts(l.created_on)));
    set("updated_on", Some(ts(d.updated_on)));
    set("published_on", d.published_on.map(ts));
    set("title", opt(&d.title));
    set("subtitle", d.subtitle.clone());
    set("description", d.description.clone());
    set("listing_terms", d.listing_terms.clone());
    set("state", opt(&d.state));
    set("share", opt(&d.share));
    set("usage_examples", d.usage_examples.clone());
    set("profile", opt(""));
    set("comment", d.comment.clone());
    set("target_accounts", Some(target_text(d)));
    set("review_state", if targeted { None } else { opt("UNSENT") });
    set("is_monetized", Some(tf(false)));
    set("is_application", Some(tf(false)));
    set("is_targeted", Some(tf(targeted)));
    set("is_limited_trial", Some(tf(false)));
    set("is_by_request", Some(tf(false)));
    set("manifest_yaml", opt(&d.manifest));
    set("distribution", opt("EXTERNAL"));
    set("is_mountless_queryable", Some(tf(false)));
    set("organization_profile_name", opt(""));
    set("is_share", Some(tf(true)));
    let mut out = columns::rows(DESC_LISTING);
    out.rows.push(row);
    Ok(out)
}

/// Whether a listing of `provider` attached to `share` targets `consumer`.
pub fn grants_share_access(
    ex: &Ex<'_>,
    provider: &str,
    share: &str,
    consumer: &str,
    published: bool,
) -> Result<bool, SfError> {
    for l in storage::list::<ListingData>(ex.conn, provider, "LISTING", None, None)? {
        let state_ok = if published {
            l.data.state == "PUBLISHED"
        } else {
            l.data.state != "DRAFT"
        };
        if l.data.share == share && state_ok && l.data.targets.iter().any(|a| a == consumer) {
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn global_name_for_share(
    ex: &Ex<'_>,
    provider: &str,
    share: &str,
) -> Result<Option<String>, SfError> {
    Ok(
        storage::list::<ListingData>(ex.conn, provider, "LISTING", None, None)?
            .into_iter()
            .find(|l| l.data.share == share)
            .map(|l| l.data.global_name),
    )
}

/// Resolves `FROM LISTING '<global name>'` for the current account.
pub fn importable(ex: &Ex<'_>, global: &str) -> Result<Origin, SfError> {
    let missing = || SfError::not_found("Listing", global);
    let (provider, l) = storage::list_all_accounts::<ListingData>(ex.conn, "LISTING")?
        .into_iter()
        .find(|(_, l)| l.data.global_name == global)
        .ok_or_else(missing)?;
    if provider == ex.account
        || l.data.state != "PUBLISHED"
        || !l.data.targets.iter().any(|a| a == ex.account)
    {
        return Err(missing());
    }
    let origin =
        super::share::check_importable(ex, &provider, &l.data.share).map_err(|_| missing())?;
    Ok(Origin {
        listing: Some(global.to_string()),
        ..origin
    })
}
