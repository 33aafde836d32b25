//! Tasks and task graphs. Tasks are created suspended; the root of a graph must be
//! suspended before any task of the graph is altered, added, replaced or removed;
//! EXECUTE TASK records a run (`last_committed_on`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{created, done, text_value};
use crate::emulator::columns::{self, TASKS, TERSE};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, opt};
use crate::emulator::parser::{Parser, Value};
use crate::emulator::render::{fqn, tf, ts};
use crate::emulator::show;
use crate::emulator::storage::{self, Key, Obj};
use crate::runtime::session::Rows;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TaskData {
    pub id: String,
    pub warehouse: Option<String>,
    pub managed_size: Option<String>,
    pub schedule: Option<String>,
    pub predecessors: Vec<Key>,
    pub started: bool,
    pub definition: String,
    pub condition: Option<String>,
    pub allow_overlapping: bool,
    pub comment: String,
    pub config: Option<String>,
    pub params: BTreeMap<String, String>,
    pub last_committed_on: Option<i64>,
    pub last_suspended_on: Option<i64>,
    pub last_suspended_reason: Option<String>,
}

const INT_PARAMS: &[&str] = &[
    "USER_TASK_TIMEOUT_MS",
    "SUSPEND_TASK_AFTER_NUM_FAILURES",
    "TASK_AUTO_RETRY_ATTEMPTS",
    "USER_TASK_MINIMUM_TRIGGER_INTERVAL_IN_SECONDS",
];

fn get_opt(ex: &Ex<'_>, key: &Key) -> Result<Option<Obj<TaskData>>, SfError> {
    storage::get(ex.conn, ex.account, "TASK", key)
}

fn get(ex: &Ex<'_>, key: &Key) -> Result<Obj<TaskData>, SfError> {
    ex.parent_exists(key)?;
    get_opt(ex, key)?
        .ok_or_else(|| SfError::not_found("Task", &fqn(&[&key.db, &key.schema, &key.name])))
}

fn key_of(t: &Obj<TaskData>) -> Key {
    Key::in_schema(&t.db, &t.schema, &t.name)
}

/// The root of a task's graph (following the first predecessor upwards).
fn root_of(ex: &Ex<'_>, t: &Obj<TaskData>) -> Result<Obj<TaskData>, SfError> {
    let mut cur = t.clone();
    for _ in 0..1000 {
        let Some(pred) = cur.data.predecessors.first() else {
            return Ok(cur);
        };
        match get_opt(ex, pred)? {
            Some(p) => cur = p,
            None => return Ok(cur),
        }
    }
    Ok(cur)
}

fn children_of(ex: &Ex<'_>, key: &Key) -> Result<Vec<Obj<TaskData>>, SfError> {
    Ok(storage::list::<TaskData>(
        ex.conn,
        ex.account,
        "TASK",
        Some(&key.db),
        Some(&key.schema),
    )?
    .into_iter()
    .filter(|t| t.data.predecessors.contains(key))
    .collect())
}

fn graph_locked(root: &Obj<TaskData>) -> SfError {
    SfError::new(
        "091148",
        "22000",
        format!(
            "Unable to update graph with root task {} since that root task is not suspended.",
            fqn(&[&root.db, &root.schema, &root.name])
        ),
    )
}

/// Fails unless the task's graph can be modified (its root is suspended).
fn require_suspended_root(ex: &Ex<'_>, t: &Obj<TaskData>) -> Result<(), SfError> {
    let root = root_of(ex, t)?;
    if root.data.started {
        Err(graph_locked(&root))
    } else {
        Ok(())
    }
}

