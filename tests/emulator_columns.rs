//! Every SHOW/DESCRIBE column list the emulator answers, compared with a table
//! transcribed by hand from docs/snowflake-sql-reference (the shared reference),
//! and checked against what real statements return.

mod emulator_support;

use emulator_support::*;

/// (result, columns in order) transcribed from the reference. Columns the reference
/// marks as appended or position-uncertain are listed where the emulator puts them.
const REFERENCE: &[(&str, &str)] = &[
    (
        "SHOW WAREHOUSES",
        "name state type size min_cluster_count max_cluster_count started_clusters running queued is_default is_current is_interactive auto_suspend auto_resume available provisioning quiescing other created_on resumed_on updated_on owner comment enable_query_acceleration query_acceleration_max_scale_factor resource_monitor actives pendings failed suspended uuid scaling_policy budget owner_role_type resource_constraint generation",
    ),
    ("DESCRIBE WAREHOUSE", "created_on name kind"),
    (
        "SHOW DATABASES",
        "created_on name is_default is_current origin owner comment options retention_time kind budget owner_role_type object_visibility data_quality_monitoring_settings",
    ),
    ("DESCRIBE DATABASE", "created_on name kind"),
    (
        "SHOW TERSE",
        "created_on name kind database_name schema_name",
    ),
    (
        "SHOW TERSE STREAMS",
        "created_on name kind database_name schema_name tableOn",
    ),
    (
        "SHOW SCHEMAS",
        "created_on name is_default is_current database_name owner comment options retention_time owner_role_type object_visibility is_nested",
    ),
    ("DESCRIBE SCHEMA", "created_on name kind"),
    (
        "SHOW FILE FORMATS",
        "created_on name database_name schema_name type owner comment owner_role_type format_options",
    ),
    (
        "DESCRIBE FILE FORMAT",
        "property property_type property_value property_default",
    ),
    (
        "SHOW STAGES",
        "created_on name database_name schema_name url has_credentials has_encryption_key owner comment region type cloud notification_channel storage_integration endpoint owner_role_type directory_enabled",
    ),
    (
        "DESCRIBE STAGE",
        "parent_property property property_type property_value property_default",
    ),
    ("LIST", "name size md5 last_modified"),
    (
        "SHOW TABLES",
        "created_on name database_name schema_name kind comment cluster_by rows bytes owner retention_time automatic_clustering change_tracking search_optimization search_optimization_progress search_optimization_bytes is_external enable_schema_evolution owner_role_type is_event budget is_hybrid is_iceberg is_dynamic is_immutable",
    ),
    (
        "DESCRIBE TABLE",
        "name type kind null? default primary|key unique|key check expression comment policy|name privacy|domain",
    ),
    (
        "SHOW COLUMNS",
        "table_name schema_name column_name data_type null? default kind expression comment database_name autoincrement schema_evolution_record",
    ),
    (
        "SHOW SHARES",
        "created_on kind owner_account name database_name to owner comment listing_global_name",
    ),
    ("DESCRIBE SHARE", "kind name shared_on"),
    (
        "SHOW LISTINGS",
        "global_name name title subtitle profile created_on updated_on published_on state review_state comment owner owner_role_type regions target_accounts is_monetized is_application is_targeted is_limited_trial is_by_request distribution is_mountless_queryable rejected_on organization_profile_name uniform_listing_locator detailed_target_accounts compliance_badges",
    ),
    (
        "DESCRIBE LISTING",
        "global_name name owner owner_role_type created_on updated_on published_on title subtitle description listing_terms state share application_package business_needs usage_examples data_attributes categories resources profile customized_contact_info data_dictionary data_preview comment revisions target_accounts regions refresh_schedule refresh_type review_state rejection_reason unpublished_by_admin_reasons is_monetized is_application is_targeted is_limited_trial is_by_request limited_trial_plan retried_on scheduled_drop_time manifest_yaml distribution is_mountless_queryable organization_profile_name uniform_listing_locator trial_details approver_contact support_contact live_version_uri last_committed_version_uri last_committed_version_name last_committed_version_alias published_version_uri published_version_name published_version_alias is_share request_approval_type monetization_display_order legacy_uniform_listing_locators",
    ),
    (
        "SHOW STREAMS",
        "created_on name database_name schema_name owner comment table_name source_type base_tables type stale mode stale_after invalid_reason owner_role_type",
    ),
    (
        "DESCRIBE STREAM",
        "created_on name database_name schema_name owner comment table_name source_type base_tables type stale mode stale_after invalid_reason owner_role_type",
    ),
    (
        "SHOW TASKS",
        "created_on name id database_name schema_name owner comment warehouse schedule predecessors state definition condition allow_overlapping_execution error_integration last_committed_on last_suspended_on owner_role_type config budget task_relations last_suspended_reason target_completion_interval scheduling_mode success_integration execute_as_user",
    ),
    (
        "DESCRIBE TASK",
        "created_on name id database_name schema_name owner comment warehouse schedule predecessors state definition condition allow_overlapping_execution error_integration last_committed_on last_suspended_on owner_role_type config budget task_relations last_suspended_reason target_completion_interval scheduling_mode success_integration execute_as_user",
    ),
    (
        "SHOW PROCEDURES",
        "created_on name schema_name is_builtin is_aggregate is_ansi min_num_arguments max_num_arguments arguments description catalog_name is_table_function valid_for_clustering is_secure secrets external_access_integrations",
    ),
    (
        "SHOW USER FUNCTIONS",
        "created_on name schema_name is_builtin is_aggregate is_ansi min_num_arguments max_num_arguments arguments description catalog_name is_table_function valid_for_clustering is_secure secrets external_access_integrations is_external_function language is_memoizable is_data_metric",
    ),
    ("DESCRIBE PROCEDURE", "property value"),
    ("DESCRIBE FUNCTION", "property value"),
    (
        "SHOW MODELS",
        "created_on name model_type database_name schema_name owner comment versions default_version_name aliases",
    ),
    (
        "SHOW VERSIONS IN MODEL",
        "created_on name aliases database_name schema_name model_name is_default_version functions metadata user_data comment runnable_in model_spec",
    ),
    (
        "SHOW ROLES",
        "created_on name is_default is_current is_inherited assigned_to_users granted_to_roles granted_roles owner comment",
    ),
    (
        "SHOW USERS",
        "name created_on login_name display_name first_name last_name email mins_to_unlock days_to_expiry comment disabled must_change_password snowflake_lock default_warehouse default_namespace default_role default_secondary_roles ext_authn_duo ext_authn_uid mins_to_bypass_mfa owner last_success_login expires_at_time locked_until_time has_password has_rsa_public_key type has_mfa has_pat",
    ),
    ("DESCRIBE USER", "property value default description"),
    (
        "SHOW GRANTS ON",
        "created_on privilege granted_on name granted_to grantee_name grant_option granted_by_role_type granted_by",
    ),
    (
        "SHOW GRANTS TO ROLE",
        "created_on privilege granted_on name granted_to grantee_name grant_option granted_by",
    ),
    (
        "SHOW GRANTS TO SHARE",
        "created_on privilege granted_on name granted_to grantee_name grant_option granted_by",
    ),
    (
        "SHOW GRANTS OF ROLE",
        "created_on role granted_to grantee_name granted_by",
    ),
];

