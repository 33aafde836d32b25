//! Every property the manifests accept is either read back from the accounts (so
//! `plan` and `drift` compare it) or is explicitly not object state. The test walks
//! `schemas/account.schema.json`: a property added to a manifest type fails here
//! until it is listed below with the statement that reads it back — or, with a
//! reason, as not state. A property floe cannot read back must not be accepted and
//! then silently ignored.

use std::collections::BTreeSet;

/// `Type.property` → where its live value comes from.
const OBSERVED: &[(&str, &str)] = &[
    (
        "ArgumentRaw.name",
        "INFORMATION_SCHEMA routines / DESCRIBE signature",
    ),
    (
        "ArgumentRaw.type",
        "INFORMATION_SCHEMA routines argument_signature",
    ),
    ("ColumnRaw.comment", "INFORMATION_SCHEMA.COLUMNS COMMENT"),
    (
        "ColumnRaw.default",
        "INFORMATION_SCHEMA.COLUMNS COLUMN_DEFAULT",
    ),
    ("ColumnRaw.name", "INFORMATION_SCHEMA.COLUMNS COLUMN_NAME"),
    (
        "ColumnRaw.nullable",
        "INFORMATION_SCHEMA.COLUMNS IS_NULLABLE",
    ),
    (
        "ColumnRaw.type",
        "INFORMATION_SCHEMA.COLUMNS DATA_TYPE and sizes",
    ),
    ("DatabaseRaw.comment", "SHOW DATABASES comment"),
    (
        "DatabaseRaw.data_retention_time_in_days",
        "SHOW DATABASES retention_time",
    ),
    ("DatabaseRaw.from_listing", "SHOW DATABASES origin"),
    ("DatabaseRaw.from_share", "SHOW DATABASES origin"),
    ("DatabaseRaw.transient", "SHOW DATABASES options"),
    (
        "FileFormatRaw.binary_as_text",
        "SHOW FILE FORMATS format_options",
    ),
    ("FileFormatRaw.comment", "SHOW FILE FORMATS comment"),
    (
        "FileFormatRaw.compression",
        "SHOW FILE FORMATS format_options",
    ),
    (
        "FileFormatRaw.date_format",
        "SHOW FILE FORMATS format_options",
    ),
    (
        "FileFormatRaw.empty_field_as_null",
        "SHOW FILE FORMATS format_options",
    ),
    (
        "FileFormatRaw.error_on_column_count_mismatch",
        "SHOW FILE FORMATS format_options",
    ),
    (
        "FileFormatRaw.field_delimiter",
        "SHOW FILE FORMATS format_options",
    ),
    (
        "FileFormatRaw.field_optionally_enclosed_by",
        "SHOW FILE FORMATS format_options",
    ),
    ("FileFormatRaw.null_if", "SHOW FILE FORMATS format_options"),
    (
        "FileFormatRaw.record_delimiter",
        "SHOW FILE FORMATS format_options",
    ),
    (
        "FileFormatRaw.replace_invalid_characters",
        "SHOW FILE FORMATS format_options",
    ),
    (
        "FileFormatRaw.skip_header",
        "SHOW FILE FORMATS format_options",
    ),
    (
        "FileFormatRaw.strip_null_values",
        "SHOW FILE FORMATS format_options",
    ),
    (
        "FileFormatRaw.strip_outer_array",
        "SHOW FILE FORMATS format_options",
    ),
    (
        "FileFormatRaw.timestamp_format",
        "SHOW FILE FORMATS format_options",
    ),
    (
        "FileFormatRaw.trim_space",
        "SHOW FILE FORMATS format_options",
    ),
    ("FileFormatRaw.type", "SHOW FILE FORMATS type"),
    ("FromListingRaw.account", "SHOW DATABASES origin"),
    ("FromListingRaw.global_name", "SHOW DATABASES origin"),
    ("FromListingRaw.listing", "SHOW DATABASES origin"),
    ("FromShareRaw.account", "SHOW DATABASES origin"),
    ("FromShareRaw.identifier", "SHOW DATABASES origin"),
    ("FromShareRaw.share", "SHOW DATABASES origin"),
    ("FunctionRaw.arguments", "SHOW USER FUNCTIONS arguments"),
    (
        "FunctionRaw.body",
        "INFORMATION_SCHEMA.FUNCTIONS / DESCRIBE FUNCTION body",
    ),
    (
        "FunctionRaw.comment",
        "INFORMATION_SCHEMA.FUNCTIONS COMMENT",
    ),
    (
        "FunctionRaw.handler",
        "INFORMATION_SCHEMA.FUNCTIONS / DESCRIBE handler",
    ),
    (
        "FunctionRaw.imports",
        "INFORMATION_SCHEMA.FUNCTIONS / DESCRIBE imports",
    ),
    ("FunctionRaw.language", "SHOW USER FUNCTIONS language"),
    (
        "FunctionRaw.packages",
        "INFORMATION_SCHEMA.FUNCTIONS / DESCRIBE packages",
    ),
    (
        "FunctionRaw.returns",
        "INFORMATION_SCHEMA.FUNCTIONS DATA_TYPE",
    ),
    (
        "FunctionRaw.runtime_version",
        "INFORMATION_SCHEMA.FUNCTIONS / DESCRIBE runtime_version",
    ),
    ("FunctionRaw.secure", "SHOW USER FUNCTIONS is_secure"),
    ("GrantRaw.on", "SHOW GRANTS TO ROLE granted_on, name"),
    ("GrantRaw.privilege", "SHOW GRANTS TO ROLE privilege"),
    ("GrantRaw.role", "SHOW GRANTS TO ROLE (granted_on ROLE)"),
    ("GrantRaw.to_role", "SHOW GRANTS TO ROLE grantee_name"),
    ("ListingRaw.comment", "SHOW LISTINGS comment"),
    ("ListingRaw.description", "DESCRIBE LISTING description"),
    ("ListingRaw.published", "SHOW LISTINGS state"),
    ("ListingRaw.share", "DESCRIBE LISTING share"),
    ("ListingRaw.subtitle", "SHOW LISTINGS subtitle"),
    (
        "ListingRaw.targets",
        "SHOW LISTINGS target_accounts / DESCRIBE LISTING manifest_yaml",
    ),
    ("ListingRaw.title", "SHOW LISTINGS title"),
    ("ModelRaw.comment", "SHOW MODELS comment"),
    (
        "ModelRaw.default_version",
        "SHOW MODELS default_version_name",
    ),
    ("ModelRaw.stage", "LIST @stage of the model's artifacts"),
    ("ModelRaw.versions", "SHOW VERSIONS IN MODEL"),
    ("ModelVersionRaw.files", "LIST @stage (file checksums)"),
    ("ProcedureRaw.arguments", "SHOW PROCEDURES arguments"),
    (
        "ProcedureRaw.body",
        "INFORMATION_SCHEMA.PROCEDURES / DESCRIBE PROCEDURE body",
    ),
    (
        "ProcedureRaw.comment",
        "INFORMATION_SCHEMA.PROCEDURES COMMENT",
    ),
    ("ProcedureRaw.execute_as", "DESCRIBE PROCEDURE execute as"),
    (
        "ProcedureRaw.handler",
        "INFORMATION_SCHEMA.PROCEDURES / DESCRIBE handler",
    ),
    (
        "ProcedureRaw.imports",
        "INFORMATION_SCHEMA.PROCEDURES / DESCRIBE imports",
    ),
    ("ProcedureRaw.language", "SHOW PROCEDURES language"),
    (
        "ProcedureRaw.packages",
        "INFORMATION_SCHEMA.PROCEDURES / DESCRIBE packages",
    ),
    (
        "ProcedureRaw.returns",
        "INFORMATION_SCHEMA.PROCEDURES DATA_TYPE",
    ),
    (
        "ProcedureRaw.runtime_version",
        "INFORMATION_SCHEMA.PROCEDURES / DESCRIBE runtime_version",
    ),
    ("ProcedureRaw.secure", "SHOW PROCEDURES is_secure"),
    ("RoleRaw.comment", "SHOW ROLES comment"),
    ("SchemaRaw.comment", "SHOW SCHEMAS comment"),
    (
        "SchemaRaw.data_retention_time_in_days",
        "SHOW SCHEMAS retention_time",
    ),
    ("SchemaRaw.managed_access", "SHOW SCHEMAS options"),
    ("SchemaRaw.transient", "SHOW SCHEMAS options"),
    ("ShareRaw.accounts", "SHOW SHARES to"),
    ("ShareRaw.comment", "SHOW SHARES comment"),
    ("ShareRaw.database", "SHOW SHARES database_name"),
    ("ShareRaw.grants", "SHOW GRANTS TO SHARE"),
    ("StageRaw.comment", "SHOW STAGES comment"),
    ("StageRaw.directory", "SHOW STAGES directory_enabled"),
    ("StageRaw.file_format", "DESCRIBE STAGE STAGE_FILE_FORMAT"),
    (
        "StageRaw.storage_integration",
        "SHOW STAGES storage_integration",
    ),
    ("StageRaw.url", "SHOW STAGES url"),
    ("StreamRaw.append_only", "SHOW STREAMS mode"),
    ("StreamRaw.comment", "SHOW STREAMS comment"),
    ("StreamRaw.table", "SHOW STREAMS table_name"),
    ("TableRaw.change_tracking", "SHOW TABLES change_tracking"),
    ("TableRaw.cluster_by", "SHOW TABLES cluster_by"),
    ("TableRaw.columns", "INFORMATION_SCHEMA.COLUMNS"),
    ("TableRaw.comment", "SHOW TABLES comment"),
    (
        "TableRaw.data_retention_time_in_days",
        "SHOW TABLES retention_time",
    ),
    ("TableRaw.transient", "SHOW TABLES kind"),
    ("TaskRaw.after", "SHOW TASKS predecessors"),
    (
        "TaskRaw.allow_overlapping_execution",
        "SHOW TASKS allow_overlapping_execution",
    ),
    ("TaskRaw.body", "SHOW TASKS definition"),
    ("TaskRaw.comment", "SHOW TASKS comment"),
    (
        "TaskRaw.serverless_size",
        "SHOW PARAMETERS IN TASK USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE",
    ),
    ("TaskRaw.schedule", "SHOW TASKS schedule"),
    ("TaskRaw.state", "SHOW TASKS state"),
    ("TaskRaw.warehouse", "SHOW TASKS warehouse"),
    ("TaskRaw.when", "SHOW TASKS condition"),
    ("WarehouseRaw.auto_resume", "SHOW WAREHOUSES auto_resume"),
    ("WarehouseRaw.auto_suspend", "SHOW WAREHOUSES auto_suspend"),
    ("WarehouseRaw.comment", "SHOW WAREHOUSES comment"),
    (
        "WarehouseRaw.max_cluster_count",
        "SHOW WAREHOUSES max_cluster_count",
    ),
    (
        "WarehouseRaw.max_concurrency_level",
        "SHOW PARAMETERS IN WAREHOUSE MAX_CONCURRENCY_LEVEL",
    ),
    (
        "WarehouseRaw.min_cluster_count",
        "SHOW WAREHOUSES min_cluster_count",
    ),
    (
        "WarehouseRaw.statement_timeout_in_seconds",
        "SHOW PARAMETERS IN WAREHOUSE STATEMENT_TIMEOUT_IN_SECONDS",
    ),
    (
        "WarehouseRaw.statement_queued_timeout_in_seconds",
        "SHOW PARAMETERS IN WAREHOUSE STATEMENT_QUEUED_TIMEOUT_IN_SECONDS",
    ),
    (
        "WarehouseRaw.resource_constraint",
        "SHOW WAREHOUSES resource_constraint",
    ),
    (
        "WarehouseRaw.scaling_policy",
        "SHOW WAREHOUSES scaling_policy",
    ),
    ("WarehouseRaw.warehouse_size", "SHOW WAREHOUSES size"),
    ("WarehouseRaw.warehouse_type", "SHOW WAREHOUSES type"),
];

