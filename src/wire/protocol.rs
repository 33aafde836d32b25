//! The request handlers: sessions, tokens, statements and result chunks, with
//! responses in the JSON shapes Snowflake's connectors expect.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{ServerOptions, SessionFactory};
use crate::model::Ident;
use crate::runtime::session::{BackendError, Rows, SqlSession};
use crate::snowflake::{Secret, values};

/// Which credentials a login must present.
#[derive(Clone, Debug, Default)]
pub enum Credentials {
    /// Any non-empty password or token, and any well-formed, unexpired JWT for the
    /// right account and user (signatures are not checked: no keys are registered).
    #[default]
    Any,
    /// This password (or programmatic access token); JWTs as with `Any`.
    Secret(Secret),
}

const SERVER_VERSION: &str = "9.0.0-floe";

struct Session {
    id: u64,
    sql: Arc<dyn SqlSession>,
    token: String,
    token_expires: Instant,
    master: String,
    master_expires: Instant,
    role: String,
    warehouse: Option<String>,
    database: Option<String>,
    schema: Option<String>,
    /// Chunks of this session's results not yet dropped: "<query id>/<n>" → rows.
    chunks: BTreeMap<String, String>,
}

struct Server {
    factory: SessionFactory,
    options: ServerOptions,
    addr: SocketAddr,
    sessions: Mutex<BTreeMap<u64, Session>>,
    counter: AtomicU64,
}

type Shared = Arc<Server>;

pub(super) fn router(factory: SessionFactory, options: ServerOptions, addr: SocketAddr) -> Router {
    let server = Arc::new(Server {
        factory,
        options,
        addr,
        sessions: Mutex::new(BTreeMap::new()),
        counter: AtomicU64::new(0),
    });
    Router::new()
        .route("/session/v1/login-request", post(login))
        .route("/queries/v1/query-request", post(query))
        .route("/session/token-request", post(renew))
        .route("/session", post(logout))
        .route("/session/heartbeat", post(heartbeat))
        .route("/queries/v1/abort-request", post(ok_empty))
        .route("/telemetry/send", post(ok_empty))
        .route("/wire/chunks/{query}/{index}", get(chunk))
        .fallback(not_found)
        .with_state(server)
}

impl Server {
    fn sessions(&self) -> MutexGuard<'_, BTreeMap<u64, Session>> {
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn new_token(&self, kind: &str) -> String {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        format!("{kind}-{}-{nanos:x}", self.next())
    }

    async fn pause(&self) {
        if !self.options.latency.is_zero() {
            tokio::time::sleep(self.options.latency).await;
        }
    }
}

/// A request body as JSON. Snowflake's connectors gzip their request bodies.
fn request_json(body: &[u8]) -> Option<Value> {
    if body.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(body), &mut text).ok()?;
        serde_json::from_slice(&text).ok()
    } else {
        serde_json::from_slice(body).ok()
    }
}

fn reply(body: Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn failure(code: &str, message: &str, data: Value) -> Response {
    reply(json!({"success": false, "code": code, "message": message, "data": data}))
}

fn session_expired() -> Response {
    failure(
        "390112",
        "Your session has expired. Please login again.",
        Value::Null,
    )
}

fn no_session() -> Response {
    failure(
        "390111",
        "Session no longer exists.  New login required to access the service.",
        Value::Null,
    )
}

/// The token in `Authorization: Snowflake Token="…"`.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let rest = value.trim().strip_prefix("Snowflake Token=")?;
    Some(rest.trim_matches('"').to_string())
}

fn login_failure(message: &str) -> Response {
    failure(
        "390100",
        message,
        json!({"errorCode": "390100", "authnMethod": "USERNAME_PASSWORD", "nextAction": null}),
    )
}

