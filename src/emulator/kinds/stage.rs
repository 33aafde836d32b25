//! Stages, internal and external (URL). Internal stages hold files: PUT reads a
//! local file into the stage, LIST shows name/size/md5/last_modified (md5 = hex MD5
//! of the content), REMOVE deletes by prefix.

use md5::{Digest, Md5};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::file_format::{self, FileFormatData};
use super::{created, done, text_value};
use crate::emulator::columns::{self, DESC_STAGE, LIST_FILES, STAGES};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, opt};
use crate::emulator::parser::{Name, Parser, Value};
use crate::emulator::render::{fqn, http_date, tf, ts, yn};
use crate::emulator::show;
use crate::emulator::storage::{self, Key, Obj};
use crate::emulator::tokenizer::Tok;
use crate::runtime::session::{Column, Rows};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StageData {
    pub url: Option<String>,
    pub has_credentials: bool,
    /// The AWS key id (not secret); the secret key is never stored.
    pub aws_key_id: Option<String>,
    pub storage_integration: Option<String>,
    pub encryption: Option<String>,
    pub directory_enabled: bool,
    /// `FILE_FORMAT = (FORMAT_NAME = …)` or `FILE_FORMAT = name`.
    pub format_name: Option<String>,
    /// Inline `FILE_FORMAT = (TYPE = … …)`.
    pub format: FileFormatData,
    pub comment: String,
    pub temporary: bool,
}

fn apply(
    ex: &Ex<'_>,
    d: &mut StageData,
    props: Vec<(String, Value, usize)>,
) -> Result<(), SfError> {
    for (k, v, _) in props {
        match k.as_str() {
            "URL" => {
                let url = text_value(&v, &k)?;
                let lower = url.to_ascii_lowercase();
                if !(lower.starts_with("s3://")
                    || lower.starts_with("gcs://")
                    || lower.starts_with("azure://"))
                {
                    return Err(SfError::invalid_value(&url, "URL"));
                }
                d.url = Some(url);
            }
            "STORAGE_INTEGRATION" => {
                d.storage_integration =
                    Some(v.as_ident().ok_or_else(|| SfError::invalid_value("", &k))?);
            }
            "CREDENTIALS" => {
                let Value::Props(items) = v else {
                    return Err(SfError::invalid_value("", &k));
                };
                for (ck, cv) in items {
                    match ck.as_str() {
                        "AWS_KEY_ID" => d.aws_key_id = Some(text_value(&cv, &ck)?),
                        "AWS_SECRET_KEY" | "AWS_TOKEN" => {
                            text_value(&cv, &ck)?;
                        }
                        other => return Err(SfError::unsupported(&format!("CREDENTIALS {other}"))),
                    }
                }
                d.has_credentials = true;
            }
            "ENCRYPTION" => {
                let Value::Props(items) = v else {
                    return Err(SfError::invalid_value("", &k));
                };
                for (ek, ev) in items {
                    match ek.as_str() {
                        "TYPE" => {
                            d.encryption = Some(ev.text().unwrap_or_default().to_ascii_uppercase())
                        }
                        other => return Err(SfError::unsupported(&format!("ENCRYPTION {other}"))),
                    }
                }
            }
            "DIRECTORY" => {
                let Value::Props(items) = v else {
                    return Err(SfError::invalid_value("", &k));
                };
                for (dk, dv) in items {
                    match dk.as_str() {
                        "ENABLE" => {
                            d.directory_enabled = dv
                                .as_bool()
                                .ok_or_else(|| SfError::invalid_value("", &dk))?
                        }
                        other => return Err(SfError::unsupported(&format!("DIRECTORY {other}"))),
                    }
                }
            }
            "FILE_FORMAT" => match v {
                Value::Props(items) => {
                    if let Some((_, n)) = items.iter().find(|(k, _)| k == "FORMAT_NAME") {
                        if items.len() > 1 {
                            return Err(SfError::invalid_property("FORMAT_NAME", "STAGE"));
                        }
                        let name = n
                            .as_name()
                            .ok_or_else(|| SfError::invalid_value("", "FORMAT_NAME"))?;
                        d.format_name = Some(check_format(ex, &name)?);
                        d.format = FileFormatData {
                            format_type: "CSV".into(),
                            ..FileFormatData::default()
                        };
                    } else {
                        let mut f = FileFormatData {
                            format_type: "CSV".into(),
                            ..FileFormatData::default()
                        };
                        file_format::apply(&mut f, &items, true)?;
                        d.format = f;
                        d.format_name = None;
                    }
                }
                other => {
                    let name = other
                        .as_name()
                        .ok_or_else(|| SfError::invalid_value("", "FILE_FORMAT"))?;
                    d.format_name = Some(check_format(ex, &name)?);
                }
            },
            "COMMENT" => d.comment = text_value(&v, &k)?,
            other => return Err(SfError::unsupported(&format!("STAGE property {other}"))),
        }
    }
    if d.url.is_none() && (d.has_credentials || d.storage_integration.is_some()) {
        return Err(SfError::compile(
            "001008",
            "22023",
            "CREDENTIALS and STORAGE_INTEGRATION need an external stage URL.",
        ));
    }
    Ok(())
}

