//! Lowering databases and their schemas.
//!
//! A database is either local (and then declares its schemas, which declare their
//! objects) or mounted from another account's share or listing, in which case its
//! contents belong to the provider.

use super::{FileCtx, Lowerer, Opened, field_span, quote_list};
use crate::manifest::diagnostics::{Diagnostic, codes, did_you_mean};
use crate::manifest::limits;
use crate::manifest::names::Scope;
use crate::manifest::raw::{self, WholeNumber};
use crate::manifest::yaml::{Node, Span};
use crate::model::*;

impl Lowerer<'_> {
    pub(super) fn database(&mut self, ctx: &FileCtx, key: &Node, value: &Node) {
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
                        field_span(value, "from_listing", key.span),
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
        let retention = self.retention(
            raw.data_retention_time_in_days,
            raw.transient,
            value,
            key.span,
            &what,
        );
        let spec = DatabaseSpec {
            source,
            transient: raw.transient,
            data_retention_time_in_days: retention,
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

    pub(super) fn mount_from_share(
        &mut self,
        ctx: &FileCtx,
        s: &raw::FromShareRaw,
        node: &Node,
        what: &str,
    ) -> Option<DatabaseSource> {
        let share = self.ident_ref(&s.share, field_span(node, "share", node.span), "share")?;
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

    pub(super) fn mount_from_listing(
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
                let span = field_span(node, "listing", node.span);
                let listing = self.ident_ref(listing, span, "listing")?;
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
    pub(super) fn project_account(
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
    pub(super) fn account_identifier(
        &mut self,
        text: &str,
        node: &Node,
        what: &str,
    ) -> Option<String> {
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

    pub(super) fn schema(&mut self, ctx: &FileCtx, db: &Ident, key: &Node, value: &Node) {
        let Some(name) = self.key_ident(key, ObjectKind::Schema.as_str()) else {
            return;
        };
        let schema_name = ObjectName::in_database(db.clone(), name.clone());
        let Some(Opened { id, what, raw }) =
            self.open::<raw::SchemaRaw>(ctx, ObjectKind::Schema, schema_name, key, value)
        else {
            return;
        };
        let retention = self.retention(
            raw.data_retention_time_in_days,
            raw.transient,
            value,
            key.span,
            &what,
        );
        if raw.authoritative == Some(true) {
            self.out.authoritative.insert(id.clone());
        }
        let spec = SchemaSpec {
            transient: raw.transient,
            managed_access: raw.managed_access,
            data_retention_time_in_days: retention,
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

    /// `data_retention_time_in_days` within 0 … 90, or 0 … 1 for a transient object.
    pub(super) fn retention(
        &mut self,
        days: Option<WholeNumber>,
        transient: Option<bool>,
        value: &Node,
        fallback: Span,
        what: &str,
    ) -> Option<u32> {
        let limit = if transient == Some(true) {
            limits::DATA_RETENTION_TRANSIENT
        } else {
            limits::DATA_RETENTION
        };
        self.number(
            days,
            value,
            fallback,
            "data_retention_time_in_days",
            limit,
            what,
        )
        .map(|d| d as u32)
    }
}

/// `ORG.ACCOUNT` with both parts simple identifiers.
pub(super) fn is_account_identifier(text: &str) -> bool {
    let parts: Vec<&str> = text.trim().split('.').collect();
    parts.len() == 2
        && parts.iter().all(|p| {
            let mut chars = p.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}
