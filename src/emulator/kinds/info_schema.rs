//! `SELECT <cols|*> FROM <db>.INFORMATION_SCHEMA.<COLUMNS|PROCEDURES|FUNCTIONS>
//! [WHERE col = 'lit' [AND …]] [ORDER BY col [ASC|DESC], …]` with the column names
//! Snowflake documents for those views; anything richer is refused.

use std::cmp::Ordering;

use super::routine::{self, Routine};
use crate::emulator::error::SfError;
use crate::emulator::exec::{Ex, Within};
use crate::emulator::parser::Parser;
use crate::emulator::render::{quote_part, ts};
use crate::emulator::tokenizer::Tok;
use crate::runtime::session::{Column, Rows};

const T: &str = "TEXT";
const F: &str = "FIXED";
const TS: &str = "TIMESTAMP_LTZ";

const COLUMNS_VIEW: &[(&str, &str)] = &[
    ("TABLE_CATALOG", T),
    ("TABLE_SCHEMA", T),
    ("TABLE_NAME", T),
    ("COLUMN_NAME", T),
    ("ORDINAL_POSITION", F),
    ("COLUMN_DEFAULT", T),
    ("IS_NULLABLE", T),
    ("DATA_TYPE", T),
    ("CHARACTER_MAXIMUM_LENGTH", F),
    ("CHARACTER_OCTET_LENGTH", F),
    ("NUMERIC_PRECISION", F),
    ("NUMERIC_PRECISION_RADIX", F),
    ("NUMERIC_SCALE", F),
    ("DATETIME_PRECISION", F),
    ("INTERVAL_TYPE", T),
    ("INTERVAL_PRECISION", F),
    ("CHARACTER_SET_CATALOG", T),
    ("CHARACTER_SET_SCHEMA", T),
    ("CHARACTER_SET_NAME", T),
    ("COLLATION_CATALOG", T),
    ("COLLATION_SCHEMA", T),
    ("COLLATION_NAME", T),
    ("DOMAIN_CATALOG", T),
    ("DOMAIN_SCHEMA", T),
    ("DOMAIN_NAME", T),
    ("UDT_CATALOG", T),
    ("UDT_SCHEMA", T),
    ("UDT_NAME", T),
    ("SCOPE_CATALOG", T),
    ("SCOPE_SCHEMA", T),
    ("SCOPE_NAME", T),
    ("MAXIMUM_CARDINALITY", F),
    ("DTD_IDENTIFIER", T),
    ("IS_SELF_REFERENCING", T),
    ("IS_IDENTITY", T),
    ("IDENTITY_GENERATION", T),
    ("IDENTITY_START", T),
    ("IDENTITY_INCREMENT", T),
    ("IDENTITY_MAXIMUM", T),
    ("IDENTITY_MINIMUM", T),
    ("IDENTITY_CYCLE", T),
    ("IDENTITY_ORDERED", T),
    ("SCHEMA_EVOLUTION_RECORD", T),
    ("COMMENT", T),
];

const PROCEDURES_VIEW: &[(&str, &str)] = &[
    ("PROCEDURE_CATALOG", T),
    ("PROCEDURE_SCHEMA", T),
    ("PROCEDURE_NAME", T),
    ("PROCEDURE_OWNER", T),
    ("ARGUMENT_SIGNATURE", T),
    ("DATA_TYPE", T),
    ("CHARACTER_MAXIMUM_LENGTH", F),
    ("CHARACTER_OCTET_LENGTH", F),
    ("NUMERIC_PRECISION", F),
    ("NUMERIC_PRECISION_RADIX", F),
    ("NUMERIC_SCALE", F),
    ("PROCEDURE_LANGUAGE", T),
    ("PROCEDURE_DEFINITION", T),
    ("CREATED", TS),
    ("LAST_ALTERED", TS),
    ("COMMENT", T),
    ("EXTERNAL_ACCESS_INTEGRATIONS", T),
    ("SECRETS", T),
    ("OWNER_ROLE_TYPE", T),
];

const FUNCTIONS_VIEW: &[(&str, &str)] = &[
    ("FUNCTION_CATALOG", T),
    ("FUNCTION_SCHEMA", T),
    ("FUNCTION_NAME", T),
    ("FUNCTION_OWNER", T),
    ("ARGUMENT_SIGNATURE", T),
    ("DATA_TYPE", T),
    ("CHARACTER_MAXIMUM_LENGTH", F),
    ("CHARACTER_OCTET_LENGTH", F),
    ("NUMERIC_PRECISION", F),
    ("NUMERIC_PRECISION_RADIX", F),
    ("NUMERIC_SCALE", F),
    ("FUNCTION_LANGUAGE", T),
    ("FUNCTION_DEFINITION", T),
    ("VOLATILITY", T),
    ("IS_NULL_CALL", T),
    ("IS_SECURE", T),
    ("CREATED", TS),
    ("LAST_ALTERED", TS),
    ("COMMENT", T),
    ("IS_EXTERNAL", T),
    ("API_INTEGRATION", T),
    ("CONTEXT_HEADERS", T),
    ("MAX_BATCH_ROWS", F),
    ("COMPRESSION", T),
    ("PACKAGES", T),
    ("RUNTIME_VERSION", T),
    ("INSTALLED_PACKAGES", T),
    ("IS_MEMOIZABLE", T),
    ("IS_DATA_METRIC", T),
    ("EXTERNAL_ACCESS_INTEGRATIONS", T),
    ("SECRETS", T),
    ("OWNER_ROLE_TYPE", T),
];