/// Resolves a file format name and checks it exists; returns it fully qualified.
fn check_format(ex: &Ex<'_>, name: &Name) -> Result<String, SfError> {
    let key = ex.object_key(name)?;
    file_format::get(ex, &key)?;
    Ok(fqn(&[&key.db, &key.schema, &key.name]))
}

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    head.only(&["TEMPORARY"], "STAGE")?;
    head.read_ine(p)?;
    let name = p.name(3)?;
    let key = ex.object_key(&name)?;
    let props = p.props(&[])?;
    if p.is_kw("WITH") || p.is_kw("TAG") {
        return Err(SfError::unsupported("CREATE STAGE … WITH TAG"));
    }
    p.end()?;
    let mut d = StageData {
        temporary: head.has("TEMPORARY"),
        format: FileFormatData {
            format_type: "CSV".into(),
            ..FileFormatData::default()
        },
        ..StageData::default()
    };
    apply(ex, &mut d, props)?;
    ex.writable_schema(&key.db, &key.schema)?;
    if let super::Existing::Skip(rows) = super::check_existing(ex, "STAGE", &key, &head, "Stage")? {
        return Ok(rows);
    }
    storage::put(ex.conn, ex.account, "STAGE", &ex.new_obj(&key, d))?;
    Ok(created("Stage area", &key.name))
}

fn get(ex: &Ex<'_>, key: &Key) -> Result<Obj<StageData>, SfError> {
    ex.parent_exists(key)?;
    storage::get(ex.conn, ex.account, "STAGE", key)?
        .ok_or_else(|| SfError::not_found("Stage", &fqn(&[&key.db, &key.schema, &key.name])))
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.name(3)?;
    let key = ex.object_key(&name)?;
    let mut s = match get(ex, &key) {
        Ok(s) => s,
        Err(e) if if_exists && e.message.contains("Stage '") => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&s.owner, &format!("stage '{}'", key.name))?;
    if p.eat_kw("SET") {
        if p.is_kw("TAG") {
            return Err(SfError::unsupported("SET TAG"));
        }
        let props = p.props(&[])?;
        p.end()?;
        if props.is_empty() {
            return Err(p.error());
        }
        let was_internal = s.data.url.is_none();
        apply(ex, &mut s.data, props)?;
        if was_internal != s.data.url.is_none() {
            return Err(SfError::compile(
                "001008",
                "22023",
                "Cannot change a stage between internal and external; recreate it.",
            ));
        }
    } else if p.eat_kws(&["RENAME", "TO"]) {
        let new = p.name(3)?;
        p.end()?;
        let new_key = if new.parts.len() == 1 {
            Key::in_schema(&key.db, &key.schema, &new.parts[0])
        } else {
            ex.object_key(&new)?
        };
        ex.writable_schema(&new_key.db, &new_key.schema)?;
        if storage::exists(ex.conn, ex.account, "STAGE", &new_key)? {
            return Err(SfError::already_exists(&new_key.name));
        }
        ex.conn.execute(
            "UPDATE stage_files SET db = ?5, schema = ?6, stage = ?7 WHERE account = ?1 AND db = ?2 AND schema = ?3 AND stage = ?4",
            params![ex.account, key.db, key.schema, key.name, new_key.db, new_key.schema, new_key.name],
        )?;
        ex.conn.execute(
            "DELETE FROM objects WHERE account = ?1 AND kind = 'STAGE' AND db = ?2 AND schema = ?3 AND name = ?4",
            params![ex.account, key.db, key.schema, key.name],
        )?;
        s.db = new_key.db;
        s.schema = new_key.schema;
        s.name = new_key.name;
    } else if p.is_kw("REFRESH") {
        return Err(SfError::unsupported("ALTER STAGE … REFRESH"));
    } else {
        return Err(p.error());
    }
    storage::put(ex.conn, ex.account, "STAGE", &s)?;
    Ok(done())
}

