//! The Snowflake backend against the wire server (with a scripted session behind
//! it) and against hand-written stubs for what a well-behaved server never does.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use floe::runtime::session::{BackendError, Column, Rows, SqlSession};
use floe::snowflake::{self, Auth, ConnectionConfig, Secret};
use floe::wire::{self, Credentials, ServerHandle, ServerOptions, SessionFactory};

/// A scripted account: a few statements with fixed answers.
struct Scripted {
    account: String,
    drops: Arc<AtomicUsize>,
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

fn text_columns(names: &[&str]) -> Vec<Column> {
    names
        .iter()
        .map(|n| Column {
            name: n.to_string(),
            type_name: "TEXT".to_string(),
        })
        .collect()
}

impl SqlSession for Scripted {
    fn execute(&self, sql: &str) -> Result<Rows, BackendError> {
        match sql.trim() {
            "SELECT CURRENT_ACCOUNT_NAME()" => Ok(Rows {
                columns: text_columns(&["CURRENT_ACCOUNT_NAME()"]),
                rows: vec![vec![Some(self.account.clone())]],
            }),
            "SELECT 1" => Ok(Rows {
                columns: vec![Column {
                    name: "1".to_string(),
                    type_name: "FIXED".to_string(),
                }],
                rows: vec![vec![Some("1".to_string())]],
            }),
            "CREATE DATABASE D" => Ok(Rows {
                columns: text_columns(&["status"]),
                rows: vec![vec![Some("Database D successfully created.".to_string())]],
            }),
            "SHOW DATABASES" => Ok(Rows {
                columns: vec![
                    Column {
                        name: "created_on".to_string(),
                        type_name: "TIMESTAMP_LTZ".to_string(),
                    },
                    Column {
                        name: "name".to_string(),
                        type_name: "TEXT".to_string(),
                    },
                    Column {
                        name: "comment".to_string(),
                        type_name: "TEXT".to_string(),
                    },
                ],
                rows: (0..25_000)
                    .map(|i| {
                        vec![
                            Some("2026-11-26 10:00:00.123 +0000".to_string()),
                            Some(format!("DB_{i:05}")),
                            (i % 2 == 0).then(|| format!("comment {i}")),
                        ]
                    })
                    .collect(),
            }),
            "SHOW SCHEMAS IN DATABASE EMPTY" => Ok(Rows {
                columns: text_columns(&["created_on", "name"]),
                rows: vec![],
            }),
            "USE ROLE NOPE" => Err(BackendError::Sql {
                code: "002003".to_string(),
                sqlstate: "02000".to_string(),
                message: "SQL compilation error:\nRole 'NOPE' does not exist or not authorized."
                    .to_string(),
                query_id: None,
                statement: sql.to_string(),
            }),
            use_statement if use_statement.starts_with("USE ") => Ok(Rows {
                columns: text_columns(&["status"]),
                rows: vec![vec![Some("Statement executed successfully.".to_string())]],
            }),
            "SELECT SLOWLY" => {
                std::thread::sleep(Duration::from_millis(1500));
                Ok(Rows::default())
            }
            _ => Err(BackendError::Sql {
                code: "002003".to_string(),
                sqlstate: "42S02".to_string(),
                message:
                    "SQL compilation error:\nObject 'MISSING' does not exist or not authorized."
                        .to_string(),
                query_id: None,
                statement: sql.to_string(),
            }),
        }
    }
}

fn factory(drops: Arc<AtomicUsize>) -> SessionFactory {
    Arc::new(move |account: &str| {
        if account == "NOPE" {
            return Err(BackendError::Auth(format!("no account {account}")));
        }
        Ok(Box::new(Scripted {
            account: account.to_string(),
            drops: drops.clone(),
        }) as Box<dyn SqlSession>)
    })
}

fn server(options: ServerOptions) -> (ServerHandle, Arc<AtomicUsize>) {
    let drops = Arc::new(AtomicUsize::new(0));
    let handle = wire::serve_with(factory(drops.clone()), options).expect("server starts");
    (handle, drops)
}

fn config(handle: &ServerHandle, account: &str, password: &str) -> ConnectionConfig {
    let mut config = ConnectionConfig::password(account, "floe_user", password);
    config.base_url = Some(handle.base_url());
    config.options.request_timeout = Duration::from_secs(20);
    config.options.retry_backoff = Duration::from_millis(10);
    config
}

#[test]
fn password_login_runs_statements_and_maps_errors() {
    let (handle, _) = server(ServerOptions::default());
    let mut config = config(&handle, "bank", "pw");
    config.role = Some("sysadmin".to_string());
    let session = snowflake::connect_with(config.clone()).unwrap();
    assert_eq!(session.info().role.as_deref(), Some("SYSADMIN"));

    // A role that cannot be used fails the login, as in Snowflake.
    let mut no_role = config;
    no_role.role = Some("nope".to_string());
    let err = snowflake::connect_with(no_role).unwrap_err();
    assert!(
        matches!(err, BackendError::Auth(ref m) if m.contains("390189") && m.contains("'NOPE'")),
        "{err}"
    );

    let rows = session.execute("SELECT CURRENT_ACCOUNT_NAME()").unwrap();
    assert_eq!(rows.rows, vec![vec![Some("BANK".to_string())]]);
    let rows = session.execute("SELECT 1").unwrap();
    assert_eq!(rows.columns[0].type_name, "FIXED");
    assert_eq!(rows.rows, vec![vec![Some("1".to_string())]]);
    let rows = session.execute("CREATE DATABASE D").unwrap();
    assert_eq!(rows.columns[0].name, "status");

    // An empty result keeps its columns.
    let rows = session.execute("SHOW SCHEMAS IN DATABASE EMPTY").unwrap();
    assert!(rows.is_empty());
    assert_eq!(rows.columns.len(), 2);

    match session.execute("SELECT * FROM MISSING").unwrap_err() {
        BackendError::Sql {
            code,
            sqlstate,
            message,
            query_id,
            statement,
        } => {
            assert_eq!(code, "002003");
            assert_eq!(sqlstate, "42S02");
            assert!(message.contains("does not exist or not authorized"));
            assert!(query_id.is_some_and(|q| !q.is_empty()));
            assert_eq!(statement, "SELECT * FROM MISSING");
        }
        other => panic!("expected an SQL error, got {other}"),
    }
    assert!(
        session
            .execute("SELECT * FROM MISSING")
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn large_results_arrive_whole_through_chunks() {
    let (handle, _) = server(ServerOptions {
        chunk_rows: 4_000,
        ..ServerOptions::default()
    });
    let session = snowflake::connect_with(config(&handle, "bank", "pw")).unwrap();
    let rows = session.execute("SHOW DATABASES").unwrap();
    assert_eq!(rows.len(), 25_000);
    let names: Vec<&str> = rows.iter().filter_map(|r| r.get("name")).collect();
    assert_eq!(names.first(), Some(&"DB_00000"));
    assert_eq!(names.last(), Some(&"DB_24999"));
    assert!(names.windows(2).all(|w| w[0] < w[1]), "order is kept");
    let first = rows.iter().next().unwrap();
    assert_eq!(first.get("comment"), Some("comment 0"));
    assert_eq!(rows.iter().nth(1).unwrap().get("comment"), None);
    // Timestamps travel in Snowflake's epoch encoding and come back as displayed.
    assert_eq!(
        first.get("created_on"),
        Some("2026-11-26 10:00:00.123 +0000")
    );
    assert_eq!(rows.columns[0].type_name, "TIMESTAMP_LTZ");
}

#[test]
fn wrong_credentials_are_an_auth_error_without_the_secret() {
    let (handle, _) = server(ServerOptions {
        credentials: Credentials::Secret(Secret::new("the-right-one")),
        ..ServerOptions::default()
    });
    let err = snowflake::connect_with(config(&handle, "bank", "SENTINEL-WRONG-PW")).unwrap_err();
    assert!(matches!(err, BackendError::Auth(_)), "{err}");
    let text = format!("{err} {err:?}");
    assert!(text.contains("390100"), "{text}");
    assert!(!text.contains("SENTINEL"), "{text}");

    let err = snowflake::connect_with(config(&handle, "nope", "the-right-one")).unwrap_err();
    assert!(
        matches!(err, BackendError::Auth(ref m) if m.contains("NOPE")),
        "{err}"
    );

    assert!(snowflake::connect_with(config(&handle, "bank", "the-right-one")).is_ok());
}

#[test]
fn key_pair_and_token_logins() {
    let (handle, _) = server(ServerOptions::default());
    let key = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys/test_key_encrypted.p8");
    let mut jwt = config(&handle, "partner", "unused");
    jwt.auth = Auth::KeyPair {
        private_key_file: key.clone(),
        passphrase: Some(Secret::new("floe-test-passphrase")),
    };
    let session = snowflake::connect_with(jwt.clone()).unwrap();
    let rows = session.execute("SELECT CURRENT_ACCOUNT_NAME()").unwrap();
    assert_eq!(rows.rows[0][0].as_deref(), Some("PARTNER"));

    jwt.auth = Auth::KeyPair {
        private_key_file: key,
        passphrase: Some(Secret::new("SENTINEL-BAD-PASS")),
    };
    let err = snowflake::connect_with(jwt).unwrap_err();
    assert!(matches!(err, BackendError::Auth(_)), "{err}");
    assert!(!format!("{err:?}").contains("SENTINEL"));

    let mut pat = config(&handle, "bank", "unused");
    pat.auth = Auth::ProgrammaticAccessToken(Secret::new("pat-token"));
    assert!(snowflake::connect_with(pat).is_ok());
}

#[test]
fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let holder = std::thread::spawn(move || {
        // Accept and hold connections without ever answering.
        let mut held = Vec::new();
        for stream in listener.incoming().take(4) {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(5));
    });
    let mut config = ConnectionConfig::password("bank", "u", "pw");
    config.base_url = Some(format!("http://{addr}"));
    config.options.request_timeout = Duration::from_millis(700);
    let started = Instant::now();
    let err = snowflake::connect_with(config).unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, BackendError::Timeout(_)), "{err}");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    drop(holder);
}

