//! What procedures and functions share: normalization, the CREATE statement, the
//! in-place vs replace rules and parsing SHOW/DESCRIBE output.
//!
//! A routine is identified by name and argument types. Body, handler, packages,
//! imports, runtime, return type, language and argument names cannot be altered:
//! they are replaced with `CREATE OR REPLACE … COPY GRANTS`, which keeps privileges.

use std::collections::BTreeMap;

use crate::diff::{Action, Change, Hazard};
use crate::model::{
    Argument, Ident, Language, ObjectId, ObjectKind, ObjectName, RoutineSpec, Spec,
};
use crate::runtime::session::{Row, Rows};
use crate::sql;

use super::common::{self, Props, change, stmt};
use super::{Context, Query, Results, Scope, normalize_id, types};

fn strip_quotes(s: &str) -> String {
    s.trim()
        .trim_matches('\'')
        .trim_matches('"')
        .trim()
        .to_string()
}

pub fn normalize_returns(text: &str) -> String {
    let collapsed = common::collapse_ws(text);
    let upper = collapsed.to_ascii_uppercase();
    if upper.starts_with("TABLE") {
        return upper
            .replace(" (", "(")
            .replace("( ", "(")
            .replace(" )", ")");
    }
    match upper.strip_suffix(" NOT NULL") {
        Some(t) => format!("{} NOT NULL", types::normalize(t)),
        None => types::normalize(&upper),
    }
}

pub fn normalize(spec: &RoutineSpec, _ctx: &Context) -> RoutineSpec {
    let mut packages: Vec<String> = spec
        .packages
        .iter()
        .map(|p| strip_quotes(p))
        .filter(|p| !p.is_empty())
        .collect();
    packages.sort();
    packages.dedup();
    let mut imports: Vec<String> = spec
        .imports
        .iter()
        .map(|p| strip_quotes(p))
        .filter(|p| !p.is_empty())
        .collect();
    imports.sort();
    imports.dedup();
    RoutineSpec {
        language: spec.language,
        arguments: spec
            .arguments
            .iter()
            .map(|a| Argument {
                name: a.name.clone(),
                data_type: types::normalize(&a.data_type),
            })
            .collect(),
        returns: normalize_returns(&spec.returns),
        runtime_version: spec.runtime_version.as_ref().map(|r| strip_quotes(r)),
        packages,
        imports,
        handler: spec.handler.as_ref().map(|h| strip_quotes(h)),
        body: common::norm_body(&spec.body),
        secure: spec.secure,
        execute_as: spec
            .execute_as
            .as_ref()
            .map(|e| common::collapse_ws(e).to_ascii_uppercase()),
        comment: spec.comment.clone(),
    }
}