fn cloud(url: &str) -> &'static str {
    let l = url.to_ascii_lowercase();
    if l.starts_with("s3://") {
        "AWS"
    } else if l.starts_with("gcs://") {
        "GCP"
    } else {
        "AZURE"
    }
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, true)?;
    let within = ex.within(opts.scope.as_ref(), true)?;
    let roles = ex.effective_roles()?;
    let mut items = Vec::new();
    for s in storage::list::<StageData>(ex.conn, ex.account, "STAGE", within.db(), within.schema())?
    {
        if !ex.is_admin() && !roles.contains(&s.owner) {
            continue;
        }
        let d = &s.data;
        let kind = match (&d.url, d.temporary) {
            (None, false) => "INTERNAL",
            (None, true) => "INTERNAL TEMPORARY",
            (Some(_), false) => "EXTERNAL",
            (Some(_), true) => "EXTERNAL TEMPORARY",
        };
        items.push((
            s.name.clone(),
            vec![
                Some(ts(s.created_on)),
                opt(&s.name),
                opt(&s.db),
                opt(&s.schema),
                Some(d.url.clone().unwrap_or_default()),
                Some(yn(d.has_credentials)),
                Some(yn(false)),
                opt(&s.owner),
                opt(&d.comment),
                d.url.as_ref().map(|_| {
                    crate::emulator::REGION
                        .to_ascii_lowercase()
                        .replace('_', "-")
                }),
                opt(kind),
                d.url.as_deref().map(|u| cloud(u).to_string()),
                None,
                d.storage_integration.clone(),
                None,
                opt("ROLE"),
                Some(yn(d.directory_enabled)),
            ],
        ));
    }
    Ok(opts.finish(columns::rows(STAGES), items))
}

