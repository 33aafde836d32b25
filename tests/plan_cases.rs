//! Planner snapshot cases: hand-built desired/observed catalogs and the changes
//! between them → a plan in every format. Snapshots live in `tests/plans/<case>/`.
//!
//! The changes are written out here (not computed by `diff`) so these cases pin the
//! planner and the renderers on their own: ordering, the task graph protocol,
//! hazards, deferred values and every output format.

use floe::diff::{Action, Change, Hazard, PropertyChange};
use floe::model::*;
use floe::plan::plan;
use floe::report::{self, Format};
use floe::runtime::observe::Observed;
use floe::sql::{Deferred, Statement};

fn acct(name: &str) -> AccountName {
    AccountName::new(name)
}

fn id(account: &str, kind: ObjectKind, dotted: &str) -> ObjectId {
    ObjectId::new(acct(account), kind, ObjectName::parse(dotted).unwrap())
}

fn prop(name: &str, old: Option<&str>, new: Option<&str>) -> PropertyChange {
    PropertyChange::scalar(name, old.map(Into::into), new.map(Into::into))
}

fn change(id: ObjectId, action: Action, statements: Vec<Statement>) -> Change {
    Change {
        id,
        action,
        reason: None,
        properties: Vec::new(),
        statements,
        hazards: Vec::new(),
    }
}

fn sql(text: &str) -> Statement {
    Statement::new(text)
}

fn task(after: &[&str], state: Option<TaskState>, body: &str) -> Spec {
    Spec::Task(TaskSpec {
        warehouse: Some(Ident::parse("query_wh").unwrap()),
        serverless_size: None,
        schedule: if after.is_empty() {
            Some("5 MINUTE".into())
        } else {
            None
        },
        when: None,
        after: after
            .iter()
            .map(|a| ObjectName::parse(a).unwrap())
            .collect(),
        body: body.into(),
        allow_overlapping_execution: None,
        state,
        comment: None,
    })
}

/// Renders the plan in all four formats and checks each against its snapshot.
fn snapshot_all(case: &str, desired: &Catalog, observed: Catalog, changes: Vec<Change>) {
    let observed = Observed {
        catalog: observed,
        ..Observed::default()
    };
    let planned = plan(desired, &observed, changes.clone()).expect("plan");
    // Byte-identical for identical inputs, whatever order the changes come in.
    let mut reversed = changes;
    reversed.reverse();
    let again = plan(desired, &observed, reversed).expect("plan");
    for (name, format) in [
        ("text", Format::Text { colour: false }),
        ("json", Format::Json),
        ("markdown", Format::Markdown),
        ("sql", Format::Sql),
    ] {
        let out = report::render(&planned, format);
        assert_eq!(
            out,
            report::render(&again, format),
            "{case}/{name} is not deterministic"
        );
        insta::with_settings!({
            snapshot_path => format!("plans/{case}"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, out);
        });
    }
}

fn first_apply_catalog() -> Catalog {
    let mut d = Catalog::new();
    d.insert(
        id("bank", ObjectKind::Warehouse, "query_wh"),
        Spec::Warehouse(WarehouseSpec {
            size: Some("XSMALL".into()),
            ..WarehouseSpec::default()
        }),
    );
    d.insert(
        id("bank", ObjectKind::Database, "data_sharing_demo"),
        Spec::Database(DatabaseSpec::default()),
    );
    d.insert(
        id(
            "bank",
            ObjectKind::Schema,
            "data_sharing_demo.data_sharing_demo",
        ),
        Spec::Schema(SchemaSpec::default()),
    );
    d.insert(
        id(
            "bank",
            ObjectKind::Table,
            "data_sharing_demo.data_sharing_demo.cc_default_unscored_data",
        ),
        Spec::Table(TableSpec {
            change_tracking: Some(true),
            ..TableSpec::default()
        }),
    );
    d.insert(
        id("partner", ObjectKind::Database, "bank_data"),
        Spec::Database(DatabaseSpec {
            source: DatabaseSource::Listing {
                provider: Some(acct("bank")),
                listing: Ident::parse("cc_default_training_data").unwrap(),
                global_name: None,
            },
            ..DatabaseSpec::default()
        }),
    );
    d.insert(
        id("partner", ObjectKind::Database, "ml"),
        Spec::Database(DatabaseSpec::default()),
    );
    d.insert(
        id("partner", ObjectKind::Schema, "ml.scoring"),
        Spec::Schema(SchemaSpec::default()),
    );
    d.insert(
        id("partner", ObjectKind::Task, "ml.scoring.score_root"),
        task(&[], Some(TaskState::Started), "call ml.scoring.score()"),
    );
    d.insert(
        id("partner", ObjectKind::Task, "ml.scoring.share_back"),
        task(
            &["ml.scoring.score_root"],
            Some(TaskState::Started),
            "call ml.scoring.share()",
        ),
    );
    d
}