fn list_sql(items: &[String]) -> String {
    format!(
        "({})",
        items
            .iter()
            .map(|i| sql::literal(i))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// `CREATE [OR REPLACE] [SECURE] PROCEDURE|FUNCTION … AS $$…$$`.
pub fn create_sql(id: &ObjectId, spec: &RoutineSpec, replace: bool) -> String {
    let verb = if replace {
        "CREATE OR REPLACE"
    } else {
        "CREATE"
    };
    let secure = if spec.secure == Some(true) {
        "SECURE "
    } else {
        ""
    };
    let args: Vec<String> = spec
        .arguments
        .iter()
        .map(|a| format!("{} {}", a.name.sql(), a.data_type))
        .collect();
    let mut sql = format!(
        "{verb} {secure}{} {}({})",
        id.kind.sql_keyword(),
        id.name.sql(),
        args.join(", ")
    );
    if replace {
        sql.push_str(" COPY GRANTS");
    }
    sql.push_str(&format!(" RETURNS {}", spec.returns));
    match spec.language {
        Language::Python => {
            sql.push_str(" LANGUAGE PYTHON");
            if let Some(r) = &spec.runtime_version {
                sql.push_str(&format!(" RUNTIME_VERSION = {}", sql::literal(r)));
            }
            if !spec.packages.is_empty() {
                sql.push_str(&format!(" PACKAGES = {}", list_sql(&spec.packages)));
            }
            if !spec.imports.is_empty() {
                sql.push_str(&format!(" IMPORTS = {}", list_sql(&spec.imports)));
            }
            if let Some(h) = &spec.handler {
                sql.push_str(&format!(" HANDLER = {}", sql::literal(h)));
            }
        }
        Language::Sql => sql.push_str(" LANGUAGE SQL"),
    }
    sql.push_str(&common::comment_clause(&spec.comment));
    if id.kind == ObjectKind::Procedure
        && let Some(e) = &spec.execute_as
    {
        sql.push_str(&format!(" EXECUTE AS {}", execute_as_sql(e)));
    }
    sql.push_str(&format!(" AS {}", sql::body(&spec.body)));
    sql
}

fn execute_as_sql(e: &str) -> String {
    match e {
        "OWNER" | "CALLER" | "RESTRICTED CALLER" => e.to_string(),
        other => sql::literal(other),
    }
}

fn show_language(l: &Language) -> String {
    match l {
        Language::Python => "PYTHON".into(),
        Language::Sql => "SQL".into(),
    }
}

fn show_args(args: &[Argument]) -> Vec<String> {
    args.iter()
        .map(|a| format!("{} {}", a.name.sql(), a.data_type))
        .collect()
}

pub fn create(id: &ObjectId, spec: &RoutineSpec, _ctx: &Context) -> Change {
    let mut p = Props::default();
    p.push("language", None, Some(show_language(&spec.language)));
    p.push_list("arguments", None, Some(&show_args(&spec.arguments)));
    p.push("returns", None, Some(spec.returns.clone()));
    p.declare("runtime_version", &spec.runtime_version, common::show_str);
    if !spec.packages.is_empty() {
        p.push_list("packages", None, Some(&spec.packages));
    }
    if !spec.imports.is_empty() {
        p.push_list("imports", None, Some(&spec.imports));
    }
    p.declare("handler", &spec.handler, common::show_str);
    p.push("body", None, Some(spec.body.clone()));
    p.declare("secure", &spec.secure, common::show_bool);
    p.declare("execute_as", &spec.execute_as, common::show_str);
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
    desired: &RoutineSpec,
    observed: &RoutineSpec,
    _ctx: &Context,
) -> Option<Change> {
    let mut p = Props::default();
    let is_proc = id.kind == ObjectKind::Procedure;
    p.cmp(
        "language",
        &Some(desired.language),
        &Some(observed.language),
        show_language,
    );
    let arg_key = |args: &[Argument]| {
        args.iter()
            .map(|a| (a.name.clone(), types::legacy(&a.data_type)))
            .collect::<Vec<_>>()
    };
    if arg_key(&desired.arguments) != arg_key(&observed.arguments) {
        p.push_list(
            "arguments",
            Some(&show_args(&observed.arguments)),
            Some(&show_args(&desired.arguments)),
        );
    }
    p.cmp(
        "returns",
        &Some(desired.returns.clone()),
        &Some(observed.returns.clone()),
        common::show_str,
    );
    p.cmp(
        "runtime_version",
        &desired.runtime_version,
        &observed.runtime_version,
        common::show_str,
    );
    if desired.packages != observed.packages {
        p.push_list(
            "packages",
            Some(&observed.packages),
            Some(&desired.packages),
        );
    }
    if desired.imports != observed.imports {
        p.push_list("imports", Some(&observed.imports), Some(&desired.imports));
    }
    p.cmp(
        "handler",
        &desired.handler,
        &observed.handler,
        common::show_str,
    );
    if desired.body != observed.body {
        p.push(
            "body",
            Some(observed.body.clone()),
            Some(desired.body.clone()),
        );
    }
    let observed_secure = Some(observed.secure.unwrap_or(false));
    let secure_changed = p.cmp(
        "secure",
        &desired.secure,
        &observed_secure,
        common::show_bool,
    );
    let needs_replace = !(p.is_empty() || p.0.len() == 1 && secure_changed && !is_proc);
    let mut tail = Props::default();
    let exec_changed = is_proc
        && tail.cmp(
            "execute_as",
            &desired.execute_as,
            &observed.execute_as,
            common::show_str,
        );
    let comment_changed = tail.cmp_comment(&desired.comment, &observed.comment);
    p.0.extend(tail.0);
    if p.is_empty() {
        return None;
    }
    if needs_replace {
        let changed: Vec<&str> =
            p.0.iter()
                .map(|c| c.name.as_str())
                .filter(|n| *n != "comment" && *n != "execute_as")
                .collect();
        let reason = format!("{} cannot be altered in place", changed.join(", "));
        return Some(change(
            id,
            Action::Replace,
            Some(reason),
            p,
            vec![stmt(create_sql(id, desired, true))],
            vec![Hazard::RecreatesObject],
        ));
    }
    let target = format!("{} {}", id.kind.sql_keyword(), id.sql_name());
    let mut statements = Vec::new();
    if secure_changed {
        let verb = if desired.secure == Some(true) {
            "SET"
        } else {
            "UNSET"
        };
        statements.push(stmt(format!("ALTER {target} {verb} SECURE")));
    }
    if exec_changed && let Some(e) = &desired.execute_as {
        statements.push(stmt(format!(
            "ALTER {target} EXECUTE AS {}",
            execute_as_sql(e)
        )));
    }
    if comment_changed {
        let c = desired.comment.clone().unwrap_or_default();
        statements.push(stmt(format!(
            "ALTER {target} SET COMMENT = {}",
            sql::literal(&c)
        )));
    }
    Some(change(id, Action::Alter, None, p, statements, vec![]))
}

pub fn drop(id: &ObjectId, _observed: &RoutineSpec) -> Change {
    let sql = format!("DROP {} IF EXISTS {}", id.kind.sql_keyword(), id.sql_name());
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(sql)],
        vec![Hazard::LosesGrants],
    )
}

