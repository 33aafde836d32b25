//! The column lists of every SHOW/DESCRIBE result, in Snowflake's order, with the
//! type each column reports (`TEXT`, `FIXED`, `TIMESTAMP_LTZ`).

use crate::runtime::session::{Column, Rows};

pub type Col = (&'static str, &'static str);

const T: &str = "TEXT";
const F: &str = "FIXED";
const TS: &str = "TIMESTAMP_LTZ";

pub const STATUS: &[Col] = &[("status", T)];

pub const WAREHOUSES: &[Col] = &[
    ("name", T),
    ("state", T),
    ("type", T),
    ("size", T),
    ("min_cluster_count", F),
    ("max_cluster_count", F),
    ("started_clusters", F),
    ("running", F),
    ("queued", F),
    ("is_default", T),
    ("is_current", T),
    ("is_interactive", T),
    ("auto_suspend", F),
    ("auto_resume", T),
    ("available", T),
    ("provisioning", T),
    ("quiescing", T),
    ("other", T),
    ("created_on", TS),
    ("resumed_on", TS),
    ("updated_on", TS),
    ("owner", T),
    ("comment", T),
    ("enable_query_acceleration", T),
    ("query_acceleration_max_scale_factor", F),
    ("resource_monitor", T),
    ("actives", F),
    ("pendings", F),
    ("failed", F),
    ("suspended", F),
    ("uuid", T),
    ("scaling_policy", T),
    ("budget", T),
    ("owner_role_type", T),
    ("resource_constraint", T),
    ("generation", T),
];

pub const PARAMETERS: &[Col] = &[
    ("key", T),
    ("value", T),
    ("default", T),
    ("level", T),
    ("description", T),
    ("type", T),
];

pub const DESC_KIND: &[Col] = &[("created_on", TS), ("name", T), ("kind", T)];

pub const DATABASES: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("is_default", T),
    ("is_current", T),
    ("origin", T),
    ("owner", T),
    ("comment", T),
    ("options", T),
    ("retention_time", T),
    ("kind", T),
    ("budget", T),
    ("owner_role_type", T),
    ("object_visibility", T),
    ("data_quality_monitoring_settings", T),
];

pub const TERSE: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("kind", T),
    ("database_name", T),
    ("schema_name", T),
];

pub const TERSE_STREAMS: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("kind", T),
    ("database_name", T),
    ("schema_name", T),
    ("tableOn", T),
];

pub const SCHEMAS: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("is_default", T),
    ("is_current", T),
    ("database_name", T),
    ("owner", T),
    ("comment", T),
    ("options", T),
    ("retention_time", T),
    ("owner_role_type", T),
    ("object_visibility", T),
    ("is_nested", T),
];

pub const FILE_FORMATS: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("database_name", T),
    ("schema_name", T),
    ("type", T),
    ("owner", T),
    ("comment", T),
    ("owner_role_type", T),
    ("format_options", T),
];

pub const DESC_PROPERTIES: &[Col] = &[
    ("property", T),
    ("property_type", T),
    ("property_value", T),
    ("property_default", T),
];

pub const STAGES: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("database_name", T),
    ("schema_name", T),
    ("url", T),
    ("has_credentials", T),
    ("has_encryption_key", T),
    ("owner", T),
    ("comment", T),
    ("region", T),
    ("type", T),
    ("cloud", T),
    ("notification_channel", T),
    ("storage_integration", T),
    ("endpoint", T),
    ("owner_role_type", T),
    ("directory_enabled", T),
];

pub const DESC_STAGE: &[Col] = &[
    ("parent_property", T),
    ("property", T),
    ("property_type", T),
    ("property_value", T),
    ("property_default", T),
];

pub const LIST_FILES: &[Col] = &[("name", T), ("size", F), ("md5", T), ("last_modified", T)];

