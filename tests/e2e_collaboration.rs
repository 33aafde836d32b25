//! End to end through the `floe` binary: apply the shipped collaboration from
//! nothing, then a sequence of edits — each planned (snapshotted as text, JSON,
//! markdown and SQL), applied, and followed by an empty plan. Also drift, saved plans
//! and the confirmation guard.
//!
//! Every scenario runs on both backends at once (`common::backend`): the embedded
//! emulator in process (target `local`), and floe's Snowflake backend talking to
//! `floe emulator serve` (target `wire`). Each command's output must be byte-identical
//! on both, so one set of snapshots serves both.

mod common;

use common::TempProject;
use common::backend::Scenario;

/// Applies the project and checks that the next plan is empty.
fn apply_and_converge(scenario: &Scenario, extra: &[&str]) {
    let mut args = vec!["apply", "{project}", "--auto-approve"];
    args.extend_from_slice(extra);
    let out = scenario.floe_unordered_ok(&args, 0);
    assert!(out.contains("Apply complete"), "{out}");
    let again = scenario.floe_ok(&["plan", "{project}", "--detailed-exitcode"], 0);
    assert!(again.contains("No changes"), "not converged:\n{again}");
}

/// Plans in every format, snapshotting each under `tests/plans/e2e_<case>/`.
fn snapshot_plan(scenario: &Scenario, case: &str, extra: &[&str]) {
    for format in ["text", "json", "markdown", "sql"] {
        let mut args = vec![
            "plan",
            "{project}",
            "--detailed-exitcode",
            "--format",
            format,
        ];
        args.extend_from_slice(extra);
        let out = scenario.floe_ok(&args, 2);
        insta::with_settings!({
            snapshot_path => format!("plans/e2e_{case}"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format, common::redact::without_version(&out));
        });
    }
}

fn applied_from_nothing() -> Scenario {
    let scenario = Scenario::new();
    // Removing an object from an authoritative schema is one of the edits below.
    scenario.edit(
        "bank/data_sharing_demo.yaml",
        "      data_sharing_demo:\n        file_formats:",
        "      data_sharing_demo:\n        authoritative: true\n        file_formats:",
    );
    scenario.edit(
        "partner/scored_model.yaml",
        "      scored_model:\n        stages:",
        "      scored_model:\n        authoritative: true\n        stages:",
    );
    let first = scenario.floe_ok(&["plan", "{project}", "--detailed-exitcode"], 2);
    assert!(
        first.contains("account bank") && first.contains("account partner"),
        "{first}"
    );
    // The first plan creates everything; it is large, so it is compared between the
    // backends in every format rather than snapshotted.
    for format in ["json", "markdown", "sql"] {
        let args = [
            "plan",
            "{project}",
            "--detailed-exitcode",
            "--format",
            format,
        ];
        scenario.floe_ok(&args, 2);
    }
    apply_and_converge(&scenario, &[]);
    scenario
}

#[test]
fn edits_plan_apply_and_converge() {
    let scenario = applied_from_nothing();

    scenario.edit(
        "bank/warehouses.yaml",
        "warehouse_size: x-small",
        "warehouse_size: small",
    );
    snapshot_plan(&scenario, "01_resize_warehouse", &[]);
    apply_and_converge(&scenario, &[]);

    scenario.edit(
        "partner/scored_model.yaml",
        "              - { name: prediction, type: float }\n",
        "              - { name: prediction, type: float }\n              - { name: scored_at, type: timestamp_ntz }\n",
    );
    snapshot_plan(&scenario, "02_add_column", &[]);
    apply_and_converge(&scenario, &[]);

    scenario.edit(
        "bank/data_sharing_demo.yaml",
        "            comment: One row per customer and statement date, with the default outcome.\n",
        "            comment: One row per customer and statement date, with the default outcome.\n            change_tracking: true\n",
    );
    snapshot_plan(&scenario, "03_enable_change_tracking", &[]);
    apply_and_converge(&scenario, &[]);

    scenario.edit(
        "bank/data_sharing_demo.yaml",
        "USING CRON 0 6 * * * UTC",
        "USING CRON 30 5 * * * UTC",
    );
    snapshot_plan(&scenario, "04_task_schedule", &[]);
    apply_and_converge(&scenario, &[]);

    // A task inside the partner's started graph: suspend root, change, resume.
    scenario.edit(
        "partner/scored_model.yaml",
        "'SCORED_MODEL.SCORED_MODEL.SCORED_TABLE')",
        "'SCORED_MODEL.SCORED_MODEL.SCORED_TABLE') -- rescored",
    );
    snapshot_plan(&scenario, "05_task_in_started_graph", &[]);
    apply_and_converge(&scenario, &[]);

    let body = scenario.read("partner/python/cc_profile_processing.py");
    scenario.write(
        "partner/python/cc_profile_processing.py",
        &format!("{body}\n# Features are recomputed from the full statement history.\n"),
    );
    snapshot_plan(&scenario, "06_procedure_body", &[]);
    apply_and_converge(&scenario, &[]);

    scenario.edit(
        "bank/sharing.yaml",
        "targets: [partner]",
        "targets: [partner, LOCALORG.AUDITOR]",
    );
    snapshot_plan(&scenario, "07_listing_target", &[]);
    apply_and_converge(&scenario, &[]);

    scenario.edit(
        "partner/scored_model.yaml",
        "                files: [model/cc_default_model.json]\n            default_version: v1",
        "                files: [model/cc_default_model.json]\n              v2:\n                files: [model/cc_default_model_v2.json]\n            default_version: v2",
    );
    let model = scenario.read("partner/model/cc_default_model.json");
    scenario.write(
        "partner/model/cc_default_model_v2.json",
        &model.replacen('{', "{\"retrained\": true, ", 1),
    );
    snapshot_plan(&scenario, "08_model_version", &[]);
    apply_and_converge(&scenario, &[]);

    scenario.edit(
        "bank/data_sharing_demo.yaml",
        "          quickstart_cc_default_training_data:\n            url: ${var.training_data_url}\n            file_format: parquet_format\n            comment: Historical profiles with the default outcome (for training).\n",
        "",
    );
    scenario.remove_block(
        "partner/scored_model.yaml",
        "          new_cc_default_data:\n",
        "          scored_table:\n",
    );
    // Dropping a table loses data: refused without --allow-destroy, naming it.
    let refused = scenario.floe(&["plan", "{project}"]);
    assert_eq!(refused.code, 1, "{refused}");
    let stderr = refused.stderr;
    assert!(stderr.contains("--allow-destroy"), "{stderr}");
    assert!(
        stderr.contains("partner: table SCORED_MODEL.SCORED_MODEL.NEW_CC_DEFAULT_DATA"),
        "{stderr}"
    );
    snapshot_plan(
        &scenario,
        "09_remove_from_authoritative_schema",
        &["--allow-destroy"],
    );
    apply_and_converge(&scenario, &["--allow-destroy"]);
}

