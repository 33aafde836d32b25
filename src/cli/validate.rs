//! `floe validate`, `floe schema`, `floe graph`: commands that read a project and
//! never touch an account.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;

use super::{GraphArgs, GraphFormat, ProjectArgs, SchemaArgs, SchemaFile};
use crate::manifest::{self, Diagnostics, Project};

/// Parses `--var NAME=VALUE` arguments.
pub fn parse_vars(vars: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    vars.iter()
        .map(|v| {
            let (name, value) = v
                .split_once('=')
                .with_context(|| format!("`--var {v}`: expected NAME=VALUE"))?;
            let name = name.trim();
            anyhow::ensure!(!name.is_empty(), "`--var {v}`: the variable name is empty");
            Ok((name.to_string(), value.to_string()))
        })
        .collect()
}

/// Prints diagnostics to stderr, in colour only on a terminal without NO_COLOR.
pub fn print_diagnostics(diags: &Diagnostics) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    eprint!("{}", diags.render(color));
}

/// Loads the project, printing diagnostics on failure (`None` then).
fn load(args: &ProjectArgs) -> anyhow::Result<Option<Project>> {
    let vars = parse_vars(&args.vars)?;
    match manifest::load(&args.dir, &vars) {
        Ok(p) => Ok(Some(p)),
        Err(diags) => {
            print_diagnostics(&diags);
            Ok(None)
        }
    }
}

pub fn validate(args: &ProjectArgs) -> anyhow::Result<ExitCode> {
    let Some(project) = load(args)? else {
        return Ok(ExitCode::from(1));
    };
    for (account, kinds) in manifest::summary(&project) {
        let total: usize = kinds.values().sum();
        let parts: Vec<String> = kinds
            .iter()
            .map(|(kind, n)| {
                let name = kind.as_str().replace('_', " ");
                if *n == 1 {
                    format!("1 {name}")
                } else {
                    format!("{n} {}", plural(&name))
                }
            })
            .collect();
        let detail = if parts.is_empty() {
            "no objects".to_string()
        } else {
            parts.join(", ")
        };
        println!("{account}: {total} objects ({detail})");
    }
    Ok(ExitCode::SUCCESS)
}

fn plural(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}es")
    } else {
        format!("{name}s")
    }
}

pub fn schema(args: &SchemaArgs) -> anyhow::Result<ExitCode> {
    match args.file {
        SchemaFile::Account => print!("{}", manifest::schema::account_schema()),
        SchemaFile::Project => print!("{}", manifest::schema::project_schema()),
        SchemaFile::Plan => print!("{}", crate::report::plan_schema()),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn graph(args: &GraphArgs) -> anyhow::Result<ExitCode> {
    let Some(project) = load(&args.project)? else {
        return Ok(ExitCode::from(1));
    };
    let graph =
        crate::graph::build_graph(&project.desired).context("building the dependency graph")?;
    match args.format {
        GraphFormat::Dot => print!("{}", graph.render_dot()),
        GraphFormat::Mermaid => print!("{}", graph.render_mermaid()),
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vars_parse_name_value() {
        let v = parse_vars(&["a=b=c".into(), "x=".into()]).unwrap();
        assert_eq!(
            v,
            [
                ("a".to_string(), "b=c".to_string()),
                ("x".to_string(), String::new())
            ]
        );
        assert!(parse_vars(&["novalue".into()]).is_err());
        assert!(parse_vars(&["=v".into()]).is_err());
    }
}