pub const TABLES: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("database_name", T),
    ("schema_name", T),
    ("kind", T),
    ("comment", T),
    ("cluster_by", T),
    ("rows", F),
    ("bytes", F),
    ("owner", T),
    ("retention_time", T),
    ("automatic_clustering", T),
    ("change_tracking", T),
    ("search_optimization", T),
    ("search_optimization_progress", T),
    ("search_optimization_bytes", F),
    ("is_external", T),
    ("enable_schema_evolution", T),
    ("owner_role_type", T),
    ("is_event", T),
    ("budget", T),
    ("is_hybrid", T),
    ("is_iceberg", T),
    ("is_dynamic", T),
    ("is_immutable", T),
];

pub const DESC_TABLE: &[Col] = &[
    ("name", T),
    ("type", T),
    ("kind", T),
    ("null?", T),
    ("default", T),
    ("primary key", T),
    ("unique key", T),
    ("check", T),
    ("expression", T),
    ("comment", T),
    ("policy name", T),
    ("privacy domain", T),
];

pub const COLUMNS: &[Col] = &[
    ("table_name", T),
    ("schema_name", T),
    ("column_name", T),
    ("data_type", T),
    ("null?", T),
    ("default", T),
    ("kind", T),
    ("expression", T),
    ("comment", T),
    ("database_name", T),
    ("autoincrement", T),
    ("schema_evolution_record", T),
];

pub const SHARES: &[Col] = &[
    ("created_on", TS),
    ("kind", T),
    ("owner_account", T),
    ("name", T),
    ("database_name", T),
    ("to", T),
    ("owner", T),
    ("comment", T),
    ("listing_global_name", T),
];

pub const DESC_SHARE: &[Col] = &[("kind", T), ("name", T), ("shared_on", TS)];

pub const LISTINGS: &[Col] = &[
    ("global_name", T),
    ("name", T),
    ("title", T),
    ("subtitle", T),
    ("profile", T),
    ("created_on", TS),
    ("updated_on", TS),
    ("published_on", TS),
    ("state", T),
    ("review_state", T),
    ("comment", T),
    ("owner", T),
    ("owner_role_type", T),
    ("regions", T),
    ("target_accounts", T),
    ("is_monetized", T),
    ("is_application", T),
    ("is_targeted", T),
    ("is_limited_trial", T),
    ("is_by_request", T),
    ("distribution", T),
    ("is_mountless_queryable", T),
    ("rejected_on", TS),
    ("organization_profile_name", T),
    ("uniform_listing_locator", T),
    ("detailed_target_accounts", T),
    ("compliance_badges", T),
];

pub const DESC_LISTING: &[Col] = &[
    ("global_name", T),
    ("name", T),
    ("owner", T),
    ("owner_role_type", T),
    ("created_on", TS),
    ("updated_on", TS),
    ("published_on", TS),
    ("title", T),
    ("subtitle", T),
    ("description", T),
    ("listing_terms", T),
    ("state", T),
    ("share", T),
    ("application_package", T),
    ("business_needs", T),
    ("usage_examples", T),
    ("data_attributes", T),
    ("categories", T),
    ("resources", T),
    ("profile", T),
    ("customized_contact_info", T),
    ("data_dictionary", T),
    ("data_preview", T),
    ("comment", T),
    ("revisions", T),
    ("target_accounts", T),
    ("regions", T),
    ("refresh_schedule", T),
    ("refresh_type", T),
    ("review_state", T),
    ("rejection_reason", T),
    ("unpublished_by_admin_reasons", T),
    ("is_monetized", T),
    ("is_application", T),
    ("is_targeted", T),
    ("is_limited_trial", T),
    ("is_by_request", T),
    ("limited_trial_plan", T),
    ("retried_on", TS),
    ("scheduled_drop_time", TS),
    ("manifest_yaml", T),
    ("distribution", T),
    ("is_mountless_queryable", T),
    ("organization_profile_name", T),
    ("uniform_listing_locator", T),
    ("trial_details", T),
    ("approver_contact", T),
    ("support_contact", T),
    ("live_version_uri", T),
    ("last_committed_version_uri", T),
    ("last_committed_version_name", T),
    ("last_committed_version_alias", T),
    ("published_version_uri", T),
    ("published_version_name", T),
    ("published_version_alias", T),
    ("is_share", T),
    ("request_approval_type", T),
    ("monetization_display_order", T),
    ("legacy_uniform_listing_locators", T),
];