#[test]
fn out_of_band_change_is_drift_and_apply_fixes_it() {
    let scenario = applied_from_nothing();
    let clean = scenario.floe_ok(&["drift", "{project}"], 0);
    assert!(clean.contains("No drift"), "{clean}");

    scenario.emulator_sql(
        "bank",
        "ALTER WAREHOUSE QUERY_WH SET WAREHOUSE_SIZE = LARGE",
    );
    let drift = scenario.floe_ok(&["drift", "{project}"], 2);
    assert!(drift.contains("bank: warehouse QUERY_WH"), "{drift}");
    assert!(drift.contains("size"), "names the property:\n{drift}");
    let json = scenario.floe_ok(&["drift", "{project}", "--format", "json"], 2);
    let view: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(view["drifted"], true);
    assert_eq!(view["objects"][0]["object"]["name"], "QUERY_WH");

    apply_and_converge(&scenario, &[]);
    scenario.floe_ok(&["drift", "{project}"], 0);
}

#[test]
fn saved_plans_apply_exactly_and_refuse_when_stale() {
    let scenario = applied_from_nothing();
    let saved = "{dir}/plan.json";

    scenario.edit(
        "partner/warehouses.yaml",
        "warehouse_size: medium",
        "warehouse_size: large",
    );
    scenario.floe_ok(&["plan", "{project}", "--out", saved], 0);
    // Something moves in scope after the plan was made.
    scenario.emulator_sql("bank", "ALTER WAREHOUSE QUERY_WH SET AUTO_SUSPEND = 900");
    let stale = scenario.floe(&["apply", saved, "--auto-approve"]);
    assert_eq!(stale.code, 1, "{stale}");
    assert!(stale.stderr.contains("saved plan is stale"), "{stale}");
    assert!(
        stale.stderr.contains("`bank`"),
        "names the account: {stale}"
    );

    scenario.floe_ok(&["plan", "{project}", "--out", saved], 0);
    let out = scenario.floe_unordered_ok(&["apply", saved, "--auto-approve"], 0);
    assert!(
        out.contains("TRAINING_WH") && out.contains("Apply complete"),
        "{out}"
    );
    let again = scenario.floe_ok(&["plan", "{project}", "--detailed-exitcode"], 0);
    assert!(again.contains("No changes"), "{again}");
}

#[test]
fn apply_needs_a_terminal_or_auto_approve() {
    let project = TempProject::new();
    let dir = project.root.to_str().unwrap();
    let (code, _, stderr) = project.floe(&["apply", dir]);
    assert_eq!(code, 1);
    assert!(stderr.contains("--auto-approve"), "{stderr}");
    // Nothing was applied.
    project.floe_ok(&["plan", dir, "--detailed-exitcode"], 2);
    // The prod target connects to real accounts; without connections.toml it fails
    // clearly, naming the account and the connection.
    let (code, _, stderr) = project.floe(&["plan", dir, "--target", "prod"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("connection `bank`"), "{stderr}");
}
