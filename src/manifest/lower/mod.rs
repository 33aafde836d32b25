//! Lowering account files into the desired catalog.
//!
//! Walks each account file level by level (account → database → schema → object),
//! reads each object's raw type on its own, resolves names relative to where they are
//! written, and records every object with the place it was declared. Problems that
//! need only the object itself (bad identifiers, conflicting fields, missing files)
//! are reported here; problems that need the whole project are left to `validate`.
//!
//! This module holds the driver (one account file, in order) and what every kind
//! shares: reading a definition ([`Lowerer::open`]), names, references and
//! recording a declaration. Each family of kinds is lowered in its own module.

mod account;
mod database;
mod grants;
mod pipeline;
mod schema_objects;
mod sharing;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::de::{DeError, DeErrorKind, from_node};
use super::diagnostics::{Diagnostic, codes, did_you_mean};
use super::names::{self, NameError, Scope};
use super::raw::AccountFile;
use super::yaml::{Node, Span, Value};
use crate::model::*;

pub use pipeline::split_stage_path;

/// One declared object.
#[derive(Clone, Debug)]
pub struct Declared {
    pub id: ObjectId,
    pub spec: Spec,
    /// Where the object's name is written.
    pub span: Span,
    /// The object's value, for locating its fields in messages.
    pub node: Node,
}

impl Declared {
    /// The span of a field (by key path) of the object, or of the object's name.
    pub fn field(&self, keys: &[&str]) -> Span {
        self.node.path(keys).map(|n| n.span).unwrap_or(self.span)
    }
}

/// Everything lowered from the account files.
#[derive(Default)]
pub struct Lowered {
    pub objects: BTreeMap<ObjectId, Declared>,
    pub authoritative: BTreeSet<ObjectId>,
    /// Objects whose names are valid but whose definitions are not: references to
    /// them are not reported again as unknown.
    pub invalid: BTreeSet<ObjectId>,
    /// True when some file could not be read at all; project-wide checks are skipped
    /// then, since every reference into that file would look unknown.
    pub incomplete: bool,
    pub diags: Vec<Diagnostic>,
    /// Every file read besides the YAML (body files, model artifacts): the path as
    /// read → sha256 (hex) of the bytes read. Saved plans seal these.
    pub files: BTreeMap<std::path::PathBuf, String>,
}

/// Turns a deserialization error into a diagnostic about `what`.
pub fn de_diagnostic(err: DeError, fallback: Span, what: &str) -> Diagnostic {
    let span = err.span.unwrap_or(fallback);
    match err.kind {
        DeErrorKind::UnknownField { field, expected } => Diagnostic::new(
            codes::FIELD_UNKNOWN,
            format!("unknown field `{field}` in {what}"),
        )
        .at(span, "not a field here")
        .expected(format!("one of {}", quote_list(&expected)))
        .maybe_hint(did_you_mean(&field, expected.iter().copied())),
        DeErrorKind::UnknownVariant { variant, expected } => Diagnostic::new(
            codes::VALUE_INVALID,
            format!("`{variant}` is not a valid value in {what}"),
        )
        .at(span, "invalid value")
        .expected(format!("one of {}", quote_list(&expected)))
        .maybe_hint(did_you_mean(&variant, expected.iter().copied())),
        DeErrorKind::MissingField(field) => Diagnostic::new(
            codes::FIELD_MISSING,
            format!("{what} is missing the field `{field}`"),
        )
        .at(span, format!("`{field}` is required here")),
        DeErrorKind::DuplicateField(field) => Diagnostic::new(
            codes::YAML_DUPLICATE_KEY,
            format!("field `{field}` is given twice in {what}"),
        )
        .at_span(span),
        DeErrorKind::InvalidType { found, expected } => Diagnostic::new(
            codes::TYPE_MISMATCH,
            format!("wrong type in {what}: found {found}"),
        )
        .at(span, format!("expected {}", friendly_type(&expected))),
        DeErrorKind::InvalidValue { found, expected } => Diagnostic::new(
            codes::VALUE_INVALID,
            format!("invalid value in {what}: {found}"),
        )
        .at(span, format!("expected {expected}"))
        .expected(expected),
        DeErrorKind::Custom(msg) => Diagnostic::new(
            codes::VALUE_INVALID,
            format!("invalid value in {what}: {msg}"),
        )
        .at_span(span),
    }
}