pub fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let name = p.name(3)?;
    p.end()?;
    let key = ex.object_key(&name)?;
    let s = get(ex, &key)?;
    let d = &s.data;
    let mut out = columns::rows(DESC_STAGE);
    let mut push = |parent: &str, prop: &str, ty: &str, value: String, default: String| {
        out.rows.push(vec![
            opt(parent),
            opt(prop),
            opt(ty),
            Some(value),
            Some(default),
        ]);
    };
    if let Some(f) = &d.format_name {
        push(
            "STAGE_FILE_FORMAT",
            "FORMAT_NAME",
            "String",
            f.clone(),
            String::new(),
        );
    } else {
        push(
            "STAGE_FILE_FORMAT",
            "TYPE",
            "String",
            d.format.format_type.clone(),
            "CSV".into(),
        );
        for (k, v, def) in file_format::effective(&d.format) {
            let (ty, value) = file_format::describe_value(&v, false);
            let (_, default) = file_format::describe_value(&def, false);
            push("STAGE_FILE_FORMAT", k, ty, value, default);
        }
    }
    push(
        "STAGE_COPY_OPTIONS",
        "ON_ERROR",
        "String",
        "ABORT_STATEMENT".into(),
        "ABORT_STATEMENT".into(),
    );
    push(
        "STAGE_COPY_OPTIONS",
        "SIZE_LIMIT",
        "Long",
        String::new(),
        String::new(),
    );
    for k in ["PURGE", "RETURN_FAILED_ONLY"] {
        push("STAGE_COPY_OPTIONS", k, "Boolean", tf(false), tf(false));
    }
    push(
        "STAGE_COPY_OPTIONS",
        "ENFORCE_LENGTH",
        "Boolean",
        tf(true),
        tf(true),
    );
    for k in ["TRUNCATECOLUMNS", "FORCE"] {
        push("STAGE_COPY_OPTIONS", k, "Boolean", tf(false), tf(false));
    }
    let url = d
        .url
        .as_ref()
        .map(|u| serde_json::json!([u]).to_string())
        .unwrap_or_default();
    push("STAGE_LOCATION", "URL", "String", url, String::new());
    if d.url.is_some() {
        push(
            "STAGE_INTEGRATION",
            "STORAGE_INTEGRATION",
            "String",
            d.storage_integration.clone().unwrap_or_default(),
            String::new(),
        );
        push(
            "STAGE_CREDENTIALS",
            "AWS_KEY_ID",
            "String",
            d.aws_key_id.clone().unwrap_or_default(),
            String::new(),
        );
    }
    push(
        "DIRECTORY",
        "ENABLE",
        "Boolean",
        tf(d.directory_enabled),
        tf(false),
    );
    push("DIRECTORY", "AUTO_REFRESH", "Boolean", tf(false), tf(false));
    Ok(out)
}

