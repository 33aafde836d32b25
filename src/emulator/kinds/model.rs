//! Models of the model registry: created from files already uploaded to an internal
//! stage (`CREATE MODEL m WITH VERSION v FROM @stage/path`), with versions added and
//! dropped and a default version; SHOW MODELS and SHOW VERSIONS IN MODEL.

use serde::{Deserialize, Serialize};

use super::{created, done, text_value};
use crate::emulator::columns::{self, MODEL_VERSIONS, MODELS};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, opt};
use crate::emulator::parser::Parser;
use crate::emulator::render::{fqn, tf, ts};
use crate::emulator::show::{self, Scope};
use crate::emulator::storage::{self, Key, Obj};
use crate::emulator::tokenizer::Tok;
use crate::runtime::session::Rows;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Version {
    pub name: String,
    pub created_on: i64,
    pub comment: Option<String>,
    pub source: String,
    /// (path under the source prefix, md5)
    pub files: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ModelData {
    pub versions: Vec<Version>,
    pub default_version: String,
    pub comment: Option<String>,
}

/// Reads `FROM @stage/path` and snapshots the files there (fails when none).
fn version_from(ex: &Ex<'_>, p: &mut Parser<'_>, name: String) -> Result<Version, SfError> {
    p.expect_kw("FROM")?;
    if p.is_kw("MODEL") {
        return Err(SfError::unsupported("CREATE MODEL … FROM MODEL"));
    }
    let raw = match &p.peek().tok {
        Tok::Stage(s) => s.clone(),
        _ => return Err(p.error()),
    };
    p.advance();
    let (stage, prefix) = super::stage::resolve(ex, &raw)?;
    let files: Vec<(String, String)> = super::stage::files(ex, &stage, &prefix)?
        .into_iter()
        .map(|(path, _, md5, _)| {
            (
                path[prefix.len()..].trim_start_matches('/').to_string(),
                md5,
            )
        })
        .collect();
    if files.is_empty() {
        return Err(SfError::compile(
            "002003",
            "02000",
            format!(
                "No files found at '@{raw}'. Upload the model files before creating the version."
            ),
        ));
    }
    Ok(Version {
        name,
        created_on: ex.now,
        comment: None,
        source: format!("@{raw}"),
        files,
    })
}

fn version_name(p: &mut Parser<'_>) -> Result<String, SfError> {
    match &p.peek().tok {
        Tok::Str(s) => {
            let s = s.clone();
            p.advance();
            Ok(s.to_ascii_uppercase())
        }
        _ => p.ident(),
    }
}

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    head.only(&[], "MODEL")?;
    head.read_ine(p)?;
    let name = p.name(3)?;
    let key = ex.object_key(&name)?;
    if !p.eat_kws(&["WITH", "VERSION"]) {
        return Err(SfError::unsupported("CREATE MODEL without WITH VERSION"));
    }
    let v = version_name(p)?;
    let version = version_from(ex, p, v.clone())?;
    p.end()?;
    ex.writable_schema(&key.db, &key.schema)?;
    if let super::Existing::Skip(rows) = super::check_existing(ex, "MODEL", &key, &head, "Model")? {
        return Ok(rows);
    }
    let data = ModelData {
        versions: vec![version],
        default_version: v,
        comment: None,
    };
    storage::put(ex.conn, ex.account, "MODEL", &ex.new_obj(&key, data))?;
    Ok(created("Model", &key.name))
}

fn get(ex: &Ex<'_>, key: &Key) -> Result<Obj<ModelData>, SfError> {
    ex.parent_exists(key)?;
    storage::get(ex.conn, ex.account, "MODEL", key)?
        .ok_or_else(|| SfError::not_found("Model", &fqn(&[&key.db, &key.schema, &key.name])))
}