/// Rust primitive names in serde messages, in words.
fn friendly_type(expected: &str) -> String {
    match expected {
        "u8" | "u16" | "u32" | "u64" => "a whole number (0 or more)".to_string(),
        "i8" | "i16" | "i32" | "i64" => "a whole number".to_string(),
        "f32" | "f64" => "a number".to_string(),
        other => other
            .replace("a sequence", "a list")
            .replace("a map", "a mapping"),
    }
}

fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Context of one account file.
struct FileCtx<'a> {
    account: AccountName,
    /// Folder of the YAML file; `body_file` and artifact paths are relative to it.
    dir: &'a Path,
}

/// What [`Lowerer::open`] returns: the shared start of lowering one object.
struct Opened<R> {
    id: ObjectId,
    /// The object as messages name it: ``stage `DB.S.FILES` ``.
    what: String,
    raw: R,
}

/// Lowers account files, one [`Lowerer::file`] at a time, into [`Lowered`].
pub struct Lowerer<'a> {
    pub out: Lowered,
    accounts: &'a BTreeSet<AccountName>,
}

impl<'a> Lowerer<'a> {
    pub fn new(accounts: &'a BTreeSet<AccountName>) -> Lowerer<'a> {
        Lowerer {
            out: Lowered::default(),
            accounts,
        }
    }

    fn diag(&mut self, d: Diagnostic) {
        self.out.diags.push(d);
    }

    /// Records a local file the project reads, with the sha256 of what was read.
    fn read_file(&mut self, path: &Path, bytes: &[u8]) {
        use sha2::{Digest, Sha256};
        self.out
            .files
            .insert(path.to_path_buf(), hex::encode(Sha256::digest(bytes)));
    }

    fn declare(&mut self, id: ObjectId, spec: Spec, span: Span, node: &Node) {
        if let Some(first) = self.out.objects.get(&id) {
            let what = describe(&id);
            let d = Diagnostic::new(codes::DUPLICATE, format!("{what} is declared more than once"))
                .at(span, "declared again here")
                .at(first.span, "first declared here")
                .hint("names fold to upper case unless quoted: `query_wh` and `QUERY_WH` are the same object");
            self.diag(d);
            return;
        }
        self.out.objects.insert(
            id.clone(),
            Declared {
                id,
                spec,
                span,
                node: node.clone(),
            },
        );
    }

    /// Reads an identifier written as a map key.
    fn key_ident(&mut self, key: &Node, what: &str) -> Option<Ident> {
        let text = key.as_str().unwrap_or_default();
        match Ident::parse(text) {
            Ok(id) => Some(id),
            Err(e) => {
                self.diag(
                    Diagnostic::new(
                        codes::IDENT_INVALID,
                        format!("invalid {what} name `{text}`"),
                    )
                    .at(key.span, e.to_string()),
                );
                None
            }
        }
    }

    /// Reports an unresolvable reference written in `node`.
    fn name_error(&mut self, e: NameError, text: &str, span: Span, what: &str) {
        self.diag(
            Diagnostic::new(
                codes::IDENT_INVALID,
                format!("invalid {what} reference `{text}`"),
            )
            .at(span, e.to_string()),
        );
    }

    /// Reads an identifier written as a field's value; when invalid, reports it as an
    /// invalid `what` reference at `span`.
    fn ident_ref(&mut self, text: &str, span: Span, what: &str) -> Option<Ident> {
        match Ident::parse(text) {
            Ok(id) => Some(id),
            Err(e) => {
                self.name_error(NameError::Ident(e), text, span, what);
                None
            }
        }
    }

    /// The (key, value) entries of a name → object map.
    fn entries<'n>(&mut self, node: &'n Node, what: &str) -> &'n [(Node, Node)] {
        match &node.value {
            Value::Map(entries) => entries,
            _ if node.is_null() => &[],
            _ => {
                self.diag(
                    Diagnostic::new(
                        codes::TYPE_MISMATCH,
                        format!("wrong type for {what}: found {}", node.type_name()),
                    )
                    .at(node.span, "expected a mapping of name → definition")
                    .expected("a mapping of name → definition"),
                );
                &[]
            }
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(
        &mut self,
        node: &Node,
        fallback: Span,
        what: &str,
    ) -> Option<T> {
        match from_node::<T>(node) {
            Ok(v) => Some(v),
            Err(mut e) => {
                // A missing field is shown at the object's name, not at its first field.
                if matches!(e.kind, DeErrorKind::MissingField(_)) && e.span == Some(node.span) {
                    e.span = Some(fallback);
                }
                self.diag(de_diagnostic(e, fallback, what));
                None
            }
        }
    }

    /// Like [`Self::parse`], remembering `id` as declared-but-invalid on failure.
    fn parse_obj<T: serde::de::DeserializeOwned>(
        &mut self,
        node: &Node,
        fallback: Span,
        what: &str,
        id: ObjectId,
    ) -> Option<T> {
        let parsed = self.parse::<T>(node, fallback, what);
        if parsed.is_none() {
            self.out.invalid.insert(id);
        }
        parsed
    }

    /// The opening every object's lowering shares: its id, the label messages use for
    /// it, and its raw definition. A definition that does not read is reported, and
    /// its id remembered as declared-but-invalid.
    fn open<R: serde::de::DeserializeOwned>(
        &mut self,
        ctx: &FileCtx,
        kind: ObjectKind,
        name: ObjectName,
        key: &Node,
        value: &Node,
    ) -> Option<Opened<R>> {
        let what = format!("{} `{name}`", kind.as_str().replace('_', " "));
        let id = ObjectId::new(ctx.account.clone(), kind, name);
        let raw = self.parse_obj::<R>(value, key.span, &what, id.clone())?;
        Some(Opened { id, what, raw })
    }

    /// [`Self::open`] for an account-level object named by `key`; also returns the name.
    fn open_account_object<R: serde::de::DeserializeOwned>(
        &mut self,
        ctx: &FileCtx,
        kind: ObjectKind,
        key: &Node,
        value: &Node,
    ) -> Option<(Ident, Opened<R>)> {
        let name = self.key_ident(key, kind.as_str())?;
        let opened = self.open(
            ctx,
            kind,
            ObjectName::account_level(name.clone()),
            key,
            value,
        )?;
        Some((name, opened))
    }

    /// [`Self::open`] for a schema-level object named by `key` inside `scope`.
    fn open_schema_object<R: serde::de::DeserializeOwned>(
        &mut self,
        ctx: &FileCtx,
        scope: &Scope,
        kind: ObjectKind,
        key: &Node,
        value: &Node,
    ) -> Option<Opened<R>> {
        let name = self.object_name(scope, key, kind)?;
        self.open(ctx, kind, name, key, value)
    }

    /// Lowers one account file.
    pub fn file(&mut self, root: &Node, dir: &Path) {
        let Some(file) = self.parse::<AccountFile>(root, root.span, "the account file") else {
            self.out.incomplete = true;
            return;
        };
        let account = AccountName::new(file.account.trim());
        if !self.accounts.contains(&account) {
            let span = field_span(root, "account", root.span);
            let known: Vec<&str> = self.accounts.iter().map(|a| a.as_str()).collect();
            self.diag(
                Diagnostic::new(
                    codes::ACCOUNT_UNKNOWN,
                    format!("account `{}` is not declared in floe.yaml", file.account),
                )
                .at(span, "unknown account")
                .expected(format!("one of {}", quote_list(&known)))
                .maybe_hint(did_you_mean(&file.account, known.iter().copied())),
            );
            self.out.incomplete = true;
            return;
        }
        let ctx = FileCtx { account, dir };
        macro_rules! objects {
            ($field:ident, $method:ident) => {
                if let Some(map) = &file.$field {
                    for (k, v) in self.entries(&map.node, stringify!($field)) {
                        self.$method(&ctx, k, v);
                    }
                }
            };
        }
        objects!(warehouses, warehouse);
        objects!(roles, role);
        objects!(databases, database);
        objects!(shares, share);
        objects!(listings, listing);
        if let Some(list) = &file.grants {
            match &list.node.value {
                Value::Seq(items) => {
                    for item in items.iter() {
                        self.grant(&ctx, item);
                    }
                }
                _ if list.node.is_null() => {}
                _ => self.diag(
                    Diagnostic::new(
                        codes::TYPE_MISMATCH,
                        format!("wrong type for grants: found {}", list.node.type_name()),
                    )
                    .at(list.node.span, "expected a list of grants")
                    .expected("a list of grants"),
                ),
            }
        }
    }

    fn object_name(&mut self, scope: &Scope, key: &Node, kind: ObjectKind) -> Option<ObjectName> {
        let name = self.key_ident(key, kind.as_str())?;
        let db = scope.database.clone()?;
        let schema = scope.schema.clone()?;
        Some(ObjectName::in_schema(db, schema, name))
    }

    /// Resolves a schema-object reference written in field `field` of `value`.
    fn object_ref(
        &mut self,
        text: &str,
        scope: &Scope,
        value: &Node,
        field: &[&str],
        what: &str,
    ) -> Option<ObjectName> {
        match names::object_level(text, scope) {
            Ok(n) => Some(n),
            Err(e) => {
                let span = value.path(field).map(|n| n.span).unwrap_or(value.span);
                self.name_error(e, text, span, what);
                None
            }
        }
    }
}

/// The span of `field` in `node`, or `fallback` when the field is not written.
fn field_span(node: &Node, field: &str, fallback: Span) -> Span {
    node.get(field).map(|n| n.span).unwrap_or(fallback)
}

/// A short, platform-independent reason for a failed read.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "file not found".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// "warehouse `QUERY_WH` in account `bank`" style description.
pub fn describe(id: &ObjectId) -> String {
    if id.kind == ObjectKind::Grant {
        format!(
            "grant `{}` in account `{}`",
            id.name.name.as_str(),
            id.account
        )
    } else {
        format!(
            "{} `{}` in account `{}`",
            id.kind.as_str().replace('_', " "),
            id.sql_name(),
            id.account
        )
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::manifest::{Project, Target, load_with_env};
    use crate::model::*;

    fn project(files: &[(&str, &str)], env: &'static [(&'static str, &'static str)]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let env = Box::new(move |n: &str| {
            env.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        });
        match load_with_env(dir.path(), &[], env) {
            Ok(p) => p,
            Err(d) => panic!("{d}"),
        }
    }

