//! `${var.NAME}` substitution.
//!
//! A value comes from, in order: `--var NAME=VALUE`, the environment variable
//! `FLOE_VAR_NAME`, then `variables:` in floe.yaml. `$${` writes a literal `${`.
//! Any other `${…}` (unterminated, or another namespace such as `${env.HOME}`) is an
//! error: floe never reads the environment through a manifest.

use std::cell::Cell;
use std::collections::BTreeMap;

use super::diagnostics::{Diagnostic, codes, did_you_mean};
use super::yaml::{Node, Span};

/// Reads `FLOE_VAR_<NAME>` values (the process environment, or a test's own map).
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String>>;

/// Where variable values come from.
pub struct Variables {
    overrides: BTreeMap<String, String>,
    file: BTreeMap<String, String>,
    env: EnvLookup,
    /// Bytes that expansion may still produce in the whole project.
    budget: Cell<usize>,
}

impl Variables {
    pub fn new(
        overrides: &[(String, String)],
        file: BTreeMap<String, String>,
        env: EnvLookup,
    ) -> Variables {
        Variables {
            overrides: overrides.iter().cloned().collect(),
            file,
            env,
            budget: Cell::new(MAX_EXPANDED_BYTES),
        }
    }

    /// Reads `FLOE_VAR_<NAME>` from the process environment.
    pub fn process_env() -> EnvLookup {
        Box::new(|name: &str| {
            std::env::var(format!("FLOE_VAR_{name}"))
                .ok()
                .or_else(|| std::env::var(format!("FLOE_VAR_{}", name.to_ascii_uppercase())).ok())
        })
    }

    pub fn get(&self, name: &str) -> Option<String> {
        self.overrides
            .get(name)
            .cloned()
            .or_else(|| (self.env)(name))
            .or_else(|| self.file.get(name).cloned())
    }

    /// Replaces every `${var.NAME}` in the tree; reports undefined names, malformed
    /// `${…}`, and expansion past [`MAX_EXPANDED_BYTES`] in the whole project.
    pub fn substitute(&self, node: &mut Node) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let mut budget = self.budget.get();
        node.for_each_scalar_mut(&mut |text: &mut String, span: Span| {
            if budget == 0 || !text.contains('$') {
                return;
            }
            match self.expand_within(text, budget) {
                Ok(expanded) => {
                    budget = budget.saturating_sub(expanded.len());
                    *text = expanded;
                }
                Err(problems) => {
                    for p in problems {
                        if p == Problem::TooLarge {
                            budget = 0;
                        }
                        diags.push(self.diagnostic(p, span));
                    }
                }
            }
        });
        self.budget.set(budget);
        diags
    }

    fn diagnostic(&self, problem: Problem, span: Span) -> Diagnostic {
        match problem {
            Problem::Undefined(name) => {
                let known: Vec<&str> = self
                    .file
                    .keys()
                    .chain(self.overrides.keys())
                    .map(|s| s.as_str())
                    .collect();
                let hint = did_you_mean(&name, known.iter().copied()).unwrap_or_else(|| {
                    format!(
                        "define it under `variables:` in floe.yaml, pass `--var {name}=VALUE` or set FLOE_VAR_{name}"
                    )
                });
                Diagnostic::new(codes::VAR_UNDEFINED, format!("variable `{name}` is not defined"))
                    .at(span, format!("uses `${{var.{name}}}`"))
                    .hint(hint)
            }
            Problem::Unterminated => Diagnostic::new(codes::VAR_SYNTAX, "`${` is not closed by `}`")
                .at(span, "unterminated `${`")
                .hint("write `${var.NAME}`, or `$${` for a literal `${`"),
            Problem::Malformed(inner) => Diagnostic::new(
                codes::VAR_SYNTAX,
                format!("`${{{inner}}}` is not a variable reference"),
            )
            .at(span, "only `${var.NAME}` is expanded")
            .hint("variables come from `variables:` in floe.yaml, `--var NAME=VALUE` or FLOE_VAR_NAME; write `$${` for a literal `${`"),
            Problem::TooLarge => Diagnostic::new(
                codes::VAR_TOO_LARGE,
                format!("variables expand the project's manifests past {MAX_EXPANDED_BYTES} bytes"),
            )
            .at(span, "the limit is passed here")
            .hint("a variable is used too often or holds too much text"),
        }
    }

    /// Expands one string; `Err` lists what is wrong (undefined names, bad `${…}`).
    pub fn expand(&self, text: &str) -> Result<String, Vec<Problem>> {
        self.expand_within(text, MAX_EXPANDED_BYTES)
    }

    /// [`Variables::expand`], refusing a result longer than `budget` bytes.
    fn expand_within(&self, text: &str, budget: usize) -> Result<String, Vec<Problem>> {
        let mut out = String::with_capacity(text.len().min(budget));
        let mut problems = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i..];
            if let Some(tail) = after.strip_prefix("$${") {
                out.push_str("${");
                rest = tail;
            } else if let Some(tail) = after.strip_prefix("${") {
                let Some(end) = tail.find('}') else {
                    problems.push(Problem::Unterminated);
                    rest = "";
                    break;
                };
                let inner = &tail[..end];
                match inner.trim().strip_prefix("var.").map(str::trim) {
                    Some(name) if is_name(name) => match self.get(name) {
                        Some(v) => out.push_str(&v),
                        None => problems.push(Problem::Undefined(name.to_string())),
                    },
                    _ => problems.push(Problem::Malformed(inner.to_string())),
                }
                rest = &tail[end + 1..];
            } else {
                out.push('$');
                rest = &after[1..];
            }
            if out.len() > budget {
                problems.push(Problem::TooLarge);
                break;
            }
        }
        out.push_str(rest);
        if out.len() > budget && !problems.contains(&Problem::TooLarge) {
            problems.push(Problem::TooLarge);
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}