fn no_version(m: &str, v: &str) -> SfError {
    SfError::compile(
        "002003",
        "02000",
        format!("Model '{m}' version '{v}' does not exist or not authorized."),
    )
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.name(3)?;
    let key = ex.object_key(&name)?;
    let mut m = match get(ex, &key) {
        Ok(m) => m,
        Err(e) if if_exists && e.message.contains("Model '") => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&m.owner, &format!("model '{}'", key.name))?;
    if p.eat_kws(&["ADD", "VERSION"]) {
        p.eat_kws(&["IF", "NOT", "EXISTS"]);
        let v = version_name(p)?;
        let version = version_from(ex, p, v.clone())?;
        p.end()?;
        if m.data.versions.iter().any(|x| x.name == v) {
            return Err(SfError::compile(
                "002002",
                "42710",
                format!("Model '{}' version '{v}' already exists.", key.name),
            ));
        }
        m.data.versions.push(version);
    } else if p.eat_kws(&["DROP", "VERSION"]) {
        let v = version_name(p)?;
        p.end()?;
        if !m.data.versions.iter().any(|x| x.name == v) {
            return Err(no_version(&key.name, &v));
        }
        if m.data.default_version == v {
            return Err(SfError::compile(
                "002204",
                "42601",
                format!(
                    "Cannot drop the default version '{v}' of model '{}'. Set another default version first.",
                    key.name
                ),
            ));
        }
        m.data.versions.retain(|x| x.name != v);
    } else if p.eat_kw("SET") {
        let props = p.props(&[])?;
        p.end()?;
        if props.is_empty() {
            return Err(p.error());
        }
        for (k, v, _) in props {
            match k.as_str() {
                "DEFAULT_VERSION" => {
                    let name = v.as_ident().ok_or_else(|| SfError::invalid_value("", &k))?;
                    let name = if matches!(v, crate::emulator::parser::Value::Str(_)) {
                        name.to_ascii_uppercase()
                    } else {
                        name
                    };
                    if !m.data.versions.iter().any(|x| x.name == name) {
                        return Err(no_version(&key.name, &name));
                    }
                    m.data.default_version = name;
                }
                "COMMENT" => m.data.comment = Some(text_value(&v, &k)?),
                other => return Err(SfError::unsupported(&format!("MODEL property {other}"))),
            }
        }
    } else if p.eat_kw("UNSET") {
        p.expect_kw("COMMENT")?;
        p.end()?;
        m.data.comment = None;
    } else if let Some(w) = p.word() {
        return Err(SfError::unsupported(&format!("ALTER MODEL … {w}")));
    } else {
        return Err(p.error());
    }
    storage::put(ex.conn, ex.account, "MODEL", &m)?;
    Ok(done())
}

fn aliases_of(m: &ModelData, v: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if m.default_version == v {
        out.push("DEFAULT");
    }
    if m.versions.first().is_some_and(|x| x.name == v) {
        out.push("FIRST");
    }
    if m.versions.last().is_some_and(|x| x.name == v) {
        out.push("LAST");
    }
    out
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, true)?;
    let within = ex.within(opts.scope.as_ref(), false)?;
    let roles = ex.effective_roles()?;
    let mut items = Vec::new();
    for m in storage::list::<ModelData>(ex.conn, ex.account, "MODEL", within.db(), within.schema())?
    {
        if !ex.is_admin() && !roles.contains(&m.owner) {
            continue;
        }
        let names: Vec<&str> = m.data.versions.iter().map(|v| v.name.as_str()).collect();
        let mut aliases = serde_json::Map::new();
        aliases.insert("DEFAULT".into(), serde_json::json!(m.data.default_version));
        if let Some(f) = names.first() {
            aliases.insert("FIRST".into(), serde_json::json!(f));
        }
        if let Some(l) = names.last() {
            aliases.insert("LAST".into(), serde_json::json!(l));
        }
        items.push((
            m.name.clone(),
            vec![
                Some(ts(m.created_on)),
                opt(&m.name),
                opt("USER_MODEL"),
                opt(&m.db),
                opt(&m.schema),
                opt(&m.owner),
                m.data.comment.clone(),
                Some(serde_json::json!(names).to_string()),
                opt(&m.data.default_version),
                Some(serde_json::Value::Object(aliases).to_string()),
            ],
        ));
    }
    Ok(opts.finish(columns::rows(MODELS), items))
}

pub fn show_versions(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, true)?;
    let Some(Scope::Object(kind, name)) = &opts.scope else {
        return Err(SfError::unsupported("SHOW VERSIONS without IN MODEL"));
    };
    if kind != "MODEL" {
        return Err(SfError::unsupported(&format!("SHOW VERSIONS IN {kind}")));
    }
    let key = ex.object_key(name)?;
    let m = get(ex, &key)?;
    let mut items = Vec::new();
    for v in &m.data.versions {
        items.push((
            v.name.clone(),
            vec![
                Some(ts(v.created_on)),
                opt(&v.name),
                Some(serde_json::json!(aliases_of(&m.data, &v.name)).to_string()),
                opt(&m.db),
                opt(&m.schema),
                opt(&m.name),
                Some(tf(m.data.default_version == v.name)),
                opt("[\"PREDICT\"]"),
                opt("{}"),
                opt("{}"),
                v.comment.clone(),
                opt("[\"WAREHOUSE\"]"),
                None,
            ],
        ));
    }
    let mut o = opts.clone();
    o.scope = None;
    Ok(o.finish(columns::rows(MODEL_VERSIONS), items))
}