/// `Type.property` → why it is not object state that could drift.
const NOT_STATE: &[(&str, &str)] = &[
    (
        "FunctionRaw.body_file",
        "where the body is read from; the body is compared",
    ),
    (
        "ProcedureRaw.body_file",
        "where the body is read from; the body is compared",
    ),
    (
        "RoleRaw.authoritative",
        "a planner switch: revoke undeclared grants",
    ),
    (
        "DatabaseRaw.authoritative",
        "a planner switch: drop undeclared schemas",
    ),
    (
        "SchemaRaw.authoritative",
        "a planner switch: drop undeclared objects",
    ),
    (
        "DatabaseRaw.schemas",
        "a container of objects observed on their own",
    ),
    (
        "SchemaRaw.file_formats",
        "a container of objects observed on their own",
    ),
    (
        "SchemaRaw.functions",
        "a container of objects observed on their own",
    ),
    (
        "SchemaRaw.models",
        "a container of objects observed on their own",
    ),
    (
        "SchemaRaw.procedures",
        "a container of objects observed on their own",
    ),
    (
        "SchemaRaw.stages",
        "a container of objects observed on their own",
    ),
    (
        "SchemaRaw.streams",
        "a container of objects observed on their own",
    ),
    (
        "SchemaRaw.tables",
        "a container of objects observed on their own",
    ),
    (
        "SchemaRaw.tasks",
        "a container of objects observed on their own",
    ),
    (
        "WarehouseRaw.initially_suspended",
        "a creation option (the first state), not a property of the warehouse",
    ),
    (
        "StreamRaw.show_initial_rows",
        "a creation option for the first read; Snowflake does not keep it",
    ),
    (
        "StageRaw.credentials",
        "secrets are never read back; SHOW STAGES has_credentials is compared",
    ),
    (
        "StageCredentialsRaw.aws_key_id_env",
        "the name of an environment variable holding a secret",
    ),
    (
        "StageCredentialsRaw.aws_secret_key_env",
        "the name of an environment variable holding a secret",
    ),
];