fn set_param(d: &mut TaskData, k: &str, v: &Value) -> Result<(), SfError> {
    let text = || v.text().unwrap_or_default();
    match k {
        "WAREHOUSE" => {
            d.warehouse = Some(
                v.as_ident()
                    .ok_or_else(|| SfError::invalid_value(&text(), k))?,
            );
            d.managed_size = None;
        }
        "USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE" => {
            if d.warehouse.is_some() {
                return Err(SfError::compile(
                    "091091",
                    "22000",
                    "Cannot set USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE on a non-serverless task.",
                ));
            }
            let size = super::warehouse::display_size(&text())
                .ok_or_else(|| SfError::invalid_value(&text(), k))?;
            d.managed_size = Some(size.to_ascii_uppercase().replace('-', ""));
        }
        "SCHEDULE" => {
            let s = match v {
                Value::Str(s) => s.clone(),
                _ => return Err(SfError::invalid_value(&text(), k)),
            };
            let valid = {
                let mut parts = s.split_whitespace();
                match (parts.next(), parts.next()) {
                    (Some(n), Some(unit)) if n.chars().all(|c| c.is_ascii_digit()) => {
                        matches!(
                            unit.to_ascii_uppercase().as_str(),
                            "MINUTE"
                                | "MINUTES"
                                | "M"
                                | "HOUR"
                                | "HOURS"
                                | "H"
                                | "SECOND"
                                | "SECONDS"
                                | "S"
                        ) && parts.next().is_none()
                    }
                    (Some(u), Some(c)) => {
                        u.eq_ignore_ascii_case("USING")
                            && c.eq_ignore_ascii_case("CRON")
                            && cron_fields_in_range(parts.collect())
                    }
                    _ => false,
                }
            };
            if !valid {
                return Err(SfError::invalid_value(&s, k));
            }
            d.schedule = Some(s);
        }
        "ALLOW_OVERLAPPING_EXECUTION" => {
            d.allow_overlapping = v
                .as_bool()
                .ok_or_else(|| SfError::invalid_value(&text(), k))?
        }
        "COMMENT" => d.comment = text_value(v, k)?,
        "CONFIG" => d.config = Some(text_value(v, k)?),
        _ if INT_PARAMS.contains(&k) => {
            let n = v
                .as_i64()
                .ok_or_else(|| SfError::invalid_value(&text(), k))?;
            d.params.insert(k.to_string(), n.to_string());
        }
        other => return Err(SfError::unsupported(&format!("TASK property {other}"))),
    }
    Ok(())
}

/// Checks graph-shape rules after a change.
fn check_shape(d: &TaskData) -> Result<(), SfError> {
    if !d.predecessors.is_empty() && d.schedule.is_some() {
        return Err(SfError::compile(
            "091092",
            "22000",
            "Cannot set SCHEDULE on a task that has predecessors.",
        ));
    }
    if !d.predecessors.is_empty() && d.allow_overlapping {
        return Err(SfError::compile(
            "091093",
            "22000",
            "Cannot set allow_overlapping_execution on non-root task",
        ));
    }
    Ok(())
}

fn parse_after(ex: &Ex<'_>, p: &mut Parser<'_>, own: &Key) -> Result<Vec<Key>, SfError> {
    let mut out = Vec::new();
    loop {
        let n = p.name(3)?;
        let k = match n.parts.len() {
            1 => Key::in_schema(&own.db, &own.schema, &n.parts[0]),
            _ => ex.object_key(&n)?,
        };
        if !out.contains(&k) {
            out.push(k);
        }
        if !p.eat_sym(",") {
            break;
        }
    }
    Ok(out)
}

