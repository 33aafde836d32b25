//! Streams on tables. Only the comment can be altered: a different source table or
//! APPEND_ONLY means `CREATE OR REPLACE STREAM`, which restarts the stream's offset.
//! SHOW_INITIAL_ROWS is not visible in SHOW STREAMS and is never compared. A stream
//! SHOW reports `stale` (or with an `invalid_reason`) cannot be read any more and is
//! recreated, like a changed source.

use crate::diff::{Action, Change, Hazard};
use crate::model::{ObjectId, ObjectKind, ObjectName, Spec, StreamSpec};

use super::common::{self, Props, change, stmt};
use super::scope::schema_object_name;
use super::share::parse_stored_name;
use super::{Context, Results, Scope};

pub fn normalize(spec: &StreamSpec, _ctx: &Context) -> StreamSpec {
    spec.clone()
}

fn create_sql(id: &ObjectId, spec: &StreamSpec, replace: bool) -> String {
    let verb = if replace {
        "CREATE OR REPLACE"
    } else {
        "CREATE"
    };
    let mut sql = format!(
        "{verb} STREAM {} ON TABLE {}",
        id.name.sql(),
        spec.table.sql()
    );
    if let Some(a) = spec.append_only {
        sql.push_str(&format!(" APPEND_ONLY = {}", common::bool_sql(a)));
    }
    if let Some(s) = spec.show_initial_rows {
        sql.push_str(&format!(" SHOW_INITIAL_ROWS = {}", common::bool_sql(s)));
    }
    sql.push_str(&common::comment_clause(&spec.comment));
    sql
}

pub fn create(id: &ObjectId, spec: &StreamSpec, _ctx: &Context) -> Change {
    let mut p = Props::default();
    p.push("table", None, Some(spec.table.sql()));
    p.declare("append_only", &spec.append_only, common::show_bool);
    p.declare(
        "show_initial_rows",
        &spec.show_initial_rows,
        common::show_bool,
    );
    p.declare("comment", &spec.comment, common::show_str);
    change(
        id,
        Action::Create,
        None,
        p,
        vec![stmt(create_sql(id, spec, false))],
        vec![],
    )
}

pub fn update(
    id: &ObjectId,
    desired: &StreamSpec,
    observed: &StreamSpec,
    _ctx: &Context,
) -> Option<Change> {
    let mut props = Props::default();
    let table_changed = props.cmp(
        "table",
        &Some(desired.table.clone()),
        &Some(observed.table.clone()),
        |t| t.sql(),
    );
    let observed_append = Some(observed.append_only.unwrap_or(false));
    let append_changed = props.cmp(
        "append_only",
        &desired.append_only,
        &observed_append,
        common::show_bool,
    );
    if let Some(why) = &observed.unusable {
        props.push("health", Some(why.clone()), Some("readable".into()));
    }
    if table_changed || append_changed || observed.unusable.is_some() {
        let what = if table_changed {
            "stream source changed: streams cannot be altered".to_string()
        } else if append_changed {
            "APPEND_ONLY changed: streams cannot be altered".to_string()
        } else {
            format!(
                "the stream is {}: only recreating it makes it readable again",
                observed.unusable.as_deref().unwrap_or_default()
            )
        };
        props.cmp_comment(&desired.comment, &observed.comment);
        return Some(change(
            id,
            Action::Replace,
            Some(what),
            props,
            vec![stmt(create_sql(id, desired, true))],
            vec![
                Hazard::ResetsStreamOffset,
                Hazard::RecreatesObject,
                Hazard::LosesGrants,
            ],
        ));
    }
    let mut statements = Vec::new();
    common::alter_comment(
        &mut props,
        &mut statements,
        &format!("STREAM {}", id.name.sql()),
        &desired.comment,
        &observed.comment,
    );
    common::altered(id, props, statements, vec![])
}

pub fn drop(id: &ObjectId, _observed: &StreamSpec) -> Change {
    let sql = format!("DROP STREAM IF EXISTS {}", id.name.sql());
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(sql)],
        vec![Hazard::ResetsStreamOffset, Hazard::LosesGrants],
    )
}