#[test]
fn first_apply() {
    let desired = first_apply_catalog();
    let t = "data_sharing_demo.data_sharing_demo.cc_default_unscored_data";
    let mut mount = sql("CREATE DATABASE BANK_DATA FROM LISTING ");
    mount.push_deferred(Deferred::ListingGlobalName {
        account: acct("bank"),
        listing: "CC_DEFAULT_TRAINING_DATA".into(),
    });
    let mut wh = change(
        id("bank", ObjectKind::Warehouse, "query_wh"),
        Action::Create,
        vec![sql("CREATE WAREHOUSE QUERY_WH WAREHOUSE_SIZE = XSMALL")],
    );
    wh.properties = vec![prop("warehouse_size", None, Some("X-Small"))];
    let mut table = change(
        id("bank", ObjectKind::Table, t),
        Action::Create,
        vec![sql(
            "CREATE TABLE DATA_SHARING_DEMO.DATA_SHARING_DEMO.CC_DEFAULT_UNSCORED_DATA (\"customer_ID\" VARCHAR, S_2 DATE) CHANGE_TRACKING = TRUE",
        )],
    );
    table.properties = vec![
        PropertyChange::list(
            "columns",
            None,
            Some(&["\"customer_ID\" VARCHAR".into(), "S_2 DATE".into()]),
        ),
        prop("change_tracking", None, Some("true")),
    ];
    let changes = vec![
        wh,
        change(
            id("bank", ObjectKind::Database, "data_sharing_demo"),
            Action::Create,
            vec![sql("CREATE DATABASE DATA_SHARING_DEMO")],
        ),
        change(
            id(
                "bank",
                ObjectKind::Schema,
                "data_sharing_demo.data_sharing_demo",
            ),
            Action::Create,
            vec![sql("CREATE SCHEMA DATA_SHARING_DEMO.DATA_SHARING_DEMO")],
        ),
        table,
        change(
            id("partner", ObjectKind::Database, "bank_data"),
            Action::Create,
            vec![mount],
        ),
        change(
            id("partner", ObjectKind::Database, "ml"),
            Action::Create,
            vec![sql("CREATE DATABASE ML")],
        ),
        change(
            id("partner", ObjectKind::Schema, "ml.scoring"),
            Action::Create,
            vec![sql("CREATE SCHEMA ML.SCORING")],
        ),
        change(
            id("partner", ObjectKind::Task, "ml.scoring.score_root"),
            Action::Create,
            vec![sql(
                "CREATE TASK ML.SCORING.SCORE_ROOT WAREHOUSE = QUERY_WH SCHEDULE = '5 MINUTE' AS call ml.scoring.score()",
            )],
        ),
        change(
            id("partner", ObjectKind::Task, "ml.scoring.share_back"),
            Action::Create,
            vec![sql(
                "CREATE TASK ML.SCORING.SHARE_BACK WAREHOUSE = QUERY_WH AFTER ML.SCORING.SCORE_ROOT AS call ml.scoring.share()",
            )],
        ),
    ];
    snapshot_all("first_apply", &desired, Catalog::new(), changes);
}