fn check_predecessors(ex: &Ex<'_>, own: &Key, preds: &[Key]) -> Result<(), SfError> {
    for k in preds {
        if k == own {
            return Err(SfError::compile(
                "091094",
                "22000",
                "A task cannot be its own predecessor.",
            ));
        }
        let t = get_opt(ex, k)?
            .ok_or_else(|| SfError::not_found("Task", &fqn(&[&k.db, &k.schema, &k.name])))?;
        if t.db != own.db || t.schema != own.schema {
            return Err(SfError::compile(
                "091095",
                "22000",
                "All tasks of a graph must be in the same schema.",
            ));
        }
        require_suspended_root(ex, &t)?;
    }
    Ok(())
}

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    head.only(&[], "TASK")?;
    head.read_ine(p)?;
    let name = p.name(3)?;
    let key = ex.object_key(&name)?;
    if p.is_kw("WITH") || p.is_kw("TAG") {
        return Err(SfError::unsupported("CREATE TASK … WITH TAG"));
    }
    let mut data = TaskData {
        id: String::new(),
        ..TaskData::default()
    };
    for (k, v, _) in p.props(&["AS", "WHEN", "AFTER"])? {
        set_param(&mut data, &k, &v)?;
    }
    if p.is_kw("FINALIZE") || p.is_kw("EXECUTE") {
        return Err(SfError::unsupported(&format!(
            "CREATE TASK … {}",
            p.word().unwrap_or_default()
        )));
    }
    if p.eat_kw("AFTER") {
        data.predecessors = parse_after(ex, p, &key)?;
    }
    if p.eat_kw("WHEN") {
        let start = p.position();
        let end = p.find_kw("AS").ok_or_else(|| p.error_at(usize::MAX))?;
        if end == start {
            return Err(p.error());
        }
        data.condition = Some(p.text_between(start, end).to_string());
        p.seek(end);
    }
    p.expect_kw("AS")?;
    if p.at_end() {
        return Err(p.error());
    }
    data.definition = p.rest_text().to_string();
    p.skip_to_end();
    check_shape(&data)?;
    ex.writable_schema(&key.db, &key.schema)?;
    if let Some(existing) = get_opt(ex, &key)? {
        if head.if_not_exists {
            return Ok(columns::status(format!(
                "{} already exists, statement succeeded.",
                key.name
            )));
        }
        if !head.or_replace {
            return Err(SfError::already_exists(&key.name));
        }
        ex.check_owner(&existing.owner, &format!("task '{}'", key.name))?;
        let in_graph = !existing.data.predecessors.is_empty() || !children_of(ex, &key)?.is_empty();
        if in_graph || existing.data.started {
            require_suspended_root(ex, &existing)?;
        }
    }
    check_predecessors(ex, &key, &data.predecessors)?;
    data.id = format!(
        "01b0c0de-0000-0000-0000-{:012x}",
        storage::next_id(ex.conn)?
    );
    storage::put(ex.conn, ex.account, "TASK", &ex.new_obj(&key, data))?;
    Ok(created("Task", &key.name))
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.name(3)?;
    let key = ex.object_key(&name)?;
    let mut t = match get(ex, &key) {
        Ok(t) => t,
        Err(e) if if_exists && e.message.contains("Task '") => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&t.owner, &format!("task '{}'", key.name))?;
    let Some(action) = p.word() else {
        return Err(p.error());
    };
    p.advance();
    let is_root = t.data.predecessors.is_empty();
    match action.as_str() {
        "RESUME" => {
            p.end()?;
            if !is_root {
                require_suspended_root(ex, &t)?;
            } else {
                validate_graph(ex, &t)?;
            }
            if let Some(wh) = &t.data.warehouse
                && !storage::exists(ex.conn, ex.account, "WAREHOUSE", &Key::account(wh))?
            {
                return Err(SfError::not_found("Warehouse", wh));
            }
            t.data.started = true;
        }
        "SUSPEND" => {
            p.end()?;
            if !is_root {
                require_suspended_root(ex, &t)?;
            }
            if t.data.started {
                t.data.started = false;
                t.data.last_suspended_on = Some(ex.now);
                t.data.last_suspended_reason = Some("USER_SUSPENDED".into());
            }
        }
        _ => {
            require_suspended_root(ex, &t)?;
            match action.as_str() {
                "SET" => {
                    if p.is_kw("TAG") || p.is_kw("FINALIZE") {
                        return Err(SfError::unsupported(&format!(
                            "ALTER TASK … SET {}",
                            p.word().unwrap_or_default()
                        )));
                    }
                    let props = p.props(&[])?;
                    p.end()?;
                    if props.is_empty() {
                        return Err(p.error());
                    }
                    for (k, v, _) in props {
                        set_param(&mut t.data, &k, &v)?;
                    }
                }
                "UNSET" => {
                    let mut names = vec![p.ident()?];
                    while p.eat_sym(",") {
                        names.push(p.ident()?);
                    }
                    p.end()?;
                    for n in names {
                        match n.as_str() {
                            "WAREHOUSE" => t.data.warehouse = None,
                            "USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE" => {
                                t.data.managed_size = None
                            }
                            "SCHEDULE" => t.data.schedule = None,
                            "ALLOW_OVERLAPPING_EXECUTION" => t.data.allow_overlapping = false,
                            "COMMENT" => t.data.comment.clear(),
                            "CONFIG" => t.data.config = None,
                            other if INT_PARAMS.contains(&other) => {
                                t.data.params.remove(other);
                            }
                            other => return Err(SfError::unsupported(&format!("UNSET {other}"))),
                        }
                    }
                }
                "ADD" => {
                    p.expect_kw("AFTER")?;
                    let preds = parse_after(ex, p, &key)?;
                    p.end()?;
                    check_predecessors(ex, &key, &preds)?;
                    for k in preds {
                        if !t.data.predecessors.contains(&k) {
                            t.data.predecessors.push(k);
                        }
                    }
                    if creates_cycle(ex, &key, &t.data.predecessors)? {
                        return Err(SfError::compile(
                            "091096",
                            "22000",
                            format!(
                                "Graph has at least one cycle containing task {}.",
                                fqn(&[&key.db, &key.schema, &key.name])
                            ),
                        ));
                    }
                }
                "REMOVE" => {
                    if p.eat_kw("WHEN") {
                        p.end()?;
                        t.data.condition = None;
                    } else {
                        p.expect_kw("AFTER")?;
                        let preds = parse_after(ex, p, &key)?;
                        p.end()?;
                        t.data.predecessors.retain(|k| !preds.contains(k));
                        became_root(&mut t.data, ex.now);
                    }
                }
                "MODIFY" => {
                    if p.eat_kw("AS") {
                        if p.at_end() {
                            return Err(p.error());
                        }
                        t.data.definition = p.rest_text().to_string();
                        p.skip_to_end();
                    } else if p.eat_kw("WHEN") {
                        if p.at_end() {
                            return Err(p.error());
                        }
                        t.data.condition = Some(p.rest_text().to_string());
                        p.skip_to_end();
                    } else {
                        return Err(p.error());
                    }
                }
                "RENAME" => return Err(SfError::unsupported("ALTER TASK … RENAME")),
                other => return Err(SfError::unsupported(&format!("ALTER TASK … {other}"))),
            }
            check_shape(&t.data)?;
        }
    }
    storage::put(ex.conn, ex.account, "TASK", &t)?;
    Ok(done())
}

