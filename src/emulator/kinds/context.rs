//! Session context: `USE ROLE|WAREHOUSE|DATABASE|SCHEMA` and `SELECT` of the
//! context functions (or from INFORMATION_SCHEMA views).

use super::done;
use crate::emulator::error::SfError;
use crate::emulator::exec::Ex;
use crate::emulator::parser::Parser;
use crate::emulator::storage::{self, Key};
use crate::emulator::tokenizer::Tok;
use crate::emulator::{ORGANIZATION, REGION};
use crate::runtime::session::{Column, Rows};

pub fn use_(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    p.advance();
    match p.word().as_deref() {
        Some("ROLE") => {
            p.advance();
            let role = p.ident()?;
            p.end()?;
            if !storage::exists(ex.conn, ex.account, "ROLE", &Key::account(&role))? {
                return Err(SfError::not_found("Role", &role));
            }
            ex.ctx.role = role;
        }
        Some("WAREHOUSE") => {
            p.advance();
            let wh = p.ident()?;
            p.end()?;
            if !storage::exists(ex.conn, ex.account, "WAREHOUSE", &Key::account(&wh))? {
                return Err(SfError::not_found("Warehouse", &wh));
            }
            ex.ctx.warehouse = Some(wh);
        }
        Some("SCHEMA") => {
            p.advance();
            let name = p.name(2)?;
            p.end()?;
            let (db, schema) = ex.schema_name(&name)?;
            ex.database(&db)?;
            if !ex.schema_exists(&db, &schema)? {
                return Err(SfError::not_found("Schema", &format!("{db}.{schema}")));
            }
            ex.ctx.database = Some(db);
            ex.ctx.schema = Some(schema);
        }
        Some("SECONDARY") => return Err(SfError::unsupported("USE SECONDARY ROLES")),
        _ => {
            p.eat_kw("DATABASE");
            let name = p.name(2)?;
            p.end()?;
            if name.parts.len() == 2 {
                let (db, schema) = (name.parts[0].clone(), name.parts[1].clone());
                ex.database(&db)?;
                if !ex.schema_exists(&db, &schema)? {
                    return Err(SfError::not_found("Schema", &format!("{db}.{schema}")));
                }
                ex.ctx.database = Some(db);
                ex.ctx.schema = Some(schema);
            } else {
                let db = name.parts[0].clone();
                ex.database(&db)?;
                ex.ctx.schema = if ex.schema_exists(&db, "PUBLIC")? {
                    Some("PUBLIC".into())
                } else {
                    None
                };
                ex.ctx.database = Some(db);
            }
        }
    }
    Ok(done())
}

pub fn select(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    p.advance();
    if p.find_kw("FROM").is_some() {
        return super::info_schema::select(ex, p);
    }
    let mut columns = Vec::new();
    let mut values = Vec::new();
    loop {
        let start = p.position();
        let Some(func) = p.word() else {
            return Err(p.error());
        };
        p.advance();
        p.expect_sym("(")?;
        p.expect_sym(")")?;
        let text = p
            .text_between(start, p.position())
            .to_ascii_uppercase()
            .replace(' ', "");
        let value = match func.as_str() {
            "CURRENT_ORGANIZATION_NAME" => Some(ORGANIZATION.to_string()),
            "CURRENT_ACCOUNT_NAME" | "CURRENT_ACCOUNT" => Some(ex.account.to_string()),
            "CURRENT_ROLE" => Some(ex.ctx.role.clone()),
            "CURRENT_REGION" => Some(REGION.to_string()),
            "CURRENT_WAREHOUSE" => ex.ctx.warehouse.clone(),
            "CURRENT_DATABASE" => ex.ctx.database.clone(),
            "CURRENT_SCHEMA" => ex.ctx.schema.clone(),
            other => return Err(SfError::unsupported(&format!("SELECT {other}()"))),
        };
        let aliased = p.eat_kw("AS") || matches!(p.peek().tok, Tok::Word(_) | Tok::Quoted(_));
        let name = if aliased { p.ident()? } else { text };
        columns.push(Column {
            name,
            type_name: "TEXT".into(),
        });
        values.push(value);
        if !p.eat_sym(",") {
            break;
        }
    }
    p.end()?;
    Ok(Rows {
        columns,
        rows: vec![values],
    })
}