fn expected(list: &str) -> Vec<String> {
    list.split_whitespace()
        .map(|c| c.replace('|', " "))
        .collect()
}

/// Column types per the checklist: timestamps `*_on` TIMESTAMP_LTZ, counts FIXED, rest TEXT.
fn expected_type(result: &str, column: &str) -> &'static str {
    const FIXED: &[&str] = &[
        "min_cluster_count",
        "max_cluster_count",
        "started_clusters",
        "running",
        "queued",
        "auto_suspend",
        "query_acceleration_max_scale_factor",
        "actives",
        "pendings",
        "failed",
        "suspended",
        "rows",
        "bytes",
        "search_optimization_bytes",
        "min_num_arguments",
        "max_num_arguments",
        "assigned_to_users",
        "granted_to_roles",
        "granted_roles",
        "size",
    ];
    if (column.ends_with("_on") && column != "granted_on")
        || column == "stale_after"
        || column == "scheduled_drop_time"
    {
        "TIMESTAMP_LTZ"
    } else if FIXED.contains(&column) && !(column == "size" && result == "SHOW WAREHOUSES") {
        "FIXED"
    } else {
        "TEXT"
    }
}

#[test]
fn every_result_layout_matches_the_reference() {
    let actual = floe::emulator::result_columns();
    assert_eq!(actual.len(), REFERENCE.len(), "every layout is transcribed");
    for ((name, cols), (ref_name, ref_cols)) in actual.iter().zip(REFERENCE) {
        assert_eq!(name, ref_name);
        let names: Vec<String> = cols.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(names, expected(ref_cols), "columns of {name}");
        for (n, t) in cols.iter() {
            assert_eq!(*t, expected_type(name, n), "type of {name}.{n}");
        }
    }
}

