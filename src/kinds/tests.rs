//! Cross-kind properties and SQL snapshots for create, alter, replace and drop.

use std::collections::BTreeMap;

use super::testutil::*;
use super::*;
use crate::diff::{Action, Hazard, diff};
use crate::model::*;

fn spec_mut<'a>(c: &'a mut Catalog, id: &ObjectId) -> &'a mut Spec {
    c.objects.get_mut(id).unwrap()
}

#[test]
fn normalize_is_idempotent_on_the_sample() {
    let once = normalize_catalog(&sample(), &ctx());
    let twice = normalize_catalog(&once, &ctx());
    assert_eq!(once, twice);
}

#[test]
fn diff_of_a_catalog_with_itself_is_empty() {
    let c = sample();
    assert_eq!(diff(&c, &c, &ctx()), vec![]);
    let n = normalize_catalog(&c, &ctx());
    assert_eq!(diff(&n, &n, &ctx()), vec![]);
}

#[test]
fn create_everything_snapshot() {
    let changes = diff(&sample(), &Catalog::new(), &ctx());
    assert!(changes.iter().all(|c| c.action == Action::Create));
    insta::assert_snapshot!(render(&changes));
}

/// The observed twin of the sample: what SHOW would report after applying it.
fn observed_sample() -> Catalog {
    let mut o = normalize_catalog(&sample(), &ctx());
    let b = bank();
    let p = partner();
    // Server-filled values the manifest did not declare.
    if let Spec::Warehouse(w) = spec_mut(&mut o, &id(&b, ObjectKind::Warehouse, "query_wh")) {
        w.size = Some("X-Small".into());
        w.initially_suspended = None;
        w.max_cluster_count = Some(1);
        w.comment = Some(String::new());
    }
    if let Spec::Database(d) = spec_mut(
        &mut o,
        &id(&p, ObjectKind::Database, "cc_default_training_data"),
    ) {
        d.source = DatabaseSource::Share {
            provider: AccountRef::Identifier("LOCALORG.BANK".into()),
            share: ident("data_sharing_demo"),
        };
    }
    if let Spec::Table(t) = spec_mut(
        &mut o,
        &id(
            &b,
            ObjectKind::Table,
            "data_sharing_demo.data_sharing_demo.cc_default_unscored_data",
        ),
    ) {
        for c in &mut t.columns {
            c.nullable = Some(true);
            c.comment = Some(String::new());
        }
        t.columns.reverse();
    }
    o
}

#[test]
fn observed_server_defaults_are_not_drift() {
    assert_eq!(render(&diff(&sample(), &observed_sample(), &ctx())), "");
}

#[test]
fn alter_in_place_snapshot() {
    let mut d = sample();
    let b = bank();
    let p = partner();
    if let Spec::Warehouse(w) = spec_mut(&mut d, &id(&b, ObjectKind::Warehouse, "query_wh")) {
        w.size = Some("Medium".into());
    }
    if let Spec::Table(t) = spec_mut(
        &mut d,
        &id(
            &b,
            ObjectKind::Table,
            "data_sharing_demo.data_sharing_demo.cc_default_unscored_data",
        ),
    ) {
        t.columns.push(column("r_1", "number(10,2)"));
        t.comment = Some("raw".into());
    }
    if let Spec::Share(s) = spec_mut(&mut d, &id(&b, ObjectKind::Share, "data_sharing_demo")) {
        s.accounts.push(AccountRef::Project(p.clone()));
    }
    if let Spec::Listing(l) = spec_mut(&mut d, &id(&b, ObjectKind::Listing, "cc_listing")) {
        l.targets
            .push(AccountRef::Identifier("localorg.third".into()));
    }
    if let Spec::Task(t) = spec_mut(&mut d, &id(&p, ObjectKind::Task, "scoring.ml.score_new")) {
        t.schedule = Some("10 minutes".into());
        t.body = "CALL scoring.ml.score('A', 'C')".into();
        t.state = Some(TaskState::Suspended);
    }
    if let Spec::Stream(s) = spec_mut(&mut d, &id(&p, ObjectKind::Stream, "scoring.ml.new_rows")) {
        s.comment = Some("new rows".into());
    }
    if let Spec::Model(m) = spec_mut(&mut d, &id(&p, ObjectKind::Model, "scoring.ml.cc_model")) {
        m.versions.push(ModelVersionSpec {
            name: ident("v2"),
            files: BTreeMap::from([(
                "model.pkl".into(),
                "92eb5ffee6ae2fec3ad71c777531578f".into(),
            )]),
            sources: BTreeMap::from([(
                "model.pkl".into(),
                std::path::PathBuf::from("/project/models/v2/model.pkl"),
            )]),
        });
        m.default_version = Some(ident("v2"));
    }
    let changes = diff(&d, &observed_sample(), &ctx());
    assert!(
        changes.iter().all(|c| c.action == Action::Alter),
        "{}",
        render(&changes)
    );
    let task = changes
        .iter()
        .find(|c| c.id.kind == ObjectKind::Task)
        .unwrap();
    assert!(task.properties.iter().any(|p| p.name == "state"));
    assert!(
        !task
            .statements
            .iter()
            .any(|s| s.to_string().contains("SUSPEND"))
    );
    insta::assert_snapshot!(render(&changes));
}