/// SHOW `arguments` (`NAME(VARCHAR, DEFAULT NUMBER) RETURN VARCHAR`) → (arg types, return type).
pub fn parse_arguments(text: &str) -> Option<(Vec<String>, String)> {
    let open = text.find('(')?;
    let mut depth = 0;
    let mut close = None;
    for (i, c) in text.char_indices().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let inner = text[open + 1..close].trim();
    let args = if inner.is_empty() {
        Vec::new()
    } else {
        common::split_top_level(inner)
            .iter()
            .map(|a| {
                let a = a.trim();
                let a = a.strip_prefix("DEFAULT ").unwrap_or(a);
                types::legacy(a)
            })
            .collect()
    };
    let rest = text[close + 1..].trim();
    let returns = rest
        .strip_prefix("RETURN ")
        .unwrap_or(rest)
        .trim()
        .to_string();
    Some((args, returns))
}

/// DESCRIBE `signature` (`(A VARCHAR, B NUMBER)`) → arguments.
pub fn parse_signature(text: &str) -> Vec<Argument> {
    let inner = text
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim();
    if inner.is_empty() {
        return Vec::new();
    }
    common::split_top_level(inner)
        .iter()
        .filter_map(|a| {
            let a = a.trim();
            let (name, ty) = a.split_once(' ')?;
            let name = name.trim_matches('"');
            Some(Argument {
                name: Ident::from_stored(name),
                data_type: ty.trim().to_string(),
            })
        })
        .collect()
}

