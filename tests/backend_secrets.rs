//! Sentinel secrets must never appear in any Debug/Display of configurations,
//! sessions or errors — not even when a server echoes them back.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use floe::runtime::session::{BackendError, Rows, SqlSession};
use floe::snowflake::config::{Environment, load_connection_in};
use floe::snowflake::{self, Auth, ConnectionConfig, Secret};
use floe::wire::{self, Credentials, ServerOptions, SessionFactory};

const SENTINELS: [&str; 3] = [
    "SENTINEL-PASSWORD-4f1",
    "SENTINEL-TOKEN-9c2",
    "SENTINEL-PASSPHRASE-7aa",
];

fn assert_clean(what: &str, text: &str) {
    for sentinel in SENTINELS {
        assert!(!text.contains(sentinel), "{what} leaks a secret: {text}");
    }
}

struct Empty;
impl SqlSession for Empty {
    fn execute(&self, _sql: &str) -> Result<Rows, BackendError> {
        Ok(Rows::default())
    }
}

#[test]
fn configurations_never_print_secrets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("connections.toml"),
        format!(
            "[pw]\naccount = \"a\"\nuser = \"u\"\npassword = \"{}\"\n\n[pat]\naccount = \"a\"\nuser = \"u\"\nauthenticator = \"PROGRAMMATIC_ACCESS_TOKEN\"\ntoken = \"{}\"\n\n[key]\naccount = \"a\"\nuser = \"u\"\nauthenticator = \"SNOWFLAKE_JWT\"\nprivate_key_file = \"{}\"\nprivate_key_file_pwd = \"{}\"\n",
            SENTINELS[0],
            SENTINELS[1],
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys/test_key_encrypted.p8"),
            SENTINELS[2],
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.path().join("connections.toml"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let env = Environment::new(
        [(
            "SNOWFLAKE_HOME".to_string(),
            dir.path().to_string_lossy().into_owned(),
        )],
        None,
    );
    for name in ["pw", "pat", "key"] {
        let config = load_connection_in(Some(name), &env).unwrap();
        assert_clean("config Debug", &format!("{config:?}"));
        assert_clean("auth Debug", &format!("{:?}", config.auth));
    }

    // A wrong key passphrase: the error names the problem, not the passphrase.
    let config = load_connection_in(Some("key"), &env).unwrap();
    let err = snowflake::connect_with(config).unwrap_err();
    assert!(matches!(err, BackendError::Auth(_)));
    assert_clean("key error", &format!("{err} {err:?}"));
}

#[test]
fn login_failures_never_print_secrets() {
    let factory: SessionFactory = Arc::new(|_: &str| Ok(Box::new(Empty) as Box<dyn SqlSession>));
    let server = wire::serve_with(
        factory,
        ServerOptions {
            credentials: Credentials::Secret(Secret::new("something-else")),
            ..ServerOptions::default()
        },
    )
    .unwrap();
    for auth in [
        Auth::Password(Secret::new(SENTINELS[0])),
        Auth::ProgrammaticAccessToken(Secret::new(SENTINELS[1])),
    ] {
        let mut config = ConnectionConfig::password("bank", "u", "x");
        config.auth = auth;
        config.base_url = Some(server.base_url());
        let err = snowflake::connect_with(config.clone()).unwrap_err();
        assert!(matches!(err, BackendError::Auth(_)), "{err}");
        assert_clean("login error", &format!("{err} {err:?}"));
        assert_clean("config", &format!("{config:?}"));
    }
}

#[test]
fn secrets_echoed_by_a_server_are_redacted() {
    // A (hypothetical) server that quotes the request back in its error message.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(2) {
            let Ok(mut stream) = stream else { continue };
            stream
                .set_read_timeout(Some(Duration::from_millis(300)))
                .unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 8192];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                if String::from_utf8_lossy(&request).contains(SENTINELS[0]) {
                    break;
                }
            }
            let echoed = String::from_utf8_lossy(&request).replace(['"', '\\', '\r', '\n'], " ");
            let body = format!(
                "{{\"success\":false,\"code\":\"390100\",\"message\":\"bad login: {echoed}\",\"data\":null}}"
            );
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    let mut config = ConnectionConfig::password("bank", "u", SENTINELS[0]);
    config.base_url = Some(format!("http://{addr}"));
    let err = snowflake::connect_with(config).unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(text.contains("bad login"), "{text}");
    assert!(text.contains("***"), "{text}");
    assert_clean("echoed login error", &text);
}
