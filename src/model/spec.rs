//! The desired/observed description of one object, per kind.
//!
//! Desired state (lowered from manifests) and observed state (parsed from SHOW and
//! DESCRIBE) are the *same* types. A field that is `None` in the desired spec was
//! not declared in the manifest and is never compared; the observer fills every
//! field it can see. Values are kept close to what a user writes; the per-kind
//! `normalize` in `crate::kinds` brings both sides to one canonical form before
//! `diff` (sizes, type spellings, case, defaults, whitespace in bodies).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ident::Ident;
use super::name::{AccountName, ObjectKind, ObjectName};

/// One object's specification.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Spec {
    Role(RoleSpec),
    Warehouse(WarehouseSpec),
    Database(DatabaseSpec),
    Schema(SchemaSpec),
    FileFormat(FileFormatSpec),
    Stage(StageSpec),
    Table(TableSpec),
    Share(ShareSpec),
    Listing(ListingSpec),
    Stream(StreamSpec),
    Procedure(RoutineSpec),
    Function(RoutineSpec),
    Model(ModelSpec),
    Task(TaskSpec),
    Grant(GrantSpec),
}

impl Spec {
    pub fn kind(&self) -> ObjectKind {
        match self {
            Spec::Role(_) => ObjectKind::Role,
            Spec::Warehouse(_) => ObjectKind::Warehouse,
            Spec::Database(_) => ObjectKind::Database,
            Spec::Schema(_) => ObjectKind::Schema,
            Spec::FileFormat(_) => ObjectKind::FileFormat,
            Spec::Stage(_) => ObjectKind::Stage,
            Spec::Table(_) => ObjectKind::Table,
            Spec::Share(_) => ObjectKind::Share,
            Spec::Listing(_) => ObjectKind::Listing,
            Spec::Stream(_) => ObjectKind::Stream,
            Spec::Procedure(_) => ObjectKind::Procedure,
            Spec::Function(_) => ObjectKind::Function,
            Spec::Model(_) => ObjectKind::Model,
            Spec::Task(_) => ObjectKind::Task,
            Spec::Grant(_) => ObjectKind::Grant,
        }
    }
}