/// `['a==1','b']` / `[@~/f.py]` → items.
pub fn parse_list(text: Option<&str>) -> Vec<String> {
    let Some(text) = common::clean(text) else {
        return Vec::new();
    };
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(strip_quotes)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Applies DESCRIBE PROCEDURE/FUNCTION rows (`property`, `value`) to `spec`.
pub fn apply_describe(spec: &mut RoutineSpec, rows: &Rows) {
    if rows.is_empty() {
        return;
    }
    let props: BTreeMap<String, Option<String>> = rows
        .iter()
        .filter_map(|r| {
            Some((
                r.get("property")?.to_ascii_lowercase(),
                r.get("value").map(str::to_string),
            ))
        })
        .collect();
    let get = |k: &str| props.get(k).cloned().flatten();
    if let Some(sig) = get("signature") {
        spec.arguments = parse_signature(&sig);
    }
    if let Some(r) = get("returns") {
        spec.returns = r;
    }
    if let Some(l) = get("language") {
        spec.language = if l.eq_ignore_ascii_case("SQL") {
            Language::Sql
        } else {
            Language::Python
        };
    }
    if let Some(b) = get("body") {
        spec.body = b;
    }
    spec.imports = parse_list(get("imports").as_deref());
    spec.packages = parse_list(get("packages").as_deref());
    spec.handler = common::clean(get("handler").as_deref());
    spec.runtime_version = common::clean(get("runtime_version").as_deref());
    if let Some(e) = common::clean(get("execute as").as_deref()) {
        spec.execute_as = Some(e);
    }
}

/// Details INFORMATION_SCHEMA gave for one routine (by column name).
#[derive(Clone, Debug, Default)]
pub struct InfoRow {
    values: BTreeMap<String, Option<String>>,
}

impl InfoRow {
    fn get(&self, column: &str) -> Option<&str> {
        self.values.get(column).and_then(|v| v.as_deref())
    }
    fn has(&self, column: &str) -> bool {
        self.values.contains_key(column)
    }
}

/// INFORMATION_SCHEMA.PROCEDURES/FUNCTIONS rows of the managed databases, by identity.
fn info_schema_rows(
    results: &Results,
    scope: &Scope,
    kind: ObjectKind,
) -> BTreeMap<ObjectId, InfoRow> {
    let prefix = if kind == ObjectKind::Procedure {
        "PROCEDURE"
    } else {
        "FUNCTION"
    };
    let mut out = BTreeMap::new();
    for (query, rows) in &results.rows {
        let Query::Routines(k, db) = query else {
            continue;
        };
        if *k != kind {
            continue;
        }
        for row in rows.iter() {
            let (Some(schema), Some(name)) = (
                row.get(&format!("{prefix}_SCHEMA")),
                row.get(&format!("{prefix}_NAME")),
            ) else {
                continue;
            };
            let sig = parse_signature(row.get("ARGUMENT_SIGNATURE").unwrap_or("()"));
            let types = sig.iter().map(|a| types::legacy(&a.data_type)).collect();
            let name = ObjectName::in_schema(
                db.clone(),
                Ident::from_stored(schema),
                Ident::from_stored(name),
            );
            let values = rows
                .columns
                .iter()
                .map(|c| {
                    (
                        c.name.to_ascii_uppercase(),
                        row.get(&c.name).map(str::to_string),
                    )
                })
                .collect();
            out.insert(
                ObjectId::routine(scope.account(), kind, name, types),
                InfoRow { values },
            );
        }
    }
    out
}

/// Applies an INFORMATION_SCHEMA row: arguments, return type, language, body,
/// comment, and the Python details when the view has them.
pub fn apply_info_schema(spec: &mut RoutineSpec, info: &InfoRow) {
    let prefix = if info.has("PROCEDURE_DEFINITION") {
        "PROCEDURE"
    } else {
        "FUNCTION"
    };
    if let Some(sig) = info.get("ARGUMENT_SIGNATURE") {
        spec.arguments = parse_signature(sig);
    }
    if let Some(base) = common::clean(info.get("DATA_TYPE")) {
        let len = common::clean(info.get("CHARACTER_MAXIMUM_LENGTH"));
        let (p, s) = (
            common::clean(info.get("NUMERIC_PRECISION")),
            common::clean(info.get("NUMERIC_SCALE")),
        );
        let upper = base.to_ascii_uppercase();
        spec.returns = match (upper.as_str(), len, p, s) {
            (_, _, _, _) if upper.contains('(') || upper.starts_with("TABLE") => base,
            ("TEXT" | "VARCHAR", Some(n), _, _) => format!("VARCHAR({n})"),
            ("NUMBER" | "FIXED", _, Some(p), Some(s)) => format!("NUMBER({p},{s})"),
            _ => base,
        };
    }
    if let Some(l) = info.get(&format!("{prefix}_LANGUAGE")) {
        spec.language = if l.eq_ignore_ascii_case("SQL") {
            Language::Sql
        } else {
            Language::Python
        };
    }
    if let Some(body) = info.get(&format!("{prefix}_DEFINITION")) {
        spec.body = body.to_string();
    }
    if info.has("COMMENT") {
        spec.comment = Some(info.get("COMMENT").unwrap_or("").to_string());
    }
    if info.has("IS_SECURE") {
        spec.secure = common::parse_bool(info.get("IS_SECURE"));
    }
    if info.has("RUNTIME_VERSION") {
        spec.runtime_version = common::clean(info.get("RUNTIME_VERSION"));
    }
    if info.has("PACKAGES") {
        spec.packages = parse_list(info.get("PACKAGES"));
    }
    if info.has("IMPORTS") {
        spec.imports = parse_list(info.get("IMPORTS"));
    }
    if info.has("HANDLER") {
        spec.handler = common::clean(info.get("HANDLER"));
    }
}

/// True when a routine read from SHOW and INFORMATION_SCHEMA still lacks details
/// only DESCRIBE has: a Python handler (and with it packages, imports, runtime), or
/// a procedure's EXECUTE AS.
pub fn needs_describe(spec: &Spec) -> bool {
    match spec {
        Spec::Procedure(_) => true,
        Spec::Function(r) => r.language == Language::Python && r.handler.is_none(),
        _ => false,
    }
}

/// One SHOW PROCEDURES / SHOW USER FUNCTIONS row → identity and spec.
pub fn parse_row(
    row: &Row<'_>,
    kind: ObjectKind,
    default_description: &str,
) -> Option<(ObjectName, Vec<String>, RoutineSpec)> {
    if common::parse_bool(row.get("is_builtin")) == Some(true) {
        return None;
    }
    let database = row
        .get("catalog_name")
        .or_else(|| row.get("database_name"))?;
    let name = ObjectName::in_schema(
        Ident::from_stored(database),
        Ident::from_stored(row.get("schema_name")?),
        Ident::from_stored(row.get("name")?),
    );
    let (arg_types, returns) = parse_arguments(row.get("arguments")?)?;
    let description = row.get("description").unwrap_or("");
    let comment = if description == default_description {
        String::new()
    } else {
        description.to_string()
    };
    let language = match row.get("language") {
        Some(l) if l.eq_ignore_ascii_case("SQL") => Language::Sql,
        _ => Language::Python,
    };
    let spec = RoutineSpec {
        language,
        arguments: arg_types
            .iter()
            .enumerate()
            .map(|(i, t)| Argument {
                name: Ident::from_stored(format!("ARG{}", i + 1)),
                data_type: t.clone(),
            })
            .collect(),
        returns,
        runtime_version: None,
        packages: Vec::new(),
        imports: Vec::new(),
        handler: None,
        body: String::new(),
        secure: common::parse_bool(row.get("is_secure")),
        execute_as: if kind == ObjectKind::Procedure {
            Some("OWNER".into())
        } else {
            None
        },
        comment: Some(comment),
    };
    Some((name, arg_types, spec))
}

pub fn observe(results: &Results, scope: &Scope, kind: ObjectKind) -> Vec<(ObjectId, Spec)> {
    let default_description = if kind == ObjectKind::Procedure {
        "user-defined procedure"
    } else {
        "user-defined function"
    };
    let managed: BTreeMap<ObjectId, &ObjectId> = scope
        .routines
        .iter()
        .map(|r| (normalize_id(r), r))
        .collect();
    let info = info_schema_rows(results, scope, kind);
    let mut out = Vec::new();
    for row in results.get(&Query::Show(kind)).iter() {
        let Some((name, sig, mut spec)) = parse_row(&row, kind, default_description) else {
            continue;
        };
        let (Some(db), Some(schema)) = (&name.database, &name.schema) else {
            continue;
        };
        if !scope.in_managed_database(db.as_str(), schema.as_str()) {
            continue;
        }
        let id = ObjectId::routine(scope.account(), kind, name, sig);
        if let Some(info) = info.get(&id) {
            apply_info_schema(&mut spec, info);
        }
        if let Some(desired_id) = managed.get(&id) {
            apply_describe(
                &mut spec,
                results.get(&Query::DescribeRoutine((*desired_id).clone())),
            );
        }
        let spec = if kind == ObjectKind::Procedure {
            Spec::Procedure(spec)
        } else {
            Spec::Function(spec)
        };
        out.push((id, spec));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    #[test]
    fn parses_show_arguments_in_both_forms() {
        assert_eq!(
            parse_arguments("SCORE(VARCHAR, VARCHAR) RETURN VARCHAR"),
            Some((vec!["VARCHAR".into(), "VARCHAR".into()], "VARCHAR".into()))
        );
        assert_eq!(
            parse_arguments("P(DEFAULT NUMBER(20,0)) RETURN NUMBER(38,0)"),
            Some((vec!["NUMBER".into()], "NUMBER(38,0)".into()))
        );
        assert_eq!(
            parse_arguments("ALLOWED_REGIONS() RETURN ARRAY"),
            Some((vec![], "ARRAY".into()))
        );
    }

    #[test]
    fn show_plus_describe_equals_the_manifest() {
        let show = rows(
            &[
                "created_on",
                "name",
                "schema_name",
                "is_builtin",
                "is_aggregate",
                "is_ansi",
                "min_num_arguments",
                "max_num_arguments",
                "arguments",
                "description",
                "catalog_name",
                "is_table_function",
                "valid_for_clustering",
                "is_secure",
                "secrets",
                "external_access_integrations",
            ],
            &[
                &[
                    Some("t"),
                    Some("SCORE"),
                    Some("ML"),
                    Some("N"),
                    Some("N"),
                    Some("N"),
                    Some("2"),
                    Some("2"),
                    Some("SCORE(VARCHAR, VARCHAR) RETURN VARCHAR"),
                    Some("user-defined procedure"),
                    Some("SCORING"),
                    Some("N"),
                    Some("N"),
                    Some("N"),
                    None,
                    None,
                ],
                &[
                    Some("t"),
                    Some("OTHER"),
                    Some("ML"),
                    Some("N"),
                    Some("N"),
                    Some("N"),
                    Some("0"),
                    Some("0"),
                    Some("OTHER() RETURN NUMBER"),
                    Some("user-defined procedure"),
                    Some("SCORING"),
                    Some("N"),
                    Some("N"),
                    Some("N"),
                    None,
                    None,
                ],
            ],
        );
        let describe = rows(
            &["property", "value"],
            &[
                &[Some("signature"), Some("(SRC VARCHAR, DST VARCHAR)")],
                &[Some("returns"), Some("VARCHAR(16777216)")],
                &[Some("language"), Some("PYTHON")],
                &[Some("null handling"), Some("CALLED ON NULL INPUT")],
                &[Some("volatility"), Some("VOLATILE")],
                &[
                    Some("body"),
                    Some("def run(session, src, dst):\n    return 'ok'\n"),
                ],
                &[Some("imports"), Some("[]")],
                &[Some("handler"), Some("run")],
                &[Some("runtime_version"), Some("3.12")],
                &[
                    Some("packages"),
                    Some("['snowflake-snowpark-python','pandas']"),
                ],
                &[Some("execute as"), Some("OWNER")],
            ],
        );
        let c = ctx();
        let desired = crate::kinds::normalize_catalog(&sample(), &c);
        let scope = Scope::from_desired(&partner(), &sample());
        let proc_id = scope
            .routines
            .iter()
            .find(|r| r.kind == ObjectKind::Procedure)
            .unwrap()
            .clone();
        let mut results = Results::default();
        results.insert(Query::Show(ObjectKind::Procedure), show);
        results.insert(Query::DescribeRoutine(proc_id.clone()), describe);
        let found = observe(&results, &scope, ObjectKind::Procedure);
        assert_eq!(found.len(), 2);
        let (oid, Spec::Procedure(observed)) = found.iter().find(|(i, _)| i == &proc_id).unwrap()
        else {
            panic!()
        };
        assert_eq!(oid, &proc_id);
        let Some(Spec::Procedure(want)) = desired.get(oid) else {
            panic!()
        };
        assert_eq!(update(oid, want, &normalize(observed, &c), &c), None);
        assert_eq!(
            Query::DescribeRoutine(proc_id).sql(),
            "DESCRIBE PROCEDURE SCORING.ML.SCORE(VARCHAR, VARCHAR)"
        );
    }

    #[test]
    fn comment_is_altered_secure_function_too() {
        let c = ctx();
        let fid = ObjectId::routine(
            partner(),
            ObjectKind::Function,
            name("db.s.f"),
            vec!["FLOAT".into()],
        );
        let base = RoutineSpec {
            language: Language::Python,
            arguments: vec![Argument {
                name: ident("x"),
                data_type: "FLOAT".into(),
            }],
            returns: "FLOAT".into(),
            runtime_version: Some("3.12".into()),
            packages: vec![],
            imports: vec![],
            handler: Some("f".into()),
            body: "def f(x): return x".into(),
            secure: Some(false),
            execute_as: None,
            comment: Some(String::new()),
        };
        let desired = RoutineSpec {
            secure: Some(true),
            comment: Some("it's".into()),
            ..base.clone()
        };
        let change = update(&fid, &desired, &base, &c).unwrap();
        assert_eq!(change.action, Action::Alter);
        let sql: Vec<String> = change.statements.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            sql,
            [
                "ALTER FUNCTION DB.S.F(FLOAT) SET SECURE",
                "ALTER FUNCTION DB.S.F(FLOAT) SET COMMENT = 'it''s'"
            ]
        );
    }

    #[test]
    fn information_schema_gives_bodies_and_describe_follows_only_when_needed() {
        let show = rows(
            &[
                "name",
                "schema_name",
                "is_builtin",
                "arguments",
                "description",
                "catalog_name",
                "is_secure",
                "language",
            ],
            &[&[
                Some("PREDICT"),
                Some("ML"),
                Some("N"),
                Some("PREDICT(FLOAT) RETURN FLOAT"),
                Some("user-defined function"),
                Some("SCORING"),
                Some("N"),
                Some("PYTHON"),
            ]],
        );
        let cols = [
            "FUNCTION_CATALOG",
            "FUNCTION_SCHEMA",
            "FUNCTION_NAME",
            "ARGUMENT_SIGNATURE",
            "DATA_TYPE",
            "CHARACTER_MAXIMUM_LENGTH",
            "NUMERIC_PRECISION",
            "NUMERIC_SCALE",
            "FUNCTION_LANGUAGE",
            "FUNCTION_DEFINITION",
            "COMMENT",
        ];
        let row: &[Option<&str>] = &[
            Some("SCORING"),
            Some("ML"),
            Some("PREDICT"),
            Some("(X FLOAT)"),
            Some("FLOAT"),
            None,
            None,
            None,
            Some("PYTHON"),
            Some("def run(df):\n    return df[0]\n"),
            None,
        ];
        let scope = Scope::from_desired(&partner(), &sample());
        let fid = scope
            .routines
            .iter()
            .find(|r| r.kind == ObjectKind::Function)
            .unwrap()
            .clone();
        assert!(
            scope
                .queries()
                .contains(&Query::Routines(ObjectKind::Function, ident("scoring")))
        );
        let mut results = Results::default();
        results.insert(Query::Show(ObjectKind::Function), show);
        results.insert(
            Query::Routines(ObjectKind::Function, ident("scoring")),
            rows(&cols, &[row]),
        );
        // Without HANDLER/PACKAGES in the view, DESCRIBE follows for the managed function.
        assert_eq!(
            scope.followups(&results),
            vec![Query::DescribeRoutine(fid.clone())]
        );
        let found = observe(&results, &scope, ObjectKind::Function);
        let Spec::Function(f) = &found[0].1 else {
            panic!()
        };
        assert_eq!(f.body, "def run(df):\n    return df[0]\n");
        assert_eq!(f.arguments[0].name, ident("x"));
        // With them, nothing more is read.
        let mut wide: Vec<&str> = cols.to_vec();
        wide.extend(["HANDLER", "PACKAGES", "RUNTIME_VERSION", "IMPORTS"]);
        let mut wide_row = row.to_vec();
        wide_row.extend([
            Some("run"),
            Some("['snowflake-snowpark-python','pandas']"),
            Some("3.12"),
            Some("[]"),
        ]);
        results.insert(
            Query::Routines(ObjectKind::Function, ident("scoring")),
            rows(&wide, &[&wide_row]),
        );
        assert!(scope.followups(&results).is_empty());
        let found = observe(&results, &scope, ObjectKind::Function);
        let c = ctx();
        let desired = crate::kinds::normalize_catalog(&sample(), &c);
        let Some(Spec::Function(want)) = desired.get(&found[0].0) else {
            panic!()
        };
        let Spec::Function(have) = &found[0].1 else {
            panic!()
        };
        assert_eq!(update(&found[0].0, want, &normalize(have, &c), &c), None);
    }
}