/// A stage reference `@name[/path]`: (stage key, path prefix without leading `/`).
fn stage_ref(ex: &Ex<'_>, raw: &str) -> Result<(Key, String), SfError> {
    if raw.starts_with('~') || raw.starts_with('%') {
        return Err(SfError::unsupported("user and table stages"));
    }
    let (name_part, path) = match raw.find('/') {
        Some(i) => (&raw[..i], raw[i + 1..].to_string()),
        None => (raw, String::new()),
    };
    let mut parts = Vec::new();
    let mut rest = name_part;
    while !rest.is_empty() {
        if let Some(stripped) = rest.strip_prefix('"') {
            let end = stripped
                .find('"')
                .ok_or_else(|| SfError::syntax_at(1, 0, raw))?;
            parts.push(stripped[..end].to_string());
            rest = &stripped[end + 1..];
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            parts.push(rest[..end].to_ascii_uppercase());
            rest = &rest[end..];
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    if parts.is_empty() || parts.len() > 3 {
        return Err(SfError::syntax_at(1, 0, raw));
    }
    let key = ex.object_key(&Name { parts })?;
    Ok((key, path.trim_start_matches('/').to_string()))
}

fn internal_stage(ex: &Ex<'_>, raw: &str) -> Result<(Obj<StageData>, String), SfError> {
    let (key, path) = stage_ref(ex, raw)?;
    let s = get(ex, &key)?;
    if s.data.url.is_some() {
        return Err(SfError::unsupported("file operations on external stages"));
    }
    Ok((s, path))
}

fn stage_token(p: &mut Parser<'_>) -> Result<String, SfError> {
    match &p.peek().tok {
        Tok::Stage(s) => {
            let s = s.clone();
            p.advance();
            Ok(s)
        }
        Tok::Str(s) if s.starts_with('@') => {
            let s = s[1..].to_string();
            p.advance();
            Ok(s)
        }
        _ => Err(p.error()),
    }
}

/// The largest file PUT reads. PUT reads the file on the emulator's host, also
/// when the statement arrives over the wire, so what it reads must be bounded.
pub const MAX_PUT_BYTES: u64 = 1 << 30;

/// Reads a PUT source: a regular file (after symlinks; never a device or FIFO,
/// which could hang or never end) of at most [`MAX_PUT_BYTES`], read with that cap.
fn read_local_file(path: &str) -> Result<Vec<u8>, SfError> {
    use std::io::Read;
    let missing = || SfError::new("253006", "22000", format!("File doesn't exist: ['{path}']"));
    let not_regular = || {
        SfError::new(
            "253006",
            "22000",
            format!("File doesn't exist: ['{path}'] (not a regular file)"),
        )
    };
    // Checked before opening: opening a FIFO for reading waits for a writer.
    if !std::fs::metadata(path).map_err(|_| missing())?.is_file() {
        return Err(not_regular());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Should the path turn into a FIFO after the check, opening still returns.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|_| missing())?;
    let metadata = file.metadata().map_err(|_| missing())?;
    if !metadata.is_file() {
        return Err(not_regular());
    }
    let too_large = || {
        SfError::new(
            "253006",
            "22000",
            format!(
                "File ['{path}'] is larger than the emulator's PUT limit of {} bytes",
                MAX_PUT_BYTES
            ),
        )
    };
    if metadata.len() > MAX_PUT_BYTES {
        return Err(too_large());
    }
    let mut content = Vec::new();
    file.take(MAX_PUT_BYTES + 1)
        .read_to_end(&mut content)
        .map_err(|_| missing())?;
    if content.len() as u64 > MAX_PUT_BYTES {
        return Err(too_large());
    }
    Ok(content)
}

pub fn put(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    p.advance();
    let source = match &p.peek().tok {
        Tok::Str(s) => s.clone(),
        _ => return Err(p.error()),
    };
    p.advance();
    let target = stage_token(p)?;
    let mut overwrite = false;
    let mut auto_compress = true;
    for (k, v, _) in p.props(&[])? {
        match k.as_str() {
            "AUTO_COMPRESS" => {
                auto_compress = v.as_bool().ok_or_else(|| SfError::invalid_value("", &k))?
            }
            "OVERWRITE" => overwrite = v.as_bool().ok_or_else(|| SfError::invalid_value("", &k))?,
            "PARALLEL" => {}
            "SOURCE_COMPRESSION" if v.text().is_some_and(|t| t.eq_ignore_ascii_case("NONE")) => {}
            other => return Err(SfError::unsupported(&format!("PUT option {other}"))),
        }
    }
    p.end()?;
    if auto_compress {
        return Err(SfError::unsupported(
            "PUT with AUTO_COMPRESS = TRUE (use AUTO_COMPRESS = FALSE)",
        ));
    }
    let Some(path) = source.strip_prefix("file://") else {
        return Err(SfError::compile(
            "253006",
            "22000",
            format!("File doesn't exist: ['{source}']"),
        ));
    };
    if path.contains('*') || path.contains('?') {
        return Err(SfError::unsupported("PUT with wildcards"));
    }
    let (stage, prefix) = internal_stage(ex, &target)?;
    let content = read_local_file(path)?;
    let file_name = std::path::Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| SfError::new("253006", "22000", format!("File doesn't exist: ['{path}']")))?
        .to_string();
    let stored = if prefix.is_empty() {
        file_name.clone()
    } else if prefix.ends_with('/') {
        format!("{prefix}{file_name}")
    } else {
        format!("{prefix}/{file_name}")
    };
    let exists: bool = ex
        .conn
        .prepare_cached("SELECT 1 FROM stage_files WHERE account = ?1 AND db = ?2 AND schema = ?3 AND stage = ?4 AND path = ?5")?
        .exists(params![ex.account, stage.db, stage.schema, stage.name, stored])?;
    let size = content.len() as i64;
    let status = if exists && !overwrite {
        "SKIPPED"
    } else {
        let md5 = hex::encode(Md5::digest(&content));
        ex.conn.execute(
            "INSERT OR REPLACE INTO stage_files (account, db, schema, stage, path, content, md5, size, last_modified)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![ex.account, stage.db, stage.schema, stage.name, stored, content, md5, size, ex.now],
        )?;
        "UPLOADED"
    };
    let cols = [
        "source",
        "target",
        "source_size",
        "target_size",
        "source_compression",
        "target_compression",
        "status",
        "message",
    ];
    let types = [
        "TEXT", "TEXT", "FIXED", "FIXED", "TEXT", "TEXT", "TEXT", "TEXT",
    ];
    Ok(Rows {
        columns: cols
            .iter()
            .zip(types)
            .map(|(n, t)| Column {
                name: n.to_string(),
                type_name: t.to_string(),
            })
            .collect(),
        rows: vec![vec![
            Some(file_name.clone()),
            Some(file_name),
            Some(size.to_string()),
            Some(size.to_string()),
            opt("NONE"),
            opt("NONE"),
            opt(status),
            opt(""),
        ]],
    })
}

/// Files of an internal stage under a prefix: (path, size, md5, last_modified), by path.
pub fn files(
    ex: &Ex<'_>,
    stage: &Key,
    prefix: &str,
) -> Result<Vec<(String, i64, String, i64)>, SfError> {
    let mut st = ex.conn.prepare_cached(
        "SELECT path, size, md5, last_modified FROM stage_files
         WHERE account = ?1 AND db = ?2 AND schema = ?3 AND stage = ?4 ORDER BY path",
    )?;
    let rows = st.query_map(
        params![ex.account, stage.db, stage.schema, stage.name],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let mut out = Vec::new();
    for r in rows {
        let r: (String, i64, String, i64) = r?;
        if r.0.starts_with(prefix) {
            out.push(r);
        }
    }
    Ok(out)
}

/// Resolves `@stage/path` for other kinds (models): the stage key and the prefix.
pub fn resolve(ex: &Ex<'_>, raw: &str) -> Result<(Key, String), SfError> {
    let (s, prefix) = internal_stage(ex, raw)?;
    Ok((Key::in_schema(&s.db, &s.schema, &s.name), prefix))
}

pub fn list(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    p.advance();
    let target = stage_token(p)?;
    if p.is_kw("PATTERN") {
        return Err(SfError::unsupported("LIST … PATTERN"));
    }
    p.end()?;
    let (stage, prefix) = internal_stage(ex, &target)?;
    let mut out = columns::rows(LIST_FILES);
    let shown = stage.name.to_ascii_lowercase();
    for (path, size, md5, modified) in files(
        ex,
        &Key::in_schema(&stage.db, &stage.schema, &stage.name),
        &prefix,
    )? {
        out.rows.push(vec![
            Some(format!("{shown}/{path}")),
            Some(size.to_string()),
            Some(md5),
            Some(http_date(modified)),
        ]);
    }
    Ok(out)
}

pub fn remove(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    p.advance();
    let target = stage_token(p)?;
    if p.is_kw("PATTERN") {
        return Err(SfError::unsupported("REMOVE … PATTERN"));
    }
    p.end()?;
    let (stage, prefix) = internal_stage(ex, &target)?;
    let key = Key::in_schema(&stage.db, &stage.schema, &stage.name);
    let shown = stage.name.to_ascii_lowercase();
    let mut out = Rows {
        columns: vec![
            Column {
                name: "name".into(),
                type_name: "TEXT".into(),
            },
            Column {
                name: "result".into(),
                type_name: "TEXT".into(),
            },
        ],
        rows: Vec::new(),
    };
    for (path, ..) in files(ex, &key, &prefix)? {
        ex.conn.execute(
            "DELETE FROM stage_files WHERE account = ?1 AND db = ?2 AND schema = ?3 AND stage = ?4 AND path = ?5",
            params![ex.account, key.db, key.schema, key.name, path],
        )?;
        out.rows
            .push(vec![Some(format!("{shown}/{path}")), opt("removed")]);
    }
    Ok(out)
}
