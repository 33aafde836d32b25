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
            insta::assert_snapshot!(format, out);
        });
    }
}

/// Declares version V2 of the partner's model, with a new artifact file (uploaded
/// with PUT) as its default.
fn add_model_version_v2(scenario: &Scenario) {
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

    add_model_version_v2(&scenario);
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
    // Dropping a table loses data: the plan still shows it in every format (exit 0,
    // or 2 with --detailed-exitcode); only apply needs --allow-destroy.
    let shown = scenario.floe_ok(&["plan", "{project}"], 0);
    assert!(shown.contains("NEW_CC_DEFAULT_DATA"), "{shown}");
    snapshot_plan(&scenario, "09_remove_from_authoritative_schema", &[]);
    let refused = scenario.floe(&["apply", "{project}", "--auto-approve"]);
    assert_eq!(refused.code, 1, "{refused}");
    let stderr = refused.stderr;
    assert!(
        stderr.contains("refusing to apply") && stderr.contains("--allow-destroy"),
        "{stderr}"
    );
    assert!(
        stderr.contains("partner: table SCORED_MODEL.SCORED_MODEL.NEW_CC_DEFAULT_DATA"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("applied step"),
        "nothing was sent: {stderr}"
    );
    // Still the same plan: nothing was applied.
    snapshot_plan(&scenario, "09_remove_from_authoritative_schema", &[]);
    // The deprecated plan flag is accepted and changes nothing.
    let (plain, flagged) = (
        scenario.floe(&["plan", "{project}"]),
        scenario.floe(&["plan", "{project}", "--allow-destroy"]),
    );
    assert_eq!(plain.stdout, flagged.stdout);
    assert!(flagged.stderr.contains("no effect"), "{flagged}");
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

/// Changes a saved plan file in every backend's copy (the plans are identical).
fn tamper(scenario: &Scenario, file: &str, change: impl Fn(&mut serde_json::Value)) {
    for run in scenario.runs() {
        let path = run.project.dir().join(file);
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        change(&mut json);
        std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    }
}

#[test]
fn a_saved_plan_applies_from_a_copy_of_the_project_in_another_folder() {
    let scenario = applied_from_nothing();
    // A new model version (its artifact is uploaded with PUT) and a resize.
    add_model_version_v2(&scenario);
    scenario.edit(
        "bank/warehouses.yaml",
        "warehouse_size: x-small",
        "warehouse_size: small",
    );
    // One observation: the markdown printed and the plan saved are the same plan.
    let markdown = scenario.floe_ok(
        &[
            "plan",
            "{project}",
            "--format",
            "markdown",
            "--out",
            "{dir}/plan.json",
            "--detailed-exitcode",
        ],
        2,
    );
    for run in scenario.runs() {
        let dir = run.project.dir();
        let plan = dir.join("plan.json");
        let plan = plan.to_str().unwrap();
        let root = run.project.root.to_str().unwrap();
        for format in ["text", "json", "markdown", "sql"] {
            // `show` reads only the file: no account, no project.
            let shown = run.project.floe_ok(&["show", plan, "--format", format], 0);
            let planned = run.project.floe_ok(
                &[
                    "plan",
                    root,
                    "--target",
                    run.backend.target(),
                    "--format",
                    format,
                ],
                0,
            );
            assert_eq!(
                run.project.redact(&shown),
                run.project.redact(&planned),
                "floe show --format {format}"
            );
            if format == "markdown" {
                assert_eq!(run.project.redact(&shown), markdown);
            }
        }
        let text = std::fs::read_to_string(dir.join("plan.json")).unwrap();
        assert!(
            !text.contains(&dir.display().to_string()) && !text.contains("\"/"),
            "a saved plan holds no absolute path:\n{text}"
        );
        let saved: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(saved["project"], "manifests");
        let files = saved["files"].as_object().unwrap();
        for sealed in [
            "partner/model/cc_default_model_v2.json",
            "partner/python/cc_profile_processing.py",
        ] {
            assert_eq!(
                files[sealed].as_str().unwrap().len(),
                64,
                "{sealed} is sealed"
            );
        }
        // Another checkout: the project copied (with its emulator state) into
        // another folder, the plan beside it, and the original moved away.
        let elsewhere = dir.join("elsewhere");
        common::copy_tree(&run.project.root, &elsewhere.join("manifests"), true);
        std::fs::create_dir(dir.join("lonely")).unwrap();
        std::fs::copy(dir.join("plan.json"), dir.join("lonely/plan.json")).unwrap();
        std::fs::rename(dir.join("plan.json"), elsewhere.join("plan.json")).unwrap();
        std::fs::rename(&run.project.root, dir.join("original")).unwrap();
    }
    // A plan with no project beside it (nor in the current folder) says so.
    let lost = scenario.floe(&["apply", "{dir}/lonely/plan.json", "--auto-approve"]);
    assert_eq!(lost.code, 1, "{lost}");
    assert!(
        lost.stderr.contains("cannot find the project") && lost.stderr.contains("--project"),
        "{lost}"
    );
    // Beside the project copy, the folder the plan records finds it.
    let applied =
        scenario.floe_unordered_ok(&["apply", "{dir}/elsewhere/plan.json", "--auto-approve"], 0);
    assert!(applied.contains("Apply complete"), "{applied}");
    // With --project: found and observed again; the state the plan was made for is
    // gone (the same plan was just applied), so it is stale.
    let stale = scenario.floe(&[
        "apply",
        "{dir}/lonely/plan.json",
        "--project",
        "{dir}/elsewhere/manifests",
        "--auto-approve",
    ]);
    assert_eq!(stale.code, 1, "{stale}");
    assert!(stale.stderr.contains("saved plan is stale"), "{stale}");
    for run in scenario.runs() {
        let dir = run.project.dir();
        std::fs::rename(dir.join("original"), &run.project.root).unwrap();
    }
    let again = scenario.floe_ok(
        &[
            "plan",
            "{dir}/elsewhere/manifests",
            "--target",
            "{target}",
            "--detailed-exitcode",
        ],
        0,
    );
    assert!(again.contains("No changes"), "{again}");
    // The scheduled drift check of the same checkout: in sync.
    let drift = scenario.floe_ok(
        &["drift", "{dir}/elsewhere/manifests", "--target", "{target}"],
        0,
    );
    assert!(drift.contains("No drift"), "{drift}");
}

#[test]
fn each_tampering_of_a_saved_plan_is_refused_and_names_what_changed() {
    let scenario = applied_from_nothing();
    scenario.edit(
        "bank/warehouses.yaml",
        "warehouse_size: x-small",
        "warehouse_size: small",
    );
    scenario.edit(
        "partner/warehouses.yaml",
        "warehouse_size: medium",
        "warehouse_size: large",
    );
    let plan = "{dir}/plan.json";
    let original = "{dir}/original.json";
    scenario.floe_ok(&["plan", "{project}", "--out", original], 0);
    let restore = |scenario: &Scenario| {
        for run in scenario.runs() {
            let dir = run.project.dir();
            std::fs::copy(dir.join("original.json"), dir.join("plan.json")).unwrap();
        }
    };
    let refused = |scenario: &Scenario, what: &str, expected: &[&str]| {
        let out = scenario.floe(&["apply", plan, "--auto-approve"]);
        assert_eq!(out.code, 1, "{what}: {out}");
        for text in expected {
            assert!(
                out.stderr.contains(text),
                "{what}: expected `{text}` in\n{out}"
            );
        }
        assert!(
            !out.stderr.contains("applied step"),
            "{what}: something ran\n{out}"
        );
    };
    let steps = |json: &mut serde_json::Value| -> Vec<serde_json::Value> {
        json["plan"]["steps"].as_array().unwrap().clone()
    };

    restore(&scenario);
    tamper(&scenario, "plan.json", |json| {
        json["plan"]["steps"][0]["statements"][0] =
            serde_json::json!({ "segments": ["DROP DATABASE DATA_SHARING_DEMO"] });
    });
    refused(
        &scenario,
        "edited statement",
        &[
            "statement 1 of step 1",
            "`DROP DATABASE DATA_SHARING_DEMO`",
            "ALTER WAREHOUSE QUERY_WH",
        ],
    );

    restore(&scenario);
    tamper(&scenario, "plan.json", |json| {
        let mut extra = steps(json)[1].clone();
        extra["id"] = serde_json::json!(3);
        extra["action"] = serde_json::json!("drop");
        extra["statements"] = serde_json::json!([{ "segments": ["DROP WAREHOUSE TRAINING_WH"] }]);
        json["plan"]["steps"].as_array_mut().unwrap().push(extra);
    });
    refused(
        &scenario,
        "added step",
        &["step 3", "is in the file but not in the plan derived now"],
    );

    restore(&scenario);
    tamper(&scenario, "plan.json", |json| {
        json["plan"]["steps"][1]["object"]["account"] = serde_json::json!("bank");
    });
    refused(
        &scenario,
        "changed account",
        &["step 2 runs in account `bank` in the file, in `partner`"],
    );

    restore(&scenario);
    tamper(&scenario, "plan.json", |json| {
        let mut all = steps(json);
        all.swap(0, 1);
        all[0]["id"] = serde_json::json!(1);
        all[1]["id"] = serde_json::json!(2);
        json["plan"]["steps"] = serde_json::Value::Array(all);
    });
    refused(
        &scenario,
        "reordered steps",
        &[
            "step 1 is `alter partner: warehouse TRAINING_WH` in the file",
            "reordered",
        ],
    );

    restore(&scenario);
    tamper(&scenario, "plan.json", |json| {
        json["plan"]["steps"][0]["hazards"] = serde_json::json!(["drops_data"]);
    });
    refused(
        &scenario,
        "changed hazards",
        &["hazards [drops_data] in the file, [] in the plan derived now"],
    );

    // A local file the plan read changes after the plan was made.
    restore(&scenario);
    let body = scenario.read("partner/python/cc_profile_processing.py");
    scenario.write(
        "partner/python/cc_profile_processing.py",
        &format!("{body}\n# edited\n"),
    );
    refused(
        &scenario,
        "changed file",
        &[
            "partner/python/cc_profile_processing.py changed since the plan was made",
            "sha256",
        ],
    );
    scenario.write("partner/python/cc_profile_processing.py", &body);
    // The same for a model artifact, which apply would upload.
    let artifact = scenario.read("partner/model/cc_default_model.json");
    scenario.write(
        "partner/model/cc_default_model.json",
        &artifact.replacen('{', "{ ", 1),
    );
    refused(
        &scenario,
        "changed artifact",
        &["partner/model/cc_default_model.json changed since the plan was made"],
    );
    scenario.write("partner/model/cc_default_model.json", &artifact);

    // Untouched, the plan applies and converges.
    restore(&scenario);
    let out = scenario.floe_unordered_ok(&["apply", plan, "--auto-approve"], 0);
    assert!(out.contains("Apply complete"), "{out}");
    scenario.floe_ok(&["plan", "{project}", "--detailed-exitcode"], 0);
}

#[test]
fn the_destroy_gate_applies_to_what_a_saved_plan_would_run() {
    let scenario = applied_from_nothing();
    scenario.remove_block(
        "partner/scored_model.yaml",
        "          new_cc_default_data:\n",
        "          scored_table:\n",
    );
    let plan = "{dir}/plan.json";
    scenario.floe_ok(
        &["plan", "{project}", "--out", plan, "--detailed-exitcode"],
        2,
    );
    // Hiding the hazard in the file does not get past the gate: the hazard is checked
    // on the plan derived now (and the edit itself is caught first).
    let refused = scenario.floe(&["apply", plan, "--auto-approve"]);
    assert_eq!(refused.code, 1, "{refused}");
    assert!(
        refused.stderr.contains("refusing to apply")
            && refused
                .stderr
                .contains("partner: table SCORED_MODEL.SCORED_MODEL.NEW_CC_DEFAULT_DATA"),
        "{refused}"
    );
    tamper(&scenario, "plan.json", |json| {
        for step in json["plan"]["steps"].as_array_mut().unwrap() {
            step["hazards"] = serde_json::json!([]);
        }
    });
    let hidden = scenario.floe(&["apply", plan, "--auto-approve"]);
    assert_eq!(hidden.code, 1, "{hidden}");
    assert!(
        hidden
            .stderr
            .contains("hazards [] in the file, [drops_data"),
        "{hidden}"
    );
    scenario.floe_ok(&["plan", "{project}", "--out", plan], 0);
    let out = scenario.floe_unordered_ok(&["apply", plan, "--auto-approve", "--allow-destroy"], 0);
    assert!(out.contains("Apply complete"), "{out}");
    scenario.floe_ok(&["plan", "{project}", "--detailed-exitcode"], 0);
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
