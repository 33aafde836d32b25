//! `SHOW PARAMETERS [LIKE '…'] IN WAREHOUSE <name>` and `… IN TASK <name>`: the
//! object parameters SHOW WAREHOUSES / SHOW TASKS do not print, with Snowflake's
//! columns (`key`, `value`, `default`, `level`, `description`, `type`). `level` is
//! the object's kind when the value was set on it, empty when it is the default.
//! Other scopes (ACCOUNT, SESSION, USER, DATABASE, …) are not emulated.

use super::{task, warehouse};
use crate::emulator::columns::{self, PARAMETERS};
use crate::emulator::error::SfError;
use crate::emulator::exec::{Ex, opt};
use crate::emulator::parser::{Parser, like};
use crate::runtime::session::Rows;

/// One parameter of one object.
pub struct Param {
    pub key: &'static str,
    pub value: String,
    pub default: String,
    pub description: &'static str,
    pub type_name: &'static str,
}

impl Param {
    pub fn number(key: &'static str, value: i64, default: i64, description: &'static str) -> Param {
        Param {
            key,
            value: value.to_string(),
            default: default.to_string(),
            description,
            type_name: "NUMBER",
        }
    }
}

pub fn show(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let pattern = if p.eat_kw("LIKE") {
        Some(p.string()?)
    } else {
        None
    };
    if !p.eat_kw("IN") {
        return Err(SfError::unsupported(
            "SHOW PARAMETERS without IN WAREHOUSE/TASK",
        ));
    }
    let (level, params) = if p.eat_kw("WAREHOUSE") {
        let name = p.ident()?;
        p.end()?;
        ("WAREHOUSE", warehouse::parameters(ex, &name)?)
    } else if p.eat_kw("TASK") {
        let name = p.name(3)?;
        p.end()?;
        ("TASK", task::parameters(ex, &name)?)
    } else {
        return Err(SfError::unsupported(&format!(
            "SHOW PARAMETERS IN {}",
            p.word().unwrap_or_default()
        )));
    };
    let mut out = columns::rows(PARAMETERS);
    for param in params {
        if pattern.as_deref().is_some_and(|pat| !like(pat, param.key)) {
            continue;
        }
        let set_here = param.value != param.default;
        out.rows.push(vec![
            opt(param.key),
            opt(&param.value),
            opt(&param.default),
            opt(if set_here { level } else { "" }),
            opt(param.description),
            opt(param.type_name),
        ]);
    }
    Ok(out)
}
