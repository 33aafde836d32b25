//! Which environment variables a project may use as credentials.
//!
//! A manifest can name an environment variable whose value floe sends to an account
//! (a stage's `credentials: { aws_key_id_env, aws_secret_key_env }`). Anyone who can
//! change a manifest could otherwise name any variable of the machine running floe,
//! such as the password of floe's own connection, and read it back from the account.
//! So a variable must be declared under `secrets:` in floe.yaml, and `SNOWFLAKE_*`
//! and `FLOE_*` (floe's own connection settings and variables) are never accepted.

use std::collections::{BTreeMap, BTreeSet};

use super::diagnostics::{Diagnostic, codes, did_you_mean};
use super::lower::{Declared, describe};
use super::yaml::{Node, Span};
use crate::model::{ObjectId, Spec, StageAuth};

/// Prefixes of variables that hold floe's own settings.
const RESERVED_PREFIXES: [&str; 2] = ["SNOWFLAKE_", "FLOE_"];

/// Why `name` cannot be a secret, if it cannot.
fn refused(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Some(format!(
            "`{name}` is not an environment variable name (letters, digits and `_`, not starting with a digit)"
        ));
    }
    let upper = name.to_ascii_uppercase();
    RESERVED_PREFIXES
        .iter()
        .find(|p| upper.starts_with(*p))
        .map(|p| format!("`{name}` starts with `{p}`, which holds floe's own settings"))
}

/// Checks the `secrets:` list of floe.yaml (`project` is its root node) and returns
/// the names that may be used.
pub fn declared(
    secrets: &[String],
    project: &Node,
    diags: &mut Vec<Diagnostic>,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, name) in secrets.iter().enumerate() {
        let span = project
            .get("secrets")
            .and_then(|s| s.index(i))
            .map(|n| n.span)
            .unwrap_or(project.span);
        match refused(name) {
            Some(why) => diags.push(
                Diagnostic::new(
                    codes::SECRET_RESERVED,
                    format!("`{name}` cannot be declared as a secret"),
                )
                .at(span, why)
                .hint("declare only the variables that hold credentials for objects (e.g. `BANK_S3_KEY_ID`)"),
            ),
            None => {
                out.insert(name.clone());
            }
        }
    }
    out
}

/// Every credential variable named by a declared object must be in `declared`.
pub fn check_uses(
    objects: &BTreeMap<ObjectId, Declared>,
    declared: &BTreeSet<String>,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for d in objects.values() {
        let Spec::Stage(stage) = &d.spec else {
            continue;
        };
        let Some(StageAuth::AwsKeysFromEnv {
            key_id_env,
            secret_key_env,
        }) = &stage.auth
        else {
            continue;
        };
        for (field, name) in [
            ("aws_key_id_env", key_id_env),
            ("aws_secret_key_env", secret_key_env),
        ] {
            let span = d.field(&["credentials", field]);
            if let Some(diag) = check_one(&d.id, field, name, span, declared) {
                diags.push(diag);
            }
        }
    }
    diags
}

fn check_one(
    id: &ObjectId,
    field: &str,
    name: &str,
    span: Span,
    declared: &BTreeSet<String>,
) -> Option<Diagnostic> {
    if let Some(why) = refused(name) {
        return Some(
            Diagnostic::new(
                codes::SECRET_RESERVED,
                format!(
                    "`{field}` of {} names a variable floe never reads",
                    describe(id)
                ),
            )
            .at(span, why)
            .hint("use a variable of its own for this credential and declare it under `secrets:` in floe.yaml"),
        );
    }
    if declared.contains(name) {
        return None;
    }
    let hint = did_you_mean(name, declared.iter().map(|s| s.as_str())).unwrap_or_else(|| {
        format!("declare it in floe.yaml: `secrets: [{name}]`, if this project is meant to read it")
    });
    Some(
        Diagnostic::new(
            codes::SECRET_UNDECLARED,
            format!(
                "`{field}` of {} names `{name}`, which floe.yaml does not declare under `secrets:`",
                describe(id)
            ),
        )
        .at(span, "undeclared environment variable")
        .hint(hint),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_malformed_names_are_refused() {
        assert!(refused("BANK_S3_KEY").is_none());
        assert!(refused("_x1").is_none());
        assert!(refused("SNOWFLAKE_PASSWORD").is_some());
        assert!(refused("snowflake_password").is_some());
        assert!(refused("FLOE_VAR_X").is_some());
        assert!(refused("1ABC").is_some());
        assert!(refused("A-B").is_some());
        assert!(refused("").is_some());
    }
}