#[test]
fn replace_snapshot() {
    let mut d = sample();
    let b = bank();
    let p = partner();
    if let Spec::Stream(s) = spec_mut(&mut d, &id(&p, ObjectKind::Stream, "scoring.ml.new_rows")) {
        s.append_only = Some(false);
    }
    if let Spec::Procedure(r) = d
        .objects
        .iter_mut()
        .find(|(i, _)| i.kind == ObjectKind::Procedure)
        .unwrap()
        .1
    {
        r.body = "def run(session, src, dst):\n    return 'better'\n".into();
    }
    if let Spec::Table(t) = spec_mut(
        &mut d,
        &id(
            &b,
            ObjectKind::Table,
            "data_sharing_demo.data_sharing_demo.cc_default_unscored_data",
        ),
    ) {
        t.columns[1].data_type = "number".into();
    }
    if let Spec::FileFormat(f) = spec_mut(
        &mut d,
        &id(
            &b,
            ObjectKind::FileFormat,
            "data_sharing_demo.data_sharing_demo.csv_ff",
        ),
    ) {
        f.format_type = "json".into();
        f.options.clear();
    }
    if let Spec::Database(db) = spec_mut(
        &mut d,
        &id(&p, ObjectKind::Database, "cc_default_training_data"),
    ) {
        db.source = DatabaseSource::Share {
            provider: AccountRef::Identifier("OTHERORG.BANK".into()),
            share: ident("other"),
        };
    }
    let changes = diff(&d, &observed_sample(), &ctx());
    assert!(
        changes.iter().all(|c| c.action == Action::Replace),
        "{}",
        render(&changes)
    );
    let stream = changes
        .iter()
        .find(|c| c.id.kind == ObjectKind::Stream)
        .unwrap();
    assert!(stream.hazards.contains(&Hazard::ResetsStreamOffset));
    assert_eq!(
        stream.reason.as_deref(),
        Some("APPEND_ONLY changed: streams cannot be altered")
    );
    let table = changes
        .iter()
        .find(|c| c.id.kind == ObjectKind::Table)
        .unwrap();
    assert!(table.hazards.contains(&Hazard::DropsData));
    insta::assert_snapshot!(render(&changes));
}

#[test]
fn drops_only_inside_authoritative_containers() {
    let d = sample();
    let mut o = observed_sample();
    let b = bank();
    let extra_table = id(
        &b,
        ObjectKind::Table,
        "data_sharing_demo.data_sharing_demo.old_scores",
    );
    o.insert(
        extra_table.clone(),
        Spec::Table(TableSpec {
            columns: vec![column("a", "int")],
            ..Default::default()
        }),
    );
    let extra_proc = ObjectId::routine(
        partner(),
        ObjectKind::Procedure,
        name("scoring.ml.score"),
        vec!["NUMBER".into()],
    );
    o.insert(
        extra_proc.clone(),
        o.get(&ObjectId::routine(
            partner(),
            ObjectKind::Procedure,
            name("scoring.ml.score"),
            vec!["VARCHAR".into(), "VARCHAR".into()],
        ))
        .unwrap()
        .clone(),
    );
    o.insert(
        id(&b, ObjectKind::Warehouse, "other_wh"),
        Spec::Warehouse(WarehouseSpec::default()),
    );
    o.insert(
        id(&b, ObjectKind::Schema, "data_sharing_demo.public"),
        Spec::Schema(SchemaSpec::default()),
    );
    o.insert(
        id(&b, ObjectKind::Schema, "data_sharing_demo.scratch"),
        Spec::Schema(SchemaSpec::default()),
    );
    // Nothing is authoritative: nothing is dropped.
    assert_eq!(render(&diff(&d, &o, &ctx())), "");
    let mut d = d;
    d.authoritative.insert(id(
        &b,
        ObjectKind::Schema,
        "data_sharing_demo.data_sharing_demo",
    ));
    d.authoritative
        .insert(id(&b, ObjectKind::Database, "data_sharing_demo"));
    d.authoritative
        .insert(id(&partner(), ObjectKind::Schema, "scoring.ml"));
    let changes = diff(&d, &o, &ctx());
    assert!(changes.iter().all(|c| c.action == Action::Drop));
    assert_eq!(changes.len(), 3, "{}", render(&changes));
    insta::assert_snapshot!(render(&changes));
}