async fn login(
    State(server): State<Shared>,
    Query(params): Query<BTreeMap<String, String>>,
    body: Bytes,
) -> Response {
    server.pause().await;
    let Some(body) = request_json(&body) else {
        return failure(
            "390101",
            "The login request is not valid JSON.",
            Value::Null,
        );
    };
    let data = &body["data"];
    let text = |key: &str| data[key].as_str().unwrap_or_default().trim().to_string();
    let account = text("ACCOUNT_NAME").to_ascii_uppercase();
    let user = text("LOGIN_NAME");
    if account.is_empty() || user.is_empty() {
        return login_failure("ACCOUNT_NAME and LOGIN_NAME are required.");
    }
    let authenticator = text("AUTHENTICATOR").to_ascii_uppercase();
    let checked = match authenticator.as_str() {
        "" | "SNOWFLAKE" => check_secret(&server.options.credentials, &text("PASSWORD")),
        "PROGRAMMATIC_ACCESS_TOKEN" => check_secret(&server.options.credentials, &text("TOKEN")),
        "SNOWFLAKE_JWT" => check_jwt(&text("TOKEN"), &account, &user),
        other => Err(format!("Authenticator {other} is not supported here.")),
    };
    if let Err(message) = checked {
        return login_failure(&message);
    }

    let factory = server.factory.clone();
    let for_account = account.clone();
    let opened = tokio::task::spawn_blocking(move || factory(&for_account)).await;
    let sql: Arc<dyn SqlSession> = match opened {
        Ok(Ok(session)) => Arc::from(session),
        Ok(Err(BackendError::Auth(message))) => return login_failure(&message),
        Ok(Err(error)) => {
            return failure(
                "390201",
                &format!("Cannot open a session for account {account}: {error}"),
                Value::Null,
            );
        }
        Err(_) => return failure("390201", "Opening the session failed.", Value::Null),
    };

    let requested = |key: &str| params.get(key).and_then(|v| Ident::parse(v).ok());
    // A role named at login must exist and be usable, as in Snowflake; the session
    // then runs as that role.
    let role = match requested("roleName") {
        None => "ACCOUNTADMIN".to_string(),
        Some(role) => {
            let use_sql = sql.clone();
            let statement = format!("USE ROLE {}", role.sql());
            let used = tokio::task::spawn_blocking(move || use_sql.execute(&statement)).await;
            if !matches!(used, Ok(Ok(_))) {
                return failure(
                    "390189",
                    &format!(
                        "Role '{}' specified in the connect string does not exist or not authorized. Contact your local system administrator, or attempt to login with another role, e.g. PUBLIC.",
                        role.as_str()
                    ),
                    json!({"errorCode": "390189"}),
                );
            }
            role.as_str().to_string()
        }
    };

    // Like Snowflake, a default that does not exist is left unset, not an error.
    let mut defaults = Vec::new();
    for (param, kind) in [
        ("warehouse", "WAREHOUSE"),
        ("databaseName", "DATABASE"),
        ("schemaName", "SCHEMA"),
    ] {
        if let Some(ident) = requested(param) {
            defaults.push((kind, ident));
        }
    }
    let use_sql = sql.clone();
    let applied = tokio::task::spawn_blocking(move || {
        defaults
            .into_iter()
            .filter(|(kind, ident)| {
                use_sql
                    .execute(&format!("USE {kind} {}", ident.sql()))
                    .is_ok()
            })
            .map(|(kind, ident)| (kind, ident.as_str().to_string()))
            .collect::<BTreeMap<_, _>>()
    })
    .await
    .unwrap_or_default();
    let options = &server.options;
    let now = Instant::now();
    let session = Session {
        id: server.next(),
        sql,
        token: server.new_token("st"),
        token_expires: now + options.session_token_validity,
        master: server.new_token("mt"),
        master_expires: now + options.master_token_validity,
        role,
        warehouse: applied.get("WAREHOUSE").cloned(),
        database: applied.get("DATABASE").cloned(),
        schema: applied.get("SCHEMA").cloned(),
        chunks: BTreeMap::new(),
    };
    let response = json!({
        "success": true,
        "code": null,
        "message": null,
        "data": {
            "token": session.token,
            "masterToken": session.master,
            "validityInSeconds": options.session_token_validity.as_secs().max(1),
            "masterValidityInSeconds": options.master_token_validity.as_secs().max(1),
            "sessionId": session.id,
            "serverVersion": SERVER_VERSION,
            "idToken": null,
            "mfaToken": null,
            "parameters": session_parameters(),
            "sessionInfo": {
                "roleName": session.role,
                "warehouseName": session.warehouse,
                "databaseName": session.database,
                "schemaName": session.schema,
            },
        },
    });
    let expired: Vec<Session> = {
        let mut sessions = server.sessions();
        sessions.insert(session.id, session);
        // Sessions whose master token has expired can never be used again.
        let dead: Vec<u64> = sessions
            .values()
            .filter(|s| now >= s.master_expires)
            .map(|s| s.id)
            .collect();
        dead.iter().filter_map(|id| sessions.remove(id)).collect()
    };
    if !expired.is_empty() {
        let _ = tokio::task::spawn_blocking(move || drop(expired)).await;
    }
    reply(response)
}

