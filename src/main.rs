fn main() -> std::process::ExitCode {
    restore_default_sigpipe();
    floe::cli::main()
}

/// Rust ignores SIGPIPE, so printing into a closed pipe (`floe plan | head`) would
/// panic. Restoring the default makes floe end quietly there, like other Unix tools.
#[cfg(unix)]
fn restore_default_sigpipe() {
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_default_sigpipe() {}
