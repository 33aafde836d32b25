//! The served emulator facing strangers: result chunks only for the session that
//! ran the query, unguessable tokens and query ids, request bodies bounded after
//! decompression, key-pair logins checked against the user's registered key, idle
//! connections closed, and a warning when listening beyond loopback.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use floe::emulator::Emulator;
use floe::runtime::session::{BackendError, SqlSession};
use floe::snowflake::{self, Auth, ConnectionConfig};
use floe::wire::{self, ServerHandle, ServerOptions, SessionFactory};
use serde_json::{Value, json};

fn serve(emulator: &Emulator, options: ServerOptions) -> ServerHandle {
    let emulator = emulator.clone();
    let factory: SessionFactory = Arc::new(move |account: &str| {
        Ok(Box::new(emulator.session(account)) as Box<dyn SqlSession>)
    });
    wire::serve_with(factory, options).expect("server starts")
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Logs in with a password over raw HTTP; returns (session token, master token).
fn login(server: &ServerHandle, account: &str) -> (String, String) {
    let body = json!({"data": {"ACCOUNT_NAME": account, "LOGIN_NAME": "floe", "PASSWORD": "pw"}});
    let answer: Value = http()
        .post(format!("{}/session/v1/login-request", server.base_url()))
        .json(&body)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["success"], true, "{answer}");
    let text = |key: &str| answer["data"][key].as_str().unwrap().to_string();
    (text("token"), text("masterToken"))
}

fn query(server: &ServerHandle, token: &str, sql: &str) -> Value {
    let answer: Value = http()
        .post(format!("{}/queries/v1/query-request", server.base_url()))
        .header("Authorization", format!("Snowflake Token=\"{token}\""))
        .json(&json!({"sqlText": sql, "sequenceId": 1}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["success"], true, "{sql}: {answer}");
    answer["data"].clone()
}

fn logout(server: &ServerHandle, token: &str) {
    let status = http()
        .post(format!("{}/session?delete=true", server.base_url()))
        .header("Authorization", format!("Snowflake Token=\"{token}\""))
        .send()
        .unwrap()
        .status();
    assert!(status.is_success());
}

/// Downloads a chunk with the given headers; returns the HTTP status.
fn fetch_chunk(url: &str, headers: &[(&str, &str)]) -> u16 {
    let mut request = http().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().unwrap().status().as_u16()
}

fn emulator_with_roles(count: usize) -> Emulator {
    let emulator = Emulator::open_in_memory().unwrap();
    let local = emulator.session("bank");
    for i in 0..count {
        local.execute(&format!("CREATE ROLE R_{i:03}")).unwrap();
    }
    emulator
}

#[test]
fn result_chunks_are_served_only_to_the_session_that_ran_the_query() {
    let emulator = emulator_with_roles(40);
    let server = serve(
        &emulator,
        ServerOptions {
            chunk_rows: 10,
            ..ServerOptions::default()
        },
    );
    let (token, _) = login(&server, "bank");
    let data = query(&server, &token, "SHOW ROLES LIKE 'R%'");
    let url = data["chunks"][0]["url"].as_str().unwrap().to_string();
    let headers = data["chunkHeaders"].as_object().unwrap();
    assert_eq!(headers.len(), 1, "{headers:?}");
    let (name, key) = headers.iter().next().unwrap();
    let key = key.as_str().unwrap();
    assert_eq!(key.len(), 3 + 32, "a 128-bit key: {key}");

    // Without the key, with a wrong one, or from another session: refused.
    assert_eq!(fetch_chunk(&url, &[]), 403);
    let last = if key.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &key[..key.len() - 1]);
    assert_eq!(fetch_chunk(&url, &[(name, &wrong)]), 403);
    let (other, _) = login(&server, "bank");
    let other_auth = format!("Snowflake Token=\"{other}\"");
    assert_eq!(
        fetch_chunk(&url, &[(name, key), ("Authorization", &other_auth)]),
        403
    );
    // Another session's own results carry another key.
    let other_data = query(&server, &other, "SHOW ROLES LIKE 'R%'");
    let other_key = other_data["chunkHeaders"][name].as_str().unwrap();
    assert_ne!(other_key, key);
    assert_eq!(fetch_chunk(&url, &[(name, other_key)]), 403);

    // With the key: served, whether or not the session's token comes along.
    assert_eq!(fetch_chunk(&url, &[(name, key)]), 200);
    let own_auth = format!("Snowflake Token=\"{token}\"");
    assert_eq!(
        fetch_chunk(&url, &[(name, key), ("Authorization", &own_auth)]),
        200
    );
    // A chunk index past the end is simply not there.
    let past_end = format!("{}/99", url.rsplit_once('/').unwrap().0);
    assert_eq!(fetch_chunk(&past_end, &[(name, key)]), 404);

    // The session ends: its chunks go with it.
    logout(&server, &token);
    assert_eq!(fetch_chunk(&url, &[(name, key)]), 404);

    // floe's own client echoes chunkHeaders and reads every chunk.
    let mut config = ConnectionConfig::password("bank", "floe", "pw");
    config.base_url = Some(server.base_url());
    let session = snowflake::connect_with(config).unwrap();
    let rows = session.execute("SHOW ROLES LIKE 'R%'").unwrap();
    assert_eq!(rows.len(), 40);
}

