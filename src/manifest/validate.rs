//! Project-wide validation: references between objects (also across accounts), data
//! sharing rules, task graph rules and dependency cycles.
//!
//! Runs on the lowered objects with their declaration sites, so every diagnostic
//! names the file, line and column of the offending field.

use std::collections::{BTreeMap, BTreeSet};

use super::diagnostics::{Diagnostic, SourceMap, codes, did_you_mean, suggest};
use super::lower::{Declared, describe, split_stage_path};
use super::names::{self, Scope};
use super::sql_scan;
use super::yaml::{Node, Span};
use crate::graph::{build_graph, mounted_provider};
use crate::model::*;

/// Roles every Snowflake account has.
pub const SYSTEM_ROLES: &[&str] = &[
    "ACCOUNTADMIN",
    "ORGADMIN",
    "PUBLIC",
    "SECURITYADMIN",
    "SYSADMIN",
    "USERADMIN",
];

/// Snowflake's limit on predecessors of one task.
pub const MAX_PREDECESSORS: usize = 100;

pub struct Validator<'a> {
    objects: &'a BTreeMap<ObjectId, Declared>,
    catalog: &'a Catalog,
    sources: &'a SourceMap,
    invalid: &'a std::collections::BTreeSet<ObjectId>,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Validator<'a> {
    pub fn new(
        objects: &'a BTreeMap<ObjectId, Declared>,
        catalog: &'a Catalog,
        sources: &'a SourceMap,
        invalid: &'a std::collections::BTreeSet<ObjectId>,
    ) -> Self {
        Validator {
            objects,
            catalog,
            sources,
            invalid,
            diags: Vec::new(),
        }
    }

    pub fn run(mut self) -> Vec<Diagnostic> {
        for (id, d) in self.objects {
            match &d.spec {
                Spec::Database(db) => self.database(id, d, db),
                Spec::Stage(s) => self.stage(id, d, s),
                Spec::Stream(s) => self.stream(id, d, s),
                Spec::Task(t) => self.task(id, d, t),
                Spec::Share(s) => self.share(id, d, s),
                Spec::Listing(l) => self.listing(id, d, l),
                Spec::Model(m) => self.model(id, d, m),
                Spec::Procedure(r) | Spec::Function(r) => self.routine(id, d, r),
                Spec::Grant(g) => self.grant(id, d, g),
                _ => {}
            }
        }
        self.task_graphs();
        self.role_hierarchy();
        if let Err(cycle) = build_graph(self.catalog) {
            let mut diag = Diagnostic::new(
                codes::CYCLE,
                format!(
                    "dependency cycle: {}",
                    cycle
                        .cycle
                        .iter()
                        .chain(cycle.cycle.first())
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
            )
            .hint("break the cycle by removing one of these references");
            let n = cycle.cycle.len();
            for (i, id) in cycle.cycle.iter().enumerate() {
                if let Some(d) = self.objects.get(id) {
                    let next = &cycle.cycle[(i + 1) % n];
                    diag = diag.at(d.span, format!("needed by {}", short(next)));
                }
            }
            self.diags.push(diag);
        }
        self.diags
    }

    /// Declared (possibly with an invalid definition, already reported).
    fn exists(&self, id: &ObjectId) -> bool {
        self.catalog.objects.contains_key(id) || self.invalid.contains(id)
    }

    /// "did you mean" among objects of `kind` in `account`, preferring the same container.
    fn suggest(
        &self,
        account: &AccountName,
        kind: ObjectKind,
        wanted: &ObjectName,
        qualified: bool,
    ) -> Option<String> {
        let same_parent: Vec<&ObjectId> = self
            .catalog
            .objects
            .keys()
            .filter(|i| {
                &i.account == account && i.kind == kind && i.name.parent() == wanted.parent()
            })
            .collect();
        if !qualified
            && let Some(c) = suggest(
                wanted.name.as_str(),
                same_parent.iter().map(|i| i.name.name.as_str()),
            )
        {
            return Some(format!("did you mean `{}`?", Ident::from_stored(c).sql()));
        }
        let all: Vec<String> = self
            .catalog
            .objects
            .keys()
            .filter(|i| &i.account == account && i.kind == kind)
            .map(|i| i.name.sql())
            .collect();
        did_you_mean(&wanted.sql(), all.iter().map(|s| s.as_str()))
    }

    fn unknown(&mut self, owner: &ObjectId, span: Span, target: &ObjectId, written: &str) {
        let qualified = written.contains('.');
        let hint = self.suggest(&target.account, target.kind, &target.name, qualified);
        self.diags.push(
            Diagnostic::new(
                codes::REF_UNKNOWN,
                format!(
                    "{} refers to {}, which is not declared",
                    describe(owner),
                    describe(target)
                ),
            )
            .at(
                span,
                format!("unknown {}", target.kind.as_str().replace('_', " ")),
            )
            .maybe_hint(hint),
        );
    }

    /// Span of `needle` inside the scalar `node` (located in the source text), or of the node.
    fn inner_span(&self, node: Option<&Node>, fallback: Span, needle: &str) -> Span {
        let Some(node) = node else { return fallback };
        let Some(file) = self.sources.get(node.span.file) else {
            return node.span;
        };
        let text = &file.text.text;
        let from = node.span.offset.min(text.len());
        match text[from..].find(needle) {
            Some(i) => file
                .text
                .span_of_offset(node.span.file, from + i, needle.len()),
            None => node.span,
        }
    }

    fn database(&mut self, id: &ObjectId, d: &Declared, db: &DatabaseSpec) {
        match &db.source {
            DatabaseSource::Share {
                provider: AccountRef::Project(p),
                share,
            } => {
                let share_id = ObjectId::new(
                    p.clone(),
                    ObjectKind::Share,
                    ObjectName::account_level(share.clone()),
                );
                let span = d.field(&["from_share", "share"]);
                match self.catalog.get(&share_id) {
                    None => self.unknown(id, span, &share_id, share.as_str()),
                    Some(Spec::Share(s)) => {
                        if !s
                            .accounts
                            .contains(&AccountRef::Project(id.account.clone()))
                        {
                            let share_decl = self.objects.get(&share_id).map(|x| x.span);
                            let mut diag = Diagnostic::new(
                                codes::CONSUMER_NOT_TARGETED,
                                format!(
                                    "{} mounts {}, which is not shared with account `{}`",
                                    describe(id),
                                    describe(&share_id),
                                    id.account
                                ),
                            )
                            .at(span, "not a consumer of this share")
                            .hint(format!("add `{}` to the share's `accounts:`", id.account));
                            if let Some(s) = share_decl {
                                diag = diag.at(s, "share declared here");
                            }
                            self.diags.push(diag);
                        }
                    }
                    Some(_) => {}
                }
            }
            DatabaseSource::Listing {
                provider: Some(p),
                listing,
                ..
            } => {
                let listing_id = ObjectId::new(
                    p.clone(),
                    ObjectKind::Listing,
                    ObjectName::account_level(listing.clone()),
                );
                let span = d.field(&["from_listing", "listing"]);
                match self.catalog.get(&listing_id) {
                    None => self.unknown(id, span, &listing_id, listing.as_str()),
                    Some(Spec::Listing(l)) => {
                        if !l.targets.contains(&AccountRef::Project(id.account.clone())) {
                            let mut diag = Diagnostic::new(
                                codes::CONSUMER_NOT_TARGETED,
                                format!(
                                    "{} mounts {}, which does not target account `{}`",
                                    describe(id),
                                    describe(&listing_id),
                                    id.account
                                ),
                            )
                            .at(span, "not a target of this listing")
                            .hint(format!("add `{}` to the listing's `targets:`", id.account));
                            if let Some(decl) = self.objects.get(&listing_id) {
                                diag = diag.at(decl.field(&["targets"]), "targets declared here");
                            }
                            self.diags.push(diag);
                        }
                    }
                    Some(_) => {}
                }
            }
            _ => {}
        }
    }

    fn stage(&mut self, id: &ObjectId, d: &Declared, s: &StageSpec) {
        if let Some(ff) = &s.file_format {
            let target = ObjectId::new(id.account.clone(), ObjectKind::FileFormat, ff.clone());
            if !self.exists(&target) {
                let written = d
                    .node
                    .get("file_format")
                    .and_then(|n| n.as_str())
                    .unwrap_or_default()
                    .to_string();
                self.unknown(id, d.field(&["file_format"]), &target, &written);
            }
        }
    }

    fn stream(&mut self, id: &ObjectId, d: &Declared, s: &StreamSpec) {
        let span = d.field(&["table"]);
        let written = d
            .node
            .get("table")
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string();
        let table_id = ObjectId::new(id.account.clone(), ObjectKind::Table, s.table.clone());
        let Some(db) = &s.table.database else { return };
        let db_id = ObjectId::new(
            id.account.clone(),
            ObjectKind::Database,
            ObjectName::account_level(db.clone()),
        );
        match self.catalog.get(&db_id) {
            None => {
                let hint = self.suggest(&id.account, ObjectKind::Database, &db_id.name, false);
                self.diags.push(
                    Diagnostic::new(
                        codes::REF_UNKNOWN,
                        format!("{} reads table `{}`, but database `{}` is not declared in account `{}`", describe(id), s.table, db, id.account),
                    )
                    .at(span, "unknown database")
                    .maybe_hint(hint),
                );
            }
            Some(Spec::Database(spec)) if spec.source == DatabaseSource::Local => {
                if !self.exists(&table_id) {
                    self.unknown(id, span, &table_id, &written);
                }
            }
            Some(_) => {
                let Some(from) = mounted_provider(&db_id, self.catalog) else {
                    return;
                };
                let Some(provider_table) = from.table(&s.table) else {
                    return;
                };
                if !self.exists(&provider_table) {
                    let hint = self.suggest(
                        &provider_table.account,
                        ObjectKind::Table,
                        &provider_table.name,
                        false,
                    );
                    self.diags.push(
                        Diagnostic::new(
                            codes::REF_UNKNOWN,
                            format!(
                                "{} reads `{}` from database `{db}` (mounted from account `{}`), but {} is not declared",
                                describe(id), s.table, from.provider, describe(&provider_table)
                            ),
                        )
                        .at(span, "unknown table")
                        .maybe_hint(hint),
                    );
                    return;
                }
                if let Some(share_id) = &from.share
                    && let Some(Spec::Share(share)) = self.catalog.get(share_id)
                    && !share
                        .grants
                        .iter()
                        .any(|g| g.on_kind == ObjectKind::Table && g.on == provider_table.name)
                {
                    let mut diag = Diagnostic::new(
                        codes::SHARE_NOT_GRANTED,
                        format!(
                            "{} reads {}, which {} does not grant",
                            describe(id),
                            describe(&provider_table),
                            describe(share_id)
                        ),
                    )
                    .at(span, "not in the share")
                    .hint(format!(
                        "add `- select: {}.{}` to the share's grants",
                        provider_table
                            .name
                            .schema
                            .as_ref()
                            .map(|s| s.sql())
                            .unwrap_or_default(),
                        provider_table.name.name.sql()
                    ));
                    if let Some(decl) = self.objects.get(share_id) {
                        diag = diag.at(decl.span, "share declared here");
                    }
                    self.diags.push(diag);
                    return;
                }
                if let Some(Spec::Table(t)) = self.catalog.get(&provider_table)
                    && t.change_tracking != Some(true)
                {
                    let mut diag = Diagnostic::new(
                        codes::STREAM_CHANGE_TRACKING,
                        format!("{} reads a shared table, but {} does not enable change tracking", describe(id), describe(&provider_table)),
                    )
                    .at(span, "stream on a shared table")
                    .hint("set `change_tracking: true` on the provider's table: a stream on a shared table needs it");
                    if let Some(decl) = self.objects.get(&provider_table) {
                        diag = diag.at(decl.span, "declared here without `change_tracking: true`");
                    }
                    self.diags.push(diag);
                }
            }
        }
    }

    fn task(&mut self, id: &ObjectId, d: &Declared, t: &TaskSpec) {
        if let Some(wh) = &t.warehouse {
            let target = ObjectId::new(
                id.account.clone(),
                ObjectKind::Warehouse,
                ObjectName::account_level(wh.clone()),
            );
            if !self.exists(&target) {
                self.unknown(id, d.field(&["warehouse"]), &target, wh.as_str());
            }
        }
        let after_node = d.node.get("after");
        if t.after.len() > MAX_PREDECESSORS {
            self.diags.push(
                Diagnostic::new(
                    codes::TASK_PREDECESSORS,
                    format!("{} has {} predecessors", describe(id), t.after.len()),
                )
                .at(
                    d.field(&["after"]),
                    format!("at most {MAX_PREDECESSORS} allowed"),
                )
                .expected(format!("at most {MAX_PREDECESSORS} tasks in `after`")),
            );
        }
        for (i, a) in t.after.iter().enumerate() {
            let span = after_node
                .and_then(|n| n.index(i))
                .map(|n| n.span)
                .unwrap_or(d.span);
            let target = ObjectId::new(id.account.clone(), ObjectKind::Task, a.clone());
            if *a == id.name {
                self.diags.push(
                    Diagnostic::new(
                        codes::TASK_SELF_PREDECESSOR,
                        format!("{} runs after itself", describe(id)),
                    )
                    .at(span, "the task names itself in `after`")
                    .hint("remove it from `after`; a task with no other predecessor is a root and needs a `schedule` or `when`"),
                );
            } else if a.parent() != id.name.parent() {
                self.diags.push(
                    Diagnostic::new(codes::TASK_AFTER_SCOPE, format!("{} runs after `{a}`, which is in another schema", describe(id)))
                        .at(span, "not in the same schema")
                        .hint("a task graph lives in one schema: all predecessors must be in the task's schema"),
                );
            } else if !self.exists(&target) {
                let written = after_node
                    .and_then(|n| n.index(i))
                    .and_then(|n| n.as_str())
                    .unwrap_or_default()
                    .to_string();
                self.unknown(id, span, &target, &written);
            }
        }
        if !t.after.is_empty() && t.schedule.is_some() {
            self.diags.push(
                Diagnostic::new(
                    codes::TASK_CHILD_SCHEDULE,
                    format!("{} has both `after` and `schedule`", describe(id)),
                )
                .at(
                    d.field(&["schedule"]),
                    "child tasks run when their predecessors finish",
                )
                .hint("only the root task of a graph has a schedule; remove `schedule` here"),
            );
        }
        if t.after.is_empty() && t.schedule.is_none() && t.when.is_none() {
            self.diags.push(
                Diagnostic::new(
                    codes::TASK_ROOT,
                    format!("root {} has neither `schedule` nor `when`", describe(id)),
                )
                .at(d.span, "root task never triggers")
                .expected("a `schedule` (e.g. `5 MINUTE`) or a `when` condition on the root task"),
            );
        }
        let scope = match (&id.name.database, &id.name.schema) {
            (Some(db), Some(s)) => Scope::schema(db, s),
            _ => return,
        };
        if let Some(when) = &t.when {
            for found in sql_scan::stream_has_data_refs(when) {
                let Ok(name) = names::object_level(&found.text, &scope) else {
                    continue;
                };
                let target = ObjectId::new(id.account.clone(), ObjectKind::Stream, name);
                if !self.exists(&target) && !self.is_external(&target) {
                    let span = self.inner_span(d.node.get("when"), d.span, &found.text);
                    self.unknown(id, span, &target, &found.text);
                }
            }
        }
        let body_node = d.node.get("body");
        for found in sql_scan::from_string_literals(&t.body) {
            let span = self.inner_span(body_node, d.span, &found.text);
            let unquoted = found.text.trim_matches('\'');
            self.diags.push(
                Diagnostic::new(
                    codes::SQL_FROM_STRING,
                    format!("{} selects FROM a string literal", describe(id)),
                )
                .at(span, "a string, not a table")
                .hint(format!(
                    "remove the quotes to name the table: FROM {unquoted}"
                )),
            );
        }
        for found in sql_scan::call_refs(&t.body) {
            let Ok(name) = names::object_level(&found.text, &scope) else {
                continue;
            };
            let target = ObjectId::new(id.account.clone(), ObjectKind::Procedure, name.clone());
            let declared = self.catalog.objects.keys().any(|k| {
                k.account == id.account && k.kind == ObjectKind::Procedure && k.name == name
            }) || self
                .invalid
                .iter()
                .any(|k| k.kind == ObjectKind::Procedure && k.name == name);
            if !declared && !self.is_external(&target) && !is_system_procedure(&name) {
                let span = self.inner_span(body_node, d.span, &found.text);
                self.unknown(id, span, &target, &found.text);
            }
        }
        for found in sql_scan::stage_refs(&t.body) {
            let Ok(name) = names::object_level(&found.text, &scope) else {
                continue;
            };
            let target = ObjectId::new(id.account.clone(), ObjectKind::Stage, name);
            if !self.exists(&target) && !self.is_external(&target) {
                let span = self.inner_span(body_node, d.span, &format!("@{}", found.text));
                self.unknown(id, span, &target, &found.text);
            }
        }
    }

    /// True when `target` lives in a database this project does not manage locally
    /// (mounted, or not declared at all): its contents cannot be checked here.
    fn is_external(&self, target: &ObjectId) -> bool {
        let Some(db) = &target.name.database else {
            return false;
        };
        let db_id = ObjectId::new(
            target.account.clone(),
            ObjectKind::Database,
            ObjectName::account_level(db.clone()),
        );
        !matches!(self.catalog.get(&db_id), Some(Spec::Database(d)) if d.source == DatabaseSource::Local)
    }

    /// One root per task graph; every graph's tasks are connected through `after`.
    fn task_graphs(&mut self) {
        let tasks: BTreeMap<&ObjectId, &TaskSpec> = self
            .catalog
            .objects
            .iter()
            .filter_map(|(id, s)| match s {
                Spec::Task(t) => Some((id, t)),
                _ => None,
            })
            .collect();
        let mut roots_cache: BTreeMap<ObjectId, BTreeSet<ObjectId>> = BTreeMap::new();
        let mut reported: BTreeSet<BTreeSet<ObjectId>> = BTreeSet::new();
        for id in tasks.keys() {
            let roots = roots_of(id, &tasks, &mut roots_cache, &mut BTreeSet::new());
            if roots.len() > 1 && reported.insert(roots.clone()) {
                let Some(d) = self.objects.get(*id) else {
                    continue;
                };
                let list = roots
                    .iter()
                    .map(|r| format!("`{}`", r.name.name))
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut diag = Diagnostic::new(
                    codes::TASK_ROOT,
                    format!(
                        "{} joins task graphs with different roots ({list})",
                        describe(id)
                    ),
                )
                .at(
                    d.field(&["after"]),
                    "predecessors lead to more than one root",
                )
                .hint(
                    "a task graph has exactly one root task; make one root run before the others",
                );
                for r in &roots {
                    if let Some(rd) = self.objects.get(r) {
                        diag = diag.at(rd.span, "a root task");
                    }
                }
                self.diags.push(diag);
            }
        }
    }

    /// Role grants must not form a cycle (Snowflake rejects circular role grants).
    fn role_hierarchy(&mut self) {
        let mut edges: BTreeMap<(AccountName, Ident), Vec<(Ident, &ObjectId)>> = BTreeMap::new();
        for (id, spec) in &self.catalog.objects {
            if let Spec::Grant(GrantSpec {
                on: GrantOn::Role(role),
                to_role,
                ..
            }) = spec
            {
                edges
                    .entry((id.account.clone(), role.clone()))
                    .or_default()
                    .push((to_role.clone(), id));
            }
        }
        let mut reported: BTreeSet<BTreeSet<&ObjectId>> = BTreeSet::new();
        for (account, start) in edges.keys() {
            // Depth-first search for a path of role grants leading back to `start`.
            let mut stack: Vec<(Ident, Vec<&ObjectId>)> = vec![(start.clone(), Vec::new())];
            let mut seen = BTreeSet::new();
            while let Some((role, path)) = stack.pop() {
                let Some(next) = edges.get(&(account.clone(), role.clone())) else {
                    continue;
                };
                for (to, grant) in next.iter().rev() {
                    let mut p = path.clone();
                    p.push(*grant);
                    if to == start {
                        let set: BTreeSet<&ObjectId> = p.iter().copied().collect();
                        if reported.insert(set) {
                            let chain = p
                                .iter()
                                .map(|g| g.name.name.as_str().to_string())
                                .collect::<Vec<_>>()
                                .join(", ");
                            let mut diag = Diagnostic::new(
                                codes::CYCLE,
                                format!("role grants in account `{account}` form a cycle: {chain}"),
                            )
                            .hint("a role cannot be granted to itself, directly or through other roles");
                            for g in &p {
                                if let Some(d) = self.objects.get(*g) {
                                    diag = diag.at(d.span, "part of the cycle");
                                }
                            }
                            self.diags.push(diag);
                        }
                    } else if seen.insert(to.clone()) {
                        stack.push((to.clone(), p));
                    }
                }
            }
        }
    }

    fn share(&mut self, id: &ObjectId, d: &Declared, s: &ShareSpec) {
        let Some(db) = &s.database else { return };
        let db_id = ObjectId::new(
            id.account.clone(),
            ObjectKind::Database,
            ObjectName::account_level(db.clone()),
        );
        match self.catalog.get(&db_id) {
            None => {
                self.unknown(id, d.field(&["database"]), &db_id, db.as_str());
                return;
            }
            Some(Spec::Database(spec)) if spec.source != DatabaseSource::Local => {
                self.diags.push(
                    Diagnostic::new(
                        codes::SHARE_MOUNTED_DATABASE,
                        format!(
                            "{} shares {}, which is mounted from another account",
                            describe(id),
                            describe(&db_id)
                        ),
                    )
                    .at(
                        d.field(&["database"]),
                        "a mounted database cannot be re-shared",
                    )
                    .hint("share a local database (copy the data into one first)"),
                );
                return;
            }
            _ => {}
        }
        let grants_node = d.node.get("grants");
        for g in &s.grants {
            if g.on_kind == ObjectKind::Database {
                continue;
            }
            let target = ObjectId::new(id.account.clone(), g.on_kind, g.on.clone());
            if self.exists(&target) {
                continue;
            }
            // Schemas are added for granted tables; report the table instead.
            let written_index = grants_node.and_then(|n| match &n.value {
                super::yaml::Value::Seq(items) => items.iter().position(|item| {
                    item.get(if g.on_kind == ObjectKind::Table {
                        "select"
                    } else {
                        "usage"
                    })
                    .and_then(|v| v.as_str())
                    .and_then(|t| match g.on_kind {
                        ObjectKind::Table => names::object_level(t, &Scope::database(db)).ok(),
                        _ => names::schema_level(t, &Scope::database(db)).ok(),
                    })
                    .is_some_and(|n| n == g.on)
                }),
                _ => None,
            });
            let Some(i) = written_index else {
                if g.on_kind == ObjectKind::Schema {
                    continue;
                }
                self.unknown(id, d.field(&["grants"]), &target, "");
                continue;
            };
            let item = grants_node.and_then(|n| n.index(i));
            let value = item.and_then(|n| match &n.value {
                super::yaml::Value::Map(e) => e.first().map(|(_, v)| v),
                _ => None,
            });
            let written = value
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let span = value.map(|v| v.span).unwrap_or(d.span);
            self.unknown(id, span, &target, &written);
        }
    }

    fn listing(&mut self, id: &ObjectId, d: &Declared, l: &ListingSpec) {
        if let Some(share) = &l.share {
            let target = ObjectId::new(
                id.account.clone(),
                ObjectKind::Share,
                ObjectName::account_level(share.clone()),
            );
            if !self.exists(&target) {
                self.unknown(id, d.field(&["share"]), &target, share.as_str());
            }
        }
    }

    fn model(&mut self, id: &ObjectId, d: &Declared, m: &ModelSpec) {
        let target = ObjectId::new(id.account.clone(), ObjectKind::Stage, m.stage.clone());
        match self.catalog.get(&target) {
            None => {
                let written = d.node.get("stage").and_then(|n| n.as_str()).unwrap_or_default().to_string();
                self.unknown(id, d.field(&["stage"]), &target, &written);
            }
            Some(Spec::Stage(s)) if s.url.is_some() => self.diags.push(
                Diagnostic::new(codes::VALUE_INVALID, format!("{} stores its artifacts on external {}", describe(id), describe(&target)))
                    .at(d.field(&["stage"]), "an internal stage is required")
                    .hint("model artifacts are uploaded with PUT, which needs an internal stage (no `url`)"),
            ),
            _ => {}
        }
    }

    fn routine(&mut self, id: &ObjectId, d: &Declared, r: &RoutineSpec) {
        let imports = d.node.get("imports");
        for (i, imp) in r.imports.iter().enumerate() {
            let span = imports
                .and_then(|n| n.index(i))
                .map(|n| n.span)
                .unwrap_or(d.span);
            let Some((stage, parts)) = split_stage_path(imp) else {
                continue;
            };
            let stage_id = ObjectId::new(id.account.clone(), ObjectKind::Stage, stage.clone());
            if !self.exists(&stage_id) {
                let written = imports
                    .and_then(|n| n.index(i))
                    .and_then(|n| n.as_str())
                    .unwrap_or_default();
                let written = written
                    .trim_start_matches('@')
                    .split('/')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                self.unknown(id, span, &stage_id, &written);
                continue;
            }
            // A path under a model's folder must name one of its versions and files.
            let (Some(db), Some(schema)) = (&stage.database, &stage.schema) else {
                continue;
            };
            let Some(folder) = parts.first() else {
                continue;
            };
            let model_id = ObjectId::new(
                id.account.clone(),
                ObjectKind::Model,
                ObjectName::in_schema(
                    db.clone(),
                    schema.clone(),
                    Ident::from_stored(folder.clone()),
                ),
            );
            let Some(Spec::Model(model)) = self.catalog.get(&model_id) else {
                // Stage paths are case-sensitive: `cc_default_model/v1` is not the
                // folder the model's files are uploaded to.
                let near = self.catalog.objects.iter().find(|(k, spec)| {
                    k.account == id.account
                        && k.kind == ObjectKind::Model
                        && k.name.parent() == model_id.name.parent()
                        && k.name.name.as_str().eq_ignore_ascii_case(folder)
                        && matches!(spec, Spec::Model(m) if m.stage == stage)
                });
                if let Some((near_id, _)) = near {
                    self.diags.push(
                        Diagnostic::new(
                            codes::REF_UNKNOWN,
                            format!(
                                "{} imports `{imp}`, but the files of {} are under `{}/`",
                                describe(id),
                                describe(near_id),
                                near_id.name.name.as_str()
                            ),
                        )
                        .at(span, "stage paths are case-sensitive")
                        .hint(format!(
                            "write the folder as `{}` (the model's stored name)",
                            near_id.name.name.as_str()
                        )),
                    );
                }
                continue;
            };
            if model.stage != stage {
                continue;
            }
            let version = parts
                .get(1)
                .and_then(|v| model.versions.iter().find(|mv| mv.name.as_str() == v));
            match (parts.get(1), version) {
                (Some(v), None) => {
                    let names: Vec<&str> =
                        model.versions.iter().map(|mv| mv.name.as_str()).collect();
                    self.diags.push(
                        Diagnostic::new(
                            codes::REF_UNKNOWN,
                            format!(
                                "{} imports version `{v}` of {}, which is not declared",
                                describe(id),
                                describe(&model_id)
                            ),
                        )
                        .at(span, "unknown model version")
                        .expected(format!(
                            "one of {}",
                            names
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                        .maybe_hint(did_you_mean(v, names.iter().copied())),
                    );
                }
                (Some(_), Some(mv)) => {
                    if let Some(file) = parts.get(2)
                        && !mv.files.contains_key(file)
                    {
                        self.diags.push(
                            Diagnostic::new(
                                codes::REF_UNKNOWN,
                                format!(
                                    "{} imports `{file}`, which is not a file of {} version `{}`",
                                    describe(id),
                                    describe(&model_id),
                                    mv.name
                                ),
                            )
                            .at(span, "unknown artifact")
                            .maybe_hint(did_you_mean(file, mv.files.keys().map(|k| k.as_str()))),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    fn grant(&mut self, id: &ObjectId, d: &Declared, g: &GrantSpec) {
        let role_known = |v: &Self, role: &Ident| {
            SYSTEM_ROLES.contains(&role.as_str())
                || v.exists(&ObjectId::new(
                    id.account.clone(),
                    ObjectKind::Role,
                    ObjectName::account_level(role.clone()),
                ))
        };
        if !role_known(self, &g.to_role) {
            let target = ObjectId::new(
                id.account.clone(),
                ObjectKind::Role,
                ObjectName::account_level(g.to_role.clone()),
            );
            let span = d.field(&["to_role"]);
            if !self.grant_in_other_account(id, &target, span) {
                self.unknown(id, span, &target, g.to_role.as_str());
            }
        }
        match &g.on {
            GrantOn::Role(role) => {
                if !role_known(self, role) {
                    let target = ObjectId::new(
                        id.account.clone(),
                        ObjectKind::Role,
                        ObjectName::account_level(role.clone()),
                    );
                    let span = d.field(&["role"]);
                    if !self.grant_in_other_account(id, &target, span) {
                        self.unknown(id, span, &target, role.as_str());
                    }
                }
            }
            GrantOn::Object {
                kind,
                name,
                signature,
            } => {
                let target = ObjectId {
                    account: id.account.clone(),
                    kind: *kind,
                    name: name.clone(),
                    signature: signature.clone(),
                };
                if self.exists(&target) {
                    return;
                }
                let span = d
                    .node
                    .get("on")
                    .and_then(|n| match &n.value {
                        super::yaml::Value::Map(e) => e.first().map(|(_, v)| v.span),
                        _ => None,
                    })
                    .unwrap_or(d.span);
                if self.grant_in_other_account(id, &target, span) {
                    return;
                }
                if *kind != ObjectKind::Database && self.is_external(&target) {
                    return;
                }
                let written = name.sql();
                if signature.is_some() {
                    let overloads: Vec<String> = self
                        .catalog
                        .objects
                        .keys()
                        .filter(|i| i.account == id.account && i.kind == *kind && &i.name == name)
                        .map(|i| i.sql_name())
                        .collect();
                    if !overloads.is_empty() {
                        self.diags.push(
                            Diagnostic::new(
                                codes::REF_UNKNOWN,
                                format!(
                                    "{} names {}, which has no such signature",
                                    describe(id),
                                    describe(&target)
                                ),
                            )
                            .at(span, "no routine with these argument types")
                            .expected(format!(
                                "one of {}",
                                overloads
                                    .iter()
                                    .map(|o| format!("`{o}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )),
                        );
                        return;
                    }
                }
                self.unknown(id, span, &target, &written);
            }
            GrantOn::Account => {}
        }
    }
}

impl Validator<'_> {
    /// A grant on an object this account does not declare but another project account
    /// does: a grant runs in its own account, where that object does not exist. Objects
    /// inside a database this account declares (a mounted one included) are left alone:
    /// they are the mounted copy, not the provider's.
    fn grant_in_other_account(&mut self, id: &ObjectId, target: &ObjectId, span: Span) -> bool {
        if target.kind.level() != Level::Account {
            let Some(db) = &target.name.database else {
                return false;
            };
            let db_here = ObjectId::new(
                id.account.clone(),
                ObjectKind::Database,
                ObjectName::account_level(db.clone()),
            );
            if self.exists(&db_here) {
                return false;
            }
        }
        let Some(owner) = self
            .objects
            .keys()
            .find(|k| {
                k.account != id.account
                    && k.kind == target.kind
                    && k.name == target.name
                    && (target.signature.is_none() || k.signature == target.signature)
            })
            .cloned()
        else {
            return false;
        };
        let mut diag = Diagnostic::new(
            codes::GRANT_OTHER_ACCOUNT,
            format!(
                "{} names {}, an object of another account",
                describe(id),
                describe(&owner)
            ),
        )
        .at(span, format!("declared in account `{}`", owner.account))
        .hint(if matches!(owner.kind, ObjectKind::Warehouse | ObjectKind::Role) {
            format!(
                "grant it in a file of account `{}`; {}s are not shared: declare one in account `{}`",
                owner.account,
                owner.kind.as_str(),
                id.account
            )
        } else {
            format!(
                "grant it in a file of account `{}`; to reach it from `{}`, share it and grant IMPORTED PRIVILEGES on the mounted database",
                owner.account, id.account
            )
        });
        if let Some(decl) = self.objects.get(&owner) {
            diag = diag.at(
                decl.span,
                format!("declared here, in account `{}`", owner.account),
            );
        }
        self.diags.push(diag);
        true
    }
}

/// Procedures Snowflake provides (`SYSTEM$…`), which are never declared.
fn is_system_procedure(name: &ObjectName) -> bool {
    name.name.as_str().starts_with("SYSTEM$")
}

fn roots_of(
    id: &ObjectId,
    tasks: &BTreeMap<&ObjectId, &TaskSpec>,
    cache: &mut BTreeMap<ObjectId, BTreeSet<ObjectId>>,
    visiting: &mut BTreeSet<ObjectId>,
) -> BTreeSet<ObjectId> {
    if let Some(r) = cache.get(id) {
        return r.clone();
    }
    if !visiting.insert(id.clone()) {
        return BTreeSet::new(); // a cycle: reported separately
    }
    let Some(task) = tasks.get(id) else {
        return BTreeSet::new();
    };
    let preds: Vec<ObjectId> = task
        .after
        .iter()
        .map(|a| ObjectId::new(id.account.clone(), ObjectKind::Task, a.clone()))
        .filter(|p| tasks.contains_key(p))
        .collect();
    let roots = if preds.is_empty() {
        BTreeSet::from([id.clone()])
    } else {
        let mut all = BTreeSet::new();
        for p in preds {
            all.extend(roots_of(&p, tasks, cache, visiting));
        }
        all
    };
    visiting.remove(id);
    cache.insert(id.clone(), roots.clone());
    roots
}

fn short(id: &ObjectId) -> String {
    if id.kind == ObjectKind::Grant {
        format!("grant {}", id.name.name.as_str())
    } else {
        format!("{} {}", id.kind.as_str().replace('_', " "), id.sql_name())
    }
}
