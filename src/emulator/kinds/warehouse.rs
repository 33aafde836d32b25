//! Warehouses: CREATE/ALTER (SET, UNSET, SUSPEND, RESUME, RENAME)/DROP, SHOW and
//! DESCRIBE, with Snowflake's size display forms and defaults.

use serde::{Deserialize, Serialize};

use super::{Existing, check_existing, created, done, int_in, text_value};
use crate::emulator::columns::{self, DESC_KIND, WAREHOUSES};
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex, opt};
use crate::emulator::parser::{Parser, Value};
use crate::emulator::render::{tf, ts, yn};
use crate::emulator::show;
use crate::emulator::storage::{self, Key, Obj};
use crate::runtime::session::Rows;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WarehouseData {
    pub wh_type: String,
    pub size: String,
    pub min_cluster_count: i64,
    pub max_cluster_count: i64,
    pub scaling_policy: String,
    pub auto_suspend: Option<i64>,
    pub auto_resume: bool,
    pub started: bool,
    pub comment: String,
    pub enable_query_acceleration: bool,
    pub query_acceleration_max_scale_factor: i64,
    pub resource_monitor: Option<String>,
    pub resource_constraint: Option<String>,
    pub generation: Option<String>,
    pub max_concurrency_level: i64,
    pub statement_queued_timeout_in_seconds: i64,
    pub statement_timeout_in_seconds: i64,
    pub resumed_on: i64,
    pub updated_on: i64,
    pub uuid: i64,
}

impl WarehouseData {
    fn new(now: i64, uuid: i64) -> WarehouseData {
        WarehouseData {
            wh_type: "STANDARD".into(),
            size: "X-Small".into(),
            min_cluster_count: 1,
            max_cluster_count: 1,
            scaling_policy: "STANDARD".into(),
            auto_suspend: Some(600),
            auto_resume: true,
            started: true,
            comment: String::new(),
            enable_query_acceleration: false,
            query_acceleration_max_scale_factor: 8,
            resource_monitor: None,
            resource_constraint: None,
            generation: Some("1".into()),
            max_concurrency_level: 8,
            statement_queued_timeout_in_seconds: 0,
            statement_timeout_in_seconds: 172_800,
            resumed_on: now,
            updated_on: now,
            uuid,
        }
    }
}

/// DDL size spellings → the display form SHOW prints.
pub fn display_size(v: &str) -> Option<&'static str> {
    Some(match v.to_ascii_uppercase().replace('_', "-").as_str() {
        "XSMALL" | "X-SMALL" => "X-Small",
        "SMALL" => "Small",
        "MEDIUM" => "Medium",
        "LARGE" => "Large",
        "XLARGE" | "X-LARGE" => "X-Large",
        "XXLARGE" | "X2LARGE" | "2X-LARGE" => "2X-Large",
        "XXXLARGE" | "X3LARGE" | "3X-LARGE" => "3X-Large",
        "X4LARGE" | "4X-LARGE" => "4X-Large",
        "X5LARGE" | "5X-LARGE" => "5X-Large",
        "X6LARGE" | "6X-LARGE" => "6X-Large",
        _ => return None,
    })
}

