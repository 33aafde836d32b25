//! The plan's promises, on real plans of the shipped project against the emulator:
//! a plan that loses data is shown in every format with its destructive steps
//! marked; the JSON plan validates against the committed schema and carries typed
//! values a policy can read without parsing text; the pull-request comment stays
//! under GitHub's size limit on a project of 2,000 tables.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use floe::emulator::Emulator;
use floe::manifest::Project;
use floe::model::*;
use floe::plan::Plan;
use floe::report::markdown::COMMENT_LIMIT;
use floe::report::{self, Format, PlanContext};
use floe::runtime::apply;
use floe::runtime::observe::{Observed, Sessions};
use floe::runtime::pipeline::observe_and_plan;
use serde_json::Value;

fn plan_of(sessions: &Sessions, project: &Project, desired: &Catalog) -> Plan {
    match observe_and_plan(sessions, desired, &project.accounts) {
        Ok((_, plan)) => plan,
        Err(e) => panic!("planning failed: {e}"),
    }
}

/// The shipped project applied to an in-memory emulator.
fn applied() -> (Project, Emulator, Sessions) {
    let project = common::shipped_project();
    let emulator = Emulator::open_in_memory().unwrap();
    let sessions = common::sessions(&emulator, &project.accounts);
    let first = plan_of(&sessions, &project, &project.desired);
    let outcome = apply(&first, &sessions, common::shipped_apply_options(), &|_| {});
    assert!(outcome.is_success(), "{:#?}", outcome.failed);
    (project, emulator, sessions)
}

fn find<'a>(desired: &'a mut Catalog, account: &str, kind: ObjectKind, name: &str) -> &'a mut Spec {
    let id = ObjectId::new(
        AccountName::new(account),
        kind,
        ObjectName::parse(name).unwrap(),
    );
    desired
        .objects
        .get_mut(&id)
        .unwrap_or_else(|| panic!("{account} {kind} {name} is not in the shipped project"))
}

/// The shipped project with a column of `SCORED_TABLE` changing type in a way that
/// cannot be done in place (a replace that loses data), and the bank's warehouse
/// resized to `size` and suspending after a minute.
fn edited(project: &Project, size: &str) -> Catalog {
    let mut desired = project.desired.clone();
    match find(
        &mut desired,
        "partner",
        ObjectKind::Table,
        "scored_model.scored_model.scored_table",
    ) {
        Spec::Table(t) => {
            let prediction = t
                .columns
                .iter_mut()
                .find(|c| c.name.as_str() == "PREDICTION")
                .expect("SCORED_TABLE has PREDICTION");
            prediction.data_type = "varchar".into();
        }
        other => panic!("not a table: {other:?}"),
    }
    match find(&mut desired, "bank", ObjectKind::Warehouse, "query_wh") {
        Spec::Warehouse(w) => {
            w.size = Some(size.into());
            w.auto_suspend = Some(60);
        }
        other => panic!("not a warehouse: {other:?}"),
    }
    desired
}

fn context(project: &Project) -> PlanContext {
    PlanContext::new("local", &project.accounts)
}