#[test]
fn tokens_and_query_ids_are_128_bit_random() {
    let emulator = Emulator::open_in_memory().unwrap();
    let server = serve(&emulator, ServerOptions::default());
    let mut tokens = BTreeSet::new();
    let mut query_ids = BTreeSet::new();
    for _ in 0..20 {
        let (token, master) = login(&server, "bank");
        for t in [&token, &master] {
            let (_, random) = t.split_once('-').unwrap();
            assert_eq!(random.len(), 32, "128 bits in hex: {t}");
            assert!(random.chars().all(|c| c.is_ascii_hexdigit()), "{t}");
        }
        tokens.insert(token.clone());
        tokens.insert(master);
        for _ in 0..5 {
            let id = query(&server, &token, "SELECT CURRENT_ACCOUNT_NAME()")["queryId"]
                .as_str()
                .unwrap()
                .to_string();
            let groups: Vec<usize> = id.split('-').map(str::len).collect();
            assert_eq!(groups, [8, 4, 4, 4, 12], "UUID-shaped: {id}");
            query_ids.insert(id);
        }
    }
    assert_eq!(tokens.len(), 40, "every token distinct");
    assert_eq!(query_ids.len(), 100, "every query id distinct");
    // Consecutive ids share no counter: they differ in most hex digits.
    let ids: Vec<&String> = query_ids.iter().collect();
    let differing = ids[0]
        .chars()
        .zip(ids[1].chars())
        .filter(|(a, b)| a != b)
        .count();
    assert!(differing > 16, "{} vs {}", ids[0], ids[1]);
}

fn gzip_of_zeros(megabytes: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1024 * 1024];
    for _ in 0..megabytes {
        encoder.write_all(&block).unwrap();
    }
    encoder.finish().unwrap()
}

/// The process's peak resident memory, in kB (`VmHWM`).
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_gzip_bomb_is_refused_with_413_and_memory_stays_bounded() {
    let emulator = Emulator::open_in_memory().unwrap();
    let server = serve(&emulator, ServerOptions::default());
    // 512 MB of zeros in about half a megabyte: well under the 2 MB body limit.
    let bomb = gzip_of_zeros(512);
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let before = peak_rss_kb();
    for endpoint in [
        "/session/v1/login-request",
        "/queries/v1/query-request",
        "/session/token-request",
    ] {
        let response = http()
            .post(format!("{}{endpoint}", server.base_url()))
            .header("Content-Encoding", "gzip")
            .header("Content-Type", "application/json")
            .body(bomb.clone())
            .send()
            .unwrap();
        // The query and renew endpoints want a token first: a stranger gets no further.
        if endpoint == "/session/v1/login-request" {
            assert_eq!(response.status().as_u16(), 413, "{endpoint}");
        } else {
            let answer: Value = response.json().unwrap();
            assert_eq!(answer["success"], false, "{endpoint}: {answer}");
        }
    }
    // Once logged in, the same bomb to the query endpoint is refused too.
    let (token, _) = login(&server, "bank");
    let status = http()
        .post(format!("{}/queries/v1/query-request", server.base_url()))
        .header("Authorization", format!("Snowflake Token=\"{token}\""))
        .body(bomb.clone())
        .send()
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 413);
    let after = peak_rss_kb();
    println!("peak RSS before the bombs {before} kB, after {after} kB");
    if before > 0 {
        // The decompressed cap is 16 MB; without it each request took 512 MB.
        assert!(
            after.saturating_sub(before) < 128 * 1024,
            "peak RSS grew from {before} kB to {after} kB"
        );
    }
    // A body over the compressed limit is refused as well.
    let status = http()
        .post(format!("{}/session/v1/login-request", server.base_url()))
        .body(vec![b' '; 3 * 1024 * 1024])
        .send()
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 413);
    // A small gzip body still logs in.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(
            json!({"data": {"ACCOUNT_NAME": "bank", "LOGIN_NAME": "floe", "PASSWORD": "pw"}})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
    let answer: Value = http()
        .post(format!("{}/session/v1/login-request", server.base_url()))
        .body(encoder.finish().unwrap())
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["success"], true, "{answer}");
}