pub const STREAMS: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("database_name", T),
    ("schema_name", T),
    ("owner", T),
    ("comment", T),
    ("table_name", T),
    ("source_type", T),
    ("base_tables", T),
    ("type", T),
    ("stale", T),
    ("mode", T),
    ("stale_after", TS),
    ("invalid_reason", T),
    ("owner_role_type", T),
];

pub const TASKS: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("id", T),
    ("database_name", T),
    ("schema_name", T),
    ("owner", T),
    ("comment", T),
    ("warehouse", T),
    ("schedule", T),
    ("predecessors", T),
    ("state", T),
    ("definition", T),
    ("condition", T),
    ("allow_overlapping_execution", T),
    ("error_integration", T),
    ("last_committed_on", TS),
    ("last_suspended_on", TS),
    ("owner_role_type", T),
    ("config", T),
    ("budget", T),
    ("task_relations", T),
    ("last_suspended_reason", T),
    ("target_completion_interval", T),
    ("scheduling_mode", T),
    ("success_integration", T),
    ("execute_as_user", T),
];

pub const PROCEDURES: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("schema_name", T),
    ("is_builtin", T),
    ("is_aggregate", T),
    ("is_ansi", T),
    ("min_num_arguments", F),
    ("max_num_arguments", F),
    ("arguments", T),
    ("description", T),
    ("catalog_name", T),
    ("is_table_function", T),
    ("valid_for_clustering", T),
    ("is_secure", T),
    ("secrets", T),
    ("external_access_integrations", T),
];

pub const FUNCTIONS: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("schema_name", T),
    ("is_builtin", T),
    ("is_aggregate", T),
    ("is_ansi", T),
    ("min_num_arguments", F),
    ("max_num_arguments", F),
    ("arguments", T),
    ("description", T),
    ("catalog_name", T),
    ("is_table_function", T),
    ("valid_for_clustering", T),
    ("is_secure", T),
    ("secrets", T),
    ("external_access_integrations", T),
    ("is_external_function", T),
    ("language", T),
    ("is_memoizable", T),
    ("is_data_metric", T),
];

pub const DESC_ROUTINE: &[Col] = &[("property", T), ("value", T)];

pub const MODELS: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("model_type", T),
    ("database_name", T),
    ("schema_name", T),
    ("owner", T),
    ("comment", T),
    ("versions", T),
    ("default_version_name", T),
    ("aliases", T),
];

pub const MODEL_VERSIONS: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("aliases", T),
    ("database_name", T),
    ("schema_name", T),
    ("model_name", T),
    ("is_default_version", T),
    ("functions", T),
    ("metadata", T),
    ("user_data", T),
    ("comment", T),
    ("runnable_in", T),
    ("model_spec", T),
];

pub const ROLES: &[Col] = &[
    ("created_on", TS),
    ("name", T),
    ("is_default", T),
    ("is_current", T),
    ("is_inherited", T),
    ("assigned_to_users", F),
    ("granted_to_roles", F),
    ("granted_roles", F),
    ("owner", T),
    ("comment", T),
];

pub const USERS: &[Col] = &[
    ("name", T),
    ("created_on", TS),
    ("login_name", T),
    ("display_name", T),
    ("first_name", T),
    ("last_name", T),
    ("email", T),
    ("mins_to_unlock", T),
    ("days_to_expiry", T),
    ("comment", T),
    ("disabled", T),
    ("must_change_password", T),
    ("snowflake_lock", T),
    ("default_warehouse", T),
    ("default_namespace", T),
    ("default_role", T),
    ("default_secondary_roles", T),
    ("ext_authn_duo", T),
    ("ext_authn_uid", T),
    ("mins_to_bypass_mfa", T),
    ("owner", T),
    ("last_success_login", T),
    ("expires_at_time", T),
    ("locked_until_time", T),
    ("has_password", T),
    ("has_rsa_public_key", T),
    ("type", T),
    ("has_mfa", T),
    ("has_pat", T),
];

