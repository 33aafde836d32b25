//! A blocking Snowflake REST client: login, statements, token renewal, logout.
//!
//! It speaks the protocol Snowflake's own connectors use (`/session/v1/login-request`,
//! `/queries/v1/query-request`, `/session/token-request`, `/session?delete=true`)
//! over `reqwest`, with explicit timeouts, retries of transient failures and a
//! configurable base URL. Results are requested as JSON; a JSON result split into
//! chunks is downloaded in full and its row count checked against what the server
//! announced, so a truncated result is an error, never a shorter answer.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{Value, json};

use super::auth::{KeyPair, jwt_account};
use super::config::{Auth, ConnectionConfig};
use super::secret::{Secret, redact};
use super::transfer;
use super::values;
use crate::runtime::session::{BackendError, Column, Rows, SqlSession};

/// The client identity sent at login. Snowflake applies per-driver session
/// parameters by this id; `GO_QUERY_RESULT_FORMAT = JSON` below asks for JSON results.
const CLIENT_APP_ID: &str = "Go";
const CLIENT_APP_VERSION: &str = "1.6.22";

/// Snowflake's codes the client reacts to.
const SESSION_EXPIRED: &str = "390112";
const MASTER_EXPIRED: &str = "390114";
const QUERY_IN_PROGRESS: &str = "333333";
const QUERY_IN_PROGRESS_ASYNC: &str = "333334";

/// How long closing a session may take (also on drop).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// What the login told us about the session.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SessionInfo {
    pub server_version: Option<String>,
    pub role: Option<String>,
    pub warehouse: Option<String>,
    pub database: Option<String>,
    pub schema: Option<String>,
}

struct Tokens {
    session: Secret,
    master: Secret,
    /// When the session token must be renewed (None: never expires).
    session_expires: Option<Instant>,
    master_expires: Option<Instant>,
}

/// A logged-in session with one Snowflake account. Safe to share between threads;
/// the session is closed by [`SnowflakeSession::close`] or on drop.
pub struct SnowflakeSession {
    config: ConnectionConfig,
    base_url: String,
    http: Client,
    key: Option<KeyPair>,
    tokens: Mutex<Tokens>,
    info: SessionInfo,
    sequence: AtomicU64,
    closed: AtomicBool,
}

