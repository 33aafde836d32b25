//! The shipped collaboration loads, lowers to the expected catalog and orders its
//! objects across both accounts.

use std::path::{Path, PathBuf};

use sha2::Digest as _;

use floe::graph::{build_graph, dependencies};
use floe::manifest::{Target, load_with_env};
use floe::model::*;

fn manifests() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("manifests")
}

fn load(overrides: &[(&str, &str)]) -> floe::manifest::Project {
    let overrides: Vec<(String, String)> = overrides
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    match load_with_env(&manifests(), &overrides, Box::new(|_: &str| None)) {
        Ok(p) => p,
        Err(d) => panic!("manifests/ does not validate:\n{d}"),
    }
}

fn id(account: &str, kind: ObjectKind, name: &str) -> ObjectId {
    ObjectId::new(
        AccountName::new(account),
        kind,
        ObjectName::parse(name).unwrap(),
    )
}

#[test]
fn collaboration_declares_the_guide_objects() {
    let p = load(&[]);
    assert_eq!(
        p.accounts,
        [AccountName::new("bank"), AccountName::new("partner")]
    );
    for (account, kind, name) in [
        ("bank", ObjectKind::Warehouse, "QUERY_WH"),
        ("bank", ObjectKind::Database, "DATA_SHARING_DEMO"),
        (
            "bank",
            ObjectKind::Schema,
            "DATA_SHARING_DEMO.DATA_SHARING_DEMO",
        ),
        (
            "bank",
            ObjectKind::FileFormat,
            "DATA_SHARING_DEMO.DATA_SHARING_DEMO.PARQUET_FORMAT",
        ),
        (
            "bank",
            ObjectKind::Stage,
            "DATA_SHARING_DEMO.DATA_SHARING_DEMO.QUICKSTART_CC_DEFAULT_TRAINING_DATA",
        ),
        (
            "bank",
            ObjectKind::Stage,
            "DATA_SHARING_DEMO.DATA_SHARING_DEMO.QUICKSTART_CC_DEFAULT_UNSCORED_DATA",
        ),
        (
            "bank",
            ObjectKind::Table,
            "DATA_SHARING_DEMO.DATA_SHARING_DEMO.CC_DEFAULT_TRAINING_DATA",
        ),
        ("bank", ObjectKind::Share, "DATA_SHARING_DEMO"),
        ("bank", ObjectKind::Listing, "CC_DEFAULT_TRAINING_DATA"),
        ("bank", ObjectKind::Database, "SCORED_DATA"),
        ("partner", ObjectKind::Warehouse, "TRAINING_WH"),
        ("partner", ObjectKind::Database, "CC_DEFAULT_TRAINING_DATA"),
        (
            "partner",
            ObjectKind::Stream,
            "SCORED_MODEL.SCORED_MODEL.CC_DEFAULT_DATA_STREAM",
        ),
        (
            "partner",
            ObjectKind::Model,
            "SCORED_MODEL.SCORED_MODEL.CC_DEFAULT_MODEL",
        ),
        ("partner", ObjectKind::Task, "SCORED_MODEL.SCORED_MODEL.CDC"),
        (
            "partner",
            ObjectKind::Task,
            "SCORED_MODEL.SCORED_MODEL.FEATURE_ENG",
        ),
        (
            "partner",
            ObjectKind::Task,
            "SCORED_MODEL.SCORED_MODEL.SCORE_DATA",
        ),
        ("partner", ObjectKind::Share, "SCORED_DATA"),
        ("partner", ObjectKind::Listing, "SCORED_DATA"),
    ] {
        assert!(
            p.desired.get(&id(account, kind, name)).is_some(),
            "missing {account}: {kind} {name}"
        );
    }
    let proc = ObjectId::routine(
        AccountName::new("partner"),
        ObjectKind::Procedure,
        ObjectName::parse("SCORED_MODEL.SCORED_MODEL.CC_PROFILE_PROCESSING").unwrap(),
        vec!["VARCHAR".into(), "VARCHAR".into()],
    );
    match p.desired.get(&proc) {
        Some(Spec::Procedure(r)) => {
            assert_eq!(r.language, Language::Python);
            assert!(
                r.body.contains("def feature_transform(session"),
                "body read from body_file"
            );
            assert_eq!(r.handler.as_deref(), Some("feature_transform"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn identifiers_fold_and_quoted_names_keep_case() {
    let p = load(&[]);
    let table = id(
        "bank",
        ObjectKind::Table,
        "DATA_SHARING_DEMO.DATA_SHARING_DEMO.CC_DEFAULT_UNSCORED_DATA",
    );
    let Some(Spec::Table(t)) = p.desired.get(&table) else {
        panic!("no unscored table")
    };
    assert_eq!(t.change_tracking, Some(true));
    assert_eq!(t.columns[0].name.as_str(), "customer_ID");
    assert_eq!(t.columns[0].name.sql(), "\"customer_ID\"");
    assert_eq!(t.columns[1].name.as_str(), "S_2");
    assert!(t.columns.len() > 150, "{} columns", t.columns.len());
    let training = id(
        "bank",
        ObjectKind::Table,
        "DATA_SHARING_DEMO.DATA_SHARING_DEMO.CC_DEFAULT_TRAINING_DATA",
    );
    let Some(Spec::Table(t)) = p.desired.get(&training) else {
        panic!("no training table")
    };
    assert_eq!(t.columns.last().map(|c| c.name.as_str()), Some("TARGET"));
}

#[test]
fn references_resolve_across_accounts() {
    let p = load(&[]);
    let mounted = id("partner", ObjectKind::Database, "CC_DEFAULT_TRAINING_DATA");
    let Some(Spec::Database(db)) = p.desired.get(&mounted) else {
        panic!()
    };
    assert_eq!(
        db.source,
        DatabaseSource::Listing {
            provider: Some(AccountName::new("bank")),
            listing: Ident::parse("cc_default_training_data").unwrap(),
            global_name: None
        }
    );
    let stream = id(
        "partner",
        ObjectKind::Stream,
        "SCORED_MODEL.SCORED_MODEL.CC_DEFAULT_DATA_STREAM",
    );
    let spec = p.desired.get(&stream).unwrap();
    let deps = dependencies(&stream, spec, &p.desired);
    for d in [
        id("partner", ObjectKind::Database, "CC_DEFAULT_TRAINING_DATA"),
        id(
            "bank",
            ObjectKind::Table,
            "DATA_SHARING_DEMO.DATA_SHARING_DEMO.CC_DEFAULT_UNSCORED_DATA",
        ),
        id("bank", ObjectKind::Listing, "CC_DEFAULT_TRAINING_DATA"),
        id("bank", ObjectKind::Share, "DATA_SHARING_DEMO"),
    ] {
        assert!(deps.contains(&d), "stream does not depend on {d}: {deps:?}");
    }
    let share = id("bank", ObjectKind::Share, "DATA_SHARING_DEMO");
    let Some(Spec::Share(s)) = p.desired.get(&share) else {
        panic!()
    };
    assert!(
        s.grants
            .iter()
            .any(|g| g.privilege == "USAGE" && g.on_kind == ObjectKind::Database)
    );
    assert!(
        s.grants
            .iter()
            .any(|g| g.privilege == "USAGE" && g.on_kind == ObjectKind::Schema)
    );
    assert_eq!(
        s.grants.iter().filter(|g| g.privilege == "SELECT").count(),
        2
    );
    let listing = id("bank", ObjectKind::Listing, "CC_DEFAULT_TRAINING_DATA");
    let Some(Spec::Listing(l)) = p.desired.get(&listing) else {
        panic!()
    };
    assert_eq!(
        l.targets,
        [AccountRef::Project(AccountName::new("partner"))]
    );
}

#[test]
fn graph_orders_creates_across_accounts() {
    let p = load(&[]);
    let g = build_graph(&p.desired).expect("no cycles");
    let order = g.topological_order();
    assert_eq!(order.len(), p.desired.len());
    let pos = |i: &ObjectId| {
        order
            .iter()
            .position(|x| x == i)
            .unwrap_or_else(|| panic!("{i} not ordered"))
    };
    let chain = [
        id(
            "bank",
            ObjectKind::Table,
            "DATA_SHARING_DEMO.DATA_SHARING_DEMO.CC_DEFAULT_UNSCORED_DATA",
        ),
        id("bank", ObjectKind::Share, "DATA_SHARING_DEMO"),
        id("bank", ObjectKind::Listing, "CC_DEFAULT_TRAINING_DATA"),
        id("partner", ObjectKind::Database, "CC_DEFAULT_TRAINING_DATA"),
        id(
            "partner",
            ObjectKind::Stream,
            "SCORED_MODEL.SCORED_MODEL.CC_DEFAULT_DATA_STREAM",
        ),
        id("partner", ObjectKind::Task, "SCORED_MODEL.SCORED_MODEL.CDC"),
        id(
            "partner",
            ObjectKind::Task,
            "SCORED_MODEL.SCORED_MODEL.FEATURE_ENG",
        ),
        id(
            "partner",
            ObjectKind::Task,
            "SCORED_MODEL.SCORED_MODEL.SCORE_DATA",
        ),
    ];
    for w in chain.windows(2) {
        assert!(
            pos(&w[0]) < pos(&w[1]),
            "{} must come before {}",
            w[0],
            w[1]
        );
    }
    let proc = ObjectId::routine(
        AccountName::new("partner"),
        ObjectKind::Procedure,
        ObjectName::parse("SCORED_MODEL.SCORED_MODEL.CC_PROFILE_PROCESSING").unwrap(),
        vec!["VARCHAR".into(), "VARCHAR".into()],
    );
    assert!(
        pos(&proc)
            < pos(&id(
                "partner",
                ObjectKind::Task,
                "SCORED_MODEL.SCORED_MODEL.FEATURE_ENG"
            ))
    );
    // Deterministic: the same input gives the same order.
    assert_eq!(order, build_graph(&p.desired).unwrap().topological_order());
    let mermaid = g.render_mermaid();
    assert!(mermaid.contains("-. \"bank → partner\" .->"));
    assert!(mermaid.contains("-. \"partner → bank\" .->"));
    assert!(g.render_dot().contains("subgraph \"cluster_partner\""));
}

#[test]
fn targets_sources_and_variables() {
    let p = load(&[("training_data_url", "s3://elsewhere/training/")]);
    assert_eq!(p.default_target, "local");
    assert_eq!(
        p.targets["local"],
        Target::Emulator {
            path: manifests().join(".floe/emulator.db")
        }
    );
    let Target::Snowflake { connections } = &p.targets["prod"] else {
        panic!()
    };
    assert_eq!(connections[&AccountName::new("partner")], "partner");
    let stage = id(
        "bank",
        ObjectKind::Stage,
        "DATA_SHARING_DEMO.DATA_SHARING_DEMO.QUICKSTART_CC_DEFAULT_TRAINING_DATA",
    );
    let Some(Spec::Stage(s)) = p.desired.get(&stage) else {
        panic!()
    };
    assert_eq!(s.url.as_deref(), Some("s3://elsewhere/training/"));
    let loc = &p.sources[&stage];
    assert!(loc.file.ends_with("bank/data_sharing_demo.yaml"), "{loc:?}");
    assert!(loc.line > 1 && loc.column > 1);
    let model = id(
        "partner",
        ObjectKind::Model,
        "SCORED_MODEL.SCORED_MODEL.CC_DEFAULT_MODEL",
    );
    let Some(Spec::Model(m)) = p.desired.get(&model) else {
        panic!()
    };
    let v1 = &m.versions[0];
    assert_eq!(v1.name.as_str(), "V1");
    let md5 = &v1.files["cc_default_model.json"];
    assert_eq!(md5.len(), 32);
    // Local files are named relative to the project folder, and sealed by sha256.
    let source = &v1.sources["cc_default_model.json"];
    assert_eq!(source, Path::new("partner/model/cc_default_model.json"));
    assert!(p.root.join(source).is_file());
    for read in [
        source.as_path(),
        Path::new("partner/python/cc_profile_processing.py"),
    ] {
        let sha = &p.files[read];
        assert_eq!(sha.len(), 64, "{read:?}");
        let content = std::fs::read(p.root.join(read)).unwrap();
        assert_eq!(sha, &hex::encode(sha2::Sha256::digest(&content)));
    }
}
