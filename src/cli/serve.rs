//! `floe emulator serve`: the emulator behind Snowflake's connector protocol, so
//! Snowflake's own connectors — and floe's Snowflake backend — can talk to it.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use super::ServeArgs;
use crate::emulator::Emulator;
use crate::runtime::session::SqlSession;
use crate::wire::{self, SessionFactory};

pub fn serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let path = &args.db.db;
    let emulator = Emulator::open(path)
        .with_context(|| format!("cannot open the emulator at {}", path.display()))?;
    let factory: SessionFactory = Arc::new(move |account: &str| {
        Ok(Box::new(emulator.session(account)) as Box<dyn SqlSession>)
    });
    let handle = wire::serve(factory, args.addr, Duration::from_millis(args.latency_ms))
        .with_context(|| format!("cannot serve on {}", args.addr))?;
    let addr = handle.addr();
    // The first line is for scripts: the address to connect to. The server keeps
    // running when nobody reads the rest (a closed stdout is not an error here).
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on http://{addr}");
    let _ = writeln!(
        out,
        "emulator {}; connect with account=<account> host={} port={} protocol=http (any user and password); Ctrl-C stops",
        path.display(),
        addr.ip(),
        addr.port()
    );
    let _ = out.flush();
    if !addr.ip().is_loopback() {
        let _ = writeln!(
            std::io::stderr(),
            "warning: {addr} is not a loopback address: anyone who can reach it can log in with any password and read or change every emulated account"
        );
    }
    handle.wait();
    Ok(ExitCode::SUCCESS)
}