/// Every view the emulator answers, by name (for the column-list test).
pub fn views() -> Vec<(&'static str, &'static [(&'static str, &'static str)])> {
    vec![
        ("COLUMNS", COLUMNS_VIEW),
        ("PROCEDURES", PROCEDURES_VIEW),
        ("FUNCTIONS", FUNCTIONS_VIEW),
    ]
}

fn invalid_identifier(name: &str) -> SfError {
    SfError::compile(
        "000904",
        "42000",
        format!("invalid identifier '{}'", quote_part(name)),
    )
}

fn n(v: Option<i64>) -> Option<String> {
    v.map(|x| x.to_string())
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

fn column_rows(ex: &Ex<'_>, db: &str) -> Result<Vec<Vec<Option<String>>>, SfError> {
    let mut out = Vec::new();
    for t in
        super::table::tables_in::<super::table::TableData>(ex, &Within::Database(db.to_string()))?
    {
        for (i, c) in t.data.columns.iter().enumerate() {
            let ty = &c.ty;
            let (chars, octets) = match ty.base.as_str() {
                "VARCHAR" => {
                    let l = ty.a.unwrap_or(16_777_216);
                    (Some(l), Some((l * 4).min(16_777_216)))
                }
                "BINARY" => (ty.a, ty.a),
                _ => (None, None),
            };
            let (prec, radix, scale) = match ty.base.as_str() {
                "NUMBER" => (ty.a, Some(10), ty.b),
                "FLOAT" => (Some(53), Some(2), None),
                _ => (None, None, None),
            };
            let dt_prec = match ty.base.as_str() {
                "TIME" | "TIMESTAMP_NTZ" | "TIMESTAMP_LTZ" | "TIMESTAMP_TZ" => ty.a,
                "DATE" => Some(0),
                _ => None,
            };
            let mut row = vec![
                s(&t.db),
                s(&t.schema),
                s(&t.name),
                s(&c.name),
                Some((i + 1).to_string()),
                c.default.clone(),
                s(if c.nullable { "YES" } else { "NO" }),
                s(ty.info_name()),
                n(chars),
                n(octets),
                n(prec),
                n(radix),
                n(scale),
                n(dt_prec),
            ];
            row.resize(COLUMNS_VIEW.len(), None);
            let at = |name: &str| {
                COLUMNS_VIEW
                    .iter()
                    .position(|(c, _)| *c == name)
                    .unwrap_or(0)
            };
            row[at("IS_SELF_REFERENCING")] = s("NO");
            row[at("IS_IDENTITY")] = s("NO");
            row[at("COMMENT")] = c.comment.clone();
            out.push(row);
        }
    }
    Ok(out)
}

fn return_parts(r: &routine::RoutineData) -> [Option<String>; 5] {
    match &r.returns_type {
        Some(t) if t.base == "VARCHAR" => {
            let l = t.a.unwrap_or(16_777_216);
            [
                n(Some(l)),
                n(Some((l * 4).min(16_777_216))),
                None,
                None,
                None,
            ]
        }
        Some(t) if t.base == "NUMBER" => [None, None, n(t.a), n(Some(10)), n(t.b)],
        _ => [None, None, None, None, None],
    }
}

fn routine_rows(ex: &Ex<'_>, db: &str, kind: Routine) -> Result<Vec<Vec<Option<String>>>, SfError> {
    let mut out = Vec::new();
    for r in routine::all_in(ex, kind, db)? {
        let d = &r.data;
        let sig = format!(
            "({})",
            d.args
                .iter()
                .map(|a| format!("{} {}", a.name, a.ty.legacy()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let eai = if d.external_access_integrations.is_empty() {
            None
        } else {
            Some(format!("[{}]", d.external_access_integrations.join(", ")))
        };
        let [cml, col, np, npr, ns] = return_parts(d);
        let mut row = vec![
            s(&r.db),
            s(&r.schema),
            s(&r.name),
            s(&r.owner),
            Some(sig),
            s(&d.returns),
            cml,
            col,
            np,
            npr,
            ns,
            s(&d.language),
            d.body.clone(),
        ];
        match kind {
            Routine::Procedure => row.extend([
                Some(ts(r.created_on)),
                Some(ts(d.last_altered)),
                d.comment.clone(),
                eai,
                None,
                s("ROLE"),
            ]),
            Routine::Function => {
                let packages = if d.packages.is_empty() {
                    None
                } else {
                    Some(format!(
                        "[{}]",
                        d.packages
                            .iter()
                            .map(|p| format!("'{p}'"))
                            .collect::<Vec<_>>()
                            .join(",")
                    ))
                };
                row.extend([
                    s(&d.volatility),
                    s(if d.null_handling == "CALLED ON NULL INPUT" {
                        "YES"
                    } else {
                        "NO"
                    }),
                    s(if d.secure { "YES" } else { "NO" }),
                    Some(ts(r.created_on)),
                    Some(ts(d.last_altered)),
                    d.comment.clone(),
                    s("NO"),
                    None,
                    None,
                    None,
                    None,
                    packages.clone(),
                    d.runtime_version.clone(),
                    packages,
                    s("NO"),
                    s("NO"),
                    eai,
                    None,
                    s("ROLE"),
                ]);
            }
        }
        out.push(row);
    }
    Ok(out)
}

pub fn select(ex: &mut Ex<'_>, p: &mut Parser<'_>) -> Result<Rows, SfError> {
    let mut wanted: Option<Vec<String>> = None;
    if !p.eat_sym("*") {
        let mut cols = vec![p.ident()?];
        while p.eat_sym(",") {
            cols.push(p.ident()?);
        }
        wanted = Some(cols);
    }
    p.expect_kw("FROM")?;
    let from = p.name(3)?;
    let (db, view) = match from.parts.as_slice() {
        [d, s, v] if s == "INFORMATION_SCHEMA" => (d.clone(), v.clone()),
        [s, v] if s == "INFORMATION_SCHEMA" => (ex.current_db()?, v.clone()),
        _ => {
            return Err(SfError::unsupported(
                "SELECT from anything but INFORMATION_SCHEMA views",
            ));
        }
    };
    let layout: &[(&str, &str)] = match view.as_str() {
        "COLUMNS" => COLUMNS_VIEW,
        "PROCEDURES" => PROCEDURES_VIEW,
        "FUNCTIONS" => FUNCTIONS_VIEW,
        other => return Err(SfError::unsupported(&format!("INFORMATION_SCHEMA.{other}"))),
    };
    let index = |name: &str| {
        layout
            .iter()
            .position(|(c, _)| *c == name)
            .ok_or_else(|| invalid_identifier(name))
    };
    let mut filters = Vec::new();
    if p.eat_kw("WHERE") {
        loop {
            let col = p.ident()?;
            if !p.eat_sym("=") {
                return Err(SfError::unsupported(
                    "WHERE conditions other than column = 'literal'",
                ));
            }
            let value = match &p.peek().tok {
                Tok::Str(s) => s.clone(),
                _ => {
                    return Err(SfError::unsupported(
                        "WHERE conditions other than column = 'literal'",
                    ));
                }
            };
            p.advance();
            filters.push((index(&col)?, value));
            if !p.eat_kw("AND") {
                break;
            }
        }
    }
    let mut order = Vec::new();
    if p.eat_kws(&["ORDER", "BY"]) {
        loop {
            let col = p.ident()?;
            let desc = if p.eat_kw("DESC") {
                true
            } else {
                p.eat_kw("ASC");
                false
            };
            order.push((index(&col)?, desc));
            if !p.eat_sym(",") {
                break;
            }
        }
    }
    p.end()?;
    ex.database(&db)?;
    let mut rows = match view.as_str() {
        "COLUMNS" => column_rows(ex, &db)?,
        "PROCEDURES" => routine_rows(ex, &db, Routine::Procedure)?,
        _ => routine_rows(ex, &db, Routine::Function)?,
    };
    rows.retain(|r| {
        filters
            .iter()
            .all(|(i, v)| r[*i].as_deref() == Some(v.as_str()))
    });
    let numeric = |i: usize| layout[i].1 == F;
    rows.sort_by(|a, b| {
        for (i, desc) in &order {
            let o = if numeric(*i) {
                let x = a[*i].as_deref().and_then(|v| v.parse::<i64>().ok());
                let y = b[*i].as_deref().and_then(|v| v.parse::<i64>().ok());
                x.cmp(&y)
            } else {
                a[*i].cmp(&b[*i])
            };
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    let picks: Vec<usize> = match &wanted {
        None => (0..layout.len()).collect(),
        Some(cols) => cols.iter().map(|c| index(c)).collect::<Result<_, _>>()?,
    };
    Ok(Rows {
        columns: picks
            .iter()
            .map(|i| Column {
                name: layout[*i].0.to_string(),
                type_name: layout[*i].1.to_string(),
            })
            .collect(),
        rows: rows
            .into_iter()
            .map(|r| picks.iter().map(|i| r[*i].clone()).collect())
            .collect(),
    })
}
