//! Lowering the code that runs in a schema: tasks, procedures and functions.
//!
//! Procedures and functions share one path ([`RoutineParts`]): arguments, language,
//! the body written inline or read from a file, and imports qualified to their stage.

use std::path::Path;

use super::{FileCtx, Lowerer, Opened, field_span, io_reason};
use crate::manifest::diagnostics::{Diagnostic, codes, did_you_mean};
use crate::manifest::names::{self, Scope};
use crate::manifest::raw;
use crate::manifest::yaml::{Node, Span};
use crate::model::*;

/// The fields procedures and functions share, moved out of either raw definition.
macro_rules! routine_parts {
    ($raw:ident, $execute_as:expr) => {
        RoutineParts {
            arguments: $raw.arguments,
            returns: $raw.returns,
            language: $raw.language,
            runtime_version: $raw.runtime_version,
            packages: $raw.packages,
            imports: $raw.imports,
            handler: $raw.handler,
            body: $raw.body,
            body_file: $raw.body_file,
            secure: $raw.secure,
            execute_as: $execute_as,
            comment: $raw.comment,
        }
    };
}

impl Lowerer<'_> {
    pub(super) fn task(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
        let Some(Opened { id, what, raw }) =
            self.open_schema_object::<raw::TaskRaw>(ctx, scope, ObjectKind::Task, key, value)
        else {
            return;
        };
        if raw.warehouse.is_some() && raw.serverless_size.is_some() {
            self.diag(
                Diagnostic::new(
                    codes::FIELD_CONFLICT,
                    format!("{what} sets both `warehouse` and `serverless_size`"),
                )
                .at(
                    field_span(value, "serverless_size", key.span),
                    "serverless tasks have no warehouse",
                ),
            );
        }
        let warehouse = match &raw.warehouse {
            Some(w) => {
                let span = field_span(value, "warehouse", key.span);
                match self.ident_ref(w, span, "warehouse") {
                    Some(id) => Some(id),
                    None => return,
                }
            }
            None => None,
        };
        let mut after = Vec::new();
        for (i, a) in raw.after.iter().enumerate() {
            match names::object_level(a, scope) {
                Ok(n) => after.push(n),
                Err(e) => {
                    let span = value
                        .get("after")
                        .and_then(|n| n.index(i))
                        .map(|n| n.span)
                        .unwrap_or(key.span);
                    self.name_error(e, a, span, "task");
                }
            }
        }
        if let Some(schedule) = &raw.schedule
            && !is_valid_schedule(schedule)
        {
            self.diag(
                Diagnostic::new(codes::VALUE_INVALID, format!("{what} has an invalid schedule `{schedule}`"))
                    .at(field_span(value, "schedule", key.span), "not a task schedule")
                    .expected("`<n> MINUTE`, `<n> HOURS`, `<n> SECONDS` or `USING CRON <min> <hour> <day> <month> <weekday> <time zone>`"),
            );
        }
        if raw.body.trim().is_empty() {
            self.diag(
                Diagnostic::new(codes::VALUE_INVALID, format!("{what} has an empty body")).at(
                    field_span(value, "body", key.span),
                    "expected an SQL statement",
                ),
            );
        }
        let spec = TaskSpec {
            warehouse,
            serverless_size: raw.serverless_size.map(|s| s.sql().to_string()),
            schedule: raw.schedule.map(|s| s.trim().to_string()),
            when: raw.when.map(|s| s.trim().to_string()),
            after,
            body: raw.body.trim_end().to_string(),
            allow_overlapping_execution: raw.allow_overlapping_execution,
            state: raw.state.map(|s| match s {
                raw::TaskStateRaw::Started => TaskState::Started,
                raw::TaskStateRaw::Suspended => TaskState::Suspended,
            }),
            comment: raw.comment,
        };
        self.declare(id, Spec::Task(spec), key.span, value);
    }

    pub(super) fn procedure(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
        let what = format!("procedure `{}`", key.as_str().unwrap_or_default());
        let Some(raw) = self.parse::<raw::ProcedureRaw>(value, key.span, &what) else {
            return;
        };
        let execute_as = raw.execute_as.map(|e| match e {
            raw::ExecuteAs::Owner => "OWNER".to_string(),
            raw::ExecuteAs::Caller => "CALLER".to_string(),
        });
        let parts = routine_parts!(raw, execute_as);
        self.routine(ctx, scope, key, value, ObjectKind::Procedure, parts);
    }

    pub(super) fn function(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
        let what = format!("function `{}`", key.as_str().unwrap_or_default());
        let Some(raw) = self.parse::<raw::FunctionRaw>(value, key.span, &what) else {
            return;
        };
        let parts = routine_parts!(raw, None);
        self.routine(ctx, scope, key, value, ObjectKind::Function, parts);
    }

    pub(super) fn routine(
        &mut self,
        ctx: &FileCtx,
        scope: &Scope,
        key: &Node,
        value: &Node,
        kind: ObjectKind,
        r: RoutineParts,
    ) {
        let Some(name) = self.object_name(scope, key, kind) else {
            return;
        };
        let what = format!("{} `{name}`", kind.as_str());
        let mut arguments = Vec::new();
        let args_node = value.get("arguments");
        for (i, a) in r.arguments.iter().enumerate() {
            let item = args_node.and_then(|n| n.index(i));
            match Ident::parse(&a.name) {
                Ok(n) => arguments.push(Argument {
                    name: n,
                    data_type: a.data_type.trim().to_string(),
                }),
                Err(e) => {
                    let span = item
                        .and_then(|n| n.get("name"))
                        .map(|n| n.span)
                        .unwrap_or(key.span);
                    self.diag(
                        Diagnostic::new(
                            codes::IDENT_INVALID,
                            format!("invalid argument name `{}` in {what}", a.name),
                        )
                        .at(span, e.to_string()),
                    );
                }
            }
            if !names::is_known_type(&a.data_type) {
                let span = item
                    .and_then(|n| n.get("type"))
                    .map(|n| n.span)
                    .unwrap_or(key.span);
                self.diag(
                    Diagnostic::new(
                        codes::VALUE_INVALID,
                        format!(
                            "unknown data type `{}` for argument `{}` in {what}",
                            a.data_type, a.name
                        ),
                    )
                    .at(span, "not a Snowflake data type")
                    .maybe_hint(did_you_mean(
                        &names::base_type(&a.data_type),
                        names::DATA_TYPES.iter().copied(),
                    )),
                );
            }
        }
        let language = match r.language {
            raw::LanguageRaw::Python => Language::Python,
            raw::LanguageRaw::Sql => Language::Sql,
        };
        if language == Language::Python {
            for field in ["runtime_version", "handler"] {
                let missing = match field {
                    "runtime_version" => r.runtime_version.is_none(),
                    _ => r.handler.is_none(),
                };
                if missing {
                    self.diag(
                        Diagnostic::new(
                            codes::FIELD_MISSING,
                            format!("Python {what} is missing the field `{field}`"),
                        )
                        .at(key.span, format!("`{field}` is required for Python")),
                    );
                }
            }
        }
        let body = match (&r.body, &r.body_file) {
            (Some(_), Some(_)) => {
                self.diag(
                    Diagnostic::new(
                        codes::BODY_CONFLICT,
                        format!("{what} sets both `body` and `body_file`"),
                    )
                    .at(field_span(value, "body_file", key.span), "choose one"),
                );
                return;
            }
            (Some(b), None) => b.clone(),
            (None, Some(f)) => {
                let span = field_span(value, "body_file", key.span);
                match self.read_text(ctx.dir, f, span, &what) {
                    Some(text) => text,
                    None => return,
                }
            }
            (None, None) => {
                self.diag(
                    Diagnostic::new(
                        codes::FIELD_MISSING,
                        format!("{what} has neither `body` nor `body_file`"),
                    )
                    .at(key.span, "a body is required")
                    .expected("`body: <code>` or `body_file: <path relative to this file>`"),
                );
                return;
            }
        };
        let mut imports = Vec::new();
        for (i, imp) in r.imports.iter().enumerate() {
            let span = value
                .get("imports")
                .and_then(|n| n.index(i))
                .map(|n| n.span)
                .unwrap_or(key.span);
            match qualify_stage_path(imp, scope) {
                Ok(path) => imports.push(path),
                Err(msg) => self.diag(
                    Diagnostic::new(codes::VALUE_INVALID, format!("invalid import `{imp}` in {what}"))
                        .at(span, msg)
                        .expected("a stage path `@stage/path/file` (stage relative to this schema or qualified)"),
                ),
            }
        }
        let signature = arguments
            .iter()
            .map(|a| names::signature_type(&a.data_type))
            .collect();
        let spec = RoutineSpec {
            language,
            arguments,
            returns: r.returns.trim().to_string(),
            runtime_version: r.runtime_version,
            packages: r.packages,
            imports,
            handler: r.handler,
            body,
            secure: r.secure,
            execute_as: r.execute_as,
            comment: r.comment,
        };
        let id = ObjectId::routine(ctx.account.clone(), kind, name, signature);
        let spec = if kind == ObjectKind::Procedure {
            Spec::Procedure(spec)
        } else {
            Spec::Function(spec)
        };
        self.declare(id, spec, key.span, value);
    }

    /// Reads a UTF-8 file relative to the manifest's folder.
    pub(super) fn read_text(
        &mut self,
        dir: &Path,
        rel: &str,
        span: Span,
        what: &str,
    ) -> Option<String> {
        let path = dir.join(rel);
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    self.read_file(&path, text.as_bytes());
                    Some(text)
                }
                Err(e) => {
                    self.diag(
                        Diagnostic::new(
                            codes::BODY_FILE_ENCODING,
                            format!("the body file of {what} is not UTF-8 text"),
                        )
                        .at(
                            span,
                            format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
                        )
                        .hint("save the file as UTF-8"),
                    );
                    None
                }
            },
            Err(e) => {
                self.diag(
                    Diagnostic::new(
                        codes::BODY_FILE_MISSING,
                        format!("the body file of {what} cannot be read"),
                    )
                    .at(span, format!("`{rel}`: {}", io_reason(&e)))
                    .hint("paths are relative to the manifest file that names them"),
                );
                None
            }
        }
    }
}

