//! Users, as far as key-pair login needs them: CREATE/ALTER/DROP USER with their
//! registered RSA public keys, SHOW USERS and DESCRIBE USER. The served emulator
//! verifies a login token against the keys `DESCRIBE USER` reports. Passwords are
//! not stored (the emulator never keeps a secret); the other properties are kept
//! for SHOW and DESCRIBE only.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs8::DecodePublicKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{created, done, text_value};
use crate::emulator::columns::{self, DESC_USER, USERS};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, opt};
use crate::emulator::parser::{Parser, Value};
use crate::emulator::render::ts;
use crate::emulator::show;
use crate::emulator::storage::{self, Key, Obj};
use crate::runtime::session::Rows;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UserData {
    pub comment: Option<String>,
    /// `PERSON`, `SERVICE` or `LEGACY_SERVICE`; unset reads as NULL, like Snowflake.
    #[serde(rename = "type")]
    pub user_type: Option<String>,
    pub login_name: Option<String>,
    pub display_name: Option<String>,
    pub default_role: Option<String>,
    pub default_warehouse: Option<String>,
    pub default_namespace: Option<String>,
    /// The base64 DER body of the key (SubjectPublicKeyInfo), without PEM armour.
    pub rsa_public_key: Option<String>,
    pub rsa_public_key_2: Option<String>,
}

/// `SHA256:<base64 of the SHA-256 of the key's DER>`, as RSA_PUBLIC_KEY_FP shows it.
pub fn fingerprint(key: &str) -> Option<String> {
    let der = STANDARD.decode(key).ok()?;
    Some(format!("SHA256:{}", STANDARD.encode(Sha256::digest(&der))))
}

/// A public key as written (base64, with or without PEM armour and line breaks),
/// reduced to its base64 body; refused unless it is an RSA SubjectPublicKeyInfo.
fn public_key(v: &Value, property: &str) -> Result<String, SfError> {
    let text = text_value(v, property)?;
    let body: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("-----"))
        .flat_map(|line| line.chars().filter(|c| !c.is_whitespace()))
        .collect();
    let valid = STANDARD
        .decode(&body)
        .ok()
        .is_some_and(|der| rsa::PublicKey::from_public_key_der(&der).is_ok());
    if !valid {
        // Snowflake wants the base64 body of the PEM, without its delimiter lines.
        return Err(SfError::invalid_value(
            "not an RSA public key in base64",
            property,
        ));
    }
    Ok(body)
}

fn ident_value(v: &Value, property: &str) -> Result<String, SfError> {
    v.as_ident()
        .ok_or_else(|| SfError::invalid_value(&v.text().unwrap_or_default(), property))
}

/// Applies one `<property> = <value>` of CREATE USER or ALTER USER … SET.
fn set(data: &mut UserData, property: &str, v: &Value) -> Result<(), SfError> {
    match property {
        "COMMENT" => data.comment = Some(text_value(v, property)?),
        "TYPE" => {
            let kind = v.text().unwrap_or_default().to_ascii_uppercase();
            if !matches!(
                kind.as_str(),
                "PERSON" | "SERVICE" | "LEGACY_SERVICE" | "NULL"
            ) {
                return Err(SfError::invalid_value(&kind, property));
            }
            data.user_type = (kind != "NULL").then_some(kind);
        }
        "LOGIN_NAME" => data.login_name = Some(text_value(v, property)?),
        "DISPLAY_NAME" => data.display_name = Some(text_value(v, property)?),
        "DEFAULT_ROLE" => data.default_role = Some(ident_value(v, property)?),
        "DEFAULT_WAREHOUSE" => data.default_warehouse = Some(ident_value(v, property)?),
        "DEFAULT_NAMESPACE" => {
            data.default_namespace = Some(v.text().unwrap_or_default());
        }
        "RSA_PUBLIC_KEY" => data.rsa_public_key = Some(public_key(v, property)?),
        "RSA_PUBLIC_KEY_2" => data.rsa_public_key_2 = Some(public_key(v, property)?),
        "PASSWORD" => {
            return Err(SfError::unsupported(
                "USER property PASSWORD (the emulator stores no secrets)",
            ));
        }
        other => return Err(SfError::unsupported(&format!("USER property {other}"))),
    }
    Ok(())
}

fn unset(data: &mut UserData, property: &str) -> Result<(), SfError> {
    match property {
        "COMMENT" => data.comment = None,
        "TYPE" => data.user_type = None,
        "LOGIN_NAME" => data.login_name = None,
        "DISPLAY_NAME" => data.display_name = None,
        "DEFAULT_ROLE" => data.default_role = None,
        "DEFAULT_WAREHOUSE" => data.default_warehouse = None,
        "DEFAULT_NAMESPACE" => data.default_namespace = None,
        "RSA_PUBLIC_KEY" => data.rsa_public_key = None,
        "RSA_PUBLIC_KEY_2" => data.rsa_public_key_2 = None,
        other => return Err(SfError::unsupported(&format!("USER property {other}"))),
    }
    Ok(())
}