fn keys_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys")
}

fn public_key(name: &str) -> String {
    std::fs::read_to_string(keys_dir().join(name))
        .unwrap()
        .trim()
        .to_string()
}

fn key_pair_login(server: &ServerHandle, user: &str, key_file: &str) -> Result<(), BackendError> {
    let mut config = ConnectionConfig::password("bank", user, "unused");
    config.base_url = Some(server.base_url());
    config.auth = Auth::KeyPair {
        private_key_file: keys_dir().join(key_file),
        passphrase: None,
    };
    snowflake::connect_with(config).map(|_| ())
}

fn assert_jwt_refused(result: Result<(), BackendError>) {
    let error = result.expect_err("the login is refused");
    let text = format!("{error}");
    assert!(text.contains("JWT token is invalid"), "{text}");
    assert!(text.contains("390144"), "{text}");
}

#[test]
fn key_pair_logins_are_verified_against_the_registered_key() {
    let emulator = Emulator::open_in_memory().unwrap();
    let admin = emulator.session("bank");
    admin
        .execute(&format!(
            "CREATE USER CI_DEPLOYER TYPE = SERVICE RSA_PUBLIC_KEY = '{}' DEFAULT_ROLE = SYSADMIN COMMENT = 'deploys'",
            public_key("test_key.pub")
        ))
        .unwrap();
    let server = serve(&emulator, ServerOptions::default());

    // Signed by the registered key: accepted. By another key: refused.
    key_pair_login(&server, "ci_deployer", "test_key.p8").expect("the right key logs in");
    assert_jwt_refused(key_pair_login(&server, "ci_deployer", "other_key.p8"));

    // Rotation: the second key slot holds the other key; both sign valid logins.
    admin
        .execute(&format!(
            "ALTER USER CI_DEPLOYER SET RSA_PUBLIC_KEY_2 = '{}'",
            public_key("other_key.pub")
        ))
        .unwrap();
    key_pair_login(&server, "ci_deployer", "other_key.p8").expect("the second key logs in");
    key_pair_login(&server, "ci_deployer", "test_key.p8").expect("the first key still does");

    // No key registered any more: no key-pair login.
    admin
        .execute("ALTER USER CI_DEPLOYER UNSET RSA_PUBLIC_KEY, RSA_PUBLIC_KEY_2")
        .unwrap();
    assert_jwt_refused(key_pair_login(&server, "ci_deployer", "test_key.p8"));

    // A user the account does not have: there is no key to check, so a well-formed,
    // unexpired token is accepted (as before users existed in the emulator).
    key_pair_login(&server, "somebody_else", "other_key.p8")
        .expect("unknown users are not checked");
    admin.execute("DROP USER CI_DEPLOYER").unwrap();
    key_pair_login(&server, "ci_deployer", "other_key.p8").expect("a dropped user is unknown");
}

#[test]
fn a_forged_token_is_refused_with_snowflakes_code() {
    let emulator = Emulator::open_in_memory().unwrap();
    emulator
        .session("bank")
        .execute(&format!(
            "CREATE USER FLOE RSA_PUBLIC_KEY = '{}'",
            public_key("test_key.pub")
        ))
        .unwrap();
    let server = serve(&emulator, ServerOptions::default());
    // A token naming the registered key's fingerprint, with a made-up signature.
    let fingerprint = std::fs::read_to_string(keys_dir().join("test_key.fingerprint")).unwrap();
    let b64 = |v: Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    let forged = format!(
        "{}.{}.{}",
        b64(json!({"alg": "RS256", "typ": "JWT"})),
        b64(
            json!({"iss": format!("BANK.FLOE.{}", fingerprint.trim()), "sub": "BANK.FLOE", "exp": exp, "iat": exp - 600})
        ),
        "A".repeat(342)
    );
    let answer: Value = http()
        .post(format!("{}/session/v1/login-request", server.base_url()))
        .json(
            &json!({"data": {"ACCOUNT_NAME": "BANK", "LOGIN_NAME": "floe",
            "AUTHENTICATOR": "SNOWFLAKE_JWT", "TOKEN": forged}}),
        )
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["success"], false, "{answer}");
    assert_eq!(answer["code"], "390144", "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("JWT token is invalid"),
        "{answer}"
    );
}