fn set_prop(d: &mut WarehouseData, key: &str, v: &Value, creating: bool) -> Result<(), SfError> {
    let text = || v.text().unwrap_or_default();
    let int = || {
        v.as_i64()
            .ok_or_else(|| SfError::invalid_value(&text(), key))
    };
    let boolean = || {
        v.as_bool()
            .ok_or_else(|| SfError::invalid_value(&text(), key))
    };
    match key {
        "WAREHOUSE_SIZE" => {
            d.size = display_size(&text())
                .ok_or_else(|| SfError::invalid_value(&text(), key))?
                .into();
        }
        "WAREHOUSE_TYPE" => {
            let t = text().to_ascii_uppercase().replace('_', "-");
            match t.as_str() {
                "STANDARD" => {
                    d.wh_type = t;
                    d.resource_constraint = None;
                    if d.generation.is_none() {
                        d.generation = Some("1".into());
                    }
                }
                "SNOWPARK-OPTIMIZED" => {
                    d.wh_type = t;
                    d.resource_constraint
                        .get_or_insert_with(|| "MEMORY_16X".into());
                    d.generation = None;
                }
                _ => return Err(SfError::invalid_value(&text(), key)),
            }
        }
        // The largest documented limit (X-Small to Medium); larger sizes allow fewer.
        "MIN_CLUSTER_COUNT" => d.min_cluster_count = int_in(v, key, 1, 300)?,
        "MAX_CLUSTER_COUNT" => d.max_cluster_count = int_in(v, key, 1, 300)?,
        "SCALING_POLICY" => {
            let t = text().to_ascii_uppercase();
            if t != "STANDARD" && t != "ECONOMY" {
                return Err(SfError::invalid_value(&text(), key));
            }
            d.scaling_policy = t;
        }
        "AUTO_SUSPEND" => {
            d.auto_suspend = if text().eq_ignore_ascii_case("NULL") {
                None
            } else {
                Some(int_in(v, key, 0, i64::MAX)?)
            };
        }
        "AUTO_RESUME" => d.auto_resume = boolean()?,
        "INITIALLY_SUSPENDED" if creating => d.started = !boolean()?,
        "COMMENT" => d.comment = text_value(v, key)?,
        "ENABLE_QUERY_ACCELERATION" => d.enable_query_acceleration = boolean()?,
        "QUERY_ACCELERATION_MAX_SCALE_FACTOR" => d.query_acceleration_max_scale_factor = int()?,
        "RESOURCE_MONITOR" => {
            d.resource_monitor = Some(
                v.as_ident()
                    .ok_or_else(|| SfError::invalid_value(&text(), key))?,
            )
        }
        "RESOURCE_CONSTRAINT" => d.resource_constraint = Some(text().to_ascii_uppercase()),
        "GENERATION" => {
            let g = text();
            if g != "1" && g != "2" {
                return Err(SfError::invalid_value(&g, key));
            }
            d.generation = Some(g);
        }
        "MAX_CONCURRENCY_LEVEL" => d.max_concurrency_level = int()?,
        "STATEMENT_QUEUED_TIMEOUT_IN_SECONDS" => d.statement_queued_timeout_in_seconds = int()?,
        "STATEMENT_TIMEOUT_IN_SECONDS" => d.statement_timeout_in_seconds = int()?,
        other => return Err(SfError::unsupported(&format!("WAREHOUSE property {other}"))),
    }
    if d.min_cluster_count > d.max_cluster_count {
        return Err(SfError::compile(
            "002051",
            "22023",
            "Min cluster count must be less than or equal to max cluster count.",
        ));
    }
    Ok(())
}

fn get(ex: &Ex<'_>, name: &str) -> Result<Obj<WarehouseData>, SfError> {
    storage::get(ex.conn, ex.account, "WAREHOUSE", &Key::account(name))?
        .ok_or_else(|| SfError::not_found("Warehouse", name))
}

pub fn create(ex: &mut Ex<'_>, p: &mut Parser<'_>, mut head: CreateHead) -> Result<Rows, SfError> {
    head.only(&[], "WAREHOUSE")?;
    head.read_ine(p)?;
    let name = p.ident()?;
    p.eat_kw("WITH");
    if p.is_kw("TAG") {
        return Err(SfError::unsupported("WITH TAG"));
    }
    let props = p.props(&[])?;
    p.end()?;
    if !ex.has_account_privilege("CREATE WAREHOUSE")? {
        return Err(SfError::insufficient_privileges(&format!(
            "account '{}'",
            ex.account
        )));
    }
    let key = Key::account(&name);
    if let Existing::Skip(rows) = check_existing(ex, "WAREHOUSE", &key, &head, "Warehouse")? {
        return Ok(rows);
    }
    let mut data = WarehouseData::new(ex.now, storage::next_id(ex.conn)?);
    let is_snowpark = props.iter().any(|(k, v, _)| {
        k == "WAREHOUSE_TYPE"
            && v.text()
                .is_some_and(|t| t.to_ascii_uppercase().replace('_', "-") == "SNOWPARK-OPTIMIZED")
    });
    if is_snowpark {
        data.size = "Medium".into();
    }
    for (k, v, _) in &props {
        set_prop(&mut data, k, v, true)?;
    }
    storage::put(ex.conn, ex.account, "WAREHOUSE", &ex.new_obj(&key, data))?;
    ex.ctx.warehouse = Some(name.clone());
    Ok(created("Warehouse", &name))
}

