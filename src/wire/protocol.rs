//! The request handlers: sessions, tokens, statements and result chunks, with
//! responses in the JSON shapes Snowflake's connectors expect.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::secure::{self, BodyError, BodyLimits, RegisteredKey};
use super::{ServerOptions, SessionFactory};
use crate::model::Ident;
use crate::runtime::session::{BackendError, Rows, SqlSession};
use crate::snowflake::{Secret, values};

/// Which credentials a login must present.
#[derive(Clone, Debug, Default)]
pub enum Credentials {
    /// Any non-empty password or token. A key-pair JWT must be well formed, for
    /// the right account and user, and unexpired; when the account has that user
    /// (`CREATE USER`), its signature must verify with the user's registered
    /// `RSA_PUBLIC_KEY` or `RSA_PUBLIC_KEY_2`. Where the account has no such user
    /// there is no key to check against and the signature is not checked.
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
    /// Chunked results of this session, by query id; dropped with the session.
    results: BTreeMap<String, ChunkedResult>,
}

/// The downloadable part of one result.
struct ChunkedResult {
    /// 128-bit random; the client sends it back in [`CHUNK_KEY_HEADER`].
    key: String,
    /// JSON rows of each chunk, without enclosing brackets.
    chunks: Vec<String>,
}

/// The header a chunk download must carry, announced in `chunkHeaders` (which
/// Snowflake's connectors send with every chunk request, as they do for the
/// encryption-key headers of Snowflake's own result storage).
const CHUNK_KEY_HEADER: &str = "x-floe-chunk-key";

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

    /// Reads a request body as JSON within the configured limits: `Ok(None)` when
    /// it is not JSON, `Err` with the answer (413, 408, 400) when it cannot be read.
    async fn request_json(&self, body: Body) -> Result<Option<Value>, Response> {
        let options = &self.options;
        let limits = BodyLimits {
            max_bytes: options.max_body_bytes,
            max_decompressed: options.max_decompressed_bytes,
            timeout: options.idle_timeout,
        };
        let read = secure::read_body(body, limits)
            .await
            .and_then(|bytes| secure::decompress(bytes, limits.max_decompressed));
        match read {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(error) => Err(body_refused(error)),
        }
    }

    async fn pause(&self) {
        if !self.options.latency.is_zero() {
            tokio::time::sleep(self.options.latency).await;
        }
    }
}

fn body_refused(error: BodyError) -> Response {
    let (status, message) = match error {
        BodyError::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is too large",
        ),
        BodyError::TimedOut => (
            StatusCode::REQUEST_TIMEOUT,
            "the request body did not arrive in time",
        ),
        BodyError::Unreadable => (StatusCode::BAD_REQUEST, "the request body is unreadable"),
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"success": false, "code": status.as_str(), "message": message, "data": null})
            .to_string(),
    )
        .into_response()
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

/// Snowflake's answer to a key-pair token it does not accept.
fn jwt_failure(message: &str) -> Response {
    failure(
        "390144",
        message,
        json!({"errorCode": "390144", "authnMethod": "KEY_PAIR", "sqlState": "08001", "nextAction": null}),
    )
}

/// The public keys registered for `user`, read with `DESCRIBE USER`: `Ok(None)`
/// when the account has no such user, `Err` when the keys cannot be read (the login
/// is then refused, never waved through).
fn registered_keys(sql: &dyn SqlSession, user: &str) -> Result<Option<Vec<RegisteredKey>>, String> {
    // Login names are case-insensitive: the user `floe` is stored as FLOE.
    let name = Ident::from_stored(user.to_ascii_uppercase());
    let unreadable = || "JWT token is invalid: the user's public keys cannot be read.".to_string();
    let rows = match sql.execute(&format!("DESCRIBE USER {}", name.sql())) {
        Ok(rows) => rows,
        Err(error) if error.is_not_found() => return Ok(None),
        Err(_) => return Err(unreadable()),
    };
    let column = |name: &str| rows.columns.iter().position(|c| c.name == name);
    let (Some(property), Some(value)) = (column("property"), column("value")) else {
        return Err(unreadable());
    };
    let described: BTreeMap<String, String> = rows
        .rows
        .iter()
        .filter_map(|row| {
            let key = row.get(property).cloned().flatten()?;
            let value = row.get(value).cloned().flatten()?;
            // DESCRIBE USER shows an unset property as `null`.
            (!value.is_empty() && value != "null").then_some((key, value))
        })
        .collect();
    Ok(Some(
        ["RSA_PUBLIC_KEY", "RSA_PUBLIC_KEY_2"]
            .into_iter()
            .filter_map(|property| {
                Some(RegisteredKey {
                    key: described.get(property)?.clone(),
                    fingerprint: described.get(&format!("{property}_FP"))?.clone(),
                })
            })
            .collect(),
    ))
}

