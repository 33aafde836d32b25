//! End to end on the emulator, through the `floe` binary: apply the shipped
//! collaboration from nothing, then a sequence of edits — each planned (snapshotted
//! as text, JSON, markdown and SQL), applied, and followed by an empty plan. Also
//! drift, saved plans and the confirmation guard.

mod common;

use common::TempProject;

/// Applies the project and checks that the next plan is empty.
fn apply_and_converge(project: &TempProject, extra: &[&str]) {
    let dir = project.root.to_str().unwrap();
    let mut args = vec!["apply", dir, "--auto-approve"];
    args.extend_from_slice(extra);
    let out = project.floe_ok(&args, 0);
    assert!(out.contains("Apply complete"), "{out}");
    let again = project.floe_ok(&["plan", dir, "--detailed-exitcode"], 0);
    assert!(again.contains("No changes"), "not converged:\n{again}");
}

/// Plans in every format, snapshotting each under `tests/plans/e2e_<case>/`.
fn snapshot_plan(project: &TempProject, case: &str, extra: &[&str]) {
    let dir = project.root.to_str().unwrap();
    for format in ["text", "json", "markdown", "sql"] {
        let mut args = vec!["plan", dir, "--detailed-exitcode", "--format", format];
        args.extend_from_slice(extra);
        let out = project.redact(&project.floe_ok(&args, 2));
        insta::with_settings!({
            snapshot_path => format!("plans/e2e_{case}"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format, out);
        });
    }
}

fn applied_from_nothing() -> TempProject {
    let project = TempProject::new();
    // Removing an object from an authoritative schema is one of the edits below.
    project.edit(
        "bank/data_sharing_demo.yaml",
        "      data_sharing_demo:\n        file_formats:",
        "      data_sharing_demo:\n        authoritative: true\n        file_formats:",
    );
    project.edit(
        "partner/scored_model.yaml",
        "      scored_model:\n        stages:",
        "      scored_model:\n        authoritative: true\n        stages:",
    );
    let dir = project.root.to_str().unwrap();
    let first = project.floe_ok(&["plan", dir, "--detailed-exitcode"], 2);
    assert!(
        first.contains("account bank") && first.contains("account partner"),
        "{first}"
    );
    apply_and_converge(&project, &[]);
    project
}

#[test]
fn edits_plan_apply_and_converge() {
    let project = applied_from_nothing();

    project.edit(
        "bank/warehouses.yaml",
        "warehouse_size: x-small",
        "warehouse_size: small",
    );
    snapshot_plan(&project, "01_resize_warehouse", &[]);
    apply_and_converge(&project, &[]);

    project.edit(
        "partner/scored_model.yaml",
        "              - { name: prediction, type: float }\n",
        "              - { name: prediction, type: float }\n              - { name: scored_at, type: timestamp_ntz }\n",
    );
    snapshot_plan(&project, "02_add_column", &[]);
    apply_and_converge(&project, &[]);

    project.edit(
        "bank/data_sharing_demo.yaml",
        "            comment: One row per customer and statement date, with the default outcome.\n",
        "            comment: One row per customer and statement date, with the default outcome.\n            change_tracking: true\n",
    );
    snapshot_plan(&project, "03_enable_change_tracking", &[]);
    apply_and_converge(&project, &[]);

    project.edit(
        "bank/data_sharing_demo.yaml",
        "USING CRON 0 6 * * * UTC",
        "USING CRON 30 5 * * * UTC",
    );
    snapshot_plan(&project, "04_task_schedule", &[]);
    apply_and_converge(&project, &[]);

    // A task inside the partner's started graph: suspend root, change, resume.
    project.edit(
        "partner/scored_model.yaml",
        "'SCORED_MODEL.SCORED_MODEL.SCORED_TABLE')",
        "'SCORED_MODEL.SCORED_MODEL.SCORED_TABLE') -- rescored",
    );
    snapshot_plan(&project, "05_task_in_started_graph", &[]);
    apply_and_converge(&project, &[]);

    let body =
        std::fs::read_to_string(project.path("partner/python/cc_profile_processing.py")).unwrap();
    std::fs::write(
        project.path("partner/python/cc_profile_processing.py"),
        format!("{body}\n# Features are recomputed from the full statement history.\n"),
    )
    .unwrap();
    snapshot_plan(&project, "06_procedure_body", &[]);
    apply_and_converge(&project, &[]);

    project.edit(
        "bank/sharing.yaml",
        "targets: [partner]",
        "targets: [partner, LOCALORG.AUDITOR]",
    );
    snapshot_plan(&project, "07_listing_target", &[]);
    apply_and_converge(&project, &[]);

    project.edit(
        "partner/scored_model.yaml",
        "                files: [model/cc_default_model.json]\n            default_version: v1",
        "                files: [model/cc_default_model.json]\n              v2:\n                files: [model/cc_default_model_v2.json]\n            default_version: v2",
    );
    let model =
        std::fs::read_to_string(project.path("partner/model/cc_default_model.json")).unwrap();
    std::fs::write(
        project.path("partner/model/cc_default_model_v2.json"),
        model.replacen('{', "{\"retrained\": true, ", 1),
    )
    .unwrap();
    snapshot_plan(&project, "08_model_version", &[]);
    apply_and_converge(&project, &[]);

    project.edit(
        "bank/data_sharing_demo.yaml",
        "          quickstart_cc_default_training_data:\n            url: ${var.training_data_url}\n            file_format: parquet_format\n            comment: Historical profiles with the default outcome (for training).\n",
        "",
    );
    project.remove_block(
        "partner/scored_model.yaml",
        "          new_cc_default_data:\n",
        "          scored_table:\n",
    );
    // Dropping a table loses data: refused without --allow-destroy, naming it.
    let dir = project.root.to_str().unwrap();
    let (code, _, stderr) = project.floe(&["plan", dir]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("--allow-destroy"), "{stderr}");
    assert!(
        stderr.contains("partner: table SCORED_MODEL.SCORED_MODEL.NEW_CC_DEFAULT_DATA"),
        "{stderr}"
    );
    snapshot_plan(
        &project,
        "09_remove_from_authoritative_schema",
        &["--allow-destroy"],
    );
    apply_and_converge(&project, &["--allow-destroy"]);
}