#[test]
fn a_slow_statement_times_out_and_refused_connections_are_network_errors() {
    let (handle, _) = server(ServerOptions::default());
    let mut config = config(&handle, "bank", "pw");
    config.options.request_timeout = Duration::from_millis(500);
    let session = snowflake::connect_with(config).unwrap();
    let err = session.execute("SELECT SLOWLY").unwrap_err();
    assert!(matches!(err, BackendError::Timeout(_)), "{err}");

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = ConnectionConfig::password("bank", "u", "pw");
    config.base_url = Some(format!("http://127.0.0.1:{port}"));
    config.options.max_retries = 2;
    config.options.retry_backoff = Duration::from_millis(10);
    let err = snowflake::connect_with(config).unwrap_err();
    assert!(matches!(err, BackendError::Network(_)), "{err}");
}

#[test]
fn tokens_are_renewed_and_expired_masters_log_in_again() {
    let (handle, _) = server(ServerOptions {
        session_token_validity: Duration::from_secs(1),
        master_token_validity: Duration::from_secs(3),
        ..ServerOptions::default()
    });
    let session = snowflake::connect_with(config(&handle, "bank", "pw")).unwrap();
    session.execute("SELECT 1").unwrap();
    std::thread::sleep(Duration::from_millis(1300));
    // The session token has expired: renewed with the master token.
    session.execute("SELECT 1").unwrap();
    std::thread::sleep(Duration::from_millis(2000));
    // Now the master token has expired too: a fresh login.
    let rows = session.execute("SELECT CURRENT_ACCOUNT_NAME()").unwrap();
    assert_eq!(rows.rows[0][0].as_deref(), Some("BANK"));
}

