//! Tasks. Every property is altered in place (`SET`, `MODIFY AS`, `MODIFY WHEN`,
//! `ADD AFTER`, `REMOVE AFTER`); the planner wraps the statements in the
//! suspend/resume protocol of the task graph. A differing `state` is reported as a
//! property without statements: the planner turns it into RESUME or SUSPEND.

use crate::diff::{Action, Change, Hazard};
use crate::model::{Ident, ObjectId, ObjectKind, ObjectName, Spec, TaskSpec, TaskState};
use crate::sql;

use super::common::{self, Props, change, stmt};
use super::scope::schema_object_name;
use super::share::parse_stored_name;
use super::warehouse::canonical_size;
use super::{Context, Results, Scope};

/// `5 minute` → `5 MINUTE`, `using cron 0 9 * * * UTC` → `USING CRON 0 9 * * * UTC`.
/// Singular and plural units are the same schedule and compare equal.
pub fn normalize_schedule(schedule: &str) -> String {
    let s = common::collapse_ws(schedule);
    let words: Vec<&str> = s.split(' ').collect();
    if words.len() == 2 && words[0].chars().all(|c| c.is_ascii_digit()) {
        let unit = words[1].to_ascii_uppercase();
        let unit = match unit.as_str() {
            "MINUTES" | "M" => "MINUTE",
            "HOURS" | "H" => "HOUR",
            "SECONDS" | "S" => "SECOND",
            other => other,
        };
        return format!("{} {unit}", words[0]);
    }
    if words.len() > 2
        && words[0].eq_ignore_ascii_case("USING")
        && words[1].eq_ignore_ascii_case("CRON")
    {
        return format!("USING CRON {}", words[2..].join(" "));
    }
    s
}

fn normalize_sql(text: &str) -> String {
    common::norm_body(text)
        .trim_end_matches(';')
        .trim_end()
        .to_string()
}

pub fn normalize(spec: &TaskSpec, _ctx: &Context) -> TaskSpec {
    let mut after = spec.after.clone();
    after.sort();
    after.dedup();
    TaskSpec {
        warehouse: spec.warehouse.clone(),
        serverless_size: spec.serverless_size.as_deref().map(canonical_size),
        schedule: spec.schedule.as_deref().map(normalize_schedule),
        when: spec.when.as_deref().map(normalize_sql),
        after,
        body: normalize_sql(&spec.body),
        allow_overlapping_execution: spec.allow_overlapping_execution,
        state: spec.state,
        comment: spec.comment.clone(),
    }
}

fn show_state(s: &TaskState) -> String {
    match s {
        TaskState::Started => "started".into(),
        TaskState::Suspended => "suspended".into(),
    }
}

fn name_list<'a>(list: impl IntoIterator<Item = &'a ObjectName>) -> Vec<String> {
    list.into_iter().map(ObjectName::sql).collect()
}

fn names<'a>(list: impl IntoIterator<Item = &'a ObjectName>) -> String {
    name_list(list).join(", ")
}

pub fn create(id: &ObjectId, spec: &TaskSpec, _ctx: &Context) -> Change {
    let mut sql = format!("CREATE TASK {}", id.name.sql());
    if let Some(w) = &spec.warehouse {
        sql.push_str(&format!(" WAREHOUSE = {}", w.sql()));
    } else if let Some(size) = &spec.serverless_size {
        sql.push_str(&format!(
            " USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = {}",
            sql::literal(size)
        ));
    }
    if let Some(s) = &spec.schedule {
        sql.push_str(&format!(" SCHEDULE = {}", sql::literal(s)));
    }
    if let Some(a) = spec.allow_overlapping_execution {
        sql.push_str(&format!(
            " ALLOW_OVERLAPPING_EXECUTION = {}",
            common::bool_sql(a)
        ));
    }
    sql.push_str(&common::comment_clause(&spec.comment));
    if !spec.after.is_empty() {
        sql.push_str(&format!(" AFTER {}", names(&spec.after)));
    }
    if let Some(w) = &spec.when {
        sql.push_str(&format!(" WHEN {w}"));
    }
    sql.push_str(&format!(" AS {}", spec.body));
    let mut p = Props::default();
    p.declare("warehouse", &spec.warehouse, |w| w.sql());
    p.declare("serverless_size", &spec.serverless_size, common::show_str);
    p.declare("schedule", &spec.schedule, common::show_str);
    p.declare("when", &spec.when, common::show_str);
    if !spec.after.is_empty() {
        p.push_list("after", None, Some(&name_list(&spec.after)));
    }
    p.push("body", None, Some(spec.body.clone()));
    p.declare(
        "allow_overlapping_execution",
        &spec.allow_overlapping_execution,
        common::show_bool,
    );
    p.declare("comment", &spec.comment, common::show_str);
    // Tasks are created suspended: a started task needs a RESUME from the planner.
    if spec.state == Some(TaskState::Started) {
        p.push(
            "state",
            Some(show_state(&TaskState::Suspended)),
            Some(show_state(&TaskState::Started)),
        );
    }
    change(id, Action::Create, None, p, vec![stmt(sql)], vec![])
}