/// Most bytes that `${var.…}` expansion may produce in a project.
pub const MAX_EXPANDED_BYTES: usize = 16 << 20;

/// What is wrong with a string's `${…}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `${var.NAME}` with no value for NAME.
    Undefined(String),
    /// `${` with no closing `}`.
    Unterminated,
    /// `${…}` that is not `var.NAME` (e.g. `${env.HOME}`); holds the text inside.
    Malformed(String),
    /// The expansion grew past the limit.
    TooLarge,
}

/// A variable name: letters, digits, `_` and `-`, not empty.
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(env: &'static [(&'static str, &'static str)]) -> Variables {
        let file = BTreeMap::from([
            ("bucket".to_string(), "from-file".to_string()),
            ("region".to_string(), "eu".to_string()),
        ]);
        Variables::new(
            &[("bucket".to_string(), "from-cli".to_string())],
            file,
            Box::new(move |n: &str| {
                env.iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.to_string())
            }),
        )
    }

    #[test]
    fn precedence_is_cli_then_env_then_file() {
        let v = vars(&[("region", "from-env"), ("bucket", "env-bucket")]);
        assert_eq!(
            v.expand("s3://${var.bucket}/${var.region}/").unwrap(),
            "s3://from-cli/from-env/"
        );
        let v = vars(&[]);
        assert_eq!(v.expand("${var.region}").unwrap(), "eu");
    }

    #[test]
    fn undefined_and_escapes() {
        let v = vars(&[]);
        assert_eq!(
            v.expand("a ${var.nope} ${var.region}"),
            Err(vec![Problem::Undefined("nope".to_string())])
        );
        assert_eq!(
            v.expand("$${var.region} costs $5").unwrap(),
            "${var.region} costs $5"
        );
    }

    #[test]
    fn malformed_references_are_errors() {
        let v = vars(&[]);
        assert_eq!(v.expand("${var.region"), Err(vec![Problem::Unterminated]));
        assert_eq!(
            v.expand("home is ${env.HOME}"),
            Err(vec![Problem::Malformed("env.HOME".to_string())])
        );
        assert_eq!(
            v.expand("${var.}"),
            Err(vec![Problem::Malformed("var.".to_string())])
        );
        assert_eq!(v.expand("${ var.region }").unwrap(), "eu");
    }

    #[test]
    fn expansion_is_bounded() {
        let v = vars(&[]);
        let text = "${var.region}".repeat(10);
        assert_eq!(v.expand_within(&text, 19), Err(vec![Problem::TooLarge]));
        assert_eq!(v.expand_within(&text, 20).unwrap().len(), 20);
    }
}