#[test]
fn edits_with_hazards() {
    let wh = id("bank", ObjectKind::Warehouse, "query_wh");
    let proc_id = ObjectId::routine(
        acct("partner"),
        ObjectKind::Procedure,
        ObjectName::parse("ml.scoring.score").unwrap(),
        vec!["VARCHAR".into()],
    );
    let stream = id("partner", ObjectKind::Stream, "ml.scoring.new_rows");
    let stage = id(
        "bank",
        ObjectKind::Stage,
        "data_sharing_demo.data_sharing_demo.raw",
    );
    let old_table = id(
        "bank",
        ObjectKind::Table,
        "data_sharing_demo.data_sharing_demo.old_scores",
    );

    let mut desired = Catalog::new();
    desired.insert(wh.clone(), Spec::Warehouse(WarehouseSpec::default()));
    let mut observed = Catalog::new();
    observed.insert(wh.clone(), Spec::Warehouse(WarehouseSpec::default()));
    observed.insert(old_table.clone(), Spec::Table(TableSpec::default()));

    let mut resize = change(
        wh,
        Action::Alter,
        vec![sql("ALTER WAREHOUSE QUERY_WH SET WAREHOUSE_SIZE = SMALL")],
    );
    resize.properties = vec![prop("warehouse_size", Some("X-Small"), Some("Small"))];

    let old_body =
        "def run(session, table):\n    df = session.table(table)\n    return df.count()\n";
    let new_body = "def run(session, table):\n    df = session.table(table).filter(\"S_2 > '2020-01-01'\")\n    return df.count()\n";
    let mut body = change(
        proc_id,
        Action::Alter,
        vec![sql(&format!(
            "CREATE OR REPLACE PROCEDURE ML.SCORING.SCORE(TABLE_NAME VARCHAR) RETURNS NUMBER LANGUAGE PYTHON RUNTIME_VERSION = '3.11' PACKAGES = ('snowflake-snowpark-python') HANDLER = 'run' AS {}",
            floe::sql::body(new_body)
        ))],
    );
    let packages = |items: &[&str]| items.iter().map(|i| i.to_string()).collect::<Vec<_>>();
    body.properties = vec![
        prop("body", Some(old_body), Some(new_body)),
        PropertyChange::list(
            "packages",
            Some(&packages(&["pandas", "snowflake-snowpark-python"])),
            Some(&packages(&["numpy", "snowflake-snowpark-python"])),
        ),
    ];

    let mut replace = change(
        stream,
        Action::Replace,
        vec![sql(
            "CREATE OR REPLACE STREAM ML.SCORING.NEW_ROWS ON TABLE BANK_DATA.DATA_SHARING_DEMO.CC_DEFAULT_UNSCORED_DATA APPEND_ONLY = TRUE",
        )],
    );
    replace.reason = Some("stream mode changed: streams cannot be altered".into());
    replace.properties = vec![prop("append_only", Some("false"), Some("true"))];
    replace.hazards = vec![Hazard::ResetsStreamOffset, Hazard::RecreatesObject];

    let mut secret = sql(
        "CREATE STAGE DATA_SHARING_DEMO.DATA_SHARING_DEMO.RAW URL = 's3://bank-raw/' CREDENTIALS = (AWS_KEY_ID = ",
    );
    secret.push_deferred(Deferred::SecretFromEnv {
        var: "BANK_AWS_KEY_ID".into(),
    });
    secret.push(" AWS_SECRET_KEY = ");
    secret.push_deferred(Deferred::SecretFromEnv {
        var: "BANK_AWS_SECRET".into(),
    });
    secret.push(")");
    let mut create_stage = change(stage, Action::Create, vec![secret]);
    create_stage.properties = vec![prop("url", None, Some("s3://bank-raw/"))];

    let mut drop = change(
        old_table,
        Action::Drop,
        vec![sql(
            "DROP TABLE DATA_SHARING_DEMO.DATA_SHARING_DEMO.OLD_SCORES",
        )],
    );
    drop.reason =
        Some("not declared in authoritative schema DATA_SHARING_DEMO.DATA_SHARING_DEMO".into());
    drop.hazards = vec![Hazard::DropsData];

    let changes = vec![resize, body, replace, create_stage, drop];
    // The plan shows the drop; only applying it needs --allow-destroy.
    let planned = plan(
        &desired,
        &Observed {
            catalog: observed.clone(),
            ..Observed::default()
        },
        changes.clone(),
    )
    .expect("a data-losing plan still plans");
    assert!(planned.check_destroy(true).is_ok());
    let refused = planned.check_destroy(false).unwrap_err();
    insta::with_settings!({
        snapshot_path => "plans/edits_with_hazards",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("refused_without_allow_destroy", refused.to_string());
    });
    snapshot_all("edits_with_hazards", &desired, observed, changes);
}

