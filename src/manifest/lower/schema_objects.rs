//! Lowering the data objects inside a schema: file formats, stages, tables, streams
//! and models (whose artifact files are read and hashed here).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};

use super::{FileCtx, Lowerer, Opened, field_span, io_reason};
use crate::manifest::diagnostics::{Diagnostic, codes, did_you_mean};
use crate::manifest::names::{self, NameError, Scope};
use crate::manifest::raw;
use crate::manifest::yaml::{Node, Span};
use crate::model::*;

impl Lowerer<'_> {
    pub(super) fn file_format(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
        let Some(Opened { id, what, raw }) = self.open_schema_object::<raw::FileFormatRaw>(
            ctx,
            scope,
            ObjectKind::FileFormat,
            key,
            value,
        ) else {
            return;
        };
        use raw::FileFormatType::*;
        use serde_json::Value as J;
        let t = raw.format_type;
        // Each option with the format types it applies to, in the order they are checked.
        let given: [(&str, &[raw::FileFormatType], Option<J>); 15] = [
            (
                "compression",
                &[Csv, Json, Parquet, Avro, Orc, Xml],
                raw.compression.map(|c| J::from(c.to_ascii_uppercase())),
            ),
            ("field_delimiter", &[Csv], raw.field_delimiter.map(J::from)),
            (
                "record_delimiter",
                &[Csv],
                raw.record_delimiter.map(J::from),
            ),
            ("skip_header", &[Csv], raw.skip_header.map(J::from)),
            (
                "field_optionally_enclosed_by",
                &[Csv],
                raw.field_optionally_enclosed_by.map(J::from),
            ),
            (
                "empty_field_as_null",
                &[Csv],
                raw.empty_field_as_null.map(J::from),
            ),
            (
                "error_on_column_count_mismatch",
                &[Csv],
                raw.error_on_column_count_mismatch.map(J::from),
            ),
            ("date_format", &[Csv, Json], raw.date_format.map(J::from)),
            (
                "timestamp_format",
                &[Csv, Json],
                raw.timestamp_format.map(J::from),
            ),
            ("null_if", &[Csv, Json, Parquet], raw.null_if.map(J::from)),
            (
                "trim_space",
                &[Csv, Json, Parquet, Avro, Orc],
                raw.trim_space.map(J::from),
            ),
            (
                "strip_outer_array",
                &[Json],
                raw.strip_outer_array.map(J::from),
            ),
            (
                "strip_null_values",
                &[Json],
                raw.strip_null_values.map(J::from),
            ),
            (
                "binary_as_text",
                &[Parquet],
                raw.binary_as_text.map(J::from),
            ),
            (
                "replace_invalid_characters",
                &[Csv, Json, Parquet, Avro, Orc],
                raw.replace_invalid_characters.map(J::from),
            ),
        ];
        let mut options: BTreeMap<String, J> = BTreeMap::new();
        for (field, allowed, v) in given {
            let Some(v) = v else { continue };
            if allowed.contains(&t) {
                options.insert(field.to_ascii_uppercase(), v);
            } else {
                self.diag(
                    Diagnostic::new(
                        codes::FIELD_CONFLICT,
                        format!(
                            "{what}: option `{field}` does not apply to {} files",
                            t.sql()
                        ),
                    )
                    .at(
                        field_span(value, field, key.span),
                        format!("not a {} option", t.sql()),
                    ),
                );
            }
        }
        let spec = FileFormatSpec {
            format_type: t.sql().to_string(),
            options,
            comment: raw.comment,
        };
        self.declare(id, Spec::FileFormat(spec), key.span, value);
    }

    pub(super) fn stage(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
        let Some(Opened { id, what, raw }) =
            self.open_schema_object::<raw::StageRaw>(ctx, scope, ObjectKind::Stage, key, value)
        else {
            return;
        };
        let auth = match (&raw.storage_integration, &raw.credentials) {
            (Some(_), Some(_)) => {
                self.diag(
                    Diagnostic::new(
                        codes::FIELD_CONFLICT,
                        format!("{what} sets both `storage_integration` and `credentials`"),
                    )
                    .at(
                        field_span(value, "credentials", key.span),
                        "choose one way to authenticate",
                    ),
                );
                return;
            }
            (Some(i), None) => {
                let span = field_span(value, "storage_integration", key.span);
                match self.ident_ref(i, span, "storage integration") {
                    Some(id) => Some(StageAuth::StorageIntegration(id)),
                    None => return,
                }
            }
            (None, Some(c)) => Some(StageAuth::AwsKeysFromEnv {
                key_id_env: c.aws_key_id_env.clone(),
                secret_key_env: c.aws_secret_key_env.clone(),
            }),
            (None, None) => None,
        };
        if auth.is_some() && raw.url.is_none() {
            self.diag(
                Diagnostic::new(
                    codes::FIELD_CONFLICT,
                    format!("{what} has credentials but no `url`"),
                )
                .at(key.span, "internal stages take no credentials")
                .hint("add `url:` for an external stage, or remove the credentials"),
            );
        }
        if let Some(url) = &raw.url
            && !["s3://", "s3gov://", "gcs://", "azure://"]
                .iter()
                .any(|p| url.starts_with(p))
        {
            self.diag(
                Diagnostic::new(
                    codes::VALUE_INVALID,
                    format!("{what}: `{url}` is not an external stage URL"),
                )
                .at(field_span(value, "url", key.span), "unsupported URL")
                .expected("a URL starting with `s3://`, `s3gov://`, `gcs://` or `azure://`"),
            );
        }
        let file_format = match &raw.file_format {
            Some(f) => match self.object_ref(f, scope, value, &["file_format"], "file format") {
                Some(n) => Some(n),
                None => return,
            },
            None => None,
        };
        let spec = StageSpec {
            url: raw.url,
            auth,
            file_format,
            directory_enabled: raw.directory,
            comment: raw.comment,
        };
        self.declare(id, Spec::Stage(spec), key.span, value);
    }

    pub(super) fn table(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
        let Some(Opened { id, what, raw }) =
            self.open_schema_object::<raw::TableRaw>(ctx, scope, ObjectKind::Table, key, value)
        else {
            return;
        };
        let mut columns = Vec::with_capacity(raw.columns.len());
        let mut seen: BTreeMap<Ident, Span> = BTreeMap::new();
        let cols_node = value.get("columns");
        if raw.columns.is_empty() {
            self.diag(
                Diagnostic::new(codes::VALUE_INVALID, format!("{what} has no columns")).at(
                    cols_node.map(|n| n.span).unwrap_or(key.span),
                    "a table needs at least one column",
                ),
            );
        }
        for (i, c) in raw.columns.into_iter().enumerate() {
            let item = cols_node.and_then(|n| n.index(i));
            let name_span = item
                .and_then(|n| n.get("name"))
                .map(|n| n.span)
                .unwrap_or(key.span);
            let col = match Ident::parse(&c.name) {
                Ok(id) => id,
                Err(e) => {
                    self.diag(
                        Diagnostic::new(
                            codes::IDENT_INVALID,
                            format!("invalid column name `{}` in {what}", c.name),
                        )
                        .at(name_span, e.to_string()),
                    );
                    continue;
                }
            };
            if let Some(first) = seen.get(&col) {
                self.diag(
                    Diagnostic::new(
                        codes::DUPLICATE,
                        format!("column `{col}` appears twice in {what}"),
                    )
                    .at(name_span, "declared again here")
                    .at(*first, "first declared here"),
                );
                continue;
            }
            seen.insert(col.clone(), name_span);
            if !names::is_known_type(&c.data_type) {
                let base = names::base_type(&c.data_type);
                let type_span = item
                    .and_then(|n| n.get("type"))
                    .map(|n| n.span)
                    .unwrap_or(name_span);
                self.diag(
                    Diagnostic::new(
                        codes::VALUE_INVALID,
                        format!(
                            "unknown data type `{}` for column `{col}` in {what}",
                            c.data_type
                        ),
                    )
                    .at(type_span, "not a Snowflake data type")
                    .maybe_hint(did_you_mean(&base, names::DATA_TYPES.iter().copied())),
                );
            }
            columns.push(ColumnSpec {
                name: col,
                data_type: c.data_type,
                nullable: c.nullable,
                default: c.default,
                comment: c.comment,
            });
        }
        let spec = TableSpec {
            transient: raw.transient,
            columns,
            change_tracking: raw.change_tracking,
            cluster_by: raw.cluster_by,
            data_retention_time_in_days: raw.data_retention_time_in_days,
            comment: raw.comment,
        };
        self.declare(id, Spec::Table(spec), key.span, value);
    }

    pub(super) fn stream(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
        let Some(Opened { id, raw, .. }) =
            self.open_schema_object::<raw::StreamRaw>(ctx, scope, ObjectKind::Stream, key, value)
        else {
            return;
        };
        let Some(table) = self.object_ref(&raw.table, scope, value, &["table"], "table") else {
            return;
        };
        let spec = StreamSpec {
            table,
            append_only: raw.append_only,
            show_initial_rows: raw.show_initial_rows,
            comment: raw.comment,
        };
        self.declare(id, Spec::Stream(spec), key.span, value);
    }

    pub(super) fn model(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
        let Some(Opened { id, what, raw }) =
            self.open_schema_object::<raw::ModelRaw>(ctx, scope, ObjectKind::Model, key, value)
        else {
            return;
        };
        let Some(stage) = self.object_ref(&raw.stage, scope, value, &["stage"], "stage") else {
            return;
        };
        let mut versions = Vec::new();
        let mut ok = true;
        for (vkey, v) in &raw.versions {
            let vnode = value.path(&["versions", vkey]);
            let vspan = value
                .get("versions")
                .and_then(|vs| vs.entry(vkey))
                .map(|(k, _)| k.span)
                .unwrap_or(key.span);
            let vname = match Ident::parse(vkey) {
                Ok(id) => id,
                Err(e) => {
                    self.diag(
                        Diagnostic::new(
                            codes::IDENT_INVALID,
                            format!("invalid version name `{vkey}` in {what}"),
                        )
                        .at(vspan, e.to_string()),
                    );
                    ok = false;
                    continue;
                }
            };
            if v.files.is_empty() {
                self.diag(
                    Diagnostic::new(
                        codes::VALUE_INVALID,
                        format!("version `{vname}` of {what} has no files"),
                    )
                    .at(vspan, "list at least one artifact file"),
                );
                ok = false;
            }
            let mut files = BTreeMap::new();
            let mut sources = BTreeMap::new();
            for (i, f) in v.files.iter().enumerate() {
                let span = vnode
                    .and_then(|n| n.get("files"))
                    .and_then(|n| n.index(i))
                    .map(|n| n.span)
                    .unwrap_or(vspan);
                let path = ctx.dir.join(f);
                let file_name = Path::new(f)
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        self.read_file(&path, &bytes);
                        if files.contains_key(&file_name) {
                            self.diag(
                                Diagnostic::new(codes::DUPLICATE, format!("version `{vname}` of {what} has two files named `{file_name}`"))
                                    .at(span, "file names must be unique within a version"),
                            );
                            ok = false;
                            continue;
                        }
                        files.insert(file_name.clone(), hex::encode(Md5::digest(&bytes)));
                        // Absolute, so uploads (`PUT 'file://…'`) work from any folder.
                        let absolute =
                            std::fs::canonicalize(&path).unwrap_or_else(|_| normalize_path(&path));
                        sources.insert(file_name, absolute);
                    }
                    Err(e) => {
                        self.diag(
                            Diagnostic::new(
                                codes::ARTIFACT_MISSING,
                                format!(
                                    "artifact `{f}` of {what} version `{vname}` cannot be read"
                                ),
                            )
                            .at(span, format!("`{f}`: {}", io_reason(&e)))
                            .hint("paths are relative to the manifest file that names them"),
                        );
                        ok = false;
                    }
                }
            }
            versions.push(ModelVersionSpec {
                name: vname,
                files,
                sources,
            });
        }
        if raw.versions.is_empty() {
            self.diag(
                Diagnostic::new(codes::VALUE_INVALID, format!("{what} has no versions")).at(
                    field_span(value, "versions", key.span),
                    "declare at least one version",
                ),
            );
            ok = false;
        }
        let default_version = match &raw.default_version {
            Some(d) => {
                let span = field_span(value, "default_version", key.span);
                match Ident::parse(d) {
                    Ok(id) if versions.iter().any(|v| v.name == id) => Some(id),
                    Ok(id) => {
                        let names: Vec<String> =
                            versions.iter().map(|v| v.name.to_string()).collect();
                        self.diag(
                            Diagnostic::new(
                                codes::REF_UNKNOWN,
                                format!(
                                    "default version `{id}` of {what} is not one of its versions"
                                ),
                            )
                            .at(span, "unknown version")
                            .expected(format!(
                                "one of {}",
                                names
                                    .iter()
                                    .map(|n| format!("`{n}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ))
                            .maybe_hint(did_you_mean(
                                id.as_str(),
                                names.iter().map(|s| s.as_str()),
                            )),
                        );
                        ok = false;
                        None
                    }
                    Err(e) => {
                        self.name_error(NameError::Ident(e), d, span, "version");
                        ok = false;
                        None
                    }
                }
            }
            None => None,
        };
        if !ok {
            return;
        }
        let spec = ModelSpec {
            stage,
            versions,
            default_version,
            comment: raw.comment,
        };
        self.declare(id, Spec::Model(spec), key.span, value);
    }
}

pub(super) fn normalize_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
