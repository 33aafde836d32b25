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

fn show_args(args: &[Argument]) -> String {
    args.iter()
        .map(|a| format!("{} {}", a.name.sql(), a.data_type))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn create(id: &ObjectId, spec: &RoutineSpec, _ctx: &Context) -> Change {
    let mut p = Props::default();
    p.push("language", None, Some(show_language(&spec.language)));
    p.push("arguments", None, Some(show_args(&spec.arguments)));
    p.push("returns", None, Some(spec.returns.clone()));
    p.declare("runtime_version", &spec.runtime_version, common::show_str);
    if !spec.packages.is_empty() {
        p.push("packages", None, Some(spec.packages.join(", ")));
    }
    if !spec.imports.is_empty() {
        p.push("imports", None, Some(spec.imports.join(", ")));
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
        p.push(
            "arguments",
            Some(show_args(&observed.arguments)),
            Some(show_args(&desired.arguments)),
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
        p.push(
            "packages",
            Some(observed.packages.join(", ")),
            Some(desired.packages.join(", ")),
        );
    }
    if desired.imports != observed.imports {
        p.push(
            "imports",
            Some(observed.imports.join(", ")),
            Some(desired.imports.join(", ")),
        );
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
        inner
            .split(',')
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
    inner
        .split(',')
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
