//! The committed JSON Schemas in `schemas/` match the manifest types and the JSON
//! plan's, and every shipped manifest points editors at them.

use std::path::{Path, PathBuf};

use floe::manifest::schema::{
    ACCOUNT_SCHEMA_FILE, PROJECT_SCHEMA_FILE, account_schema, project_schema,
};
use floe::report::view::PLAN_SCHEMA_FILE;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_schemas_are_current() {
    let update = std::env::var_os("FLOE_UPDATE_SCHEMAS").is_some();
    for (file, generated) in [
        (PROJECT_SCHEMA_FILE, project_schema()),
        (ACCOUNT_SCHEMA_FILE, account_schema()),
        (PLAN_SCHEMA_FILE, floe::report::plan_schema()),
    ] {
        let path = repo().join("schemas").join(file);
        if update {
            std::fs::write(&path, &generated).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "schemas/{file} is stale (the manifest or plan types changed).\n\
             Regenerate it with: FLOE_UPDATE_SCHEMAS=1 cargo test --test manifest_schema"
        );
    }
}

#[test]
fn schemas_describe_the_format() {
    let account: serde_json::Value = serde_json::from_str(&account_schema()).unwrap();
    let props = &account["properties"];
    for key in [
        "account",
        "warehouses",
        "roles",
        "databases",
        "shares",
        "listings",
        "grants",
    ] {
        assert!(props.get(key).is_some(), "account schema lacks `{key}`");
    }
    assert_eq!(
        account["additionalProperties"],
        serde_json::Value::Bool(false)
    );
    let project: serde_json::Value = serde_json::from_str(&project_schema()).unwrap();
    assert!(project["properties"].get("targets").is_some());
    assert!(
        project["required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "accounts")
    );
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn shipped_manifests_start_with_the_schema_modeline() {
    let mut files = Vec::new();
    yaml_files(&repo().join("manifests"), &mut files);
    assert!(files.len() >= 5);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let schema = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| {
                panic!(
                    "{} does not start with the yaml-language-server modeline",
                    file.display()
                )
            });
        let expected = if file.file_name().is_some_and(|n| n == "floe.yaml") {
            PROJECT_SCHEMA_FILE
        } else {
            ACCOUNT_SCHEMA_FILE
        };
        assert!(
            schema.ends_with(expected),
            "{}: modeline names {schema}",
            file.display()
        );
        let target = file.parent().unwrap().join(schema);
        assert!(
            target.is_file(),
            "{}: modeline points at missing {}",
            file.display(),
            target.display()
        );
    }
}

#[test]
fn floe_schema_prints_the_committed_plan_schema() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_floe"))
        .args(["schema", "--file", "plan"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let committed = std::fs::read_to_string(repo().join("schemas/plan.schema.json")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
    let schema: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(schema["title"], "floe plan");
    for key in [
        "format_version",
        "floe_version",
        "target",
        "accounts",
        "plan_hash",
    ] {
        assert!(
            schema["required"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == key),
            "the plan schema does not require `{key}`"
        );
    }
}