/// A reference to an account that receives a share or a listing.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRef {
    /// An account of this project (`partner`); resolved to `ORG.ACCOUNT` from the live
    /// account's `CURRENT_ORGANIZATION_NAME()`/`CURRENT_ACCOUNT_NAME()` at plan time.
    Project(AccountName),
    /// A literal data-sharing account identifier, `ORG.ACCOUNT` (upper-case).
    Identifier(String),
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct RoleSpec {
    pub comment: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct WarehouseSpec {
    /// `STANDARD` or `SNOWPARK-OPTIMIZED`.
    pub warehouse_type: Option<String>,
    /// As written (`x-small`, `XSMALL`, `X-Small`); normalized by `kinds::warehouse`.
    pub size: Option<String>,
    /// Seconds; `Some(0)` means never suspend.
    pub auto_suspend: Option<u64>,
    pub auto_resume: Option<bool>,
    pub min_cluster_count: Option<u32>,
    pub max_cluster_count: Option<u32>,
    /// `STANDARD` or `ECONOMY`.
    pub scaling_policy: Option<String>,
    pub max_concurrency_level: Option<u32>,
    /// `MEMORY_16X` etc., snowpark-optimized only.
    pub resource_constraint: Option<String>,
    pub initially_suspended: Option<bool>,
    pub comment: Option<String>,
}

/// Where a database comes from.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseSource {
    /// A normal database owned by the account.
    #[default]
    Local,
    /// `CREATE DATABASE … FROM SHARE <provider>.<share>`.
    Share { provider: AccountRef, share: Ident },
    /// `CREATE DATABASE … FROM LISTING '<global name>'`. When the provider is a project
    /// account, `listing` names its listing and the global name is resolved at apply time.
    Listing {
        provider: Option<AccountName>,
        listing: Ident,
        global_name: Option<String>,
    },
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct DatabaseSpec {
    pub source: DatabaseSource,
    pub transient: Option<bool>,
    pub data_retention_time_in_days: Option<u32>,
    pub comment: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct SchemaSpec {
    pub transient: Option<bool>,
    pub managed_access: Option<bool>,
    pub data_retention_time_in_days: Option<u32>,
    pub comment: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct FileFormatSpec {
    /// `CSV`, `JSON`, `PARQUET`, `AVRO`, `ORC`, `XML`.
    pub format_type: String,
    /// Type options with upper-case keys (`COMPRESSION`, `SKIP_HEADER`, `NULL_IF`, …).
    /// Values are JSON values so lists (`NULL_IF`) and booleans keep their type.
    pub options: BTreeMap<String, serde_json::Value>,
    pub comment: Option<String>,
}

/// How an external stage authenticates.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageAuth {
    StorageIntegration(Ident),
    /// AWS keys read from environment variables at apply time; never stored or printed.
    AwsKeysFromEnv {
        key_id_env: String,
        secret_key_env: String,
    },
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct StageSpec {
    /// External location (`s3://…`); `None` in an observed spec means internal.
    pub url: Option<String>,
    pub auth: Option<StageAuth>,
    /// Named file format (fully qualified).
    pub file_format: Option<ObjectName>,
    pub directory_enabled: Option<bool>,
    pub comment: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct ColumnSpec {
    pub name: Ident,
    /// As written (`varchar`, `NUMBER(38,0)`, `string`); normalized by `kinds::table`.
    pub data_type: String,
    pub nullable: Option<bool>,
    /// Default expression as SQL text.
    pub default: Option<String>,
    pub comment: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct TableSpec {
    pub transient: Option<bool>,
    pub columns: Vec<ColumnSpec>,
    pub change_tracking: Option<bool>,
    /// Clustering expressions; empty = none declared.
    pub cluster_by: Option<Vec<String>>,
    pub data_retention_time_in_days: Option<u32>,
    pub comment: Option<String>,
}

/// A privilege granted to a share.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct ShareGrant {
    /// `USAGE`, `SELECT`, `REFERENCE_USAGE`.
    pub privilege: String,
    /// `Database`, `Schema`, `Table`, `Function` (views are not modelled yet).
    pub on_kind: ObjectKind,
    pub on: ObjectName,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct ShareSpec {
    /// The one database whose objects the share grants.
    pub database: Option<Ident>,
    /// Every grant, including `USAGE` on the database and schemas (lowering adds those).
    pub grants: Vec<ShareGrant>,
    pub accounts: Vec<AccountRef>,
    pub comment: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct ListingSpec {
    pub share: Option<Ident>,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub description: Option<String>,
    pub targets: Vec<AccountRef>,
    /// Published (`true`, the default) or draft.
    pub published: Option<bool>,
    pub comment: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct StreamSpec {
    /// The source table, fully qualified, in the stream's own account (for a shared
    /// table: the database mounted from the share).
    pub table: ObjectName,
    pub append_only: Option<bool>,
    /// Not visible in SHOW STREAMS: never compared.
    pub show_initial_rows: Option<bool>,
    pub comment: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Started,
    Suspended,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct TaskSpec {
    pub warehouse: Option<Ident>,
    /// `USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE` for serverless tasks.
    pub serverless_size: Option<String>,
    /// `5 MINUTE`, `USING CRON 0 9 * * * UTC`.
    pub schedule: Option<String>,
    /// WHEN condition SQL.
    pub when: Option<String>,
    /// Predecessors, fully qualified (same schema).
    pub after: Vec<ObjectName>,
    /// The AS SQL.
    pub body: String,
    pub allow_overlapping_execution: Option<bool>,
    pub state: Option<TaskState>,
    pub comment: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Python,
    Sql,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Argument {
    pub name: Ident,
    pub data_type: String,
}

/// A stored procedure or a user-defined function.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct RoutineSpec {
    pub language: Language,
    pub arguments: Vec<Argument>,
    pub returns: String,
    pub runtime_version: Option<String>,
    pub packages: Vec<String>,
    /// Stage paths (`@DB.S.STAGE/path/file.py`).
    pub imports: Vec<String>,
    pub handler: Option<String>,
    pub body: String,
    pub secure: Option<bool>,
    /// Procedures only: `OWNER`, `CALLER`.
    pub execute_as: Option<String>,
    pub comment: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ModelVersionSpec {
    pub name: Ident,
    /// Files uploaded for this version: path relative to the version's stage folder
    /// → lower-case hex MD5 of the content. The project-side path is in `sources`.
    pub files: BTreeMap<String, String>,
    /// Local paths of the files, same keys as `files` (desired side only), relative
    /// to the project folder (absolute ones are used as they are).
    #[serde(default)]
    pub sources: BTreeMap<String, std::path::PathBuf>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Internal stage the artifacts are uploaded to; each version lives under
    /// `@STAGE/<MODEL>/<VERSION>/`.
    pub stage: ObjectName,
    pub versions: Vec<ModelVersionSpec>,
    pub default_version: Option<Ident>,
    pub comment: Option<String>,
}

/// What a grant applies to.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantOn {
    Account,
    Object {
        kind: ObjectKind,
        name: ObjectName,
        signature: Option<Vec<String>>,
    },
    /// Role hierarchy: `GRANT ROLE <role> TO ROLE <to_role>`.
    Role(Ident),
}

/// A privilege (or role) granted to a role.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct GrantSpec {
    /// Upper-case privilege (`USAGE`, `SELECT`, `IMPORTED PRIVILEGES`); empty for role grants.
    pub privilege: String,
    pub on: GrantOn,
    pub to_role: Ident,
}

impl GrantSpec {
    /// The canonical key used as the grant's [`crate::model::ObjectId`] name.
    pub fn key(&self) -> String {
        match &self.on {
            GrantOn::Account => format!("{} ON ACCOUNT TO ROLE {}", self.privilege, self.to_role),
            GrantOn::Object {
                kind,
                name,
                signature,
            } => {
                let sig = signature
                    .as_ref()
                    .map(|s| format!("({})", s.join(", ")))
                    .unwrap_or_default();
                format!(
                    "{} ON {} {}{} TO ROLE {}",
                    self.privilege,
                    kind.sql_keyword(),
                    name.sql(),
                    sig,
                    self.to_role
                )
            }
            GrantOn::Role(role) => format!("ROLE {} TO ROLE {}", role, self.to_role),
        }
    }
}
