//! Test helpers: result sets as Snowflake returns them, and a sample project.

use std::collections::BTreeMap;

use crate::diff::Change;
use crate::model::*;
use crate::runtime::session::{Column, Rows};

use super::Context;

/// A result set with the given column names; `None` cells are SQL NULL.
pub fn rows(columns: &[&str], data: &[&[Option<&str>]]) -> Rows {
    Rows {
        columns: columns
            .iter()
            .map(|c| Column {
                name: c.to_string(),
                type_name: "TEXT".into(),
            })
            .collect(),
        rows: data
            .iter()
            .map(|r| r.iter().map(|v| v.map(str::to_string)).collect())
            .collect(),
    }
}

pub fn bank() -> AccountName {
    AccountName::new("bank")
}

pub fn partner() -> AccountName {
    AccountName::new("partner")
}

pub fn ident(s: &str) -> Ident {
    Ident::parse(s).unwrap()
}

pub fn name(s: &str) -> ObjectName {
    ObjectName::parse(s).unwrap()
}

pub fn id(account: &AccountName, kind: ObjectKind, n: &str) -> ObjectId {
    ObjectId::new(account.clone(), kind, name(n))
}

pub fn ctx() -> Context {
    let mut c = Context::default();
    c.account_identifiers.insert(bank(), "LOCALORG.BANK".into());
    c.account_identifiers
        .insert(partner(), "LOCALORG.PARTNER".into());
    c.listing_shares
        .insert((bank(), ident("cc_listing")), ident("data_sharing_demo"));
    c
}

/// Renders changes for snapshots: action, identity, reason, hazards, properties, SQL.
pub fn render(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes {
        out.push_str(&format!("{} {}\n", c.action.as_str(), c.id));
        if let Some(r) = &c.reason {
            out.push_str(&format!("  reason: {r}\n"));
        }
        if !c.hazards.is_empty() {
            let h: Vec<&str> = c.hazards.iter().map(|h| h.code()).collect();
            out.push_str(&format!("  hazards: {}\n", h.join(", ")));
        }
        for p in &c.properties {
            let show = |v: Option<&str>| match v {
                None => "-".to_string(),
                Some(v) if p.list => format!("[{}]", v.replace('\n', "; ")),
                Some(v) => v.to_string(),
            };
            out.push_str(&format!(
                "  {}: {} -> {}\n",
                p.name,
                show(p.old.as_deref()),
                show(p.new.as_deref())
            ));
        }
        for s in &c.statements {
            out.push_str(&format!("  > {s}\n"));
        }
    }
    out
}

pub fn column(n: &str, t: &str) -> ColumnSpec {
    ColumnSpec {
        name: ident(n),
        data_type: t.into(),
        nullable: None,
        default: None,
        comment: None,
    }
}