fn session_parameters() -> Value {
    json!([
        {"name": "TIMEZONE", "value": "UTC"},
        {"name": "TIMESTAMP_OUTPUT_FORMAT", "value": "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM"},
        {"name": "CLIENT_SESSION_KEEP_ALIVE", "value": false},
        {"name": "CLIENT_RESULT_CHUNK_SIZE", "value": 160},
        {"name": "AUTOCOMMIT", "value": true},
    ])
}

fn check_secret(credentials: &Credentials, presented: &str) -> Result<(), String> {
    let wrong = || "Incorrect username or password was specified.".to_string();
    if presented.is_empty() {
        return Err(wrong());
    }
    match credentials {
        Credentials::Any => Ok(()),
        Credentials::Secret(expected) if expected.expose() == presented => Ok(()),
        Credentials::Secret(_) => Err(wrong()),
    }
}

/// A key-pair login token must be a JWT for `<ACCOUNT>.<USER>` that has not expired.
fn check_jwt(token: &str, account: &str, user: &str) -> Result<(), String> {
    let invalid = |why: &str| format!("JWT token is invalid: {why}.");
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 || parts[2].is_empty() {
        return Err(invalid("not a signed JWT"));
    }
    let claims: Value = URL_SAFE_NO_PAD
        .decode(parts[1])
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| invalid("unreadable claims"))?;
    let expected = format!("{account}.{}", user.to_ascii_uppercase());
    if claims["sub"].as_str() != Some(expected.as_str()) {
        return Err(invalid(&format!("subject must be {expected}")));
    }
    let issuer_ok = claims["iss"]
        .as_str()
        .is_some_and(|iss| iss.starts_with(&format!("{expected}.SHA256:")));
    if !issuer_ok {
        return Err(invalid(
            "issuer must be <ACCOUNT>.<USER>.SHA256:<fingerprint>",
        ));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    if claims["exp"].as_u64().is_none_or(|exp| exp < now) {
        return Err(invalid("expired"));
    }
    Ok(())
}

/// Why a request's session token was refused.
enum Refused {
    Unknown,
    Expired,
}

impl Refused {
    fn response(self) -> Response {
        match self {
            Refused::Unknown => no_session(),
            Refused::Expired => session_expired(),
        }
    }
}

/// Finds the session of a session token.
fn session_for(
    server: &Server,
    headers: &HeaderMap,
) -> Result<(u64, Arc<dyn SqlSession>, Value), Refused> {
    let token = bearer(headers).ok_or(Refused::Unknown)?;
    let sessions = server.sessions();
    let session = sessions
        .values()
        .find(|s| s.token == token)
        .ok_or(Refused::Unknown)?;
    if Instant::now() >= session.token_expires {
        return Err(Refused::Expired);
    }
    let context = json!({
        "finalRoleName": session.role,
        "finalWarehouseName": session.warehouse,
        "finalDatabaseName": session.database,
        "finalSchemaName": session.schema,
    });
    Ok((session.id, session.sql.clone(), context))
}

