//! The command line: argument parsing, dispatch, and mapping outcomes to exit codes.
//!
//! Each command lives in its own file and returns an [`ExitCode`]; only this module
//! knows argv, terminals and exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod doctor;
mod emulator;
mod plan;
mod saved;
mod serve;
mod validate;

/// floe — plan and apply Snowflake infrastructure for several accounts from one
/// project of YAML manifests, against real Snowflake or an embedded emulator.
#[derive(Debug, Parser)]
#[command(name = "floe", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a project's manifests without touching any account.
    Validate(ProjectArgs),
    /// Print the JSON Schema of manifest files or of the JSON plan (also in `schemas/`).
    Schema(SchemaArgs),
    /// Print the cross-account dependency graph.
    Graph(GraphArgs),
    /// Show what would change in every account of the target.
    Plan(PlanArgs),
    /// Make the accounts match the manifests (or apply a saved plan).
    Apply(ApplyArgs),
    /// Render a plan saved with `floe plan --out`, without touching any account.
    Show(ShowArgs),
    /// Report drift between the manifests and the live accounts.
    ///
    /// Exit 2 when a managed object differs from its manifest, a managed role holds
    /// an undeclared grant, a task or stream is unhealthy, or an unmanaged object is
    /// found (warehouses, databases, roles, shares, listings of the account; any
    /// object inside a managed database); 0 when in sync; 1 on errors.
    Drift(DriftArgs),
    /// Work with the embedded Snowflake emulator.
    #[command(subcommand)]
    Emulator(EmulatorCommand),
    /// Log into every account of a target: show each connection's settings and their origins, check identifier, role, warehouse and privileges.
    Doctor(DoctorArgs),
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// Arguments shared by every command that reads a project.
#[derive(Debug, Args, Clone)]
pub struct ProjectArgs {
    /// Project folder (holds floe.yaml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Set a variable: NAME=VALUE (overrides floe.yaml and FLOE_VAR_NAME).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFile {
    /// An account file (`account: bank` plus its objects).
    Account,
    /// The project file, `floe.yaml`.
    Project,
    /// The JSON plan (`floe plan --format json`).
    Plan,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file's schema to print.
    #[arg(long, value_enum, default_value = "account")]
    pub file: SchemaFile,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: GraphFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    Markdown,
    Sql,
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Target from floe.yaml (default: the project's default, the local emulator).
    #[arg(long, short = 't')]
    pub target: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: PlanFormat,
    /// Save the plan (JSON) for `floe apply <file>`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 0 when nothing changes, 2 when something does, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Deprecated, no effect: plans always show every change; `floe apply` is what
    /// needs --allow-destroy.
    #[arg(long, hide = true)]
    pub allow_destroy: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Project folder, or a plan saved with `floe plan --out`.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// With a saved plan: the project folder its local files and emulator path are
    /// relative to (default: the folder the plan records, relative to the plan file;
    /// else the current folder).
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Steps run at once across independent objects and accounts.
    #[arg(long, default_value_t = 4)]
    pub parallelism: usize,
    /// Allow the steps that lose data (drops and replaces of tables…) that this
    /// apply would run.
    #[arg(long)]
    pub allow_destroy: bool,
    /// Seconds to wait for another apply on the same emulator file to finish.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub lock_timeout: u64,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan saved with `floe plan --out`.
    pub plan: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    pub format: PlanFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DriftFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: DriftFormat,
    /// Report declared objects only: unmanaged objects are neither listed nor
    /// counted for the exit code.
    #[arg(long)]
    pub ignore_unmanaged: bool,
}

#[derive(Debug, Subcommand)]
pub enum EmulatorCommand {
    /// Run SQL statements in one emulated account and print the results.
    Sql(EmulatorSqlArgs),
    /// List the accounts in an emulator file.
    Accounts(EmulatorDbArgs),
    /// Serve the emulator over Snowflake's connector protocol (HTTP).
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: EmulatorDbArgs,
    /// Address to listen on (loopback by default; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Sleep this long before each answer, to model a network round trip.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
}

#[derive(Debug, Args)]
pub struct EmulatorDbArgs {
    /// Emulator file.
    #[arg(long, default_value = ".floe/emulator.db")]
    pub db: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct EmulatorSqlArgs {
    #[command(flatten)]
    pub db: EmulatorDbArgs,
    /// Account to run in (created on first use).
    #[arg(long)]
    pub account: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableFormat,
    /// One or more statements separated by `;`.
    pub sql: String,
}

/// Entry point of the `floe` binary.
///
/// Exit codes: 0 success, 1 any error (a usage error too), 2 only for "changes
/// present" (`plan --detailed-exitcode`) and "drifted" (`drift`). `--help` and
/// `--version` print to stdout and exit 0.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help/version to stdout and usage errors to stderr.
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Validate(args) => validate::validate(&args),
        Command::Schema(args) => validate::schema(&args),
        Command::Graph(args) => validate::graph(&args),
        Command::Plan(args) => plan::plan(&args),
        Command::Apply(args) => plan::apply(&args),
        Command::Show(args) => saved::show(&args),
        Command::Drift(args) => plan::drift(&args),
        Command::Emulator(EmulatorCommand::Sql(args)) => emulator::sql(&args),
        Command::Emulator(EmulatorCommand::Accounts(args)) => emulator::accounts(&args),
        Command::Emulator(EmulatorCommand::Serve(args)) => serve::serve(&args),
        Command::Doctor(args) => doctor::doctor(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}
