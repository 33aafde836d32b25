//! What plans print that legitimately differs between runs of the same scenario:
//! floe's own version (a release must not touch every snapshot), the target's
//! name (the backends run the same project under different targets) and the plan
//! hash (it covers statements that name files by their path in the run's copy of
//! the project).

/// `floe_version` in the JSON plan and `floe X.Y.Z ·` in the comment header
/// replaced by `<version>`.
pub fn without_version(out: &str) -> String {
    let v = env!("CARGO_PKG_VERSION");
    out.replace(
        &format!("\"floe_version\": \"{v}\""),
        "\"floe_version\": \"<version>\"",
    )
    .replace(&format!("floe {v} ·"), "floe <version> ·")
}

/// The target's name where plans print it (the JSON plan, the comment's marker
/// and header) replaced by `<target>`.
pub fn without_target(out: &str, target: &str) -> String {
    out.replace(
        &format!("\"target\": \"{target}\""),
        "\"target\": \"<target>\"",
    )
    .replace(
        &format!("<!-- floe-plan target={target} -->"),
        "<!-- floe-plan target=<target> -->",
    )
    .replace(
        &format!("target <code>{target}</code>"),
        "target <code>&lt;target&gt;</code>",
    )
}

/// The plan hash (JSON plan, comment header) replaced by `<hash>`.
pub fn without_plan_hash(out: &str) -> String {
    let mut text = out.to_string();
    for (before, after) in [("\"plan_hash\": \"", "\""), ("plan <code>", "</code>")] {
        if let Some(start) = text.find(before).map(|i| i + before.len())
            && let Some(len) = text[start..].find(after)
        {
            text.replace_range(start..start + len, "<hash>");
        }
    }
    text
}