    const FLOE: &str = "accounts: { bank: {}, partner: {} }\nvariables: { bucket: from-file }\n";

    fn oid(kind: ObjectKind, name: &str) -> ObjectId {
        ObjectId::new(
            AccountName::new("bank"),
            kind,
            ObjectName::parse(name).unwrap(),
        )
    }

    #[test]
    fn lowers_names_types_and_references() {
        let p = project(
            &[
                ("floe.yaml", FLOE),
                (
                    "bank/objects.yaml",
                    r#"account: bank
warehouses:
  query_wh: { warehouse_size: x-small, warehouse_type: snowpark-optimized, auto_suspend: 60 }
  '"Mixed Case"': {}
databases:
  demo:
    authoritative: true
    schemas:
      raw:
        authoritative: true
        file_formats:
          pq: { type: parquet, binary_as_text: true, compression: snappy }
      main:
        stages:
          landing: { url: 's3://${var.bucket}/x/', file_format: raw.pq }
        tables:
          t:
            columns:
              - { name: '"customer_ID"', type: varchar }
              - { name: s_2, type: date, nullable: false }
        streams:
          s: { table: t, append_only: true }
        functions:
          f:
            language: sql
            arguments: [ { name: a, type: 'varchar(10)' }, { name: b, type: int } ]
            returns: number
            body: SELECT 1
"#,
                ),
            ],
            &[],
        );
        let Some(Spec::Warehouse(w)) = p.desired.get(&oid(ObjectKind::Warehouse, "QUERY_WH"))
        else {
            panic!()
        };
        assert_eq!(w.size.as_deref(), Some("XSMALL"));
        assert_eq!(w.warehouse_type.as_deref(), Some("SNOWPARK-OPTIMIZED"));
        assert!(
            p.desired
                .get(&oid(ObjectKind::Warehouse, "\"Mixed Case\""))
                .is_some()
        );
        let Some(Spec::Stage(s)) = p.desired.get(&oid(ObjectKind::Stage, "DEMO.MAIN.LANDING"))
        else {
            panic!()
        };
        assert_eq!(
            s.file_format,
            Some(ObjectName::parse("DEMO.RAW.PQ").unwrap())
        );
        assert_eq!(s.url.as_deref(), Some("s3://from-file/x/"));
        let Some(Spec::FileFormat(ff)) = p.desired.get(&oid(ObjectKind::FileFormat, "DEMO.RAW.PQ"))
        else {
            panic!()
        };
        assert_eq!(ff.format_type, "PARQUET");
        assert_eq!(ff.options["COMPRESSION"], serde_json::json!("SNAPPY"));
        assert_eq!(ff.options["BINARY_AS_TEXT"], serde_json::json!(true));
        let Some(Spec::Table(t)) = p.desired.get(&oid(ObjectKind::Table, "DEMO.MAIN.T")) else {
            panic!()
        };
        assert_eq!(t.columns[0].name.as_str(), "customer_ID");
        assert_eq!(t.columns[1].name.as_str(), "S_2");
        assert_eq!(t.columns[1].nullable, Some(false));
        let Some(Spec::Stream(st)) = p.desired.get(&oid(ObjectKind::Stream, "DEMO.MAIN.S")) else {
            panic!()
        };
        assert_eq!(st.table, ObjectName::parse("DEMO.MAIN.T").unwrap());
        let f = ObjectId::routine(
            AccountName::new("bank"),
            ObjectKind::Function,
            ObjectName::parse("DEMO.MAIN.F").unwrap(),
            vec!["VARCHAR".into(), "NUMBER".into()],
        );
        assert!(
            p.desired.get(&f).is_some(),
            "{:?}",
            p.desired.objects.keys().collect::<Vec<_>>()
        );
        assert!(
            p.desired
                .authoritative
                .contains(&oid(ObjectKind::Database, "DEMO"))
        );
        assert!(
            p.desired
                .authoritative
                .contains(&oid(ObjectKind::Schema, "DEMO.RAW"))
        );
        assert!(
            !p.desired
                .authoritative
                .contains(&oid(ObjectKind::Schema, "DEMO.MAIN"))
        );
        assert_eq!(p.default_target, "local");
        assert_eq!(p.targets.len(), 1);
        assert!(
            matches!(&p.targets["local"], Target::Emulator { path } if path.ends_with(Path::new(".floe/emulator.db")))
        );
    }