pub const DESC_USER: &[Col] = &[
    ("property", T),
    ("value", T),
    ("default", T),
    ("description", T),
];

pub const GRANTS_ON: &[Col] = &[
    ("created_on", TS),
    ("privilege", T),
    ("granted_on", T),
    ("name", T),
    ("granted_to", T),
    ("grantee_name", T),
    ("grant_option", T),
    ("granted_by_role_type", T),
    ("granted_by", T),
];

pub const GRANTS_TO: &[Col] = &[
    ("created_on", TS),
    ("privilege", T),
    ("granted_on", T),
    ("name", T),
    ("granted_to", T),
    ("grantee_name", T),
    ("grant_option", T),
    ("granted_by", T),
];

pub const GRANTS_OF_ROLE: &[Col] = &[
    ("created_on", TS),
    ("role", T),
    ("granted_to", T),
    ("grantee_name", T),
    ("granted_by", T),
];

/// An empty result with these columns.
pub fn rows(cols: &[Col]) -> Rows {
    Rows {
        columns: cols
            .iter()
            .map(|(n, t)| Column {
                name: n.to_string(),
                type_name: t.to_string(),
            })
            .collect(),
        rows: Vec::new(),
    }
}

/// A one-row `status` result.
pub fn status(text: impl Into<String>) -> Rows {
    let mut r = rows(STATUS);
    r.rows.push(vec![Some(text.into())]);
    r
}

/// Every result layout by a descriptive name.
pub fn all() -> Vec<(&'static str, &'static [Col])> {
    vec![
        ("SHOW WAREHOUSES", WAREHOUSES),
        ("DESCRIBE WAREHOUSE", DESC_KIND),
        ("SHOW DATABASES", DATABASES),
        ("DESCRIBE DATABASE", DESC_KIND),
        ("SHOW TERSE", TERSE),
        ("SHOW TERSE STREAMS", TERSE_STREAMS),
        ("SHOW SCHEMAS", SCHEMAS),
        ("DESCRIBE SCHEMA", DESC_KIND),
        ("SHOW FILE FORMATS", FILE_FORMATS),
        ("DESCRIBE FILE FORMAT", DESC_PROPERTIES),
        ("SHOW STAGES", STAGES),
        ("DESCRIBE STAGE", DESC_STAGE),
        ("LIST", LIST_FILES),
        ("SHOW TABLES", TABLES),
        ("DESCRIBE TABLE", DESC_TABLE),
        ("SHOW COLUMNS", COLUMNS),
        ("SHOW SHARES", SHARES),
        ("DESCRIBE SHARE", DESC_SHARE),
        ("SHOW LISTINGS", LISTINGS),
        ("DESCRIBE LISTING", DESC_LISTING),
        ("SHOW STREAMS", STREAMS),
        ("DESCRIBE STREAM", STREAMS),
        ("SHOW TASKS", TASKS),
        ("DESCRIBE TASK", TASKS),
        ("SHOW PROCEDURES", PROCEDURES),
        ("SHOW USER FUNCTIONS", FUNCTIONS),
        ("DESCRIBE PROCEDURE", DESC_ROUTINE),
        ("DESCRIBE FUNCTION", DESC_ROUTINE),
        ("SHOW MODELS", MODELS),
        ("SHOW VERSIONS IN MODEL", MODEL_VERSIONS),
        ("SHOW ROLES", ROLES),
        ("SHOW USERS", USERS),
        ("DESCRIBE USER", DESC_USER),
        ("SHOW GRANTS ON", GRANTS_ON),
        ("SHOW GRANTS TO ROLE", GRANTS_TO),
        ("SHOW GRANTS TO SHARE", GRANTS_TO),
        ("SHOW GRANTS OF ROLE", GRANTS_OF_ROLE),
    ]
}
