//! `${var.NAME}` substitution.
//!
//! A value comes from, in order: `--var NAME=VALUE`, the environment variable
//! `FLOE_VAR_NAME`, then `variables:` in floe.yaml. `$${` writes a literal `${`.

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

    /// Replaces every `${var.NAME}` in the tree; reports undefined names.
    pub fn substitute(&self, node: &mut Node) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        node.for_each_scalar_mut(&mut |text: &mut String, span: Span| {
            if text.contains("${") {
                match self.expand(text) {
                    Ok(expanded) => *text = expanded,
                    Err(missing) => {
                        for name in missing {
                            let known: Vec<&str> =
                                self.file.keys().chain(self.overrides.keys()).map(|s| s.as_str()).collect();
                            let hint = did_you_mean(&name, known.iter().copied()).unwrap_or_else(|| {
                                format!(
                                    "define it under `variables:` in floe.yaml, pass `--var {name}=VALUE` or set FLOE_VAR_{name}"
                                )
                            });
                            diags.push(
                                Diagnostic::new(codes::VAR_UNDEFINED, format!("variable `{name}` is not defined"))
                                    .at(span, format!("uses `${{var.{name}}}`"))
                                    .hint(hint),
                            );
                        }
                    }
                }
            }
        });
        diags
    }

    /// Expands one string; `Err` lists the undefined names.
    pub fn expand(&self, text: &str) -> Result<String, Vec<String>> {
        let mut out = String::with_capacity(text.len());
        let mut missing = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i..];
            if let Some(tail) = after.strip_prefix("$${") {
                out.push_str("${");
                rest = tail;
            } else if let Some(tail) = after.strip_prefix("${var.")
                && let Some(end) = tail.find('}')
            {
                let name = tail[..end].trim();
                match self.get(name) {
                    Some(v) => out.push_str(&v),
                    None => missing.push(name.to_string()),
                }
                rest = &tail[end + 1..];
            } else {
                out.push('$');
                rest = &after[1..];
            }
        }
        out.push_str(rest);
        if missing.is_empty() {
            Ok(out)
        } else {
            Err(missing)
        }
    }
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
            Err(vec!["nope".to_string()])
        );
        assert_eq!(
            v.expand("$${var.region} costs $5").unwrap(),
            "${var.region} costs $5"
        );
    }
}
