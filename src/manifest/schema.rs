//! The JSON Schemas of manifest files, generated from the raw types.

use super::raw::{AccountFile, ProjectFile};

/// File names of the generated schemas under `schemas/`.
pub const PROJECT_SCHEMA_FILE: &str = "floe.schema.json";
pub const ACCOUNT_SCHEMA_FILE: &str = "account.schema.json";

/// JSON Schema for `floe.yaml`, pretty-printed with a trailing newline.
pub fn project_schema() -> String {
    render(schemars::schema_for!(ProjectFile))
}

/// JSON Schema for account files.
pub fn account_schema() -> String {
    render(schemars::schema_for!(AccountFile))
}

fn render(schema: schemars::Schema) -> String {
    let mut text =
        serde_json::to_string_pretty(&schema).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