pub fn get(ex: &Ex<'_>, name: &str) -> Result<Obj<UserData>, SfError> {
    storage::get(ex.conn, ex.account, "USER", &Key::account(name))?
        .ok_or_else(|| SfError::not_found("User", name))
}

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    head.only(&[], "USER")?;
    head.read_ine(p)?;
    let name = p.ident()?;
    let mut data = UserData::default();
    for (k, v, _) in p.props(&[])? {
        set(&mut data, &k, &v)?;
    }
    p.end()?;
    if !ex.has_account_privilege("CREATE USER")? {
        return Err(SfError::insufficient_privileges(&format!(
            "account '{}'",
            ex.account
        )));
    }
    let key = Key::account(&name);
    if let Some(existing) = storage::get::<UserData>(ex.conn, ex.account, "USER", &key)? {
        if head.if_not_exists {
            return Ok(columns::status(format!(
                "{name} already exists, statement succeeded."
            )));
        }
        if !head.or_replace {
            return Err(SfError::already_exists(&name));
        }
        ex.check_owner(&existing.owner, &format!("user '{name}'"))?;
        storage::delete(ex.conn, ex.account, "USER", &key)?;
    }
    storage::put(ex.conn, ex.account, "USER", &ex.new_obj(&key, data))?;
    Ok(created("User", &name))
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.ident()?;
    let mut u = match get(ex, &name) {
        Ok(u) => u,
        Err(_) if if_exists => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&u.owner, &format!("user '{name}'"))?;
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
            set(&mut u.data, &k, &v)?;
        }
    } else if p.eat_kw("UNSET") {
        loop {
            let Some(property) = p.word() else {
                return Err(p.error());
            };
            p.advance();
            unset(&mut u.data, &property.to_ascii_uppercase())?;
            if !p.eat_sym(",") {
                break;
            }
        }
        p.end()?;
    } else if p.eat_kws(&["RENAME", "TO"]) {
        let new = p.ident()?;
        p.end()?;
        if storage::exists(ex.conn, ex.account, "USER", &Key::account(&new))? {
            return Err(SfError::already_exists(&new));
        }
        storage::delete(ex.conn, ex.account, "USER", &Key::account(&name))?;
        u.name = new;
    } else {
        return Err(p.error());
    }
    storage::put(ex.conn, ex.account, "USER", &u)?;
    Ok(done())
}

pub fn drop(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.ident()?;
    p.end()?;
    let u = match get(ex, &name) {
        Ok(u) => u,
        Err(_) if if_exists => {
            return Ok(columns::status(format!(
                "Drop statement executed successfully ({name} already dropped)."
            )));
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&u.owner, &format!("user '{name}'"))?;
    storage::delete(ex.conn, ex.account, "USER", &Key::account(&name))?;
    super::grant::forget_grantee(ex, "USER", &name)?;
    Ok(columns::status(format!("{name} successfully dropped.")))
}

fn or_empty(value: &Option<String>) -> Option<String> {
    Some(value.clone().unwrap_or_default())
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, false)?;
    let mut items = Vec::new();
    for u in storage::list::<UserData>(ex.conn, ex.account, "USER", None, None)? {
        let d = &u.data;
        let login = d.login_name.clone().unwrap_or_else(|| u.name.clone());
        let display = d.display_name.clone().unwrap_or_else(|| u.name.clone());
        let has_key = d.rsa_public_key.is_some() || d.rsa_public_key_2.is_some();
        let row = vec![
            opt(&u.name),
            Some(ts(u.created_on)),
            Some(login.to_ascii_uppercase()),
            Some(display),
            opt(""),
            opt(""),
            opt(""),
            None,
            None,
            or_empty(&d.comment),
            opt("false"),
            opt("false"),
            opt("false"),
            d.default_warehouse.clone(),
            d.default_namespace.clone(),
            d.default_role.clone(),
            None,
            opt("false"),
            None,
            None,
            opt(&u.owner),
            None,
            None,
            None,
            opt("false"),
            opt(&has_key.to_string()),
            d.user_type.clone(),
            opt("false"),
            opt("false"),
        ];
        items.push((u.name.clone(), row));
    }
    Ok(opts.finish(columns::rows(USERS), items))
}

pub fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let name = p.ident()?;
    p.end()?;
    let u = get(ex, &name)?;
    let d = &u.data;
    // DESCRIBE USER prints an unset value as the text `null`.
    let shown = |v: &Option<String>| Some(v.clone().unwrap_or_else(|| "null".to_string()));
    let fp = |key: &Option<String>| shown(&key.as_deref().and_then(fingerprint));
    let login = Some(d.login_name.clone().unwrap_or_else(|| u.name.clone()));
    let display = Some(d.display_name.clone().unwrap_or_else(|| u.name.clone()));
    let properties: Vec<(&str, Option<String>, &str)> = vec![
        ("NAME", Some(u.name.clone()), "Name"),
        (
            "COMMENT",
            shown(&d.comment),
            "user comment associated to an object in the dictionary",
        ),
        (
            "DISPLAY_NAME",
            display,
            "Display name of the associated object",
        ),
        ("TYPE", shown(&d.user_type), "The type of the user"),
        ("LOGIN_NAME", login, "Login name of the user"),
        ("DISABLED", opt("false"), "Whether the user is disabled"),
        (
            "DEFAULT_WAREHOUSE",
            shown(&d.default_warehouse),
            "Default warehouse for this user",
        ),
        (
            "DEFAULT_NAMESPACE",
            shown(&d.default_namespace),
            "Default database namespace prefix for this user",
        ),
        (
            "DEFAULT_ROLE",
            shown(&d.default_role),
            "Primary principal of user session will be set to this role",
        ),
        (
            "RSA_PUBLIC_KEY",
            shown(&d.rsa_public_key),
            "RSA public key of the user",
        ),
        (
            "RSA_PUBLIC_KEY_FP",
            fp(&d.rsa_public_key),
            "Fingerprint of user's RSA public key.",
        ),
        (
            "RSA_PUBLIC_KEY_2",
            shown(&d.rsa_public_key_2),
            "Second RSA public key of the user",
        ),
        (
            "RSA_PUBLIC_KEY_2_FP",
            fp(&d.rsa_public_key_2),
            "Fingerprint of user's second RSA public key.",
        ),
    ];
    let mut out = columns::rows(DESC_USER);
    for (property, value, description) in properties {
        out.rows
            .push(vec![opt(property), value, opt("null"), opt(description)]);
    }
    Ok(out)
}