async fn login(
    State(server): State<Shared>,
    Query(params): Query<BTreeMap<String, String>>,
    body: Body,
) -> Response {
    server.pause().await;
    let body = match server.request_json(body).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let Some(body) = body else {
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
    let jwt_token = text("TOKEN");
    let mut jwt = None;
    let checked = match authenticator.as_str() {
        "" | "SNOWFLAKE" => check_secret(&server.options.credentials, &text("PASSWORD")),
        "PROGRAMMATIC_ACCESS_TOKEN" => check_secret(&server.options.credentials, &jwt_token),
        "SNOWFLAKE_JWT" => match secure::parse_jwt(&jwt_token, &account, &user) {
            Ok(parsed) => {
                jwt = Some(parsed);
                Ok(())
            }
            Err(message) => return jwt_failure(&message),
        },
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

    // A key-pair token must be signed by a key registered for the user, when the
    // account has that user.
    if let Some(jwt) = jwt {
        let describe_sql = sql.clone();
        let login_user = user.clone();
        let keys =
            tokio::task::spawn_blocking(move || registered_keys(&*describe_sql, &login_user))
                .await
                .unwrap_or_else(|_| Err("JWT token is invalid: the key check failed.".into()));
        let verified = match keys {
            Ok(None) => Ok(()),
            Ok(Some(keys)) => jwt.verify(&keys),
            Err(message) => Err(message),
        };
        if let Err(message) = verified {
            return jwt_failure(&message);
        }
    }

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
        token: secure::token("st"),
        token_expires: now + options.session_token_validity,
        master: secure::token("mt"),
        master_expires: now + options.master_token_validity,
        role,
        warehouse: applied.get("WAREHOUSE").cloned(),
        database: applied.get("DATABASE").cloned(),
        schema: applied.get("SCHEMA").cloned(),
        results: BTreeMap::new(),
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
        .find(|s| secure::same(&s.token, &token))
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

async fn query(State(server): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    server.pause().await;
    let (id, sql_session, context) = match session_for(&server, &headers) {
        Ok(found) => found,
        Err(refused) => return refused.response(),
    };
    let body = match server.request_json(body).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let Some(body) = body else {
        return failure(
            "000900",
            "The query request is not valid JSON.",
            Value::Null,
        );
    };
    let Some(sql) = body["sqlText"].as_str().map(str::to_string) else {
        return failure("000900", "SQL text is required.", Value::Null);
    };
    let query_id = secure::query_id();
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
    if let Some(chunks) = chunks {
        let mut sessions = server.sessions();
        if let Some(session) = sessions.get_mut(&id) {
            session.results.insert(query_id, chunks);
        }
    }
    reply(json!({"success": true, "code": null, "message": null, "data": data}))
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
) -> (Value, Option<ChunkedResult>) {
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
        chunks_meta.push(json!({
            "url": format!("http://{}/wire/chunks/{query_id}/{index}", server.addr),
            "rowCount": part.len(),
            "uncompressedSize": text.len(),
            "compressedSize": text.len(),
        }));
        stored.push(text);
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
    let chunked = (!stored.is_empty()).then(|| ChunkedResult {
        key: secure::token("ck"),
        chunks: stored,
    });
    if let (Some(data), Some(context)) = (data.as_object_mut(), context.as_object()) {
        for (key, value) in context {
            data.insert(key.clone(), value.clone());
        }
        if let Some(chunked) = &chunked {
            data.insert("chunks".to_string(), Value::Array(chunks_meta));
            data.insert(
                "chunkHeaders".to_string(),
                json!({ CHUNK_KEY_HEADER: chunked.key }),
            );
        }
    }
    (data, chunked)
}

/// A result chunk, for the holder of its result's key only. Connectors send no
/// session token with chunk downloads, so the key (handed only to the session that
/// ran the query) is what ties the chunk to that session; a request that does carry
/// a token must carry that session's. Chunks go when their session does.
async fn chunk(
    State(server): State<Shared>,
    Path((query, index)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    server.pause().await;
    let presented = headers
        .get(CHUNK_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let token = bearer(&headers);
    let sessions = server.sessions();
    let found = sessions
        .values()
        .find_map(|s| s.results.get(&query).map(|result| (s, result)));
    let Some((session, result)) = found else {
        return (StatusCode::NOT_FOUND, "no such result chunk").into_response();
    };
    let other_session = token.is_some_and(|token| !secure::same(&token, &session.token));
    if !secure::same(presented, &result.key) || other_session {
        return (
            StatusCode::FORBIDDEN,
            "this result chunk belongs to another session",
        )
            .into_response();
    }
    match index
        .parse::<usize>()
        .ok()
        .and_then(|i| result.chunks.get(i))
    {
        Some(text) => ([(header::CONTENT_TYPE, "application/json")], text.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "no such result chunk").into_response(),
    }
}

async fn renew(State(server): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    server.pause().await;
    let Some(master) = bearer(&headers) else {
        return no_session();
    };
    let body = match server.request_json(body).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let old = body.and_then(|b| b["oldSessionToken"].as_str().map(str::to_string));
    let new_token = secure::token("st");
    let mut sessions = server.sessions();
    let Some(session) = sessions
        .values_mut()
        .find(|s| secure::same(&s.master, &master))
    else {
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
    if old
        .as_deref()
        .is_some_and(|old| !secure::same(old, &session.token))
    {
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
                .find(|s| token.as_ref().is_some_and(|t| secure::same(t, &s.token)))
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

    /// A session whose every statement fails with `code`.
    struct Failing(&'static str);

    impl SqlSession for Failing {
        fn execute(&self, sql: &str) -> Result<Rows, BackendError> {
            Err(BackendError::Sql {
                code: self.0.to_string(),
                sqlstate: "02000".to_string(),
                message: "no".to_string(),
                query_id: None,
                statement: sql.to_string(),
            })
        }
    }

    #[test]
    fn keys_that_cannot_be_read_refuse_the_login() {
        assert!(matches!(
            registered_keys(&Failing("002003"), "floe"),
            Ok(None)
        ));
        assert!(registered_keys(&Failing("000002"), "floe").is_err());
        let emulator = crate::emulator::Emulator::open_in_memory().unwrap();
        let session = emulator.session("bank");
        assert!(matches!(registered_keys(&session, "floe"), Ok(None)));
        session.execute("CREATE USER FLOE").unwrap();
        assert!(matches!(registered_keys(&session, "floe"), Ok(Some(keys)) if keys.is_empty()));
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