#[test]
fn information_schema_views_use_documented_names() {
    let views = floe::emulator::information_schema_views();
    let procedures = "PROCEDURE_CATALOG PROCEDURE_SCHEMA PROCEDURE_NAME PROCEDURE_OWNER ARGUMENT_SIGNATURE DATA_TYPE CHARACTER_MAXIMUM_LENGTH CHARACTER_OCTET_LENGTH NUMERIC_PRECISION NUMERIC_PRECISION_RADIX NUMERIC_SCALE PROCEDURE_LANGUAGE PROCEDURE_DEFINITION CREATED LAST_ALTERED COMMENT EXTERNAL_ACCESS_INTEGRATIONS SECRETS OWNER_ROLE_TYPE";
    let functions_start = "FUNCTION_CATALOG FUNCTION_SCHEMA FUNCTION_NAME FUNCTION_OWNER ARGUMENT_SIGNATURE DATA_TYPE CHARACTER_MAXIMUM_LENGTH CHARACTER_OCTET_LENGTH NUMERIC_PRECISION NUMERIC_PRECISION_RADIX NUMERIC_SCALE FUNCTION_LANGUAGE FUNCTION_DEFINITION VOLATILITY IS_NULL_CALL IS_SECURE CREATED LAST_ALTERED COMMENT";
    let columns_start = "TABLE_CATALOG TABLE_SCHEMA TABLE_NAME COLUMN_NAME ORDINAL_POSITION COLUMN_DEFAULT IS_NULLABLE DATA_TYPE CHARACTER_MAXIMUM_LENGTH CHARACTER_OCTET_LENGTH NUMERIC_PRECISION NUMERIC_PRECISION_RADIX NUMERIC_SCALE DATETIME_PRECISION";
    for (view, cols) in views {
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        match view {
            "PROCEDURES" => assert_eq!(names, procedures.split_whitespace().collect::<Vec<_>>()),
            "FUNCTIONS" => {
                assert!(names.starts_with(&functions_start.split_whitespace().collect::<Vec<_>>()))
            }
            "COLUMNS" => {
                assert!(names.starts_with(&columns_start.split_whitespace().collect::<Vec<_>>()));
                assert_eq!(names.last(), Some(&"COMMENT"));
            }
            other => panic!("unexpected view {other}"),
        }
    }
}

/// The layouts above are the ones real statements return.
#[test]
fn statements_return_the_declared_layouts() {
    let e = emulator();
    let s = e.session("bank");
    run(
        &s,
        "create warehouse w; create database d; create table t (a int); create stream st on table t;
         create task tk as select 1; create share sh; create role r; create file format ff type = csv; create stage sg;
         create user u type = service",
    );
    let layouts = floe::emulator::result_columns();
    let layout = |name: &str| -> Vec<String> {
        layouts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| c.iter().map(|(n, _)| n.to_string()).collect())
            .unwrap()
    };
    for (sql, name) in [
        ("show warehouses", "SHOW WAREHOUSES"),
        ("describe warehouse w", "DESCRIBE WAREHOUSE"),
        ("show databases", "SHOW DATABASES"),
        ("show terse tables", "SHOW TERSE"),
        ("show terse streams", "SHOW TERSE STREAMS"),
        ("show schemas", "SHOW SCHEMAS"),
        ("show tables", "SHOW TABLES"),
        ("describe table t", "DESCRIBE TABLE"),
        ("show columns", "SHOW COLUMNS"),
        ("show streams", "SHOW STREAMS"),
        ("describe stream st", "DESCRIBE STREAM"),
        ("show tasks", "SHOW TASKS"),
        ("describe task tk", "DESCRIBE TASK"),
        ("show shares", "SHOW SHARES"),
        ("show roles", "SHOW ROLES"),
        ("show users", "SHOW USERS"),
        ("describe user u", "DESCRIBE USER"),
        ("show file formats", "SHOW FILE FORMATS"),
        ("describe file format ff", "DESCRIBE FILE FORMAT"),
        ("show stages", "SHOW STAGES"),
        ("describe stage sg", "DESCRIBE STAGE"),
        ("list @sg", "LIST"),
        ("show procedures", "SHOW PROCEDURES"),
        ("show user functions", "SHOW USER FUNCTIONS"),
        ("show models", "SHOW MODELS"),
        ("show listings", "SHOW LISTINGS"),
        ("show grants to role r", "SHOW GRANTS TO ROLE"),
        ("show grants on database d", "SHOW GRANTS ON"),
        ("show grants of role r", "SHOW GRANTS OF ROLE"),
        ("show grants to share sh", "SHOW GRANTS TO SHARE"),
        ("describe share sh", "DESCRIBE SHARE"),
    ] {
        let rows = run(&s, sql).remove(0);
        let names: Vec<String> = rows.columns.iter().map(|c| c.name.clone()).collect();
        assert_eq!(names, layout(name), "{sql}");
    }
}