/// A child left without predecessors becomes a suspended standalone task.
fn became_root(d: &mut TaskData, now: i64) {
    if d.predecessors.is_empty() && d.started {
        d.started = false;
        d.last_suspended_on = Some(now);
        d.last_suspended_reason = Some("CHILD_BECAME_ROOT".into());
    }
}

fn creates_cycle(ex: &Ex<'_>, own: &Key, preds: &[Key]) -> Result<bool, SfError> {
    let mut todo: Vec<Key> = preds.to_vec();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(k) = todo.pop() {
        if &k == own {
            return Ok(true);
        }
        if seen.insert(k.clone())
            && let Some(t) = get_opt(ex, &k)?
        {
            todo.extend(t.data.predecessors.iter().cloned());
        }
    }
    Ok(false)
}

/// Resuming a root checks its graph has one root and no cycle.
fn validate_graph(ex: &Ex<'_>, root: &Obj<TaskData>) -> Result<(), SfError> {
    let mut todo = vec![key_of(root)];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(k) = todo.pop() {
        if !seen.insert(k.clone()) {
            continue;
        }
        for c in children_of(ex, &k)? {
            for pred in &c.data.predecessors {
                if let Some(pt) = get_opt(ex, pred)?
                    && root_of(ex, &pt)?.name != root.name
                {
                    return Err(SfError::compile(
                        "091097",
                        "22000",
                        "The graph has more than one root task (one without predecessors).",
                    ));
                }
            }
            todo.push(key_of(&c));
        }
    }
    Ok(())
}