#[test]
fn hostile_names_and_comments_stay_inert() {
    let mut c = Catalog::new();
    let b = bank();
    let evil_comment = "x'; DROP DATABASE PROD; --";
    let evil = ObjectName::in_schema(
        ident("db"),
        ident("s"),
        Ident::from_stored("t\"; DROP TABLE x; --"),
    );
    c.insert(
        ObjectId::new(b.clone(), ObjectKind::Table, evil.clone()),
        Spec::Table(TableSpec {
            columns: vec![ColumnSpec {
                comment: Some(evil_comment.into()),
                ..column("\"a'b\"", "int")
            }],
            comment: Some(evil_comment.into()),
            ..Default::default()
        }),
    );
    c.insert(
        id(&b, ObjectKind::Role, "r"),
        Spec::Role(RoleSpec {
            comment: Some(evil_comment.into()),
        }),
    );
    c.insert(
        id(&b, ObjectKind::Warehouse, "w"),
        Spec::Warehouse(WarehouseSpec {
            scaling_policy: Some("ECONOMY; DROP ROLE X".into()),
            comment: Some(evil_comment.into()),
            ..Default::default()
        }),
    );
    c.insert(
        id(&b, ObjectKind::Listing, "l"),
        Spec::Listing(ListingSpec {
            title: Some("$$; DROP SHARE S; $$".into()),
            description: Some("a\"\nb: c".into()),
            ..Default::default()
        }),
    );
    let changes = diff(&c, &Catalog::new(), &ctx());
    let sql = render(&changes);
    insta::assert_snapshot!(sql);
    for change in &changes {
        for s in &change.statements {
            let text = s.to_string();
            // Every DROP appears only inside a quoted literal or identifier.
            let outside = strip_quoted(&text);
            assert!(!outside.contains("DROP"), "{text}");
        }
    }
}

/// Removes '…' literals, "…" identifiers and $$…$$ bodies from SQL text.
fn strip_quoted(sql: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '$' && chars.get(i + 1) == Some(&'$') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '$' && chars[i + 1] == '$') {
                i += 1;
            }
            i += 2;
            continue;
        }
        if c == '\'' || c == '"' {
            i += 1;
            while i < chars.len() {
                if chars[i] == '\\' && c == '\'' {
                    i += 2;
                    continue;
                }
                if chars[i] == c {
                    if chars.get(i + 1) == Some(&c) {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[test]
fn model_version_with_changed_artifact_is_a_conflict() {
    let d = sample();
    let mut o = observed_sample();
    let model = id(&partner(), ObjectKind::Model, "scoring.ml.cc_model");
    assert!(validate_against_observed(&d, &o).is_empty());
    if let Spec::Model(m) = spec_mut(&mut o, &model) {
        m.versions[0].files.insert(
            "model.pkl".into(),
            "ffffffffffffffffffffffffffffffff".into(),
        );
    }
    let errors = validate_against_observed(&d, &o);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .to_string()
            .contains("model versions are immutable — bump the version"),
        "{}",
        errors[0]
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn size() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "x-small", "XSMALL", "X-Small", "small", "Medium", "2X-Large", "X2LARGE", "xxlarge",
            "weird",
        ])
        .prop_map(str::to_string)
    }

    fn data_type() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "varchar",
            "STRING",
            "text",
            "varchar(30)",
            "number",
            "int",
            "integer",
            "number(10, 2)",
            "decimal(5)",
            "double",
            "real",
            "float",
            "timestamp",
            "timestamp_ltz(3)",
            "date",
            "boolean",
            "variant",
            "binary",
        ])
        .prop_map(str::to_string)
    }

    proptest! {
        #[test]
        fn warehouse_normalize_is_idempotent(
            size in prop::option::of(size()),
            auto_suspend in prop::option::of(0u64..10_000),
            policy in prop::option::of(prop::sample::select(vec!["standard", "Economy"])),
            wtype in prop::option::of(prop::sample::select(vec!["standard", "snowpark-optimized", "SNOWPARK_OPTIMIZED"])),
            comment in prop::option::of(".{0,12}"),
        ) {
            let spec = WarehouseSpec {
                size, auto_suspend,
                scaling_policy: policy.map(str::to_string),
                warehouse_type: wtype.map(str::to_string),
                comment,
                ..Default::default()
            };
            let once = warehouse::normalize(&spec, &ctx());
            prop_assert_eq!(warehouse::normalize(&once, &ctx()), once.clone());
            let wid = id(&bank(), ObjectKind::Warehouse, "w");
            prop_assert!(warehouse::update(&wid, &once, &once, &ctx()).is_none());
        }

        #[test]
        fn table_normalize_is_idempotent(
            types in prop::collection::vec(data_type(), 1..6),
            change_tracking in prop::option::of(any::<bool>()),
            cluster in prop::option::of(prop::collection::vec("[a-c]_[1-3]", 0..3)),
        ) {
            let spec = TableSpec {
                columns: types.iter().enumerate().map(|(i, t)| column(&format!("c{i}"), t)).collect(),
                change_tracking,
                cluster_by: cluster,
                ..Default::default()
            };
            let once = table::normalize(&spec, &ctx());
            prop_assert_eq!(table::normalize(&once, &ctx()), once.clone());
            let tid = id(&bank(), ObjectKind::Table, "d.s.t");
            prop_assert!(table::update(&tid, &once, &once, &ctx()).is_none());
        }
    }
}

#[test]
fn observe_statements_snapshot() {
    let desired = sample();
    let mut out = String::new();
    for account in [bank(), partner()] {
        out.push_str(&format!("{account}:\n"));
        for q in Scope::from_desired(&account, &desired).queries() {
            out.push_str(&format!("  {}\n", q.sql()));
        }
    }
    insta::assert_snapshot!(out);
}
