//! Lowering what one account offers another: shares (with their grants and consumer
//! accounts) and the private listings that publish them.

use std::collections::BTreeSet;

use super::database::is_account_identifier;
use super::{FileCtx, Lowerer, Opened, field_span, quote_list};
use crate::manifest::diagnostics::{Diagnostic, codes, did_you_mean};
use crate::manifest::names::{self, Scope};
use crate::manifest::raw;
use crate::manifest::yaml::{Node, Value};
use crate::model::*;

/// How a list of other accounts (a share's consumers, a listing's targets) is checked.
struct OtherAccounts<'a> {
    /// The field holding the list.
    field: &'a str,
    /// Reported for a name that is neither a project account nor `ORG.ACCOUNT`.
    unknown_code: &'static str,
    /// Reported, with `own_problem` and `own_label`, when the list names its own account.
    own_code: &'static str,
    own_problem: &'a str,
    own_label: &'a str,
}

impl Lowerer<'_> {
    /// The accounts written in `texts` (field `rules.field` of `value`), sorted and
    /// without repeats; unknown names and the declaring account itself are reported.
    fn other_accounts(
        &mut self,
        ctx: &FileCtx,
        texts: &[String],
        value: &Node,
        what: &str,
        rules: &OtherAccounts,
    ) -> Vec<AccountRef> {
        let mut accounts = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let node = value
                .get(rules.field)
                .and_then(|n| n.index(i))
                .unwrap_or(value);
            if let Some(r) = self.account_ref(text, node, what, rules.unknown_code) {
                if r == AccountRef::Project(ctx.account.clone()) {
                    self.diag(
                        Diagnostic::new(rules.own_code, format!("{what} {}", rules.own_problem))
                            .at(node.span, rules.own_label),
                    );
                    continue;
                }
                accounts.push(r);
            }
        }
        accounts.sort();
        accounts.dedup();
        accounts
    }

    /// Project account name or `ORG.ACCOUNT`; `code` is reported when neither.
    pub(super) fn account_ref(
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

    pub(super) fn share(&mut self, ctx: &FileCtx, key: &Node, value: &Node) {
        let Some((_, Opened { id, what, raw })) =
            self.open_account_object::<raw::ShareRaw>(ctx, ObjectKind::Share, key, value)
        else {
            return;
        };
        let span = field_span(value, "database", key.span);
        let Some(db) = self.ident_ref(&raw.database, span, "database") else {
            return;
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
        let accounts = self.other_accounts(
            ctx,
            &raw.accounts,
            value,
            &what,
            &OtherAccounts {
                field: "accounts",
                unknown_code: codes::ACCOUNT_UNKNOWN,
                own_code: codes::VALUE_INVALID,
                own_problem: "is shared with its own account",
                own_label: "a share's consumers are other accounts",
            },
        );
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

    pub(super) fn listing(&mut self, ctx: &FileCtx, key: &Node, value: &Node) {
        let Some((_, Opened { id, what, raw })) =
            self.open_account_object::<raw::ListingRaw>(ctx, ObjectKind::Listing, key, value)
        else {
            return;
        };
        let span = field_span(value, "share", key.span);
        let Some(share) = self.ident_ref(&raw.share, span, "share") else {
            return;
        };
        let targets = self.other_accounts(
            ctx,
            &raw.targets,
            value,
            &what,
            &OtherAccounts {
                field: "targets",
                unknown_code: codes::LISTING_TARGET,
                own_code: codes::LISTING_TARGET,
                own_problem: "targets its own account",
                own_label: "a listing's targets are other accounts",
            },
        );
        if raw.targets.is_empty() {
            self.diag(
                Diagnostic::new(
                    codes::LISTING_TARGET,
                    format!("{what} has no target accounts"),
                )
                .at(
                    field_span(value, "targets", key.span),
                    "a private listing needs at least one target",
                ),
            );
        }
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
}