pub fn drop(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.name(3)?;
    p.end()?;
    let key = ex.object_key(&name)?;
    let t = match get(ex, &key) {
        Ok(t) => t,
        Err(e) if if_exists && e.message.contains("Task '") => {
            return Ok(columns::status(format!(
                "Drop statement executed successfully ({} already dropped).",
                key.name
            )));
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&t.owner, &format!("task '{}'", key.name))?;
    let children = children_of(ex, &key)?;
    if !t.data.predecessors.is_empty() || !children.is_empty() {
        require_suspended_root(ex, &t)?;
    }
    for mut c in children {
        c.data.predecessors.retain(|k| k != &key);
        became_root(&mut c.data, ex.now);
        storage::put(ex.conn, ex.account, "TASK", &c)?;
    }
    storage::delete(ex.conn, ex.account, "TASK", &key)?;
    Ok(columns::status(format!(
        "{} successfully dropped.",
        key.name
    )))
}

pub fn execute_task(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    p.advance();
    if !p.eat_kw("TASK") {
        return Err(SfError::unsupported(&format!(
            "EXECUTE {}",
            p.word().unwrap_or_default()
        )));
    }
    let name = p.name(3)?;
    if p.is_kw("USING") || p.is_kw("RETRY") {
        return Err(SfError::unsupported(&format!(
            "EXECUTE TASK … {}",
            p.word().unwrap_or_default()
        )));
    }
    p.end()?;
    let key = ex.object_key(&name)?;
    let mut t = get(ex, &key)?;
    ex.check_owner(&t.owner, &format!("task '{}'", key.name))?;
    if !t.data.predecessors.is_empty() {
        return Err(SfError::user(format!(
            "Cannot execute task {}: EXECUTE TASK can only be used on a standalone or root task.",
            key.name
        )));
    }
    if let Some(wh) = &t.data.warehouse
        && !storage::exists(ex.conn, ex.account, "WAREHOUSE", &Key::account(wh))?
    {
        return Err(SfError::not_found("Warehouse", wh));
    }
    t.data.last_committed_on = Some(ex.now);
    storage::put(ex.conn, ex.account, "TASK", &t)?;
    Ok(done())
}

fn row(t: &Obj<TaskData>, terse: bool) -> Vec<Option<String>> {
    if terse {
        return vec![
            Some(ts(t.created_on)),
            opt(&t.name),
            opt("TASK"),
            opt(&t.db),
            opt(&t.schema),
        ];
    }
    let d = &t.data;
    let preds: Vec<String> = d
        .predecessors
        .iter()
        .map(|k| fqn(&[&k.db, &k.schema, &k.name]))
        .collect();
    let pretty = serde_json::to_string_pretty(&preds).unwrap_or_else(|_| "[]".into());
    let relations = serde_json::json!({ "Predecessors": preds }).to_string();
    let root = d.predecessors.is_empty();
    vec![
        Some(ts(t.created_on)),
        opt(&t.name),
        opt(&d.id),
        opt(&t.db),
        opt(&t.schema),
        opt(&t.owner),
        opt(&d.comment),
        d.warehouse.clone(),
        d.schedule.clone(),
        Some(pretty),
        opt(if d.started { "started" } else { "suspended" }),
        opt(&d.definition),
        d.condition.clone(),
        if root {
            Some(tf(d.allow_overlapping))
        } else {
            None
        },
        opt("null"),
        d.last_committed_on.map(ts),
        d.last_suspended_on.map(ts),
        opt("ROLE"),
        if root { d.config.clone() } else { None },
        None,
        Some(relations),
        d.last_suspended_reason.clone(),
        None,
        None,
        None,
        None,
    ]
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>, terse: bool) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, true)?;
    let within = ex.within(opts.scope.as_ref(), false)?;
    let roles = ex.effective_roles()?;
    let mut items = Vec::new();
    for t in storage::list::<TaskData>(ex.conn, ex.account, "TASK", within.db(), within.schema())? {
        if opts.root_only && !t.data.predecessors.is_empty() {
            continue;
        }
        if !ex.is_admin()
            && !roles.contains(&t.owner)
            && !super::grant::has_privilege(ex, &roles, "TASK", &key_of(&t))?
        {
            continue;
        }
        items.push((t.name.clone(), row(&t, terse)));
    }
    Ok(opts.finish(columns::rows(if terse { TERSE } else { TASKS }), items))
}

pub fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let name = p.name(3)?;
    p.end()?;
    let key = ex.object_key(&name)?;
    let t = get(ex, &key)?;
    let mut out = columns::rows(TASKS);
    out.rows.push(row(&t, false));
    Ok(out)
}

/// `<minute> <hour> <day> <month> <weekday> <time zone>`: five fields whose numbers
/// are in range (names such as MON or JAN and `L` pass), then a time zone word.
fn cron_fields_in_range(words: Vec<&str>) -> bool {
    const MAX: [u32; 5] = [59, 23, 31, 12, 6];
    words.len() == 6
        && words[..5].iter().zip(MAX).all(|(field, max)| {
            field
                .split([',', '-', '/'])
                .map(|part| part.trim_end_matches(['L', 'l']))
                .filter(|part| part.bytes().all(|b| b.is_ascii_digit()) && !part.is_empty())
                .all(|n| n.parse::<u32>().is_ok_and(|n| n <= max))
        })
}
