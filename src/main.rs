fn main() -> std::process::ExitCode {
    floe::cli::main()
}
