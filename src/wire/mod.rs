//! An HTTP server that speaks Snowflake's connector protocol in front of any
//! [`SqlSession`] factory — in practice the embedded emulator (`floe emulator serve`).
//!
//! Snowflake's own connectors (and floe's Snowflake backend) log in, run
//! statements, renew tokens and log out against it exactly as against
//! `<account>.snowflakecomputing.com`: it is both the proof that the emulator
//! speaks the protocol and the way to test the real backend without an account.
//!
//! Endpoints: `POST /session/v1/login-request`, `POST /queries/v1/query-request`,
//! `POST /session/token-request`, `POST /session?delete=true`,
//! `POST /session/heartbeat`, `POST /queries/v1/abort-request`,
//! `POST /telemetry/send`, and `GET /wire/chunks/<query>/<n>` for result chunks.
//! Results are JSON in Snowflake's shape (`rowtype`, `rowset` of strings, `total`,
//! `returned`, `queryId`; errors with `code`, `message`, `data.sqlState`).
//! The server knows nothing of the emulator: it only calls the factory and
//! [`SqlSession::execute`].
//!
//! It may be reached by strangers, so it gives nothing away by being guessed or
//! flooded: session tokens, master tokens, query ids and result-chunk keys are
//! 128-bit random; a chunk is served only with its result's key (sent back by the
//! connectors from `chunkHeaders`) and only while the session that ran the query
//! lives; request bodies are capped before and after gzip decompression; key-pair
//! logins are verified against the public key registered for the user
//! (`DESCRIBE USER`) when the account has that user; and a connection that sends
//! nothing for [`ServerOptions::idle_timeout`] is closed.

mod protocol;
mod secure;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::runtime::session::{BackendError, SqlSession};

pub use protocol::Credentials;

/// Opens a session for the account named at login (`ACCOUNT_NAME`, upper case).
pub type SessionFactory =
    Arc<dyn Fn(&str) -> Result<Box<dyn SqlSession>, BackendError> + Send + Sync>;

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    pub addr: SocketAddr,
    /// Sleep before each answer, to model a real network round trip.
    pub latency: Duration,
    /// Lifetime of a session token (renewed with the master token).
    pub session_token_validity: Duration,
    /// Lifetime of a master token (after it, clients must log in again).
    pub master_token_validity: Duration,
    /// Rows carried inline; larger results are split into downloadable chunks of
    /// this many rows, as Snowflake does.
    pub chunk_rows: usize,
    /// Which credentials a login must present.
    pub credentials: Credentials,
    /// A connection waiting this long for (the rest of) a request's headers or
    /// body — idle between requests, or half-open — is closed.
    pub idle_timeout: Duration,
    /// Largest request body accepted as sent (compressed); larger gets 413.
    pub max_body_bytes: usize,
    /// Largest request body accepted once gunzipped; larger gets 413. The
    /// decompressor stops one byte past it, so memory stays bounded.
    pub max_decompressed_bytes: usize,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            latency: Duration::ZERO,
            session_token_validity: Duration::from_secs(3600),
            master_token_validity: Duration::from_secs(4 * 3600),
            chunk_rows: 10_000,
            credentials: Credentials::Any,
            idle_timeout: Duration::from_secs(60),
            max_body_bytes: 2 * 1024 * 1024,
            max_decompressed_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("cannot listen on {addr}: {message}")]
    Bind { addr: SocketAddr, message: String },
    #[error("cannot start the server runtime: {0}")]
    Runtime(String),
}

/// A running server. Dropping it (or [`ServerHandle::shutdown`]) stops it.
pub struct ServerHandle {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The address the server listens on (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`: the base URL a connection needs.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits for it.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    /// Blocks until the server stops (it runs until the process ends).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Serves `factory` on `addr` with `latency` before each answer.
pub fn serve(
    factory: SessionFactory,
    addr: SocketAddr,
    latency: Duration,
) -> Result<ServerHandle, WireError> {
    serve_with(
        factory,
        ServerOptions {
            addr,
            latency,
            ..ServerOptions::default()
        },
    )
}

/// Serves `factory` with explicit options.
pub fn serve_with(
    factory: SessionFactory,
    options: ServerOptions,
) -> Result<ServerHandle, WireError> {
    let bind_error = |e: std::io::Error| WireError::Bind {
        addr: options.addr,
        message: e.to_string(),
    };
    let listener = TcpListener::bind(options.addr).map_err(bind_error)?;
    listener.set_nonblocking(true).map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .thread_name("floe-wire")
        .build()
        .map_err(|e| WireError::Runtime(e.to_string()))?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listener = {
        let _guard = runtime.enter();
        tokio::net::TcpListener::from_std(listener).map_err(bind_error)?
    };
    let idle_timeout = options.idle_timeout;
    let router = protocol::router(factory, options, addr);
    let thread = std::thread::Builder::new()
        .name("floe-wire".to_string())
        .spawn(move || {
            runtime.block_on(accept_loop(listener, router, idle_timeout, stopped));
            // Sessions still executing statements must not hold the process up.
            runtime.shutdown_timeout(Duration::from_secs(1));
        })
        .map_err(|e| WireError::Runtime(e.to_string()))?;
    Ok(ServerHandle {
        addr,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// Accepts connections until `stopped`, serving each with HTTP/1 and a header read
/// timeout: hyper closes a connection that has not sent a complete request head
/// within `idle_timeout`, which covers idle keep-alive connections and half-open
/// ones alike. (`axum::serve` sets no timer, so it never times a connection out.)
async fn accept_loop(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    idle_timeout: Duration,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let (closing, close_signal) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => accepted,
        };
        // Reap finished connections so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors and the like: wait instead of spinning.
                eprintln!("floe wire server: cannot accept a connection: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let mut close_signal = close_signal.clone();
        connections.spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(idle_timeout);
            let connection =
                builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = close_signal.changed() => connection.as_mut().graceful_shutdown(),
            }
            let _ = connection.await;
        });
    }
    let _ = closing.send(true);
    // In-flight requests get a moment to finish; idle connections close at once.
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}