/// SHOW STREAMS `stale` and `invalid_reason` → why the stream cannot be read.
fn unusable(stale: Option<&str>, invalid_reason: Option<&str>) -> Option<String> {
    if let Some(reason) = common::clean(invalid_reason)
        && !reason.eq_ignore_ascii_case("N/A")
    {
        return Some(format!("invalid: {reason}"));
    }
    common::parse_bool(stale)
        .filter(|s| *s)
        .map(|_| "stale".to_string())
}

pub fn parse_row(row: &crate::runtime::session::Row<'_>) -> Option<(ObjectName, StreamSpec)> {
    let name = schema_object_name(row)?;
    let table = parse_stored_name(row.get("table_name")?)?;
    let mode = row.get("mode").unwrap_or("DEFAULT").to_ascii_uppercase();
    let spec = StreamSpec {
        table,
        append_only: Some(mode == "APPEND_ONLY"),
        show_initial_rows: None,
        comment: common::comment(row.get("comment")),
        unusable: unusable(row.get("stale"), row.get("invalid_reason")),
    };
    Some((name, spec))
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    scope.observe_managed(results, ObjectKind::Stream, parse_row, Spec::Stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_or_invalid_streams_are_unusable() {
        assert_eq!(unusable(Some("false"), Some("N/A")), None);
        assert_eq!(
            unusable(Some("true"), Some("N/A")).as_deref(),
            Some("stale")
        );
        assert_eq!(
            unusable(Some("false"), Some("base table dropped")).as_deref(),
            Some("invalid: base table dropped")
        );
        assert_eq!(unusable(None, None), None);
    }
    use crate::kinds::testutil::*;

    #[test]
    fn parses_show_streams() {
        let r = rows(
            &[
                "created_on",
                "name",
                "database_name",
                "schema_name",
                "owner",
                "comment",
                "table_name",
                "source_type",
                "base_tables",
                "type",
                "stale",
                "mode",
                "stale_after",
                "invalid_reason",
                "owner_role_type",
            ],
            &[&[
                Some("t"),
                Some("NEW_ROWS"),
                Some("SCORING"),
                Some("ML"),
                Some("SYSADMIN"),
                Some(""),
                Some("CC_DB.DATA_SHARING_DEMO.\"customer data\""),
                Some("Table"),
                Some("CC_DB.DATA_SHARING_DEMO.\"customer data\""),
                Some("DELTA"),
                Some("false"),
                Some("APPEND_ONLY"),
                Some("t"),
                Some("N/A"),
                Some("ROLE"),
            ]],
        );
        let (name, spec) = parse_row(&r.iter().next().unwrap()).unwrap();
        assert_eq!(name.sql(), "SCORING.ML.NEW_ROWS");
        assert_eq!(spec.table.name.as_str(), "customer data");
        assert_eq!(spec.append_only, Some(true));
        assert_eq!(spec.show_initial_rows, None);
    }

    #[test]
    fn source_change_is_a_replace_comment_is_not() {
        let sid = id(&partner(), ObjectKind::Stream, "db.s.st");
        let observed = StreamSpec {
            table: name("db.s.a"),
            append_only: Some(false),
            show_initial_rows: None,
            comment: Some(String::new()),
            unusable: None,
        };
        let desired = StreamSpec {
            table: name("db.s.b"),
            show_initial_rows: Some(true),
            ..observed.clone()
        };
        let change = update(&sid, &desired, &observed, &ctx()).unwrap();
        assert_eq!(change.action, Action::Replace);
        assert_eq!(
            change.reason.as_deref(),
            Some("stream source changed: streams cannot be altered")
        );
        let desired = StreamSpec {
            comment: Some("c".into()),
            show_initial_rows: Some(true),
            ..observed.clone()
        };
        let change = update(&sid, &desired, &observed, &ctx()).unwrap();
        assert_eq!(
            change.statements[0].to_string(),
            "ALTER STREAM DB.S.ST SET COMMENT = 'c'"
        );
    }
}