/// A project touching every kind, as a manifest would lower it (synonyms and all).
pub fn sample() -> Catalog {
    let mut c = Catalog::new();
    let b = bank();
    let p = partner();
    c.insert(
        id(&b, ObjectKind::Role, "analyst"),
        Spec::Role(RoleSpec {
            comment: Some("reads scores".into()),
        }),
    );
    c.insert(
        id(&b, ObjectKind::Warehouse, "query_wh"),
        Spec::Warehouse(WarehouseSpec {
            size: Some("x-small".into()),
            auto_suspend: Some(60),
            auto_resume: Some(true),
            initially_suspended: Some(true),
            ..Default::default()
        }),
    );
    c.insert(
        id(&b, ObjectKind::Database, "data_sharing_demo"),
        Spec::Database(DatabaseSpec::default()),
    );
    c.insert(
        id(
            &b,
            ObjectKind::Schema,
            "data_sharing_demo.data_sharing_demo",
        ),
        Spec::Schema(SchemaSpec::default()),
    );
    c.insert(
        id(
            &b,
            ObjectKind::FileFormat,
            "data_sharing_demo.data_sharing_demo.csv_ff",
        ),
        Spec::FileFormat(FileFormatSpec {
            format_type: "csv".into(),
            options: BTreeMap::from([
                ("skip_header".into(), serde_json::json!(1)),
                ("compression".into(), serde_json::json!("gzip")),
            ]),
            comment: None,
        }),
    );
    c.insert(
        id(
            &b,
            ObjectKind::Stage,
            "data_sharing_demo.data_sharing_demo.raw_stage",
        ),
        Spec::Stage(StageSpec {
            url: Some("s3://bucket/cc/".into()),
            auth: Some(StageAuth::AwsKeysFromEnv {
                key_id_env: "AWS_KEY_ID".into(),
                secret_key_env: "AWS_SECRET".into(),
            }),
            file_format: Some(name("data_sharing_demo.data_sharing_demo.csv_ff")),
            directory_enabled: None,
            comment: None,
        }),
    );
    c.insert(
        id(
            &b,
            ObjectKind::Table,
            "data_sharing_demo.data_sharing_demo.cc_default_unscored_data",
        ),
        Spec::Table(TableSpec {
            columns: vec![
                column("\"customer_ID\"", "string"),
                column("s_2", "date"),
                column("p_2", "float"),
                column("b_1", "number"),
            ],
            change_tracking: Some(true),
            ..Default::default()
        }),
    );
    c.insert(
        id(&b, ObjectKind::Share, "data_sharing_demo"),
        Spec::Share(ShareSpec {
            database: Some(ident("data_sharing_demo")),
            grants: vec![
                ShareGrant {
                    privilege: "select".into(),
                    on_kind: ObjectKind::Table,
                    on: name("data_sharing_demo.data_sharing_demo.cc_default_unscored_data"),
                },
                ShareGrant {
                    privilege: "usage".into(),
                    on_kind: ObjectKind::Schema,
                    on: name("data_sharing_demo.data_sharing_demo"),
                },
                ShareGrant {
                    privilege: "usage".into(),
                    on_kind: ObjectKind::Database,
                    on: name("data_sharing_demo"),
                },
            ],
            accounts: vec![],
            comment: None,
        }),
    );
    c.insert(
        id(&b, ObjectKind::Listing, "cc_listing"),
        Spec::Listing(ListingSpec {
            share: Some(ident("data_sharing_demo")),
            title: Some("Credit card data".into()),
            subtitle: Some("Unscored".into()),
            description: Some("Customer profiles".into()),
            targets: vec![AccountRef::Project(p.clone())],
            published: Some(true),
            comment: None,
        }),
    );
    c.insert(
        id(&b, ObjectKind::Grant, "x"),
        Spec::Grant(GrantSpec {
            privilege: "usage".into(),
            on: GrantOn::Object {
                kind: ObjectKind::Warehouse,
                name: name("query_wh"),
                signature: None,
            },
            to_role: ident("analyst"),
        }),
    );
    // Fix the grant's identity to its key.
    let g = c.objects.remove(&id(&b, ObjectKind::Grant, "x")).unwrap();
    if let Spec::Grant(gs) = &g {
        c.insert(
            ObjectId::new(
                b.clone(),
                ObjectKind::Grant,
                ObjectName::account_level(Ident::from_stored(gs.key())),
            ),
            g.clone(),
        );
    }
    // Partner: mounted database, stream, task, procedure, function, model.
    c.insert(
        id(&p, ObjectKind::Database, "cc_default_training_data"),
        Spec::Database(DatabaseSpec {
            source: DatabaseSource::Listing {
                provider: Some(b.clone()),
                listing: ident("cc_listing"),
                global_name: None,
            },
            ..Default::default()
        }),
    );
    c.insert(
        id(&p, ObjectKind::Database, "scoring"),
        Spec::Database(DatabaseSpec {
            comment: Some("scores".into()),
            ..Default::default()
        }),
    );
    c.insert(
        id(&p, ObjectKind::Schema, "scoring.ml"),
        Spec::Schema(SchemaSpec::default()),
    );
    c.insert(
        id(&p, ObjectKind::Stream, "scoring.ml.new_rows"),
        Spec::Stream(StreamSpec {
            table: name("cc_default_training_data.data_sharing_demo.cc_default_unscored_data"),
            append_only: Some(true),
            show_initial_rows: Some(true),
            comment: None,
            unusable: None,
        }),
    );
    c.insert(
        id(&p, ObjectKind::Task, "scoring.ml.score_new"),
        Spec::Task(TaskSpec {
            warehouse: Some(ident("score_wh")),
            serverless_size: None,
            schedule: Some("5 minute".into()),
            when: Some("SYSTEM$STREAM_HAS_DATA('SCORING.ML.NEW_ROWS')".into()),
            after: vec![],
            body: "CALL scoring.ml.score('A', 'B');\r\n".into(),
            allow_overlapping_execution: None,
            state: Some(TaskState::Started),
            comment: None,
        }),
    );
    let routine = RoutineSpec {
        language: Language::Python,
        arguments: vec![
            Argument {
                name: ident("src"),
                data_type: "varchar".into(),
            },
            Argument {
                name: ident("dst"),
                data_type: "string".into(),
            },
        ],
        returns: "varchar".into(),
        runtime_version: Some("3.12".into()),
        packages: vec!["snowflake-snowpark-python".into(), "pandas".into()],
        imports: vec![],
        handler: Some("run".into()),
        body: "def run(session, src, dst):\r\n    return 'ok'   \r\n".into(),
        secure: None,
        execute_as: Some("owner".into()),
        comment: None,
    };
    c.insert(
        ObjectId::routine(
            p.clone(),
            ObjectKind::Procedure,
            name("scoring.ml.score"),
            vec!["VARCHAR".into(), "VARCHAR".into()],
        ),
        Spec::Procedure(routine.clone()),
    );
    c.insert(
        ObjectId::routine(
            p.clone(),
            ObjectKind::Function,
            name("scoring.ml.predict"),
            vec!["FLOAT".into()],
        ),
        Spec::Function(RoutineSpec {
            arguments: vec![Argument {
                name: ident("x"),
                data_type: "double".into(),
            }],
            returns: "float".into(),
            execute_as: None,
            body: "def run(df):\n    return df[0]\n".into(),
            ..routine
        }),
    );
    c.insert(
        id(&p, ObjectKind::Stage, "scoring.ml.models"),
        Spec::Stage(StageSpec::default()),
    );
    c.insert(
        id(&p, ObjectKind::Model, "scoring.ml.cc_model"),
        Spec::Model(ModelSpec {
            stage: name("scoring.ml.models"),
            versions: vec![ModelVersionSpec {
                name: ident("v1"),
                files: BTreeMap::from([(
                    "model.pkl".into(),
                    "0cc175b9c0f1b6a831c399e269772661".into(),
                )]),
                sources: BTreeMap::from([(
                    "model.pkl".into(),
                    std::path::PathBuf::from("/project/models/model.pkl"),
                )]),
            }],
            default_version: Some(ident("v1")),
            comment: None,
        }),
    );
    c
}