pub fn update(
    id: &ObjectId,
    desired: &TaskSpec,
    observed: &TaskSpec,
    _ctx: &Context,
) -> Option<Change> {
    let name = id.name.sql();
    let mut p = Props::default();
    let mut statements = Vec::new();
    if p.cmp("warehouse", &desired.warehouse, &observed.warehouse, |w| {
        w.sql()
    }) && let Some(w) = &desired.warehouse
    {
        statements.push(stmt(format!(
            "ALTER TASK {name} SET WAREHOUSE = {}",
            w.sql()
        )));
    }
    // SHOW TASKS does not show the serverless size: compared only when it was read.
    if observed.serverless_size.is_some()
        && p.cmp(
            "serverless_size",
            &desired.serverless_size,
            &observed.serverless_size,
            common::show_str,
        )
        && let Some(s) = &desired.serverless_size
    {
        statements.push(stmt(format!(
            "ALTER TASK {name} SET USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = {}",
            sql::literal(s)
        )));
    }
    if p.cmp(
        "schedule",
        &desired.schedule,
        &observed.schedule,
        common::show_str,
    ) && let Some(s) = &desired.schedule
    {
        statements.push(stmt(format!(
            "ALTER TASK {name} SET SCHEDULE = {}",
            sql::literal(s)
        )));
    }
    // Shown only for root tasks (NULL for children, where it cannot be set).
    if observed.allow_overlapping_execution.is_some()
        && p.cmp(
            "allow_overlapping_execution",
            &desired.allow_overlapping_execution,
            &observed.allow_overlapping_execution,
            common::show_bool,
        )
        && let Some(a) = desired.allow_overlapping_execution
    {
        statements.push(stmt(format!(
            "ALTER TASK {name} SET ALLOW_OVERLAPPING_EXECUTION = {}",
            common::bool_sql(a)
        )));
    }
    common::alter_comment(
        &mut p,
        &mut statements,
        &format!("TASK {}", name),
        &desired.comment,
        &observed.comment,
    );
    let removed = common::missing_from(&observed.after, &desired.after);
    let added = common::missing_from(&desired.after, &observed.after);
    if !removed.is_empty() || !added.is_empty() {
        p.push_list(
            "after",
            Some(&name_list(&observed.after)),
            Some(&name_list(&desired.after)),
        );
    }
    if !removed.is_empty() {
        statements.push(stmt(format!(
            "ALTER TASK {name} REMOVE AFTER {}",
            names(removed.iter().copied())
        )));
    }
    if !added.is_empty() {
        statements.push(stmt(format!(
            "ALTER TASK {name} ADD AFTER {}",
            names(added.iter().copied())
        )));
    }
    if p.cmp("when", &desired.when, &observed.when, common::show_str)
        && let Some(w) = &desired.when
    {
        statements.push(stmt(format!("ALTER TASK {name} MODIFY WHEN {w}")));
    }
    if desired.body != observed.body {
        p.push(
            "body",
            Some(observed.body.clone()),
            Some(desired.body.clone()),
        );
        statements.push(stmt(format!(
            "ALTER TASK {name} MODIFY AS {}",
            desired.body
        )));
    }
    p.cmp("state", &desired.state, &observed.state, show_state);
    if p.is_empty() {
        return None;
    }
    Some(change(id, Action::Alter, None, p, statements, vec![]))
}

pub fn drop(id: &ObjectId, _observed: &TaskSpec) -> Change {
    let sql = format!("DROP TASK IF EXISTS {}", id.name.sql());
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(sql)],
        vec![Hazard::LosesGrants],
    )
}

/// SHOW TASKS `predecessors`: a JSON array of fully qualified names.
pub fn parse_predecessors(text: Option<&str>) -> Vec<ObjectName> {
    let Some(text) = common::clean(text) else {
        return Vec::new();
    };
    let list: Vec<String> = serde_json::from_str(&text).unwrap_or_default();
    list.iter().filter_map(|n| parse_stored_name(n)).collect()
}