    #[test]
    fn shares_and_grants_lower_to_canonical_specs() {
        let p = project(
            &[
                ("floe.yaml", FLOE),
                (
                    "bank.yaml",
                    r#"account: bank
databases:
  demo:
    schemas:
      main:
        tables:
          t: { columns: [ { name: id, type: number } ] }
        procedures:
          p:
            language: sql
            arguments: [ { name: x, type: string } ]
            returns: varchar
            body: BEGIN RETURN x; END
roles:
  reader: {}
shares:
  s:
    database: demo
    grants: [ { select: main.t } ]
    accounts: [partner, acme.other]
grants:
  - { privilege: select, on: { table: demo.main.t }, to_role: reader }
  - { privilege: usage, on: { procedure: 'demo.main.p(varchar)' }, to_role: reader }
  - { role: reader, to_role: sysadmin }
"#,
                ),
            ],
            &[],
        );
        let Some(Spec::Share(s)) = p.desired.get(&oid(ObjectKind::Share, "S")) else {
            panic!()
        };
        let grants: Vec<String> = s
            .grants
            .iter()
            .map(|g| format!("{} {} {}", g.privilege, g.on_kind, g.on))
            .collect();
        assert_eq!(
            grants,
            [
                "USAGE database DEMO",
                "USAGE schema DEMO.MAIN",
                "SELECT table DEMO.MAIN.T"
            ]
        );
        assert_eq!(
            s.accounts,
            [
                AccountRef::Project(AccountName::new("partner")),
                AccountRef::Identifier("ACME.OTHER".into())
            ]
        );
        let keys: Vec<&str> = p
            .desired
            .of_kind(ObjectKind::Grant)
            .map(|(id, _)| id.name.name.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "ROLE READER TO ROLE SYSADMIN",
                "SELECT ON TABLE DEMO.MAIN.T TO ROLE READER",
                "USAGE ON PROCEDURE DEMO.MAIN.P(VARCHAR) TO ROLE READER",
            ]
        );
    }

    #[test]
    fn reads_yml_files_in_subfolders_and_skips_hidden_folders() {
        let p = project(
            &[
                ("floe.yaml", FLOE),
                (
                    "bank/nested/wh.yml",
                    "account: bank\nwarehouses:\n  a: {}\n",
                ),
                (".floe/state.yaml", "not: [valid"),
                ("bank/.cache/x.yaml", "account: nobody\n"),
                ("notes.txt", "ignored"),
            ],
            &[],
        );
        assert!(p.desired.get(&oid(ObjectKind::Warehouse, "A")).is_some());
        assert_eq!(p.desired.len(), 1);
    }

    #[test]
    fn variables_come_from_the_environment_before_the_file() {
        let p = project(
            &[
                ("floe.yaml", FLOE),
                (
                    "bank.yaml",
                    "account: bank\ndatabases:\n  d:\n    schemas:\n      s:\n        stages:\n          x: { url: 's3://${var.bucket}/' }\n",
                ),
            ],
            &[("bucket", "from-env")],
        );
        let Some(Spec::Stage(s)) = p.desired.get(&oid(ObjectKind::Stage, "D.S.X")) else {
            panic!()
        };
        assert_eq!(s.url.as_deref(), Some("s3://from-env/"));
    }
}