async fn query(State(server): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    server.pause().await;
    let (id, sql_session, context) = match session_for(&server, &headers) {
        Ok(found) => found,
        Err(refused) => return refused.response(),
    };
    let Some(body) = request_json(&body) else {
        return failure(
            "000900",
            "The query request is not valid JSON.",
            Value::Null,
        );
    };
    let Some(sql) = body["sqlText"].as_str().map(str::to_string) else {
        return failure("000900", "SQL text is required.", Value::Null);
    };
    let query_id = query_id(server.next());
    let statement = sql.clone();
    let result = tokio::task::spawn_blocking(move || sql_session.execute(&statement)).await;
    let rows = match result {
        Ok(Ok(rows)) => rows,
        Ok(Err(error)) => return statement_error(&error, &query_id),
        Err(_) => {
            return statement_error(
                &BackendError::Protocol("the statement panicked".to_string()),
                &query_id,
            );
        }
    };
    let (data, chunks) = result_data(&server, &sql, rows, &query_id, context);
    if !chunks.is_empty() {
        let mut sessions = server.sessions();
        if let Some(session) = sessions.get_mut(&id) {
            session.chunks.extend(chunks);
        }
    }
    reply(json!({"success": true, "code": null, "message": null, "data": data}))
}

fn query_id(n: u64) -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    format!(
        "01{:06x}-0000-{:04x}-0000-{:012x}",
        secs & 0xff_ffff,
        n >> 48,
        n
    )
}

fn statement_error(error: &BackendError, query_id: &str) -> Response {
    let (code, sqlstate, message) = match error {
        BackendError::Sql {
            code,
            sqlstate,
            message,
            ..
        } => (code.clone(), sqlstate.clone(), message.clone()),
        other => ("000603".to_string(), "XX000".to_string(), other.to_string()),
    };
    failure(
        &code,
        &message,
        json!({
            "age": 0,
            "errorCode": code,
            "internalError": false,
            "queryId": query_id,
            "sqlState": sqlstate,
            "line": -1,
            "pos": -1,
            "type": "COMPILATION",
        }),
    )
}

/// Snowflake's lower-case wire type for a column type name.
fn wire_type(type_name: &str) -> &'static str {
    match type_name.to_ascii_uppercase().as_str() {
        "FIXED" | "NUMBER" | "NUMERIC" | "DECIMAL" | "INT" | "INTEGER" | "BIGINT" => "fixed",
        "REAL" | "FLOAT" | "DOUBLE" => "real",
        "BOOLEAN" => "boolean",
        "DATE" => "date",
        "TIME" => "time",
        "TIMESTAMP_LTZ" | "TIMESTAMP" => "timestamp_ltz",
        "TIMESTAMP_NTZ" | "DATETIME" => "timestamp_ntz",
        "TIMESTAMP_TZ" => "timestamp_tz",
        "VARIANT" => "variant",
        "OBJECT" => "object",
        "ARRAY" => "array",
        "BINARY" => "binary",
        _ => "text",
    }
}

/// Statement type ids as Snowflake reports them (connectors use them to tell DML).
fn statement_type(sql: &str) -> u64 {
    let first = sql
        .trim_start()
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    match first.as_str() {
        "SELECT" | "WITH" | "SHOW" | "DESC" | "DESCRIBE" | "LIST" | "LS" => 0x1000,
        _ => 0x6000,
    }
}