pub fn alter(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = match p.word().as_deref() {
        Some("SET" | "UNSET" | "SUSPEND" | "RESUME" | "RENAME" | "ABORT") => ex
            .ctx
            .warehouse
            .clone()
            .ok_or_else(|| SfError::not_found("Warehouse", "<current>"))?,
        _ => p.ident()?,
    };
    let Some(action) = p.word() else {
        return Err(p.error());
    };
    p.advance();
    let mut w = match get(ex, &name) {
        Ok(w) => w,
        Err(_) if if_exists => {
            p.skip_to_end();
            return Ok(done());
        }
        Err(e) => return Err(e),
    };
    ex.check_owner(&w.owner, &format!("warehouse '{name}'"))?;
    match action.as_str() {
        "SUSPEND" => {
            p.end()?;
            if !w.data.started {
                return Err(SfError::new(
                    "090064",
                    "22000",
                    format!("Invalid state. Warehouse '{name}' cannot be suspended."),
                ));
            }
            w.data.started = false;
        }
        "RESUME" => {
            let if_suspended = p.eat_kws(&["IF", "SUSPENDED"]);
            p.end()?;
            if w.data.started && !if_suspended {
                return Err(SfError::new(
                    "090063",
                    "22000",
                    format!("Invalid state. Warehouse '{name}' cannot be resumed."),
                ));
            }
            if !w.data.started {
                w.data.started = true;
                w.data.resumed_on = ex.now;
            }
        }
        "SET" => {
            if p.is_kw("TAG") {
                return Err(SfError::unsupported("SET TAG"));
            }
            let props = p.props(&[])?;
            p.end()?;
            if props.is_empty() {
                return Err(p.error());
            }
            for (k, v, _) in &props {
                if k == "WAIT_FOR_COMPLETION" {
                    continue;
                }
                set_prop(&mut w.data, k, v, false)?;
            }
        }
        "UNSET" => {
            let mut names = vec![p.ident()?];
            while p.eat_sym(",") {
                names.push(p.ident()?);
            }
            p.end()?;
            let defaults = WarehouseData::new(ex.now, 0);
            for n in names {
                match n.as_str() {
                    "WAREHOUSE_SIZE" => return Err(SfError::unsupported("UNSET WAREHOUSE_SIZE")),
                    "COMMENT" => w.data.comment.clear(),
                    "AUTO_SUSPEND" => w.data.auto_suspend = Some(0),
                    "AUTO_RESUME" => w.data.auto_resume = defaults.auto_resume,
                    "MIN_CLUSTER_COUNT" => w.data.min_cluster_count = 1,
                    "MAX_CLUSTER_COUNT" => w.data.max_cluster_count = 1,
                    "SCALING_POLICY" => w.data.scaling_policy = defaults.scaling_policy.clone(),
                    "RESOURCE_MONITOR" => w.data.resource_monitor = None,
                    "ENABLE_QUERY_ACCELERATION" => w.data.enable_query_acceleration = false,
                    "QUERY_ACCELERATION_MAX_SCALE_FACTOR" => {
                        w.data.query_acceleration_max_scale_factor = 8
                    }
                    "MAX_CONCURRENCY_LEVEL" => w.data.max_concurrency_level = 8,
                    "STATEMENT_QUEUED_TIMEOUT_IN_SECONDS" => {
                        w.data.statement_queued_timeout_in_seconds = 0
                    }
                    "STATEMENT_TIMEOUT_IN_SECONDS" => w.data.statement_timeout_in_seconds = 172_800,
                    other => return Err(SfError::unsupported(&format!("UNSET {other}"))),
                }
            }
        }
        "RENAME" => {
            p.expect_kw("TO")?;
            let new = p.ident()?;
            p.end()?;
            if storage::exists(ex.conn, ex.account, "WAREHOUSE", &Key::account(&new))? {
                return Err(SfError::already_exists(&new));
            }
            storage::delete(ex.conn, ex.account, "WAREHOUSE", &Key::account(&name))?;
            w.name = new.clone();
            if ex.ctx.warehouse.as_deref() == Some(name.as_str()) {
                ex.ctx.warehouse = Some(new);
            }
        }
        other => return Err(SfError::unsupported(&format!("ALTER WAREHOUSE … {other}"))),
    }
    w.data.updated_on = ex.now;
    storage::put(ex.conn, ex.account, "WAREHOUSE", &w)?;
    Ok(done())
}