impl std::fmt::Debug for SnowflakeSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnowflakeSession")
            .field("connection", &self.config.name)
            .field("account", &self.config.account)
            .field("base_url", &self.base_url)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl SnowflakeSession {
    /// Logs in with `config`.
    pub fn connect(config: ConnectionConfig) -> Result<Self, BackendError> {
        let http = Client::builder()
            .connect_timeout(config.options.connect_timeout)
            .timeout(config.options.request_timeout)
            .user_agent(concat!("floe/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| BackendError::Network(format!("cannot build the HTTP client: {e}")))?;
        let key = match &config.auth {
            Auth::KeyPair {
                private_key_file,
                passphrase,
            } => Some(KeyPair::from_file(private_key_file, passphrase.as_ref())),
            Auth::KeyPairRaw {
                private_key,
                passphrase,
            } => Some(KeyPair::from_pem(private_key.expose(), passphrase.as_ref())),
            _ => None,
        }
        .transpose()
        .map_err(|e| BackendError::Auth(format!("connection `{}`: {e}", config.name)))?;
        let base_url = config.resolved_base_url();
        let placeholder = Tokens {
            session: Secret::default(),
            master: Secret::default(),
            session_expires: None,
            master_expires: None,
        };
        let mut session = SnowflakeSession {
            config,
            base_url,
            http,
            key,
            tokens: Mutex::new(placeholder),
            info: SessionInfo::default(),
            sequence: AtomicU64::new(0),
            // Not open until the login succeeds: nothing to close on drop before.
            closed: AtomicBool::new(true),
        };
        let (tokens, info) = session.login()?;
        session.tokens = Mutex::new(tokens);
        session.info = info;
        session.closed.store(false, Ordering::SeqCst);
        Ok(session)
    }

    /// The session's role, warehouse, database and schema as the login reported them.
    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// Logs out. Later statements fail; closing twice is a no-op.
    pub fn close(&self) -> Result<(), BackendError> {
        if self.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let token = self.lock_tokens().session.clone();
        let url = self.url("/session", &[("delete", "true".to_string())]);
        let response = self.send(
            || {
                self.http
                    .post(&url)
                    .timeout(CLOSE_TIMEOUT)
                    .header("Accept", "application/snowflake")
                    .header("Authorization", auth_header(&token))
                    .json(&Value::Null)
            },
            true,
        )?;
        let body = self.json_body(response, "/session")?;
        if body["success"].as_bool() == Some(true) {
            Ok(())
        } else {
            Err(BackendError::Protocol(format!(
                "closing the session failed: {}",
                self.server_message(&body)
            )))
        }
    }

    /// Runs one statement and returns every row of its result.
    pub fn query(&self, sql: &str) -> Result<Rows, BackendError> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(BackendError::Protocol("the session is closed".to_string()));
        }
        let mut renewed = false;
        loop {
            let token = self.fresh_token()?;
            let body = self.post_query(sql, &token)?;
            if body["success"].as_bool() == Some(true) {
                return self.rows(sql, &body["data"]);
            }
            match code(&body).as_deref() {
                Some(SESSION_EXPIRED) if !renewed => {
                    self.renew(&token)?;
                    renewed = true;
                }
                Some(QUERY_IN_PROGRESS | QUERY_IN_PROGRESS_ASYNC) => {
                    let body = self.wait_for_result(sql, &token, &body)?;
                    return self.rows(sql, &body["data"]);
                }
                _ => return Err(self.sql_error(sql, &body)),
            }
        }
    }

    // ---- login, renewal ----

    fn login(&self) -> Result<(Tokens, SessionInfo), BackendError> {
        let config = &self.config;
        let mut data = json!({
            "CLIENT_APP_ID": CLIENT_APP_ID,
            "CLIENT_APP_VERSION": CLIENT_APP_VERSION,
            "SVN_REVISION": "",
            "ACCOUNT_NAME": jwt_account(&config.account),
            "LOGIN_NAME": config.user,
            "SESSION_PARAMETERS": {
                "CLIENT_VALIDATE_DEFAULT_PARAMETERS": true,
                "GO_QUERY_RESULT_FORMAT": "JSON",
            },
            "CLIENT_ENVIRONMENT": {
                "APPLICATION": "floe",
                "OS": std::env::consts::OS,
                "OS_VERSION": std::env::consts::ARCH,
                "OCSP_MODE": "FAIL_OPEN",
            },
        });
        let secret;
        match &config.auth {
            Auth::Password(password) => {
                data["PASSWORD"] = json!(password.expose());
            }
            Auth::KeyPair { .. } | Auth::KeyPairRaw { .. } => {
                let key = self.key.as_ref().ok_or_else(|| {
                    BackendError::Auth("key-pair connection without a loaded key".to_string())
                })?;
                secret = key
                    .jwt(&config.account, &config.user, SystemTime::now())
                    .map_err(|e| BackendError::Auth(e.to_string()))?;
                data["AUTHENTICATOR"] = json!("SNOWFLAKE_JWT");
                data["TOKEN"] = json!(secret.expose());
            }
            Auth::ProgrammaticAccessToken(token) => {
                data["AUTHENTICATOR"] = json!("PROGRAMMATIC_ACCESS_TOKEN");
                data["TOKEN"] = json!(token.expose());
            }
        }
        let mut params = Vec::new();
        for (name, value) in [
            ("warehouse", &config.warehouse),
            ("databaseName", &config.database),
            ("schemaName", &config.schema),
            ("roleName", &config.role),
        ] {
            if let Some(value) = value {
                params.push((name, value.clone()));
            }
        }
        let url = self.url("/session/v1/login-request", &params);
        let body = json!({ "data": data });
        let started = Instant::now();
        let response = self.send(
            || {
                self.http
                    .post(&url)
                    .header("Accept", "application/json")
                    .json(&body)
            },
            true,
        )?;
        if matches!(
            response.status(),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        ) {
            return Err(BackendError::Auth(format!(
                "connection `{}`: HTTP {} from the login endpoint",
                config.name,
                response.status()
            )));
        }
        let reply = self.json_body(response, "/session/v1/login-request")?;
        if reply["success"].as_bool() != Some(true) {
            return Err(BackendError::Auth(format!(
                "connection `{}` (account {}, user {}): {}",
                config.name,
                config.account,
                config.user,
                self.server_message(&reply)
            )));
        }
        let data = &reply["data"];
        let session = data["token"].as_str().ok_or_else(|| {
            BackendError::Protocol("login response without data.token".to_string())
        })?;
        let master = data["masterToken"].as_str().unwrap_or_default();
        let info = &data["sessionInfo"];
        let text = |v: &Value| v.as_str().map(str::to_string);
        Ok((
            Tokens {
                session: Secret::new(session),
                master: Secret::new(master),
                session_expires: expiry(started, &data["validityInSeconds"]),
                master_expires: expiry(started, &data["masterValidityInSeconds"]),
            },
            SessionInfo {
                server_version: text(&data["serverVersion"]),
                role: text(&info["roleName"]),
                warehouse: text(&info["warehouseName"]),
                database: text(&info["databaseName"]),
                schema: text(&info["schemaName"]),
            },
        ))
    }

    fn lock_tokens(&self) -> std::sync::MutexGuard<'_, Tokens> {
        // A panic while holding the lock cannot leave the tokens half-written (they
        // are replaced whole), so a poisoned lock is still usable.
        self.tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The session token, renewed first when it is known to have expired.
    fn fresh_token(&self) -> Result<Secret, BackendError> {
        let (token, expired) = {
            let tokens = self.lock_tokens();
            let expired = tokens
                .session_expires
                .is_some_and(|at| Instant::now() >= at);
            (tokens.session.clone(), expired)
        };
        if expired {
            self.renew(&token)?;
            return Ok(self.lock_tokens().session.clone());
        }
        Ok(token)
    }

    /// Renews the session token `used` (unless another thread already did), logging
    /// in again when the master token has expired too.
    fn renew(&self, used: &Secret) -> Result<(), BackendError> {
        let mut tokens = self.lock_tokens();
        if tokens.session != *used {
            return Ok(()); // renewed meanwhile
        }
        let master_expired = tokens.master.is_empty()
            || tokens.master_expires.is_some_and(|at| Instant::now() >= at);
        if !master_expired {
            let url = self.url("/session/token-request", &[]);
            let body = json!({"oldSessionToken": tokens.session.expose(), "requestType": "RENEW"});
            let master = tokens.master.clone();
            let started = Instant::now();
            let response = self.send(
                || {
                    self.http
                        .post(&url)
                        .header("Accept", "application/snowflake")
                        .header("Authorization", auth_header(&master))
                        .json(&body)
                },
                true,
            )?;
            let reply = self.json_body(response, "/session/token-request")?;
            if reply["success"].as_bool() == Some(true) {
                let data = &reply["data"];
                let session = data["sessionToken"].as_str().ok_or_else(|| {
                    BackendError::Protocol("renew response without data.sessionToken".to_string())
                })?;
                tokens.session = Secret::new(session);
                if let Some(master) = data["masterToken"].as_str() {
                    tokens.master = Secret::new(master);
                    tokens.master_expires = expiry(started, &data["validityInSecondsMT"]);
                }
                tokens.session_expires = expiry(started, &data["validityInSecondsST"]);
                return Ok(());
            }
            if code(&reply).as_deref() != Some(MASTER_EXPIRED) {
                return Err(BackendError::Auth(format!(
                    "renewing the session token failed: {}",
                    self.server_message(&reply)
                )));
            }
        }
        let (fresh, _) = self.login()?;
        *tokens = fresh;
        Ok(())
    }

    // ---- statements ----

    fn post_query(&self, sql: &str, token: &Secret) -> Result<Value, BackendError> {
        let sequence = self.sequence.fetch_add(1, Ordering::SeqCst) + 1;
        let body = json!({
            "sqlText": sql,
            "asyncExec": false,
            "sequenceId": sequence,
            "isInternal": false,
            "querySubmissionTime": now_millis(),
            "parameters": {"GO_QUERY_RESULT_FORMAT": "JSON"},
        });
        // One request id for every retry, so the server can tell a retry from a
        // second submission.
        let url = self.url("/queries/v1/query-request", &[]);
        let response = self.send(
            || {
                self.http
                    .post(&url)
                    .header("Accept", "application/snowflake")
                    .header("Authorization", auth_header(token))
                    .json(&body)
            },
            false,
        )?;
        self.json_body(response, "/queries/v1/query-request")
    }

    /// Polls `data.getResultUrl` of a statement still running after the server's
    /// synchronous wait, until it finishes or the request timeout passes.
    fn wait_for_result(
        &self,
        sql: &str,
        token: &Secret,
        first: &Value,
    ) -> Result<Value, BackendError> {
        let deadline = Instant::now() + self.config.options.request_timeout;
        let mut body = first.clone();
        let mut pause = Duration::from_millis(100);
        loop {
            let Some(path) = body["data"]["getResultUrl"].as_str() else {
                return Err(BackendError::Protocol(
                    "statement in progress without data.getResultUrl".to_string(),
                ));
            };
            if Instant::now() + pause > deadline {
                return Err(BackendError::Timeout(format!(
                    "statement {} still running after {:?}",
                    body["data"]["queryId"].as_str().unwrap_or("?"),
                    self.config.options.request_timeout
                )));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_secs(5));
            let url = if path.starts_with("http") {
                path.to_string()
            } else {
                format!("{}{path}", self.base_url)
            };
            let response = self.send(
                || {
                    self.http
                        .get(&url)
                        .header("Accept", "application/snowflake")
                        .header("Authorization", auth_header(token))
                },
                true,
            )?;
            body = self.json_body(response, "getResultUrl")?;
            if body["success"].as_bool() == Some(true) {
                return Ok(body);
            }
            if !matches!(
                code(&body).as_deref(),
                Some(QUERY_IN_PROGRESS | QUERY_IN_PROGRESS_ASYNC)
            ) {
                return Err(self.sql_error(sql, &body));
            }
        }
    }

    /// Turns a successful `data` object into rows, downloading every chunk.
    fn rows(&self, sql: &str, data: &Value) -> Result<Rows, BackendError> {
        // Name the statement by its first words only: the rest may hold credentials
        // (a stage's keys) that must not end up in an error message.
        let protocol = |what: String| {
            BackendError::Protocol(format!("{what} (in `{} …`)", leading_words(sql)))
        };
        // PUT and GET are answered with file-transfer instructions (`command`, the
        // stage's cloud storage and temporary credentials): the client itself must
        // move the files. PUT is carried out by `transfer`; GET is not supported and
        // must never pass for a result.
        match data["command"].as_str() {
            Some("UPLOAD") => {
                let options = transfer::TransferOptions {
                    max_retries: self.config.options.max_retries,
                    retry_backoff: self.config.options.retry_backoff,
                };
                return transfer::upload(&self.http, data, options).map_err(|e| {
                    match BackendError::from(e) {
                        BackendError::Network(m) => {
                            BackendError::Network(format!("{m} (in `{} …`)", leading_words(sql)))
                        }
                        BackendError::Protocol(m) => protocol(m),
                        other => other,
                    }
                });
            }
            Some("DOWNLOAD") => {
                let storage = data["stageInfo"]["locationType"]
                    .as_str()
                    .unwrap_or("unknown");
                return Err(protocol(format!(
                    "the server asks the client to download the files itself (`DOWNLOAD` from stage storage {storage}); floe's Snowflake backend does not download files, so nothing was downloaded"
                )));
            }
            _ => {}
        }
        let rowtype = data["rowtype"].as_array().cloned().unwrap_or_default();
        let columns: Vec<Column> = rowtype
            .iter()
            .map(|c| Column {
                name: c["name"].as_str().unwrap_or_default().to_string(),
                type_name: c["type"].as_str().unwrap_or("text").to_ascii_uppercase(),
            })
            .collect();
        if data["rowsetBase64"].as_str().is_some_and(|s| !s.is_empty()) {
            return Err(protocol(
                "the server answered in Arrow format; floe reads JSON results only (GO_QUERY_RESULT_FORMAT=JSON was requested at login)".to_string(),
            ));
        }
        let mut raw: Vec<Value> = match &data["rowset"] {
            Value::Array(rows) => rows.clone(),
            Value::Null => Vec::new(),
            other => return Err(protocol(format!("rowset is not an array: {other}"))),
        };
        if let Some(chunks) = data["chunks"].as_array() {
            for (index, chunk) in chunks.iter().enumerate() {
                let rows = self.download_chunk(index, chunk, data)?;
                if let Some(expected) = chunk["rowCount"].as_u64()
                    && rows.len() as u64 != expected
                {
                    return Err(protocol(format!(
                        "chunk {index} announced {expected} rows but carried {}",
                        rows.len()
                    )));
                }
                raw.extend(rows);
            }
        }
        let total = data["total"].as_u64().or_else(|| data["returned"].as_u64());
        if let Some(total) = total
            && raw.len() as u64 != total
        {
            return Err(protocol(format!(
                "the result announced {total} rows but carried {}",
                raw.len()
            )));
        }
        let mut rows = Vec::with_capacity(raw.len());
        for (index, row) in raw.into_iter().enumerate() {
            let Value::Array(cells) = row else {
                return Err(protocol(format!("row {index} is not an array")));
            };
            if cells.len() != columns.len() {
                return Err(protocol(format!(
                    "row {index} has {} cells for {} columns",
                    cells.len(),
                    columns.len()
                )));
            }
            rows.push(
                cells
                    .into_iter()
                    .zip(&columns)
                    .map(|(cell, column)| match cell {
                        Value::Null => None,
                        Value::String(s) => Some(values::decode(&column.type_name, &s)),
                        other => Some(other.to_string()),
                    })
                    .collect(),
            );
        }
        Ok(Rows { columns, rows })
    }

    fn download_chunk(
        &self,
        index: usize,
        chunk: &Value,
        data: &Value,
    ) -> Result<Vec<Value>, BackendError> {
        let url = chunk["url"]
            .as_str()
            .ok_or_else(|| BackendError::Protocol(format!("chunk {index} without a url")))?;
        let mut headers: Vec<(String, String)> = Vec::new();
        if let Some(map) = data["chunkHeaders"].as_object() {
            for (k, v) in map {
                headers.push((k.clone(), v.as_str().unwrap_or_default().to_string()));
            }
        } else if let Some(qrmk) = data["qrmk"].as_str() {
            headers.push((
                "x-amz-server-side-encryption-customer-algorithm".to_string(),
                "AES256".to_string(),
            ));
            headers.push((
                "x-amz-server-side-encryption-customer-key".to_string(),
                qrmk.to_string(),
            ));
        }
        let response = self.send(
            || {
                let mut request = self.http.get(url);
                for (k, v) in &headers {
                    request = request.header(k, v);
                }
                request
            },
            true,
        )?;
        let status = response.status();
        if !status.is_success() {
            return Err(BackendError::Network(format!(
                "downloading result chunk {index}: HTTP {status}"
            )));
        }
        let bytes = response
            .bytes()
            .map_err(|e| self.transport_error(e, "result chunk"))?;
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut out = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out)
                .map_err(|e| {
                    BackendError::Protocol(format!("result chunk {index} is not valid gzip: {e}"))
                })?;
            out
        } else {
            String::from_utf8(bytes.to_vec())
                .map_err(|_| BackendError::Protocol(format!("result chunk {index} is not UTF-8")))?
        };
        // JSON chunks are rows separated by commas, without the enclosing brackets.
        let trimmed = text.trim();
        let wrapped = if trimmed.starts_with("[[") || trimmed == "[]" {
            trimmed.to_string()
        } else {
            format!("[{trimmed}]")
        };
        match serde_json::from_str::<Value>(&wrapped) {
            Ok(Value::Array(rows)) => Ok(rows),
            _ => Err(BackendError::Protocol(format!(
                "result chunk {index} is not a JSON rowset"
            ))),
        }
    }

    // ---- HTTP ----

    fn url(&self, path: &str, params: &[(&str, String)]) -> String {
        let mut url = format!("{}{path}?requestId={}", self.base_url, request_id());
        for (name, value) in params {
            url.push('&');
            url.push_str(name);
            url.push('=');
            url.push_str(&percent_encode(value));
        }
        url
    }

    /// Sends a request, retrying transient failures with exponential backoff.
    /// A connection that could not be opened and 429/503 are always transient;
    /// 502/504 only for `idempotent` requests (a statement may have run). A timeout
    /// is never retried: the caller gets `Timeout` after the configured time.
    fn send(
        &self,
        build: impl Fn() -> RequestBuilder,
        idempotent: bool,
    ) -> Result<Response, BackendError> {
        let options = &self.config.options;
        let mut attempt = 0;
        loop {
            match build().send() {
                Ok(response) => {
                    let status = response.status();
                    let transient = matches!(
                        status,
                        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
                    ) || (idempotent
                        && matches!(
                            status,
                            StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT
                        ));
                    if !transient || attempt >= options.max_retries {
                        return Ok(response);
                    }
                }
                Err(error) => {
                    if error.is_timeout() || !error.is_connect() || attempt >= options.max_retries {
                        return Err(self.transport_error(error, "request"));
                    }
                }
            }
            std::thread::sleep(options.retry_backoff * 2u32.saturating_pow(attempt));
            attempt += 1;
        }
    }

    fn transport_error(&self, error: reqwest::Error, what: &str) -> BackendError {
        // reqwest's message includes the URL, whose query has no secrets; redact anyway.
        let message = redact(
            &format!(
                "{what} to {} failed: {}",
                self.base_url,
                error_chain(&error)
            ),
            self.config.secrets(),
        );
        if error.is_timeout() {
            BackendError::Timeout(format!(
                "{message} (connect timeout {:?}, request timeout {:?})",
                self.config.options.connect_timeout, self.config.options.request_timeout
            ))
        } else if error.is_decode() {
            BackendError::Protocol(message)
        } else {
            BackendError::Network(message)
        }
    }

    fn json_body(&self, response: Response, path: &str) -> Result<Value, BackendError> {
        let status = response.status();
        if status.is_server_error() {
            return Err(BackendError::Network(format!(
                "{path}: HTTP {status} from {}",
                self.base_url
            )));
        }
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(BackendError::Auth(format!("{path}: HTTP {status}")));
        }
        let bytes = response
            .bytes()
            .map_err(|e| self.transport_error(e, path))?;
        if !status.is_success() {
            return Err(BackendError::Protocol(format!(
                "{path}: HTTP {status}: {}",
                redact(
                    &String::from_utf8_lossy(&bytes[..bytes.len().min(300)]),
                    self.config.secrets()
                )
            )));
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| BackendError::Protocol(format!("{path}: the response is not JSON: {e}")))
    }

    fn server_message(&self, body: &Value) -> String {
        let code = code(body).unwrap_or_default();
        let message = body["message"].as_str().unwrap_or("no message");
        redact(&format!("{code} {message}"), self.config.secrets())
            .trim()
            .to_string()
    }

    fn sql_error(&self, sql: &str, body: &Value) -> BackendError {
        let data = &body["data"];
        let code = data["errorCode"]
            .as_str()
            .map(str::to_string)
            .or_else(|| code(body))
            .unwrap_or_default();
        let message = body["message"].as_str().unwrap_or("no message");
        BackendError::Sql {
            code,
            sqlstate: data["sqlState"].as_str().unwrap_or_default().to_string(),
            message: redact(message, self.config.secrets()),
            query_id: data["queryId"].as_str().map(str::to_string),
            statement: sql.to_string(),
        }
    }
}

