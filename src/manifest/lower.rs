//! Lowering account files into the desired catalog.
//!
//! Walks each account file level by level (account → database → schema → object),
//! reads each object's raw type on its own, resolves names relative to where they are
//! written, and records every object with the place it was declared. Problems that
//! need only the object itself (bad identifiers, conflicting fields, missing files)
//! are reported here; problems that need the whole project are left to `validate`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};

use super::de::{DeError, DeErrorKind, from_node};
use super::diagnostics::{Diagnostic, codes, did_you_mean};
use super::names::{self, NameError, Scope};
use super::raw::{self, AccountFile};
use super::yaml::{Node, Span, Value};
use crate::model::*;

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
            let span = root.get("account").map(|n| n.span).unwrap_or(root.span);
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
        if let Some(map) = &file.warehouses {
            for (k, v) in self.entries(&map.node, "warehouses") {
                self.warehouse(&ctx, k, v);
            }
        }
        if let Some(map) = &file.roles {
            for (k, v) in self.entries(&map.node, "roles") {
                self.role(&ctx, k, v);
            }
        }
        if let Some(map) = &file.databases {
            for (k, v) in self.entries(&map.node, "databases") {
                self.database(&ctx, k, v);
            }
        }
        if let Some(map) = &file.shares {
            for (k, v) in self.entries(&map.node, "shares") {
                self.share(&ctx, k, v);
            }
        }
        if let Some(map) = &file.listings {
            for (k, v) in self.entries(&map.node, "listings") {
                self.listing(&ctx, k, v);
            }
        }
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

    fn warehouse(&mut self, ctx: &FileCtx, key: &Node, value: &Node) {
        let Some((_, Opened { id, what, raw })) =
            self.open_account_object::<raw::WarehouseRaw>(ctx, ObjectKind::Warehouse, key, value)
        else {
            return;
        };
        if let (Some(min), Some(max)) = (raw.min_cluster_count, raw.max_cluster_count)
            && min > max
        {
            self.diag(
                Diagnostic::new(
                    codes::VALUE_INVALID,
                    format!("{what}: min_cluster_count is greater than max_cluster_count"),
                )
                .at(
                    value
                        .get("min_cluster_count")
                        .map(|n| n.span)
                        .unwrap_or(key.span),
                    format!("{min} > {max}"),
                ),
            );
        }
        let spec = WarehouseSpec {
            warehouse_type: raw.warehouse_type.map(|t| t.sql().to_string()),
            size: raw.warehouse_size.map(|s| s.sql().to_string()),
            auto_suspend: raw.auto_suspend,
            auto_resume: raw.auto_resume,
            min_cluster_count: raw.min_cluster_count,
            max_cluster_count: raw.max_cluster_count,
            scaling_policy: raw.scaling_policy.map(|p| p.sql().to_string()),
            max_concurrency_level: raw.max_concurrency_level,
            resource_constraint: raw.resource_constraint.map(|r| r.to_ascii_uppercase()),
            initially_suspended: raw.initially_suspended,
            comment: raw.comment,
        };
        self.declare(id, Spec::Warehouse(spec), key.span, value);
    }

    fn role(&mut self, ctx: &FileCtx, key: &Node, value: &Node) {
        let Some((_, Opened { id, raw, .. })) =
            self.open_account_object::<raw::RoleRaw>(ctx, ObjectKind::Role, key, value)
        else {
            return;
        };
        self.declare(
            id,
            Spec::Role(RoleSpec {
                comment: raw.comment,
            }),
            key.span,
            value,
        );
    }

    fn database(&mut self, ctx: &FileCtx, key: &Node, value: &Node) {
        let Some((name, Opened { id, what, raw })) =
            self.open_account_object::<raw::DatabaseRaw>(ctx, ObjectKind::Database, key, value)
        else {
            return;
        };
        let source = match (&raw.from_share, &raw.from_listing) {
            (Some(_), Some(_)) => {
                self.diag(
                    Diagnostic::new(
                        codes::FIELD_CONFLICT,
                        format!("{what} sets both `from_share` and `from_listing`"),
                    )
                    .at(
                        value
                            .get("from_listing")
                            .map(|n| n.span)
                            .unwrap_or(key.span),
                        "choose one source",
                    )
                    .expected("at most one of `from_share`, `from_listing`"),
                );
                return;
            }
            (Some(s), None) => {
                match self.mount_from_share(ctx, s, value.get("from_share").unwrap_or(value), &what)
                {
                    Some(src) => src,
                    None => return,
                }
            }
            (None, Some(l)) => {
                match self.mount_from_listing(
                    ctx,
                    l,
                    value.get("from_listing").unwrap_or(value),
                    &what,
                ) {
                    Some(src) => src,
                    None => return,
                }
            }
            (None, None) => DatabaseSource::Local,
        };
        let mounted = source != DatabaseSource::Local;
        if raw.authoritative == Some(true) && !mounted {
            self.out.authoritative.insert(id.clone());
        }
        let spec = DatabaseSpec {
            source,
            transient: raw.transient,
            data_retention_time_in_days: raw.data_retention_time_in_days,
            comment: raw.comment,
        };
        self.declare(id, Spec::Database(spec), key.span, value);
        if let Some(schemas) = &raw.schemas {
            if mounted {
                if !schemas.node.is_null() {
                    self.diag(
                        Diagnostic::new(
                            codes::MOUNTED_CONTENTS,
                            format!(
                                "{what} is mounted from another account and cannot declare schemas"
                            ),
                        )
                        .at(
                            value
                                .get("schemas")
                                .map(|_| schemas.node.span)
                                .unwrap_or(key.span),
                            "contents come from the provider",
                        )
                        .hint("declare these objects in the provider's database instead"),
                    );
                }
                return;
            }
            for (k, v) in self.entries(&schemas.node, "schemas") {
                self.schema(ctx, &name, k, v);
            }
        }
    }

    fn mount_from_share(
        &mut self,
        ctx: &FileCtx,
        s: &raw::FromShareRaw,
        node: &Node,
        what: &str,
    ) -> Option<DatabaseSource> {
        let share = match Ident::parse(&s.share) {
            Ok(id) => id,
            Err(e) => {
                self.name_error(
                    NameError::Ident(e),
                    &s.share,
                    node.get("share").map(|n| n.span).unwrap_or(node.span),
                    "share",
                );
                return None;
            }
        };
        let provider = match (&s.account, &s.identifier) {
            (Some(acct), None) => AccountRef::Project(self.project_account(
                ctx,
                acct,
                node.get("account").unwrap_or(node),
                what,
            )?),
            (None, Some(ident)) => AccountRef::Identifier(self.account_identifier(
                ident,
                node.get("identifier").unwrap_or(node),
                what,
            )?),
            _ => {
                self.diag(
                    Diagnostic::new(
                        codes::FIELD_CONFLICT,
                        format!(
                            "{what}: `from_share` needs exactly one of `account` or `identifier`"
                        ),
                    )
                    .at_span(node.span)
                    .expected("`account: <project account>` or `identifier: ORG.ACCOUNT`"),
                );
                return None;
            }
        };
        Some(DatabaseSource::Share { provider, share })
    }

    fn mount_from_listing(
        &mut self,
        ctx: &FileCtx,
        l: &raw::FromListingRaw,
        node: &Node,
        what: &str,
    ) -> Option<DatabaseSource> {
        match (&l.account, &l.listing, &l.global_name) {
            (Some(acct), Some(listing), None) => {
                let provider =
                    self.project_account(ctx, acct, node.get("account").unwrap_or(node), what)?;
                let listing = match Ident::parse(listing) {
                    Ok(id) => id,
                    Err(e) => {
                        let span = node.get("listing").map(|n| n.span).unwrap_or(node.span);
                        self.name_error(NameError::Ident(e), listing, span, "listing");
                        return None;
                    }
                };
                Some(DatabaseSource::Listing {
                    provider: Some(provider),
                    listing,
                    global_name: None,
                })
            }
            (None, None, Some(global)) => Some(DatabaseSource::Listing {
                provider: None,
                listing: Ident::from_stored(global.trim().to_string()),
                global_name: Some(global.trim().to_string()),
            }),
            _ => {
                self.diag(
                    Diagnostic::new(
                        codes::FIELD_CONFLICT,
                        format!(
                            "{what}: `from_listing` needs `account` and `listing`, or `global_name`"
                        ),
                    )
                    .at_span(node.span)
                    .expected(
                        "`{account: <project account>, listing: NAME}` or `{global_name: '…'}`",
                    ),
                );
                None
            }
        }
    }

    /// A project account other than the current one.
    fn project_account(
        &mut self,
        ctx: &FileCtx,
        text: &str,
        node: &Node,
        what: &str,
    ) -> Option<AccountName> {
        let acct = AccountName::new(text.trim());
        if !self.accounts.contains(&acct) {
            let known: Vec<&str> = self.accounts.iter().map(|a| a.as_str()).collect();
            self.diag(
                Diagnostic::new(
                    codes::ACCOUNT_UNKNOWN,
                    format!("{what} names account `{text}`, which is not a project account"),
                )
                .at(node.span, "unknown account")
                .expected(format!("one of {}", quote_list(&known)))
                .maybe_hint(did_you_mean(text, known.iter().copied())),
            );
            return None;
        }
        if acct == ctx.account {
            self.diag(
                Diagnostic::new(
                    codes::VALUE_INVALID,
                    format!("{what} would mount a share of its own account `{acct}`"),
                )
                .at(node.span, "the provider must be another account"),
            );
            return None;
        }
        Some(acct)
    }

    /// A literal `ORG.ACCOUNT` identifier, upper-cased.
    fn account_identifier(&mut self, text: &str, node: &Node, what: &str) -> Option<String> {
        if is_account_identifier(text) {
            Some(text.trim().to_ascii_uppercase())
        } else {
            self.diag(
                Diagnostic::new(
                    codes::VALUE_INVALID,
                    format!("{what}: `{text}` is not an account identifier"),
                )
                .at(node.span, "expected ORG.ACCOUNT")
                .expected("an account identifier `ORGNAME.ACCOUNTNAME`"),
            );
            None
        }
    }

    /// Project account name or `ORG.ACCOUNT`; `code` is reported when neither.
    fn account_ref(
        &mut self,
        text: &str,
        node: &Node,
        what: &str,
        code: &'static str,
    ) -> Option<AccountRef> {
        let acct = AccountName::new(text.trim());
        if self.accounts.contains(&acct) {
            return Some(AccountRef::Project(acct));
        }
        if text.contains('.') && is_account_identifier(text) {
            return Some(AccountRef::Identifier(text.trim().to_ascii_uppercase()));
        }
        let known: Vec<&str> = self.accounts.iter().map(|a| a.as_str()).collect();
        let problem = if text.contains('.') {
            format!("`{text}` is not a valid account identifier")
        } else {
            format!("`{text}` is not a project account")
        };
        self.diag(
            Diagnostic::new(code, format!("{what}: {problem}"))
                .at(node.span, "unknown consumer account")
                .expected(format!(
                    "a project account ({}) or an identifier `ORG.ACCOUNT`",
                    quote_list(&known)
                ))
                .maybe_hint(did_you_mean(text, known.iter().copied())),
        );
        None
    }

    fn schema(&mut self, ctx: &FileCtx, db: &Ident, key: &Node, value: &Node) {
        let Some(name) = self.key_ident(key, ObjectKind::Schema.as_str()) else {
            return;
        };
        let schema_name = ObjectName::in_database(db.clone(), name.clone());
        let Some(Opened { id, raw, .. }) =
            self.open::<raw::SchemaRaw>(ctx, ObjectKind::Schema, schema_name, key, value)
        else {
            return;
        };
        if raw.authoritative == Some(true) {
            self.out.authoritative.insert(id.clone());
        }
        let spec = SchemaSpec {
            transient: raw.transient,
            managed_access: raw.managed_access,
            data_retention_time_in_days: raw.data_retention_time_in_days,
            comment: raw.comment,
        };
        self.declare(id, Spec::Schema(spec), key.span, value);
        let scope = Scope::schema(db, &name);
        macro_rules! children {
            ($field:ident, $label:literal, $method:ident) => {
                if let Some(map) = &raw.$field {
                    for (k, v) in self.entries(&map.node, $label) {
                        self.$method(ctx, &scope, k, v);
                    }
                }
            };
        }
        children!(file_formats, "file_formats", file_format);
        children!(stages, "stages", stage);
        children!(tables, "tables", table);
        children!(streams, "streams", stream);
        children!(procedures, "procedures", procedure);
        children!(functions, "functions", function);
        children!(models, "models", model);
        children!(tasks, "tasks", task);
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

    fn file_format(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
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
        let t = raw.format_type;
        let mut options: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        let mut opt = |me: &mut Self,
                       field: &str,
                       allowed: &[raw::FileFormatType],
                       v: Option<serde_json::Value>| {
            if let Some(v) = v {
                if allowed.contains(&t) {
                    options.insert(field.to_ascii_uppercase(), v);
                } else {
                    me.diag(
                        Diagnostic::new(
                            codes::FIELD_CONFLICT,
                            format!(
                                "{what}: option `{field}` does not apply to {} files",
                                t.sql()
                            ),
                        )
                        .at(
                            value.get(field).map(|n| n.span).unwrap_or(key.span),
                            format!("not a {} option", t.sql()),
                        ),
                    );
                }
            }
        };
        use serde_json::Value as J;
        opt(
            self,
            "compression",
            &[Csv, Json, Parquet, Avro, Orc, Xml],
            raw.compression.map(|c| J::from(c.to_ascii_uppercase())),
        );
        opt(
            self,
            "field_delimiter",
            &[Csv],
            raw.field_delimiter.map(J::from),
        );
        opt(
            self,
            "record_delimiter",
            &[Csv],
            raw.record_delimiter.map(J::from),
        );
        opt(self, "skip_header", &[Csv], raw.skip_header.map(J::from));
        opt(
            self,
            "field_optionally_enclosed_by",
            &[Csv],
            raw.field_optionally_enclosed_by.map(J::from),
        );
        opt(
            self,
            "empty_field_as_null",
            &[Csv],
            raw.empty_field_as_null.map(J::from),
        );
        opt(
            self,
            "error_on_column_count_mismatch",
            &[Csv],
            raw.error_on_column_count_mismatch.map(J::from),
        );
        opt(
            self,
            "date_format",
            &[Csv, Json],
            raw.date_format.map(J::from),
        );
        opt(
            self,
            "timestamp_format",
            &[Csv, Json],
            raw.timestamp_format.map(J::from),
        );
        opt(
            self,
            "null_if",
            &[Csv, Json, Parquet],
            raw.null_if.map(J::from),
        );
        opt(
            self,
            "trim_space",
            &[Csv, Json, Parquet, Avro, Orc],
            raw.trim_space.map(J::from),
        );
        opt(
            self,
            "strip_outer_array",
            &[Json],
            raw.strip_outer_array.map(J::from),
        );
        opt(
            self,
            "strip_null_values",
            &[Json],
            raw.strip_null_values.map(J::from),
        );
        opt(
            self,
            "binary_as_text",
            &[Parquet],
            raw.binary_as_text.map(J::from),
        );
        opt(
            self,
            "replace_invalid_characters",
            &[Csv, Json, Parquet, Avro, Orc],
            raw.replace_invalid_characters.map(J::from),
        );
        let spec = FileFormatSpec {
            format_type: t.sql().to_string(),
            options,
            comment: raw.comment,
        };
        self.declare(id, Spec::FileFormat(spec), key.span, value);
    }

    fn stage(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
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
                        value.get("credentials").map(|n| n.span).unwrap_or(key.span),
                        "choose one way to authenticate",
                    ),
                );
                return;
            }
            (Some(i), None) => match Ident::parse(i) {
                Ok(id) => Some(StageAuth::StorageIntegration(id)),
                Err(e) => {
                    let span = value
                        .get("storage_integration")
                        .map(|n| n.span)
                        .unwrap_or(key.span);
                    self.name_error(NameError::Ident(e), i, span, "storage integration");
                    return;
                }
            },
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
                .at(
                    value.get("url").map(|n| n.span).unwrap_or(key.span),
                    "unsupported URL",
                )
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

    fn table(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
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

    fn stream(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
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

    fn task(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
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
                    value
                        .get("serverless_size")
                        .map(|n| n.span)
                        .unwrap_or(key.span),
                    "serverless tasks have no warehouse",
                ),
            );
        }
        let warehouse = match &raw.warehouse {
            Some(w) => match Ident::parse(w) {
                Ok(id) => Some(id),
                Err(e) => {
                    let span = value.get("warehouse").map(|n| n.span).unwrap_or(key.span);
                    self.name_error(NameError::Ident(e), w, span, "warehouse");
                    return;
                }
            },
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
                    .at(value.get("schedule").map(|n| n.span).unwrap_or(key.span), "not a task schedule")
                    .expected("`<n> MINUTE`, `<n> HOURS`, `<n> SECONDS` or `USING CRON <min> <hour> <day> <month> <weekday> <time zone>`"),
            );
        }
        if raw.body.trim().is_empty() {
            self.diag(
                Diagnostic::new(codes::VALUE_INVALID, format!("{what} has an empty body")).at(
                    value.get("body").map(|n| n.span).unwrap_or(key.span),
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

    fn procedure(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
        let what = format!("procedure `{}`", key.as_str().unwrap_or_default());
        let Some(raw) = self.parse::<raw::ProcedureRaw>(value, key.span, &what) else {
            return;
        };
        let parts = RoutineParts {
            arguments: raw.arguments,
            returns: raw.returns,
            language: raw.language,
            runtime_version: raw.runtime_version,
            packages: raw.packages,
            imports: raw.imports,
            handler: raw.handler,
            body: raw.body,
            body_file: raw.body_file,
            secure: raw.secure,
            execute_as: raw.execute_as.map(|e| match e {
                raw::ExecuteAs::Owner => "OWNER".to_string(),
                raw::ExecuteAs::Caller => "CALLER".to_string(),
            }),
            comment: raw.comment,
        };
        self.routine(ctx, scope, key, value, ObjectKind::Procedure, parts);
    }

    fn function(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
        let what = format!("function `{}`", key.as_str().unwrap_or_default());
        let Some(raw) = self.parse::<raw::FunctionRaw>(value, key.span, &what) else {
            return;
        };
        let parts = RoutineParts {
            arguments: raw.arguments,
            returns: raw.returns,
            language: raw.language,
            runtime_version: raw.runtime_version,
            packages: raw.packages,
            imports: raw.imports,
            handler: raw.handler,
            body: raw.body,
            body_file: raw.body_file,
            secure: raw.secure,
            execute_as: None,
            comment: raw.comment,
        };
        self.routine(ctx, scope, key, value, ObjectKind::Function, parts);
    }

    fn routine(
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
                    .at(
                        value.get("body_file").map(|n| n.span).unwrap_or(key.span),
                        "choose one",
                    ),
                );
                return;
            }
            (Some(b), None) => b.clone(),
            (None, Some(f)) => {
                let span = value.get("body_file").map(|n| n.span).unwrap_or(key.span);
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
    fn read_text(&mut self, dir: &Path, rel: &str, span: Span, what: &str) -> Option<String> {
        let path = dir.join(rel);
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Some(text),
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

    fn model(&mut self, ctx: &FileCtx, scope: &Scope, key: &Node, value: &Node) {
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
                    value.get("versions").map(|n| n.span).unwrap_or(key.span),
                    "declare at least one version",
                ),
            );
            ok = false;
        }
        let default_version = match &raw.default_version {
            Some(d) => {
                let span = value
                    .get("default_version")
                    .map(|n| n.span)
                    .unwrap_or(key.span);
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

    fn share(&mut self, ctx: &FileCtx, key: &Node, value: &Node) {
        let Some((_, Opened { id, what, raw })) =
            self.open_account_object::<raw::ShareRaw>(ctx, ObjectKind::Share, key, value)
        else {
            return;
        };
        let db = match Ident::parse(&raw.database) {
            Ok(id) => id,
            Err(e) => {
                let span = value.get("database").map(|n| n.span).unwrap_or(key.span);
                self.name_error(NameError::Ident(e), &raw.database, span, "database");
                return;
            }
        };
        let scope = Scope::database(&db);
        let mut grants = BTreeSet::new();
        grants.insert(ShareGrant {
            privilege: "USAGE".into(),
            on_kind: ObjectKind::Database,
            on: ObjectName::account_level(db.clone()),
        });
        let grants_node = value.get("grants");
        for (i, g) in raw.grants.iter().enumerate() {
            // The grant's value (`main.customers` in `- select: main.customers`).
            let span = grants_node
                .and_then(|n| n.index(i))
                .and_then(|n| match &n.value {
                    Value::Map(entries) => entries.first().map(|(_, v)| v.span),
                    _ => Some(n.span),
                })
                .unwrap_or(key.span);
            let (privilege, kind, resolved) = match g {
                raw::ShareGrantRaw::Select(t) => (
                    "SELECT",
                    ObjectKind::Table,
                    names::object_level(t, &scope).map_err(|e| (e, t)),
                ),
                raw::ShareGrantRaw::Usage(s) => (
                    "USAGE",
                    ObjectKind::Schema,
                    names::schema_level(s, &scope).map_err(|e| (e, s)),
                ),
            };
            let on = match resolved {
                Ok(on) => on,
                Err((e, text)) => {
                    self.name_error(e, text, span, kind.as_str());
                    continue;
                }
            };
            if on.database.as_ref() != Some(&db) {
                self.diag(
                    Diagnostic::new(codes::SHARE_FOREIGN_OBJECT, format!("{what} grants `{on}`, which is outside its database `{db}`"))
                        .at(span, format!("not in database `{db}`"))
                        .hint("a share grants objects of one database only; create another share for this database"),
                );
                continue;
            }
            if let Some(parent) = on.parent()
                && kind == ObjectKind::Table
            {
                grants.insert(ShareGrant {
                    privilege: "USAGE".into(),
                    on_kind: ObjectKind::Schema,
                    on: parent,
                });
            }
            grants.insert(ShareGrant {
                privilege: privilege.into(),
                on_kind: kind,
                on,
            });
        }
        let mut accounts = Vec::new();
        for (i, a) in raw.accounts.iter().enumerate() {
            let node = value
                .get("accounts")
                .and_then(|n| n.index(i))
                .unwrap_or(value);
            if let Some(r) = self.account_ref(a, node, &what, codes::ACCOUNT_UNKNOWN) {
                if r == AccountRef::Project(ctx.account.clone()) {
                    self.diag(
                        Diagnostic::new(
                            codes::VALUE_INVALID,
                            format!("{what} is shared with its own account"),
                        )
                        .at(node.span, "a share's consumers are other accounts"),
                    );
                    continue;
                }
                accounts.push(r);
            }
        }
        accounts.sort();
        accounts.dedup();
        let spec = ShareSpec {
            database: Some(db),
            grants: {
                // Containers first (database, schema, then objects): the order to grant in.
                let mut g: Vec<ShareGrant> = grants.into_iter().collect();
                g.sort_by(|a, b| {
                    (a.on_kind, &a.on, &a.privilege).cmp(&(b.on_kind, &b.on, &b.privilege))
                });
                g
            },
            accounts,
            comment: raw.comment,
        };
        self.declare(id, Spec::Share(spec), key.span, value);
    }

    fn listing(&mut self, ctx: &FileCtx, key: &Node, value: &Node) {
        let Some((_, Opened { id, what, raw })) =
            self.open_account_object::<raw::ListingRaw>(ctx, ObjectKind::Listing, key, value)
        else {
            return;
        };
        let share = match Ident::parse(&raw.share) {
            Ok(id) => id,
            Err(e) => {
                let span = value.get("share").map(|n| n.span).unwrap_or(key.span);
                self.name_error(NameError::Ident(e), &raw.share, span, "share");
                return;
            }
        };
        let mut targets = Vec::new();
        for (i, t) in raw.targets.iter().enumerate() {
            let node = value
                .get("targets")
                .and_then(|n| n.index(i))
                .unwrap_or(value);
            if let Some(r) = self.account_ref(t, node, &what, codes::LISTING_TARGET) {
                if r == AccountRef::Project(ctx.account.clone()) {
                    self.diag(
                        Diagnostic::new(
                            codes::LISTING_TARGET,
                            format!("{what} targets its own account"),
                        )
                        .at(node.span, "a listing's targets are other accounts"),
                    );
                    continue;
                }
                targets.push(r);
            }
        }
        if raw.targets.is_empty() {
            self.diag(
                Diagnostic::new(
                    codes::LISTING_TARGET,
                    format!("{what} has no target accounts"),
                )
                .at(
                    value.get("targets").map(|n| n.span).unwrap_or(key.span),
                    "a private listing needs at least one target",
                ),
            );
        }
        targets.sort();
        targets.dedup();
        let spec = ListingSpec {
            share: Some(share),
            title: raw.title,
            subtitle: raw.subtitle,
            description: raw.description,
            targets,
            published: raw.published,
            comment: raw.comment,
        };
        self.declare(id, Spec::Listing(spec), key.span, value);
    }

    fn grant(&mut self, ctx: &FileCtx, node: &Node) {
        let what = "grant";
        let Some(raw) = self.parse::<raw::GrantRaw>(node, node.span, what) else {
            return;
        };
        let to_role = match Ident::parse(&raw.to_role) {
            Ok(id) => id,
            Err(e) => {
                let span = node.get("to_role").map(|n| n.span).unwrap_or(node.span);
                self.name_error(NameError::Ident(e), &raw.to_role, span, "role");
                return;
            }
        };
        let spec = match (&raw.privilege, &raw.on, &raw.role) {
            (None, None, Some(role)) => match Ident::parse(role) {
                Ok(r) => GrantSpec {
                    privilege: String::new(),
                    on: GrantOn::Role(r),
                    to_role,
                },
                Err(e) => {
                    let span = node.get("role").map(|n| n.span).unwrap_or(node.span);
                    self.name_error(NameError::Ident(e), role, span, "role");
                    return;
                }
            },
            (Some(privilege), Some(on), None) => {
                let privilege = privilege
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_ascii_uppercase();
                let on_node = node.get("on").unwrap_or(node);
                let target = match self.grant_target(on, on_node) {
                    Some(t) => t,
                    None => return,
                };
                let kind_name = match &target {
                    GrantOn::Object { kind, .. } => kind.as_str(),
                    _ => "account",
                };
                let allowed = privileges_for(&target);
                if !allowed.contains(&privilege.as_str()) {
                    let span = node.get("privilege").map(|n| n.span).unwrap_or(node.span);
                    self.diag(
                        Diagnostic::new(
                            codes::PRIVILEGE_INVALID,
                            format!("`{privilege}` is not a privilege on a {kind_name}"),
                        )
                        .at(span, "invalid privilege")
                        .expected(format!("one of {}", quote_list(allowed)))
                        .maybe_hint(did_you_mean(&privilege, allowed.iter().copied())),
                    );
                    return;
                }
                GrantSpec {
                    privilege,
                    on: target,
                    to_role,
                }
            }
            _ => {
                self.diag(
                    Diagnostic::new(
                        codes::FIELD_CONFLICT,
                        "a grant needs either `privilege` and `on`, or `role`",
                    )
                    .at(node.span, "ambiguous grant")
                    .expected("`{privilege, on, to_role}` or `{role, to_role}`"),
                );
                return;
            }
        };
        let id = ObjectId::new(
            ctx.account.clone(),
            ObjectKind::Grant,
            ObjectName::account_level(Ident::from_stored(spec.key())),
        );
        self.declare(id, Spec::Grant(spec), node.span, node);
    }

    fn grant_target(&mut self, on: &raw::GrantOnRaw, node: &Node) -> Option<GrantOn> {
        use raw::GrantOnRaw as G;
        let (kind, text) = match on {
            G::Account => return Some(GrantOn::Account),
            G::Warehouse(t) => (ObjectKind::Warehouse, t),
            G::Database(t) => (ObjectKind::Database, t),
            G::Schema(t) => (ObjectKind::Schema, t),
            G::Table(t) => (ObjectKind::Table, t),
            G::FileFormat(t) => (ObjectKind::FileFormat, t),
            G::Stage(t) => (ObjectKind::Stage, t),
            G::Stream(t) => (ObjectKind::Stream, t),
            G::Task(t) => (ObjectKind::Task, t),
            G::Procedure(t) => (ObjectKind::Procedure, t),
            G::Function(t) => (ObjectKind::Function, t),
            G::Model(t) => (ObjectKind::Model, t),
        };
        let span = match &node.value {
            Value::Map(entries) => entries.first().map(|(_, v)| v.span).unwrap_or(node.span),
            _ => node.span,
        };
        let (name_text, signature) = if matches!(kind, ObjectKind::Procedure | ObjectKind::Function)
        {
            let (n, sig) = names::split_signature(text);
            match sig {
                Some(types) => (
                    n,
                    Some(
                        types
                            .iter()
                            .map(|t| names::signature_type(t))
                            .collect::<Vec<_>>(),
                    ),
                ),
                None => {
                    self.diag(
                        Diagnostic::new(
                            codes::VALUE_INVALID,
                            format!(
                                "grant on {} `{text}` needs its argument types",
                                kind.as_str()
                            ),
                        )
                        .at(span, "argument types missing")
                        .expected("`database.schema.name(type, …)`, or `name()` without arguments"),
                    );
                    return None;
                }
            }
        } else {
            (text.clone(), None)
        };
        let resolved = match kind.level() {
            Level::Account => names::account_level(&name_text),
            Level::Database => names::schema_level(&name_text, &Scope::account()),
            Level::Schema => names::object_level(&name_text, &Scope::account()),
        };
        match resolved {
            Ok(name) => Some(GrantOn::Object {
                kind,
                name,
                signature,
            }),
            Err(e) => {
                self.name_error(e, text, span, kind.as_str());
                None
            }
        }
    }
}

struct RoutineParts {
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

/// A short, platform-independent reason for a failed read.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "file not found".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// A task schedule Snowflake accepts: an interval or a cron expression with a time zone.
pub fn is_valid_schedule(text: &str) -> bool {
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

/// `ORG.ACCOUNT` with both parts simple identifiers.
pub fn is_account_identifier(text: &str) -> bool {
    let parts: Vec<&str> = text.trim().split('.').collect();
    parts.len() == 2
        && parts.iter().all(|p| {
            let mut chars = p.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// `@stage/path` → `@DB.SCHEMA.STAGE/path`, the stage resolved in `scope`.
pub fn qualify_stage_path(text: &str, scope: &Scope) -> Result<String, String> {
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

fn normalize_path(path: &Path) -> PathBuf {
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

/// Privileges Snowflake allows on each kind of grant target.
pub fn privileges_for(on: &GrantOn) -> &'static [&'static str] {
    let kind = match on {
        GrantOn::Account => {
            return &[
                "ALL",
                "APPLY MASKING POLICY",
                "AUDIT",
                "CREATE DATA EXCHANGE LISTING",
                "CREATE DATABASE",
                "CREATE INTEGRATION",
                "CREATE ROLE",
                "CREATE SHARE",
                "CREATE USER",
                "CREATE WAREHOUSE",
                "EXECUTE MANAGED TASK",
                "EXECUTE TASK",
                "IMPORT SHARE",
                "MANAGE GRANTS",
                "MONITOR EXECUTION",
                "MONITOR USAGE",
                "OVERRIDE SHARE RESTRICTIONS",
            ];
        }
        GrantOn::Role(_) => return &[""],
        GrantOn::Object { kind, .. } => *kind,
    };
    match kind {
        ObjectKind::Warehouse => &[
            "ALL",
            "APPLYBUDGET",
            "MODIFY",
            "MONITOR",
            "OPERATE",
            "OWNERSHIP",
            "USAGE",
        ],
        ObjectKind::Database => &[
            "ALL",
            "APPLYBUDGET",
            "CREATE DATABASE ROLE",
            "CREATE SCHEMA",
            "IMPORTED PRIVILEGES",
            "MODIFY",
            "MONITOR",
            "OWNERSHIP",
            "REFERENCE_USAGE",
            "USAGE",
        ],
        ObjectKind::Schema => &[
            "ADD SEARCH OPTIMIZATION",
            "ALL",
            "CREATE ALERT",
            "CREATE DYNAMIC TABLE",
            "CREATE EXTERNAL TABLE",
            "CREATE FILE FORMAT",
            "CREATE FUNCTION",
            "CREATE MATERIALIZED VIEW",
            "CREATE MODEL",
            "CREATE PIPE",
            "CREATE PROCEDURE",
            "CREATE SECRET",
            "CREATE SEQUENCE",
            "CREATE STAGE",
            "CREATE STREAM",
            "CREATE STREAMLIT",
            "CREATE TABLE",
            "CREATE TAG",
            "CREATE TASK",
            "CREATE TEMPORARY TABLE",
            "CREATE VIEW",
            "MODIFY",
            "MONITOR",
            "OWNERSHIP",
            "USAGE",
        ],
        ObjectKind::Table => &[
            "ALL",
            "APPLYBUDGET",
            "DELETE",
            "EVOLVE SCHEMA",
            "INSERT",
            "OWNERSHIP",
            "REBUILD",
            "REFERENCES",
            "SELECT",
            "TRUNCATE",
            "UPDATE",
        ],
        ObjectKind::Stage => &["ALL", "OWNERSHIP", "READ", "USAGE", "WRITE"],
        ObjectKind::Stream => &["ALL", "OWNERSHIP", "SELECT"],
        ObjectKind::Task => &["ALL", "MONITOR", "OPERATE", "OWNERSHIP"],
        _ => &["ALL", "OWNERSHIP", "USAGE"],
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
    fn schedules_are_intervals_or_cron_with_time_zone() {
        use super::is_valid_schedule;
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