pub fn drop(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let if_exists = p.eat_kws(&["IF", "EXISTS"]);
    let name = p.ident()?;
    p.end()?;
    let key = Key::account(&name);
    match storage::get::<WarehouseData>(ex.conn, ex.account, "WAREHOUSE", &key)? {
        None if if_exists => Ok(columns::status(format!(
            "Drop statement executed successfully ({name} already dropped)."
        ))),
        None => Err(SfError::not_found("Warehouse", &name)),
        Some(w) => {
            ex.check_owner(&w.owner, &format!("warehouse '{name}'"))?;
            storage::delete(ex.conn, ex.account, "WAREHOUSE", &key)?;
            if ex.ctx.warehouse.as_deref() == Some(name.as_str()) {
                ex.ctx.warehouse = None;
            }
            Ok(columns::status(format!("{name} successfully dropped.")))
        }
    }
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let opts = show::parse_opts(p, false)?;
    let all: Vec<Obj<WarehouseData>> = storage::list(ex.conn, ex.account, "WAREHOUSE", None, None)?;
    let mut items = Vec::new();
    for w in all {
        let d = &w.data;
        let s = |v: &str| Some(v.to_string());
        let n = |v: i64| Some(v.to_string());
        let running = d.started;
        let row = vec![
            s(&w.name),
            s(if running { "STARTED" } else { "SUSPENDED" }),
            s(&d.wh_type),
            s(&d.size),
            n(d.min_cluster_count),
            n(d.max_cluster_count),
            n(if running { d.min_cluster_count } else { 0 }),
            n(0),
            n(0),
            s("N"),
            Some(yn(ex.ctx.warehouse.as_deref() == Some(w.name.as_str()))),
            s("N"),
            d.auto_suspend.map(|v| v.to_string()),
            Some(tf(d.auto_resume)),
            s(if running { "100" } else { "" }),
            s(if running { "0" } else { "" }),
            s(if running { "0" } else { "" }),
            s(if running { "0" } else { "" }),
            Some(ts(w.created_on)),
            Some(ts(d.resumed_on)),
            Some(ts(d.updated_on)),
            s(&w.owner),
            s(&d.comment),
            Some(tf(d.enable_query_acceleration)),
            n(d.query_acceleration_max_scale_factor),
            Some(d.resource_monitor.clone().unwrap_or_else(|| "null".into())),
            n(0),
            n(0),
            n(0),
            n(0),
            Some(d.uuid.to_string()),
            s(&d.scaling_policy),
            None,
            s("ROLE"),
            d.resource_constraint.clone(),
            d.generation.clone(),
        ];
        items.push((w.name.clone(), row));
    }
    Ok(opts.finish(columns::rows(WAREHOUSES), items))
}

pub fn describe(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let name = p.ident()?;
    p.end()?;
    let w = get(ex, &name)?;
    let mut r = columns::rows(DESC_KIND);
    r.rows
        .push(vec![Some(ts(w.created_on)), opt(&w.name), opt("WAREHOUSE")]);
    Ok(r)
}