impl SqlSession for SnowflakeSession {
    fn execute(&self, sql: &str) -> Result<Rows, BackendError> {
        self.query(sql)
    }
}

impl Drop for SnowflakeSession {
    fn drop(&mut self) {
        // Best effort: a session not closed expires on the server by itself.
        let _ = self.close();
    }
}

/// The first two words of a statement (`CREATE STAGE`, `SHOW DATABASES`).
fn leading_words(sql: &str) -> String {
    sql.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

/// Snowflake's `code`, as a string whether the server sent a string or a number.
fn code(body: &Value) -> Option<String> {
    match &body["code"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(format!("{:06}", n.as_u64().unwrap_or_default())),
        _ => None,
    }
}

fn auth_header(token: &Secret) -> String {
    format!("Snowflake Token=\"{}\"", token.expose())
}

fn expiry(start: Instant, seconds: &Value) -> Option<Instant> {
    // A negative or missing validity means the token does not expire. Renew a
    // little early so a statement never starts with a token about to lapse.
    let secs = seconds.as_i64().filter(|s| *s > 0)?;
    let secs = secs as u64;
    let margin = if secs > 120 { 60 } else { 0 };
    Some(start + Duration::from_secs(secs - margin))
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// A fresh UUID-shaped request id (unique per process and time; not a secret).
fn request_id() -> String {
    use sha2::{Digest, Sha256};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = Sha256::new();
    hasher.update(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
            .to_le_bytes(),
    );
    hasher.update(std::process::id().to_le_bytes());
    hasher.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let mut b: [u8; 16] = [0; 16];
    b.copy_from_slice(&hasher.finalize()[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn percent_encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_uuid_shaped_and_unique() {
        let a = request_id();
        let b = request_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }

    #[test]
    fn codes_read_as_strings_or_numbers() {
        assert_eq!(code(&json!({"code": "390112"})).as_deref(), Some("390112"));
        assert_eq!(code(&json!({"code": 2003})).as_deref(), Some("002003"));
        assert_eq!(code(&json!({})), None);
    }

    #[test]
    fn parameters_are_percent_encoded() {
        assert_eq!(percent_encode("MY WH\"&x"), "MY%20WH%22%26x");
    }

    #[test]
    fn expiry_renews_early_and_never_for_negative_validity() {
        let now = Instant::now();
        assert_eq!(expiry(now, &json!(-1)), None);
        assert_eq!(
            expiry(now, &json!(3600)),
            Some(now + Duration::from_secs(3540))
        );
        assert_eq!(expiry(now, &json!(2)), Some(now + Duration::from_secs(2)));
    }
}