fn schema_properties() -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/account.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = BTreeSet::new();
    for (name, def) in schema["$defs"].as_object().unwrap() {
        if let Some(props) = def["properties"].as_object() {
            for prop in props.keys() {
                out.insert(format!("{name}.{prop}"));
            }
        }
    }
    out
}

#[test]
fn every_manifest_property_is_read_back_or_not_state() {
    let properties = schema_properties();
    assert!(properties.len() > 100, "walked the schema: {properties:?}");
    let observed: BTreeSet<&str> = OBSERVED.iter().map(|(p, _)| *p).collect();
    let not_state: BTreeSet<&str> = NOT_STATE.iter().map(|(p, _)| *p).collect();
    let unread: Vec<&String> = properties
        .iter()
        .filter(|p| !observed.contains(p.as_str()) && !not_state.contains(p.as_str()))
        .collect();
    assert!(
        unread.is_empty(),
        "properties the manifests accept but no observer reads back (read them, or refuse them at validation): {unread:?}"
    );
    let stale: Vec<&&str> = observed
        .iter()
        .chain(not_state.iter())
        .filter(|p| !properties.contains(**p))
        .collect();
    assert!(stale.is_empty(), "listed but not in the schema: {stale:?}");
    let both: Vec<&&str> = observed.intersection(&not_state).collect();
    assert!(both.is_empty(), "listed twice: {both:?}");
}