pub(super) struct RoutineParts {
    arguments: Vec<raw::ArgumentRaw>,
    returns: String,
    language: raw::LanguageRaw,
    runtime_version: Option<String>,
    packages: Vec<String>,
    imports: Vec<String>,
    handler: Option<String>,
    body: Option<String>,
    body_file: Option<String>,
    secure: Option<bool>,
    execute_as: Option<String>,
    comment: Option<String>,
}

/// A task schedule Snowflake accepts: an interval or a cron expression with a time zone.
pub(super) fn is_valid_schedule(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [n, unit] => {
            n.parse::<u32>().is_ok_and(|n| n > 0)
                && [
                    "MINUTE", "MINUTES", "M", "HOUR", "HOURS", "H", "SECOND", "SECONDS", "S",
                ]
                .contains(&unit.to_ascii_uppercase().as_str())
        }
        [using, cron, fields @ ..] => {
            using.eq_ignore_ascii_case("USING")
                && cron.eq_ignore_ascii_case("CRON")
                && fields.len() == 6
        }
        _ => false,
    }
}

/// `@stage/path` → `@DB.SCHEMA.STAGE/path`, the stage resolved in `scope`.
pub(super) fn qualify_stage_path(text: &str, scope: &Scope) -> Result<String, String> {
    let rest = text
        .trim()
        .strip_prefix('@')
        .ok_or("a stage path starts with `@`")?;
    let (stage, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let name = names::object_level(stage, scope).map_err(|e| e.to_string())?;
    Ok(format!("@{}{}", name.sql(), path))
}

/// Splits a qualified stage path `@DB.S.STAGE/a/b` into the stage and the path parts.
pub fn split_stage_path(path: &str) -> Option<(ObjectName, Vec<String>)> {
    let rest = path.strip_prefix('@')?;
    let (stage, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    let name = ObjectName::parse(stage).ok()?;
    let parts = tail
        .split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    Some((name, parts))
}

#[cfg(test)]
mod tests {
    use super::is_valid_schedule;

    #[test]
    fn schedules_are_intervals_or_cron_with_time_zone() {
        for ok in [
            "5 MINUTE",
            "1 minutes",
            "2 HOURS",
            "30 SECONDS",
            "USING CRON 0 6 * * * UTC",
            "using cron */5 * * * MON-FRI Europe/Berlin",
        ] {
            assert!(is_valid_schedule(ok), "{ok}");
        }
        for bad in [
            "5",
            "0 MINUTE",
            "five minutes",
            "5 DAYS",
            "USING CRON 0 6 * * *",
            "CRON 0 6 * * * UTC",
        ] {
            assert!(!is_valid_schedule(bad), "{bad}");
        }
    }
}