#[test]
fn started_task_graph() {
    let root = id("partner", ObjectKind::Task, "ml.scoring.score_root");
    let child = id("partner", ObjectKind::Task, "ml.scoring.share_back");
    let mut observed = Catalog::new();
    observed.insert(
        root.clone(),
        task(&[], Some(TaskState::Started), "call ml.scoring.score()"),
    );
    observed.insert(
        child.clone(),
        task(
            &["ml.scoring.score_root"],
            Some(TaskState::Started),
            "call ml.scoring.share()",
        ),
    );
    let mut desired = Catalog::new();
    desired.insert(
        root.clone(),
        task(&[], Some(TaskState::Started), "call ml.scoring.score()"),
    );
    desired.insert(
        child.clone(),
        task(
            &["ml.scoring.score_root"],
            Some(TaskState::Started),
            "call ml.scoring.share()",
        ),
    );
    let mut schedule = change(
        root,
        Action::Alter,
        vec![sql(
            "ALTER TASK ML.SCORING.SCORE_ROOT SET SCHEDULE = '10 MINUTE'",
        )],
    );
    schedule.properties = vec![prop("schedule", Some("5 MINUTE"), Some("10 MINUTE"))];
    let mut body = change(
        child,
        Action::Alter,
        vec![sql(
            "ALTER TASK ML.SCORING.SHARE_BACK MODIFY AS call ml.scoring.share(2)",
        )],
    );
    body.properties = vec![prop(
        "body",
        Some("call ml.scoring.share()"),
        Some("call ml.scoring.share(2)"),
    )];
    snapshot_all(
        "started_task_graph",
        &desired,
        observed,
        vec![schedule, body],
    );
}

#[test]
fn empty_plan() {
    snapshot_all("empty", &Catalog::new(), Catalog::new(), Vec::new());
}

/// The same pipeline the CLI runs, from hand-built catalogs: normalize both sides with
/// the per-kind rules, diff, plan.
fn through_kinds(desired: &Catalog, observed: &Catalog) -> (Catalog, Catalog, Vec<Change>) {
    let ids = std::collections::BTreeMap::from([
        (acct("bank"), "LOCALORG.BANK".to_string()),
        (acct("partner"), "LOCALORG.PARTNER".to_string()),
    ]);
    let ctx = floe::kinds::Context::new(desired, ids);
    let d = floe::kinds::normalize_catalog(desired, &ctx);
    let o = floe::kinds::normalize_catalog(observed, &ctx);
    let changes = floe::diff::diff(&d, &o, &ctx);
    (d, o, changes)
}

fn column(name: &str, data_type: &str) -> ColumnSpec {
    ColumnSpec {
        name: Ident::parse(name).unwrap(),
        data_type: data_type.into(),
        nullable: None,
        default: None,
        comment: None,
    }
}

#[test]
fn kinds_pipeline_edits() {
    let wh = id("bank", ObjectKind::Warehouse, "query_wh");
    let table = id(
        "bank",
        ObjectKind::Table,
        "data_sharing_demo.data_sharing_demo.cc_default_unscored_data",
    );
    let root = id(
        "bank",
        ObjectKind::Task,
        "data_sharing_demo.data_sharing_demo.refresh",
    );
    let mut desired = Catalog::new();
    let mut observed = Catalog::new();
    desired.insert(
        wh.clone(),
        Spec::Warehouse(WarehouseSpec {
            size: Some("small".into()),
            ..WarehouseSpec::default()
        }),
    );
    observed.insert(
        wh,
        Spec::Warehouse(WarehouseSpec {
            size: Some("X-Small".into()),
            auto_suspend: Some(600),
            auto_resume: Some(true),
            ..WarehouseSpec::default()
        }),
    );
    desired.insert(
        table.clone(),
        Spec::Table(TableSpec {
            columns: vec![
                column("\"customer_ID\"", "string"),
                column("s_2", "date"),
                column("p_2", "number"),
            ],
            change_tracking: Some(true),
            ..TableSpec::default()
        }),
    );
    observed.insert(
        table,
        Spec::Table(TableSpec {
            columns: vec![
                column("\"customer_ID\"", "VARCHAR(16777216)"),
                column("S_2", "DATE"),
            ],
            change_tracking: Some(false),
            ..TableSpec::default()
        }),
    );
    desired.insert(
        root.clone(),
        task(&[], Some(TaskState::Started), "select 1"),
    );
    let mut live_task = task(&[], Some(TaskState::Started), "select 1");
    if let Spec::Task(t) = &mut live_task {
        t.schedule = Some("10 MINUTE".into());
    }
    observed.insert(root, live_task);

    let (d, o, changes) = through_kinds(&desired, &observed);
    // Equal after normalization: nothing to do.
    let (_, _, none) = through_kinds(&observed, &observed);
    assert!(none.is_empty(), "{none:?}");
    snapshot_all("kinds_pipeline_edits", &d, o, changes);
}