/// Reads until the server closes the connection; returns how long that took.
fn time_to_close(mut stream: TcpStream, limit: Duration) -> Duration {
    stream.set_read_timeout(Some(limit)).unwrap();
    let start = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return start.elapsed(),
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                panic!("the connection was still open after {limit:?}")
            }
            // A reset is a close too.
            Err(_) => return start.elapsed(),
        }
    }
}

#[test]
fn idle_and_half_open_connections_are_closed() {
    let emulator = Emulator::open_in_memory().unwrap();
    let server = serve(
        &emulator,
        ServerOptions {
            idle_timeout: Duration::from_millis(300),
            ..ServerOptions::default()
        },
    );
    let limit = Duration::from_secs(10);

    // Connected, never a byte sent.
    let silent = TcpStream::connect(server.addr()).unwrap();
    assert!(time_to_close(silent, limit) < limit);

    // Half a request head, then silence.
    let mut partial = TcpStream::connect(server.addr()).unwrap();
    partial
        .write_all(b"POST /session/v1/login-request HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    assert!(time_to_close(partial, limit) < limit);

    // A body announced but never finished.
    let mut slow_body = TcpStream::connect(server.addr()).unwrap();
    slow_body
        .write_all(
            b"POST /session/v1/login-request HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"data\"",
        )
        .unwrap();
    assert!(time_to_close(slow_body, limit) < limit);

    // A finished request on a keep-alive connection, then idle.
    let mut kept = TcpStream::connect(server.addr()).unwrap();
    kept.write_all(b"GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert!(time_to_close(kept, limit) < limit);

    // Connections that keep talking are served as before.
    let mut config = ConnectionConfig::password("bank", "floe", "pw");
    config.base_url = Some(server.base_url());
    let session = snowflake::connect_with(config).unwrap();
    for _ in 0..3 {
        session.execute("SELECT CURRENT_ACCOUNT_NAME()").unwrap();
        // Longer than the idle timeout: the pooled connection is gone; the client
        // opens another.
        std::thread::sleep(Duration::from_millis(400));
    }
}

#[test]
fn serving_beyond_loopback_warns() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_floe"))
        .args(["emulator", "serve", "--addr", "0.0.0.0:0", "--db"])
        .arg(dir.path().join("emulator.db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.starts_with("listening on http://0.0.0.0:"), "{first}");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut warning = String::new();
    stderr.read_line(&mut warning).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(warning.starts_with("warning:"), "{warning}");
    assert!(warning.contains("not a loopback address"), "{warning}");
}

#[test]
fn put_over_the_wire_reads_only_bounded_regular_files() {
    let emulator = Emulator::open_in_memory().unwrap();
    let server = serve(&emulator, ServerOptions::default());
    let (token, _) = login(&server, "bank");
    query(&server, &token, "CREATE DATABASE D");
    query(&server, &token, "CREATE STAGE S");
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let mut sources = vec![PathBuf::from("/dev/zero"), dir.path().to_path_buf()];
    if made.is_ok_and(|status| status.success()) {
        sources.push(fifo);
    }
    for source in sources {
        let start = Instant::now();
        let answer: Value = http()
            .post(format!("{}/queries/v1/query-request", server.base_url()))
            .header("Authorization", format!("Snowflake Token=\"{token}\""))
            .json(&json!({"sqlText": format!("PUT 'file://{}' @S AUTO_COMPRESS = FALSE", source.display())}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(answer["success"], false, "{}: {answer}", source.display());
        assert_eq!(answer["code"], "253006", "{answer}");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{}",
            source.display()
        );
    }
    let file = dir.path().join("model.bin");
    std::fs::write(&file, b"weights").unwrap();
    let data = query(
        &server,
        &token,
        &format!("PUT 'file://{}' @S AUTO_COMPRESS = FALSE", file.display()),
    );
    assert_eq!(data["total"], 1, "{data}");
}