/// The `data` of a successful answer, and the chunks to keep for download.
fn result_data(
    server: &Server,
    sql: &str,
    rows: Rows,
    query_id: &str,
    context: Value,
) -> (Value, Vec<(String, String)>) {
    let Rows { columns, rows } = rows;
    let mut rowtype = Vec::with_capacity(columns.len());
    let mut encoders: Vec<Option<String>> = Vec::with_capacity(columns.len());
    for (index, column) in columns.iter().enumerate() {
        let mut ty = wire_type(&column.type_name);
        let column_values = || rows.iter().filter_map(|r| r.get(index).cloned().flatten());
        // A value the declared type cannot carry (a display string in a timestamp
        // column, say) makes the column text rather than a broken cell.
        let needs_encoding = matches!(
            ty,
            "date" | "time" | "timestamp_ltz" | "timestamp_ntz" | "timestamp_tz" | "boolean"
        );
        if needs_encoding && column_values().any(|v| values::encode(ty, &v).is_none()) {
            ty = "text";
        }
        let scale = match ty {
            "fixed" => column_values()
                .map(|v| v.split_once('.').map_or(0, |(_, f)| f.len()))
                .max()
                .unwrap_or(0),
            "time" | "timestamp_ltz" | "timestamp_ntz" | "timestamp_tz" => 9,
            _ => 0,
        };
        if ty == "fixed" && column_values().any(|v| v.parse::<f64>().is_err()) {
            ty = "text";
        }
        rowtype.push(json!({
            "name": column.name,
            "database": "",
            "schema": "",
            "table": "",
            "type": ty,
            "nullable": true,
            "length": if ty == "text" { json!(16_777_216) } else { Value::Null },
            "byteLength": if ty == "text" { json!(16_777_216) } else { Value::Null },
            "precision": if ty == "fixed" { json!(38) } else { Value::Null },
            "scale": scale,
            "collation": null,
        }));
        encoders.push(
            needs_encoding
                .then(|| ty.to_string())
                .filter(|t| t != "text"),
        );
    }
    let encoded: Vec<Value> = rows
        .into_iter()
        .map(|row| {
            Value::Array(
                row.into_iter()
                    .zip(&encoders)
                    .map(|(cell, encoder)| match (cell, encoder) {
                        (None, _) => Value::Null,
                        (Some(v), Some(ty)) => Value::String(values::encode(ty, &v).unwrap_or(v)),
                        (Some(v), None) => Value::String(v),
                    })
                    .collect(),
            )
        })
        .collect();
    let total = encoded.len();
    let per_chunk = server.options.chunk_rows.max(1);
    let mut parts = encoded.chunks(per_chunk);
    let inline: Vec<Value> = parts.next().map(<[Value]>::to_vec).unwrap_or_default();
    let mut chunks_meta = Vec::new();
    let mut stored = Vec::new();
    for (index, part) in parts.enumerate() {
        // JSON chunks are rows separated by commas, without enclosing brackets.
        let text = part
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let key = format!("{query_id}/{index}");
        chunks_meta.push(json!({
            "url": format!("http://{}/wire/chunks/{key}", server.addr),
            "rowCount": part.len(),
            "uncompressedSize": text.len(),
            "compressedSize": text.len(),
        }));
        stored.push((key, text));
    }
    let mut data = json!({
        "parameters": [],
        "rowtype": rowtype,
        "rowset": inline,
        "total": total,
        "returned": total,
        "queryId": query_id,
        "queryResultFormat": "json",
        "statementTypeId": statement_type(sql),
        "version": 1,
        "sendResultTime": SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default(),
        "numberOfBinds": 0,
        "arrayBindSupported": false,
    });
    if let (Some(data), Some(context)) = (data.as_object_mut(), context.as_object()) {
        for (key, value) in context {
            data.insert(key.clone(), value.clone());
        }
        if !chunks_meta.is_empty() {
            data.insert("chunks".to_string(), Value::Array(chunks_meta));
            data.insert("chunkHeaders".to_string(), json!({}));
        }
    }
    (data, stored)
}

async fn chunk(
    State(server): State<Shared>,
    Path((query, index)): Path<(String, String)>,
) -> Response {
    server.pause().await;
    let key = format!("{query}/{index}");
    let sessions = server.sessions();
    match sessions.values().find_map(|s| s.chunks.get(&key)) {
        Some(text) => ([(header::CONTENT_TYPE, "application/json")], text.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "no such result chunk").into_response(),
    }
}