#[test]
fn out_of_band_change_is_drift_and_apply_fixes_it() {
    let project = applied_from_nothing();
    let dir = project.root.to_str().unwrap();
    let clean = project.floe_ok(&["drift", dir], 0);
    assert!(clean.contains("No drift"), "{clean}");

    let db = project.emulator_db();
    project.floe_ok(
        &[
            "emulator",
            "sql",
            "--db",
            db.to_str().unwrap(),
            "--account",
            "bank",
            "ALTER WAREHOUSE QUERY_WH SET WAREHOUSE_SIZE = LARGE",
        ],
        0,
    );
    let drift = project.floe_ok(&["drift", dir], 2);
    assert!(drift.contains("bank: warehouse QUERY_WH"), "{drift}");
    assert!(drift.contains("size"), "names the property:\n{drift}");
    let json = project.floe_ok(&["drift", dir, "--format", "json"], 2);
    let view: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(view["drifted"], true);
    assert_eq!(view["objects"][0]["object"]["name"], "QUERY_WH");

    apply_and_converge(&project, &[]);
    project.floe_ok(&["drift", dir], 0);
}

#[test]
fn saved_plans_apply_exactly_and_refuse_when_stale() {
    let project = applied_from_nothing();
    let dir = project.root.to_str().unwrap();
    let saved = project.root.parent().unwrap().join("plan.json");
    let saved = saved.to_str().unwrap();
    let db = project.emulator_db();

    project.edit(
        "partner/warehouses.yaml",
        "warehouse_size: medium",
        "warehouse_size: large",
    );
    project.floe_ok(&["plan", dir, "--out", saved], 0);
    // Something moves in scope after the plan was made.
    project.floe_ok(
        &[
            "emulator",
            "sql",
            "--db",
            db.to_str().unwrap(),
            "--account",
            "bank",
            "ALTER WAREHOUSE QUERY_WH SET AUTO_SUSPEND = 900",
        ],
        0,
    );
    let (code, _, stderr) = project.floe(&["apply", saved, "--auto-approve"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("saved plan is stale"), "{stderr}");
    assert!(stderr.contains("`bank`"), "names the account: {stderr}");

    project.floe_ok(&["plan", dir, "--out", saved], 0);
    let out = project.floe_ok(&["apply", saved, "--auto-approve"], 0);
    assert!(
        out.contains("TRAINING_WH") && out.contains("Apply complete"),
        "{out}"
    );
    let again = project.floe_ok(&["plan", dir, "--detailed-exitcode"], 0);
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