#[test]
fn a_plan_that_loses_data_is_shown_and_marked_in_every_format() {
    let (project, _emulator, sessions) = applied();
    let plan = plan_of(&sessions, &project, &edited(&project, "large"));
    let ctx = context(&project);

    let text = report::render(&plan, &ctx, Format::Text { colour: false });
    assert!(
        text.contains("-/+ table SCORED_MODEL.SCORED_MODEL.SCORED_TABLE")
            && text.contains("hazards: drops_data, recreates_object (needs --allow-destroy)")
            && text.contains("Warning: 1 step loses data; apply needs --allow-destroy."),
        "{text}"
    );
    // The rest of the change is shown too, numbers unquoted.
    assert!(
        text.contains("warehouse_size: \"XSMALL\" → \"LARGE\"")
            && text.contains("auto_suspend: 300 → 60"),
        "{text}"
    );

    let markdown = report::render(&plan, &ctx, Format::Markdown);
    assert!(
        markdown.starts_with("<!-- floe-plan target=local -->\n")
            && markdown.contains("> **1 step loses data; apply needs `--allow-destroy`.**")
            && markdown.contains(
                "<code>table SCORED_MODEL.SCORED_MODEL.SCORED_TABLE</code> ⚠️ needs <code>--allow-destroy</code>"
            )
            && markdown.contains("| auto_suspend | 300 | 60 |")
            && markdown.contains(&format!("floe {} · plan <code>", env!("CARGO_PKG_VERSION"))),
        "{markdown}"
    );

    let sql = report::render(&plan, &ctx, Format::Sql);
    assert!(
        sql.contains("-- WARNING: 1 step loses data; apply needs --allow-destroy")
            && sql.contains("-- hazards: drops_data, recreates_object (needs --allow-destroy)")
            && sql.contains("ALTER WAREHOUSE QUERY_WH SET"),
        "{sql}"
    );

    let json: Value = serde_json::from_str(&report::render(&plan, &ctx, Format::Json)).unwrap();
    assert_eq!(json["summary"]["total"]["destructive"], 1);
    assert_eq!(json["summary"]["accounts"]["partner"]["destructive"], 1);
    let destructive: Vec<&str> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["needs_allow_destroy"] == true)
        .map(|s| s["object"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(destructive, ["SCORED_MODEL.SCORED_MODEL.SCORED_TABLE"]);
    assert_eq!(json["target"], "local");
    assert_eq!(json["accounts"], serde_json::json!(["bank", "partner"]));
    assert_eq!(json["floe_version"], env!("CARGO_PKG_VERSION"));
    // The hash in the comment is the JSON plan's.
    let hash = json["plan_hash"].as_str().unwrap();
    assert!(markdown.contains(&format!("plan <code>{hash}</code>")));
}

fn committed_schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/plan.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every schema error of `instance`, one per line.
fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> String {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn json_plans_validate_against_the_committed_schema() {
    let validator = jsonschema::validator_for(&committed_schema()).expect("a valid schema");
    let project = common::shipped_project();
    let emulator = Emulator::open_in_memory().unwrap();
    let sessions = common::sessions(&emulator, &project.accounts);
    let ctx = context(&project);
    // The first plan creates every kind the project has; then an edit with typed
    // values and a data-losing replace; then an empty plan.
    let first = plan_of(&sessions, &project, &project.desired);
    let mut plans = vec![first.clone()];
    let outcome = apply(&first, &sessions, common::shipped_apply_options(), &|_| {});
    assert!(outcome.is_success(), "{:#?}", outcome.failed);
    plans.push(plan_of(&sessions, &project, &edited(&project, "x-large")));
    plans.push(plan_of(&sessions, &project, &project.desired));
    assert!(plans[2].is_empty());
    for plan in &plans {
        let json: Value = serde_json::from_str(&report::render(plan, &ctx, Format::Json)).unwrap();
        let errors = schema_errors(&validator, &json);
        assert!(
            errors.is_empty(),
            "the JSON plan breaks its schema:\n{errors}"
        );
    }
    // The schema is strict enough to catch a value of the wrong type.
    let mut json: Value =
        serde_json::from_str(&report::render(&plans[1], &ctx, Format::Json)).unwrap();
    json["steps"][0]["needs_allow_destroy"] = Value::String("no".into());
    assert!(!schema_errors(&validator, &json).is_empty());
    json["steps"][0]["needs_allow_destroy"] = Value::Bool(false);
    json["steps"][0]["hazards"] = serde_json::json!(["eats_data"]);
    assert!(!schema_errors(&validator, &json).is_empty());
}

/// Snowflake's warehouse sizes, smallest first, as plans write them.
const SIZES: [&str; 10] = [
    "XSMALL", "SMALL", "MEDIUM", "LARGE", "XLARGE", "XXLARGE", "XXXLARGE", "X4LARGE", "X5LARGE",
    "X6LARGE",
];

/// A policy over the JSON plan: the warehouses a plan would make larger than
/// `limit`, read from typed values only.
fn warehouses_above(plan: &Value, limit: &str) -> Vec<String> {
    let rank = |size: &str| SIZES.iter().position(|s| *s == size);
    let limit = rank(limit).unwrap();
    let mut out = Vec::new();
    for step in plan["steps"].as_array().unwrap() {
        if step["object"]["kind"] != "warehouse" {
            continue;
        }
        for p in step["properties"].as_array().unwrap() {
            if p["name"] != "warehouse_size" {
                continue;
            }
            let size = p["new"].as_str().expect("warehouse_size is a string value");
            let rank = rank(size).unwrap_or_else(|| panic!("unknown size {size}"));
            if rank > limit {
                out.push(step["object"]["name"].as_str().unwrap().to_string());
            }
        }
    }
    out
}

#[test]
fn a_policy_reads_typed_values_from_the_json_plan() {
    let (project, _emulator, sessions) = applied();
    let ctx = context(&project);
    let json = |size: &str| -> Value {
        let plan = plan_of(&sessions, &project, &edited(&project, size));
        serde_json::from_str(&report::render(&plan, &ctx, Format::Json)).unwrap()
    };
    let big = json("4X-Large");
    assert_eq!(warehouses_above(&big, "XLARGE"), ["QUERY_WH"]);
    assert!(warehouses_above(&json("x-large"), "XLARGE").is_empty());
    // Numbers and booleans are JSON numbers and booleans, lists are arrays.
    let steps = big["steps"].as_array().unwrap();
    let property = |object: &str, name: &str| -> Value {
        steps
            .iter()
            .filter(|s| s["object"]["name"] == object)
            .flat_map(|s| s["properties"].as_array().unwrap())
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{object} has no {name} change"))
            .clone()
    };
    let suspend = property("QUERY_WH", "auto_suspend");
    assert_eq!(
        (suspend["old"].as_u64(), suspend["new"].as_u64()),
        (Some(300), Some(60))
    );
    let columns = property(
        "SCORED_MODEL.SCORED_MODEL.SCORED_TABLE",
        "column PREDICTION type",
    );
    assert_eq!(columns["new"], "VARCHAR(16777216)");
}

/// A project of `n` tables with eight columns each in one schema of the bank.
fn wide_catalog(n: usize) -> Catalog {
    let bank = AccountName::new("bank");
    let id = |kind, name: &str| ObjectId::new(bank.clone(), kind, ObjectName::parse(name).unwrap());
    let mut c = Catalog::new();
    c.insert(
        id(ObjectKind::Database, "wide"),
        Spec::Database(DatabaseSpec::default()),
    );
    c.insert(
        id(ObjectKind::Schema, "wide.tables"),
        Spec::Schema(SchemaSpec::default()),
    );
    for i in 0..n {
        let columns = (0..8)
            .map(|j| ColumnSpec {
                name: Ident::parse(&format!("column_{j}_with_a_long_name")).unwrap(),
                data_type: if j % 2 == 0 {
                    "varchar"
                } else {
                    "number(18,2)"
                }
                .into(),
                nullable: None,
                default: None,
                comment: None,
            })
            .collect();
        c.insert(
            id(ObjectKind::Table, &format!("wide.tables.table_{i:04}")),
            Spec::Table(TableSpec {
                columns,
                change_tracking: Some(i % 2 == 0),
                comment: Some(format!("Table {i} of the generated project.")),
                ..TableSpec::default()
            }),
        );
    }
    c
}

#[test]
fn the_comment_stays_under_the_limit_on_2000_tables() {
    let desired = wide_catalog(2000);
    let ctx = floe::kinds::Context::new(&desired, BTreeMap::new());
    let normalized = floe::kinds::normalize_catalog(&desired, &ctx);
    let changes = floe::diff::diff(&normalized, &Catalog::new(), &ctx);
    let plan = floe::plan::plan(&normalized, &Observed::default(), changes).unwrap();
    assert_eq!(plan.steps.len(), 2002);
    let view = report::PlanView::new(&plan, &PlanContext::new("prod", ["bank", "partner"]));
    let full = report::markdown::render_within(&view, usize::MAX);
    assert!(
        full.chars().count() > 10 * COMMENT_LIMIT,
        "the whole plan is large"
    );

    let comment = report::markdown::render(&view);
    let size = comment.chars().count();
    eprintln!(
        "2,002 steps: the whole comment would be {} characters; guarded: {size}, {} steps shown",
        full.chars().count(),
        comment.matches("<details>").count()
    );
    assert!(size < COMMENT_LIMIT, "{size} characters");
    assert!(
        size > COMMENT_LIMIT - 2_000,
        "steps fill the room left: {size}"
    );
    // The summary is whole.
    assert!(
        comment.starts_with(
            "<!-- floe-plan target=prod -->\n### floe plan · target <code>prod</code>\n"
        )
    );
    assert!(comment.contains("**Plan:** 2002 to create, 0 to alter, 0 to replace, 0 to drop."));
    assert!(comment.contains("| bank | 2002 | 0 | 0 | 0 | 0 |"));
    assert!(comment.contains("| **Total** | 2002 | 0 | 0 | 0 | 0 |"));
    // Whole steps, in plan order, then the count of the rest.
    let shown = comment.matches("<details>").count();
    assert_eq!(shown, comment.matches("</details>").count());
    assert!(shown > 10 && shown < 2002, "{shown} steps shown");
    let expected_end = format!(
        "\n**{} more steps — see the plan artifact.**\n",
        2002 - shown
    );
    let tail: String = comment
        .chars()
        .rev()
        .take(300)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(comment.ends_with(&expected_end), "{tail}");
    assert!(full.starts_with(comment.strip_suffix(&expected_end).unwrap()));
}