pub fn parse_row(row: &crate::runtime::session::Row<'_>) -> Option<(ObjectName, TaskSpec)> {
    let name = schema_object_name(row)?;
    let state = match row.get("state").map(str::to_ascii_lowercase).as_deref() {
        Some("started") => Some(TaskState::Started),
        Some("suspended") => Some(TaskState::Suspended),
        _ => None,
    };
    let spec = TaskSpec {
        warehouse: common::clean(row.get("warehouse")).map(Ident::from_stored),
        serverless_size: None,
        schedule: common::clean(row.get("schedule")),
        when: common::clean(row.get("condition")),
        after: parse_predecessors(row.get("predecessors")),
        body: row.get("definition").unwrap_or("").to_string(),
        allow_overlapping_execution: common::parse_bool(row.get("allow_overlapping_execution")),
        state,
        comment: common::comment(row.get("comment")),
    };
    Some((name, spec))
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    let with_parameters = |row: &crate::runtime::session::Row<'_>| {
        let (name, mut spec) = parse_row(row)?;
        // Not in SHOW TASKS: read with SHOW PARAMETERS when declared.
        spec.serverless_size = scope.parameter(
            results,
            ObjectKind::Task,
            &name,
            "USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE",
        );
        Some((name, spec))
    };
    scope.observe_managed(results, ObjectKind::Task, with_parameters, Spec::Task)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    #[test]
    fn schedules_compare_by_meaning() {
        assert_eq!(normalize_schedule("5 minute"), "5 MINUTE");
        assert_eq!(normalize_schedule("5  MINUTES"), "5 MINUTE");
        assert_eq!(
            normalize_schedule("using cron 0 9 * * * America/Los_Angeles"),
            "USING CRON 0 9 * * * America/Los_Angeles"
        );
        assert_eq!(
            normalize_schedule(&normalize_schedule("10 hours")),
            "10 HOUR"
        );
    }

    #[test]
    fn parses_show_tasks() {
        let r = rows(
            &[
                "created_on",
                "name",
                "id",
                "database_name",
                "schema_name",
                "owner",
                "comment",
                "warehouse",
                "schedule",
                "predecessors",
                "state",
                "definition",
                "condition",
                "allow_overlapping_execution",
                "error_integration",
                "last_committed_on",
                "last_suspended_on",
                "owner_role_type",
                "config",
                "budget",
                "task_relations",
                "last_suspended_reason",
            ],
            &[
                &[
                    Some("t"),
                    Some("ROOT"),
                    Some("01"),
                    Some("DB"),
                    Some("S"),
                    Some("SYSADMIN"),
                    Some(""),
                    Some("WH"),
                    Some("5 MINUTE"),
                    Some("[]"),
                    Some("started"),
                    Some("CALL p()"),
                    None,
                    Some("false"),
                    Some("null"),
                    None,
                    None,
                    Some("ROLE"),
                    None,
                    None,
                    Some("{\"Predecessors\":[]}"),
                    None,
                ],
                &[
                    Some("t"),
                    Some("CHILD"),
                    Some("02"),
                    Some("DB"),
                    Some("S"),
                    Some("SYSADMIN"),
                    None,
                    Some("null"),
                    None,
                    Some("[\n  \"DB.S.ROOT\",\n  \"\\\"DB\\\".\\\"S\\\".\\\"odd\\\"\"\n]"),
                    Some("suspended"),
                    Some("SELECT 1"),
                    Some("SYSTEM$STREAM_HAS_DATA('S')"),
                    None,
                    Some("null"),
                    None,
                    None,
                    Some("ROLE"),
                    None,
                    None,
                    None,
                    None,
                ],
            ],
        );
        let parsed: Vec<_> = r.iter().map(|row| parse_row(&row).unwrap()).collect();
        assert_eq!(parsed[0].1.state, Some(TaskState::Started));
        assert_eq!(parsed[0].1.warehouse, Some(ident("wh")));
        assert_eq!(parsed[1].1.warehouse, None);
        assert_eq!(
            parsed[1]
                .1
                .after
                .iter()
                .map(|n| n.sql())
                .collect::<Vec<_>>(),
            ["DB.S.ROOT", "DB.S.\"odd\""]
        );
        assert_eq!(
            parsed[1].1.when.as_deref(),
            Some("SYSTEM$STREAM_HAS_DATA('S')")
        );
    }

    #[test]
    fn graph_edges_and_state() {
        let c = ctx();
        let tid = id(&partner(), ObjectKind::Task, "db.s.child");
        let base = TaskSpec {
            warehouse: None,
            serverless_size: None,
            schedule: None,
            when: None,
            after: vec![name("db.s.a")],
            body: "SELECT 1".into(),
            allow_overlapping_execution: None,
            state: Some(TaskState::Suspended),
            comment: Some(String::new()),
        };
        let desired = TaskSpec {
            after: vec![name("db.s.b")],
            state: Some(TaskState::Started),
            when: Some("x > 1".into()),
            ..base.clone()
        };
        let change = update(&tid, &normalize(&desired, &c), &normalize(&base, &c), &c).unwrap();
        let sql: Vec<String> = change.statements.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            sql,
            [
                "ALTER TASK DB.S.CHILD REMOVE AFTER DB.S.A",
                "ALTER TASK DB.S.CHILD ADD AFTER DB.S.B",
                "ALTER TASK DB.S.CHILD MODIFY WHEN x > 1"
            ]
        );
        assert!(
            change
                .properties
                .iter()
                .any(|p| p.name == "state" && p.new.as_deref() == Some("started"))
        );
        // Only the state differs: a change with no statements.
        let only_state = TaskSpec {
            state: Some(TaskState::Started),
            ..base.clone()
        };
        let change = update(&tid, &only_state, &base, &c).unwrap();
        assert!(change.statements.is_empty());
    }
}