#[test]
fn closing_ends_the_session_on_the_server() {
    let (handle, drops) = server(ServerOptions::default());
    let session = snowflake::connect_with(config(&handle, "bank", "pw")).unwrap();
    session.execute("SELECT 1").unwrap();
    session.close().unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert!(matches!(
        session.execute("SELECT 1"),
        Err(BackendError::Protocol(_))
    ));
    session.close().unwrap(); // idempotent
    drop(session);
    assert_eq!(drops.load(Ordering::SeqCst), 1);

    // Dropping an open session closes it too.
    let session = snowflake::connect_with(config(&handle, "bank", "pw")).unwrap();
    drop(session);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

#[test]
fn latency_is_added_to_every_answer() {
    let (handle, _) = server(ServerOptions {
        latency: Duration::from_millis(150),
        ..ServerOptions::default()
    });
    let session = snowflake::connect_with(config(&handle, "bank", "pw")).unwrap();
    let started = Instant::now();
    session.execute("SELECT 1").unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[test]
fn sessions_are_shared_between_threads() {
    let (handle, _) = server(ServerOptions::default());
    let session = Arc::new(snowflake::connect_with(config(&handle, "bank", "pw")).unwrap());
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let session = session.clone();
            std::thread::spawn(move || {
                for _ in 0..10 {
                    session.execute("SELECT 1").unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

// ---- stubs that misbehave on purpose ----

/// A one-shot-per-connection HTTP server answering every request with `answer(path)`.
fn stub(answer: impl Fn(&str) -> String + Send + 'static) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head, then as many body bytes as Content-Length says.
            let (head_end, length) = loop {
                let Ok(n) = stream.read(&mut chunk) else {
                    break (0, 0);
                };
                if n == 0 {
                    break (0, 0);
                }
                buffer.extend_from_slice(&chunk[..n]);
                if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buffer[..pos]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    break (pos + 4, length);
                }
            };
            while buffer.len() < head_end + length {
                let Ok(n) = stream.read(&mut chunk) else {
                    break;
                };
                if n == 0 {
                    break;
                }
                buffer.extend_from_slice(&chunk[..n]);
            }
            let head = String::from_utf8_lossy(&buffer).to_string();
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
            let body = answer(&path);
            // `STATUS:<code> <reason>\n<body>` answers with another status than 200.
            let (status, body) = match body.strip_prefix("STATUS:") {
                Some(rest) => {
                    let (status, body) = rest.split_once('\n').unwrap_or((rest, ""));
                    (status.to_string(), body.to_string())
                }
                None => ("200 OK".to_string(), body),
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    addr
}

const LOGIN_OK: &str = r#"{"success":true,"data":{"token":"t","masterToken":"m","validityInSeconds":3600,"masterValidityInSeconds":14400,"sessionId":1,"sessionInfo":{"roleName":"R"}}}"#;

#[test]
fn a_result_shorter_than_announced_is_an_error() {
    let addr = stub(|path| {
        if path.starts_with("/session/v1/login-request") {
            LOGIN_OK.to_string()
        } else if path.starts_with("/queries/v1/query-request") {
            r#"{"success":true,"data":{"rowtype":[{"name":"name","type":"text"}],"rowset":[["a"],["b"]],"total":5,"returned":5,"queryId":"q"}}"#.to_string()
        } else {
            r#"{"success":true,"data":null}"#.to_string()
        }
    });
    let mut config = ConnectionConfig::password("bank", "u", "pw");
    config.base_url = Some(format!("http://{addr}"));
    let session = snowflake::connect_with(config).unwrap();
    let err = session
        .execute("SHOW DATABASES LIKE 'SENTINEL-IN-STATEMENT'")
        .unwrap_err();
    assert!(
        matches!(err, BackendError::Protocol(ref m) if m.contains("announced 5 rows but carried 2")),
        "{err}"
    );
    // Only the statement's first words: the rest may hold credentials.
    assert!(err.to_string().contains("SHOW DATABASES"), "{err}");
    assert!(!err.to_string().contains("SENTINEL"), "{err}");
}

#[test]
fn arrow_results_are_refused_clearly() {
    let addr = stub(|path| {
        if path.starts_with("/session/v1/login-request") {
            LOGIN_OK.to_string()
        } else if path.starts_with("/queries/v1/query-request") {
            r#"{"success":true,"data":{"rowtype":[{"name":"N","type":"fixed"}],"rowsetBase64":"QUJD","total":1,"returned":1,"queryId":"q","queryResultFormat":"arrow"}}"#.to_string()
        } else {
            r#"{"success":true,"data":null}"#.to_string()
        }
    });
    let mut config = ConnectionConfig::password("bank", "u", "pw");
    config.base_url = Some(format!("http://{addr}"));
    let session = snowflake::connect_with(config).unwrap();
    let err = session.execute("SELECT 1").unwrap_err();
    assert!(
        matches!(err, BackendError::Protocol(ref m) if m.contains("Arrow")),
        "{err}"
    );
}

#[test]
fn a_get_answered_with_download_instructions_is_an_error_not_a_result() {
    // What Snowflake answers to GET: where to download from, with temporary credentials.
    let addr = stub(|path| {
        if path.starts_with("/session/v1/login-request") {
            LOGIN_OK.to_string()
        } else if path.starts_with("/queries/v1/query-request") {
            r#"{"success":true,"data":{"command":"DOWNLOAD","src_locations":["model.json"],"stageInfo":{"locationType":"S3","location":"bucket/stages/x/","region":"us-west-2","creds":{"AWS_KEY_ID":"SENTINEL-KEY","AWS_SECRET_KEY":"SENTINEL-SECRET","AWS_TOKEN":"SENTINEL-TOKEN"}},"encryptionMaterial":[{"queryStageMasterKey":"SENTINEL-MASTER","queryId":"q","smkId":1}],"queryId":"q"}}"#.to_string()
        } else {
            r#"{"success":true,"data":null}"#.to_string()
        }
    });
    let mut config = ConnectionConfig::password("bank", "u", "pw");
    config.base_url = Some(format!("http://{addr}"));
    let session = snowflake::connect_with(config).unwrap();
    let err = session
        .execute("GET @DB.S.MODELS/M/V1/ 'file:///tmp/'")
        .unwrap_err();
    assert!(
        matches!(err, BackendError::Protocol(ref m) if m.contains("`DOWNLOAD` from stage storage S3") && m.contains("nothing was downloaded")),
        "{err}"
    );
    assert!(!err.to_string().contains("SENTINEL"), "{err}");
}

#[test]
fn an_expired_session_token_is_renewed_on_demand() {
    // The stub says the session expired once, then answers; the client must
    // renew with the master token in between.
    let calls = Arc::new(AtomicUsize::new(0));
    let renewals = Arc::new(AtomicUsize::new(0));
    let (c, r) = (calls.clone(), renewals.clone());
    let addr = stub(move |path| {
        if path.starts_with("/session/v1/login-request") {
            LOGIN_OK.to_string()
        } else if path.starts_with("/session/token-request") {
            r.fetch_add(1, Ordering::SeqCst);
            r#"{"success":true,"data":{"sessionToken":"t2","validityInSecondsST":3600,"masterToken":"m","validityInSecondsMT":14000,"sessionId":1}}"#.to_string()
        } else if path.starts_with("/queries/v1/query-request") {
            if c.fetch_add(1, Ordering::SeqCst) == 0 {
                r#"{"success":false,"code":"390112","message":"Your session has expired.","data":null}"#.to_string()
            } else {
                r#"{"success":true,"data":{"rowtype":[{"name":"X","type":"text"}],"rowset":[["ok"]],"total":1,"returned":1,"queryId":"q"}}"#.to_string()
            }
        } else {
            r#"{"success":true,"data":null}"#.to_string()
        }
    });
    let mut config = ConnectionConfig::password("bank", "u", "pw");
    config.base_url = Some(format!("http://{addr}"));
    let session = snowflake::connect_with(config).unwrap();
    let rows = session.execute("SELECT 'ok'").unwrap();
    assert_eq!(rows.rows[0][0].as_deref(), Some("ok"));
    assert_eq!(renewals.load(Ordering::SeqCst), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn sessions_whose_master_token_expired_are_dropped_by_the_server() {
    let (handle, drops) = server(ServerOptions {
        session_token_validity: Duration::from_secs(1),
        master_token_validity: Duration::from_secs(1),
        ..ServerOptions::default()
    });
    let abandoned = snowflake::connect_with(config(&handle, "bank", "pw")).unwrap();
    std::mem::forget(abandoned); // a client that never logs out
    std::thread::sleep(Duration::from_millis(1100));
    let _next = snowflake::connect_with(config(&handle, "bank", "pw")).unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn transient_failures_are_retried_and_others_are_not() {
    let logins = Arc::new(AtomicUsize::new(0));
    let queries = Arc::new(AtomicUsize::new(0));
    let (l, q) = (logins.clone(), queries.clone());
    let addr = stub(move |path| {
        if path.starts_with("/session/v1/login-request") {
            // Busy twice, then in.
            if l.fetch_add(1, Ordering::SeqCst) < 2 {
                "STATUS:503 Service Unavailable\n".to_string()
            } else {
                LOGIN_OK.to_string()
            }
        } else if path.starts_with("/queries/v1/query-request") {
            q.fetch_add(1, Ordering::SeqCst);
            // The statement may have run: a 500 must not be sent again.
            "STATUS:500 Internal Server Error\n".to_string()
        } else {
            r#"{"success":true,"data":null}"#.to_string()
        }
    });
    let mut config = ConnectionConfig::password("bank", "u", "pw");
    config.base_url = Some(format!("http://{addr}"));
    config.options.retry_backoff = Duration::from_millis(10);
    let session = snowflake::connect_with(config).unwrap();
    assert_eq!(logins.load(Ordering::SeqCst), 3);
    let err = session.execute("CREATE DATABASE D").unwrap_err();
    assert!(
        matches!(err, BackendError::Network(ref m) if m.contains("500")),
        "{err}"
    );
    assert_eq!(queries.load(Ordering::SeqCst), 1);
}