async fn renew(State(server): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    server.pause().await;
    let Some(master) = bearer(&headers) else {
        return no_session();
    };
    let old = request_json(&body).and_then(|b| b["oldSessionToken"].as_str().map(str::to_string));
    let new_token = server.new_token("st");
    let mut sessions = server.sessions();
    let Some(session) = sessions.values_mut().find(|s| s.master == master) else {
        return no_session();
    };
    let now = Instant::now();
    if now >= session.master_expires {
        return failure(
            "390114",
            "Authentication token has expired.  The user must authenticate again.",
            Value::Null,
        );
    }
    if old.as_deref().is_some_and(|old| old != session.token) {
        return failure(
            "390111",
            "The session token to renew is not the current one.",
            Value::Null,
        );
    }
    let validity = server.options.session_token_validity;
    session.token = new_token;
    session.token_expires = now + validity;
    let master_left = session.master_expires.saturating_duration_since(now);
    reply(json!({
        "success": true,
        "code": null,
        "message": null,
        "data": {
            "sessionToken": session.token,
            "validityInSecondsST": validity.as_secs().max(1),
            "masterToken": session.master,
            "validityInSecondsMT": master_left.as_secs().max(1),
            "sessionId": session.id,
        },
    }))
}

async fn logout(
    State(server): State<Shared>,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    server.pause().await;
    if params.get("delete").map(String::as_str) == Some("true") {
        let token = bearer(&headers);
        let removed = {
            let mut sessions = server.sessions();
            let id = sessions
                .values()
                .find(|s| Some(&s.token) == token.as_ref())
                .map(|s| s.id);
            id.and_then(|id| sessions.remove(&id))
        };
        // The emulator session may do work on drop: not on the async workers.
        if let Some(session) = removed {
            let _ = tokio::task::spawn_blocking(move || drop(session)).await;
        }
    }
    ok_empty().await
}

async fn heartbeat(State(server): State<Shared>, headers: HeaderMap) -> Response {
    server.pause().await;
    match session_for(&server, &headers) {
        Ok(_) => reply(json!({"success": true, "code": null, "message": null, "data": {}})),
        Err(refused) => refused.response(),
    }
}

async fn ok_empty() -> Response {
    reply(json!({"success": true, "code": null, "message": null, "data": null}))
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"success": false, "code": "404", "message": "no such endpoint", "data": null})
            .to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_types_follow_snowflake() {
        assert_eq!(wire_type("TEXT"), "text");
        assert_eq!(wire_type("FIXED"), "fixed");
        assert_eq!(wire_type("timestamp_ltz"), "timestamp_ltz");
        assert_eq!(wire_type("GEOGRAPHY"), "text");
    }

    #[test]
    fn statement_types_tell_queries_from_ddl() {
        assert_eq!(statement_type("  show databases"), 0x1000);
        assert_eq!(statement_type("SELECT 1"), 0x1000);
        assert_eq!(statement_type("CREATE DATABASE d"), 0x6000);
    }

    #[test]
    fn jwt_checks_subject_issuer_and_expiry() {
        let claims = |sub: &str, exp: u64| {
            let c = json!({"sub": sub, "iss": format!("{sub}.SHA256:abc"), "exp": exp});
            format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(c.to_string()))
        };
        let future = 4_000_000_000;
        assert!(check_jwt(&claims("BANK.FLOE", future), "BANK", "floe").is_ok());
        assert!(check_jwt(&claims("BANK.OTHER", future), "BANK", "floe").is_err());
        assert!(check_jwt(&claims("BANK.FLOE", 1), "BANK", "floe").is_err());
        assert!(check_jwt("not-a-jwt", "BANK", "floe").is_err());
    }

    #[test]
    fn secrets_are_checked_when_configured() {
        assert!(check_secret(&Credentials::Any, "x").is_ok());
        assert!(check_secret(&Credentials::Any, "").is_err());
        let only = Credentials::Secret(Secret::new("right"));
        assert!(check_secret(&only, "right").is_ok());
        assert!(check_secret(&only, "wrong").is_err());
    }
}
