//! `floe drift` against out-of-band changes made with plain SQL after a clean apply
//! of the shipped project, on both backends (the emulator in process and over the
//! connector protocol): undeclared grants on managed roles (privilege escalation
//! marked), unmanaged account-level objects and objects inside managed schemas, and
//! their repair by `apply` where the manifests are authoritative.

mod common;

use common::backend::Scenario;

/// The shipped project, applied, with an empty next plan and no drift.
fn applied(scenario: &Scenario) {
    let out = scenario.floe_unordered_ok(&["apply", "{project}", "--auto-approve"], 0);
    assert!(out.contains("Apply complete"), "{out}");
    scenario.floe_ok(&["plan", "{project}", "--detailed-exitcode"], 0);
    let clean = scenario.floe_ok(&["drift", "{project}"], 0);
    assert!(clean.contains("No drift"), "zero false drift:\n{clean}");
}

/// The pending plan as SQL (there must be one).
fn sql_plan(scenario: &Scenario) -> String {
    scenario.floe_ok(
        &[
            "plan",
            "{project}",
            "--detailed-exitcode",
            "--format",
            "sql",
        ],
        2,
    )
}

#[test]
fn out_of_band_changes_are_reported_with_account_and_object() {
    let scenario = Scenario::new();
    applied(&scenario);
    scenario.emulator_sql(
        "partner",
        "GRANT ROLE ACCOUNTADMIN TO ROLE DATA_SCIENTIST; \
         CREATE WAREHOUSE ROGUE_WH WAREHOUSE_SIZE = 'X4LARGE'; \
         ALTER WAREHOUSE TRAINING_WH SET MAX_CONCURRENCY_LEVEL = 8; \
         CREATE TABLE SCORED_MODEL.SCORED_MODEL.TRANSFORMED_TABLE (a INT)",
    );
    scenario.emulator_sql(
        "bank",
        "GRANT SELECT ON TABLE DATA_SHARING_DEMO.DATA_SHARING_DEMO.CC_DEFAULT_TRAINING_DATA \
         TO ROLE CREDIT_RISK_ANALYST",
    );
    let drift = scenario.floe_ok(&["drift", "{project}"], 2);
    assert!(
        drift.contains(
            "partner: grant ROLE ACCOUNTADMIN TO ROLE DATA_SCIENTIST (undeclared, PRIVILEGE ESCALATION)"
        ),
        "{drift}"
    );
    assert!(
        drift.contains(
            "bank: grant SELECT ON TABLE DATA_SHARING_DEMO.DATA_SHARING_DEMO.CC_DEFAULT_TRAINING_DATA TO ROLE CREDIT_RISK_ANALYST (undeclared)"
        ),
        "{drift}"
    );
    assert!(drift.contains("partner: warehouse ROGUE_WH"), "{drift}");
    assert!(
        drift.contains(
            "partner: warehouse TRAINING_WH (changed)\n      max_concurrency_level: declared 1, found 8"
        ),
        "{drift}"
    );
    assert!(
        drift.contains("partner: table SCORED_MODEL.SCORED_MODEL.TRANSFORMED_TABLE"),
        "{drift}"
    );
    for system in [
        "ACCOUNTADMIN\n",
        "SYSADMIN\n",
        "PUBLIC\n",
        "database SNOWFLAKE",
    ] {
        assert!(!drift.contains(&format!("role {system}")), "{drift}");
    }

    let json = scenario.floe_ok(&["drift", "{project}", "--format", "json"], 2);
    let view: serde_json::Value = serde_json::from_str(&json).unwrap();
    let escalations: Vec<&serde_json::Value> = view["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["privilege_escalation"] == true)
        .collect();
    assert_eq!(escalations.len(), 1, "{json}");
    assert_eq!(escalations[0]["account"], "partner");
    assert_eq!(escalations[0]["status"], "undeclared");

    // Declared objects only: the grants still count, the unmanaged ones are gone.
    let declared = scenario.floe_ok(&["drift", "{project}", "--ignore-unmanaged"], 2);
    assert!(!declared.contains("ROGUE_WH"), "{declared}");
    assert!(!declared.contains("TRANSFORMED_TABLE"), "{declared}");
    assert!(declared.contains("PRIVILEGE ESCALATION"), "{declared}");

    // Apply repairs the warehouse; grants on a role that is not authoritative stay.
    let out = scenario.floe_unordered_ok(&["apply", "{project}", "--auto-approve"], 0);
    assert!(
        out.contains("max_concurrency_level: 8 → 1") && out.contains("1 applied"),
        "{out}"
    );
    assert!(!out.contains("REVOKE"), "{out}");
    scenario.floe_ok(&["plan", "{project}", "--detailed-exitcode"], 0);

    // Revoked by hand, the unmanaged objects alone still exit 2 …
    scenario.emulator_sql(
        "partner",
        "REVOKE ROLE ACCOUNTADMIN FROM ROLE DATA_SCIENTIST",
    );
    scenario.emulator_sql(
        "bank",
        "REVOKE SELECT ON TABLE DATA_SHARING_DEMO.DATA_SHARING_DEMO.CC_DEFAULT_TRAINING_DATA \
         FROM ROLE CREDIT_RISK_ANALYST",
    );
    let unmanaged = scenario.floe_ok(&["drift", "{project}"], 2);
    assert!(
        unmanaged.contains("The managed objects match the manifests."),
        "{unmanaged}"
    );
    scenario.floe_ok(&["drift", "{project}", "--ignore-unmanaged"], 0);
    // … until floe.yaml ignores them (patterns, case-insensitive) and the table goes.
    scenario.edit(
        "floe.yaml",
        "  partner:\n    comment: Scores the bank's customers for credit card default risk.\n    ignore: [FLOE_WH]\n",
        "  partner:\n    comment: Scores the bank's customers for credit card default risk.\n    ignore: [FLOE_WH, rogue_*]\n",
    );
    scenario.emulator_sql(
        "partner",
        "DROP TABLE SCORED_MODEL.SCORED_MODEL.TRANSFORMED_TABLE",
    );
    let ignored = scenario.floe_ok(&["drift", "{project}"], 0);
    assert!(ignored.contains("No drift"), "{ignored}");
}

#[test]
fn authoritative_role_has_undeclared_grants_revoked() {
    let scenario = Scenario::new();
    scenario.edit(
        "partner/access.yaml",
        "    comment: Trains the model and runs the scoring pipeline.\n",
        "    comment: Trains the model and runs the scoring pipeline.\n    authoritative: true\n",
    );
    applied(&scenario);
    scenario.emulator_sql("partner", "GRANT ROLE ACCOUNTADMIN TO ROLE DATA_SCIENTIST");
    let drift = scenario.floe_ok(&["drift", "{project}"], 2);
    assert!(
        drift.contains(
            "partner: grant ROLE ACCOUNTADMIN TO ROLE DATA_SCIENTIST (unexpected, PRIVILEGE ESCALATION)"
        ),
        "{drift}"
    );
    let plan = sql_plan(&scenario);
    assert!(
        plan.contains(
            "-- hazards: revokes_access\nREVOKE ROLE ACCOUNTADMIN FROM ROLE DATA_SCIENTIST;"
        ),
        "{plan}"
    );
    let out = scenario.floe_unordered_ok(&["apply", "{project}", "--auto-approve"], 0);
    assert!(out.contains("Apply complete"), "{out}");
    scenario.floe_ok(&["plan", "{project}", "--detailed-exitcode"], 0);
    scenario.floe_ok(&["drift", "{project}"], 0);
}

#[test]
fn declaring_a_system_role_grant_is_flagged_in_the_plan() {
    let scenario = Scenario::new();
    applied(&scenario);
    scenario.edit(
        "partner/access.yaml",
        "  - { role: data_scientist, to_role: sysadmin }\n",
        "  - { role: data_scientist, to_role: sysadmin }\n  - { role: useradmin, to_role: data_scientist }\n",
    );
    let plan = scenario.floe_ok(&["plan", "{project}", "--detailed-exitcode"], 2);
    assert!(plan.contains("escalates_privilege"), "{plan}");
}

#[test]
fn a_declared_parameter_is_compared() {
    let scenario = Scenario::new();
    applied(&scenario);
    scenario.edit(
        "partner/warehouses.yaml",
        "    max_concurrency_level: 1\n",
        "    max_concurrency_level: 2\n    statement_timeout_in_seconds: 3600\n",
    );
    let plan = sql_plan(&scenario);
    assert!(
        plan.contains(
            "ALTER WAREHOUSE TRAINING_WH SET MAX_CONCURRENCY_LEVEL = 2 STATEMENT_TIMEOUT_IN_SECONDS = 3600;"
        ),
        "{plan}"
    );
    let out = scenario.floe_unordered_ok(&["apply", "{project}", "--auto-approve"], 0);
    assert!(out.contains("Apply complete"), "{out}");
    scenario.floe_ok(&["plan", "{project}", "--detailed-exitcode"], 0);
    scenario.emulator_sql(
        "partner",
        "ALTER WAREHOUSE TRAINING_WH SET STATEMENT_TIMEOUT_IN_SECONDS = 60",
    );
    let drift = scenario.floe_ok(&["drift", "{project}"], 2);
    assert!(
        drift.contains("statement_timeout_in_seconds: declared 3600, found 60"),
        "{drift}"
    );
}

#[test]
fn broken_pipelines_have_their_own_heading_and_apply_repairs_them() {
    let scenario = Scenario::new();
    applied(&scenario);
    // The bank replaces the table it shares (a column type change): the partner's
    // stream on it goes stale, as on Snowflake.
    scenario.edit(
        "bank/data_sharing_demo.yaml",
        "change_tracking: true\n            columns:\n              - { name: '\"customer_ID\"', type: varchar, nullable: false }\n              - { name: S_2, type: date }",
        "change_tracking: true\n            columns:\n              - { name: '\"customer_ID\"', type: varchar, nullable: false }\n              - { name: S_2, type: timestamp_ntz }",
    );
    let out = scenario.floe_unordered_ok(
        &["apply", "{project}", "--auto-approve", "--allow-destroy"],
        0,
    );
    assert!(out.contains("Apply complete"), "{out}");
    // And someone suspends the root task of the partner's pipeline.
    scenario.emulator_sql(
        "partner",
        "ALTER TASK SCORED_MODEL.SCORED_MODEL.CDC SUSPEND",
    );

    let drift = scenario.floe_ok(&["drift", "{project}"], 2);
    let health = drift
        .split("Pipeline health: suspended tasks and unreadable streams (2):")
        .nth(1)
        .unwrap_or_else(|| panic!("no pipeline heading:\n{drift}"));
    assert!(
        health.contains(
            "partner: stream SCORED_MODEL.SCORED_MODEL.CC_DEFAULT_DATA_STREAM (changed)\n      health: declared \"readable\", found \"stale\""
        ),
        "{drift}"
    );
    assert!(
        health.contains(
            "partner: task SCORED_MODEL.SCORED_MODEL.CDC (changed)\n      state: declared \"started\", found \"suspended\""
        ),
        "{drift}"
    );
    let json = scenario.floe_ok(&["drift", "{project}", "--format", "json"], 2);
    let view: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(view["pipeline"].as_array().unwrap().len(), 2, "{json}");
    assert_eq!(view["objects"].as_array().unwrap().len(), 0, "{json}");

    let plan = sql_plan(&scenario);
    assert!(
        plan.contains("CREATE OR REPLACE STREAM SCORED_MODEL.SCORED_MODEL.CC_DEFAULT_DATA_STREAM"),
        "{plan}"
    );
    assert!(plan.contains("resets_stream_offset"), "{plan}");
    let out = scenario.floe_unordered_ok(&["apply", "{project}", "--auto-approve"], 0);
    assert!(out.contains("Apply complete"), "{out}");
    scenario.floe_ok(&["plan", "{project}", "--detailed-exitcode"], 0);
    scenario.floe_ok(&["drift", "{project}"], 0);
}
