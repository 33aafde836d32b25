//! The dependency graph across all accounts.
//!
//! An edge `a → b` means `b` depends on `a`: `a` is created first and dropped last.
//! Edges come from containment (database → schema → object), references (stage →
//! file format, stream → table, task → warehouse and predecessors, grants → role and
//! object, model → stage, routine → imported stage/model) and data sharing across
//! accounts (share → listing → database mounted in the consumer account). Pure: no
//! IO; every order is deterministic (ties broken by [`ObjectId`]).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::fmt::Write as _;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{
    AccountName, AccountRef, Catalog, DatabaseSource, GrantOn, ObjectId, ObjectKind, ObjectName,
    Spec,
};

/// The objects `id` depends on (its container, the objects it references), which must
/// exist before it is created and outlive it when dropping. May name objects that are
/// not in the catalog (validation reports those; the planner ignores them).
pub fn dependencies(id: &ObjectId, spec: &Spec, catalog: &Catalog) -> Vec<ObjectId> {
    let account = &id.account;
    let mut deps: Vec<ObjectId> = Vec::new();
    let local = |kind: ObjectKind, name: ObjectName| ObjectId::new(account.clone(), kind, name);

    // Containment.
    if let Some(parent) = id.name.parent()
        && id.kind != ObjectKind::Grant
    {
        let kind = if parent.database.is_some() {
            ObjectKind::Schema
        } else {
            ObjectKind::Database
        };
        deps.push(local(kind, parent));
    }

    match spec {
        Spec::Database(db) => match &db.source {
            DatabaseSource::Local => {}
            DatabaseSource::Share {
                provider: AccountRef::Project(p),
                share,
            } => {
                deps.push(ObjectId::new(
                    p.clone(),
                    ObjectKind::Share,
                    ObjectName::account_level(share.clone()),
                ));
            }
            DatabaseSource::Share { .. } => {}
            DatabaseSource::Listing {
                provider: Some(p),
                listing,
                ..
            } => {
                deps.push(ObjectId::new(
                    p.clone(),
                    ObjectKind::Listing,
                    ObjectName::account_level(listing.clone()),
                ));
            }
            DatabaseSource::Listing { .. } => {}
        },
        Spec::Stage(stage) => {
            if let Some(ff) = &stage.file_format {
                deps.push(local(ObjectKind::FileFormat, ff.clone()));
            }
        }
        Spec::Share(share) => {
            if let Some(db) = &share.database {
                deps.push(local(
                    ObjectKind::Database,
                    ObjectName::account_level(db.clone()),
                ));
            }
            for g in &share.grants {
                deps.push(local(g.on_kind, g.on.clone()));
            }
        }
        Spec::Listing(listing) => {
            if let Some(share) = &listing.share {
                deps.push(local(
                    ObjectKind::Share,
                    ObjectName::account_level(share.clone()),
                ));
            }
        }
        Spec::Stream(stream) => {
            deps.push(local(ObjectKind::Table, stream.table.clone()));
            if let Some(db) = &stream.table.database {
                let db_id = local(ObjectKind::Database, ObjectName::account_level(db.clone()));
                if let Some(provider) = mounted_provider(&db_id, catalog) {
                    deps.push(db_id);
                    if let Some(listing) = provider.listing.clone() {
                        deps.push(listing);
                    }
                    if let Some(share) = provider.share.clone() {
                        deps.push(share);
                    }
                    if let Some(table) = provider.table(&stream.table) {
                        deps.push(table);
                    }
                }
            }
        }
        Spec::Task(task) => {
            if let Some(wh) = &task.warehouse {
                deps.push(local(
                    ObjectKind::Warehouse,
                    ObjectName::account_level(wh.clone()),
                ));
            }
            for a in &task.after {
                deps.push(local(ObjectKind::Task, a.clone()));
            }
            if let (Some(db), Some(schema)) = (&id.name.database, &id.name.schema) {
                // Procedures the body calls (every overload of that name).
                let scope = crate::manifest::names::Scope::schema(db, schema);
                for call in crate::manifest::sql_scan::call_refs(&task.body) {
                    if let Ok(name) = crate::manifest::names::object_level(&call.text, &scope) {
                        deps.extend(
                            catalog
                                .objects
                                .keys()
                                .filter(|k| {
                                    k.account == *account
                                        && k.kind == ObjectKind::Procedure
                                        && k.name == name
                                })
                                .cloned(),
                        );
                    }
                }
            }
            if let (Some(when), Some(db), Some(schema)) =
                (&task.when, &id.name.database, &id.name.schema)
            {
                for stream in crate::manifest::sql_scan::stream_has_data_refs(when) {
                    if let Ok(name) = crate::manifest::names::object_level(
                        &stream.text,
                        &crate::manifest::names::Scope::schema(db, schema),
                    ) {
                        deps.push(local(ObjectKind::Stream, name));
                    }
                }
            }
        }
        Spec::Procedure(r) | Spec::Function(r) => {
            for imp in &r.imports {
                if let Some((stage, parts)) = crate::manifest::lower::split_stage_path(imp) {
                    deps.push(local(ObjectKind::Stage, stage.clone()));
                    if let Some(model) = parts
                        .first()
                        .and_then(|m| model_in_stage(account, &stage, m, catalog))
                    {
                        deps.push(model);
                    }
                }
            }
        }
        Spec::Model(model) => deps.push(local(ObjectKind::Stage, model.stage.clone())),
        Spec::Grant(grant) => {
            deps.push(local(
                ObjectKind::Role,
                ObjectName::account_level(grant.to_role.clone()),
            ));
            match &grant.on {
                GrantOn::Account => {}
                GrantOn::Role(role) => deps.push(local(
                    ObjectKind::Role,
                    ObjectName::account_level(role.clone()),
                )),
                GrantOn::Object {
                    kind,
                    name,
                    signature,
                } => deps.push(ObjectId {
                    account: account.clone(),
                    kind: *kind,
                    name: name.clone(),
                    signature: signature.clone(),
                }),
            }
        }
        Spec::Role(_)
        | Spec::Warehouse(_)
        | Spec::Schema(_)
        | Spec::FileFormat(_)
        | Spec::Table(_) => {}
    }
    deps.sort();
    deps.dedup();
    deps.retain(|d| d != id);
    deps
}

/// The model stored under `@stage/<folder>/` in `account`, if any.
fn model_in_stage(
    account: &AccountName,
    stage: &ObjectName,
    folder: &str,
    catalog: &Catalog,
) -> Option<ObjectId> {
    let (db, schema) = (stage.database.clone()?, stage.schema.clone()?);
    let candidate = ObjectId::new(
        account.clone(),
        ObjectKind::Model,
        ObjectName::in_schema(db, schema, crate::model::Ident::from_stored(folder)),
    );
    match catalog.get(&candidate) {
        Some(Spec::Model(m)) if &m.stage == stage => Some(candidate),
        _ => None,
    }
}

/// Where a database mounted from a project account's share or listing comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct MountedFrom {
    pub provider: AccountName,
    pub listing: Option<ObjectId>,
    pub share: Option<ObjectId>,
    /// The provider's database behind the share, when the share is declared.
    pub database: Option<crate::model::Ident>,
}

impl MountedFrom {
    /// The provider's table behind `table` (a table in the mounted database).
    pub fn table(&self, table: &ObjectName) -> Option<ObjectId> {
        let db = self.database.clone()?;
        let schema = table.schema.clone()?;
        Some(ObjectId::new(
            self.provider.clone(),
            ObjectKind::Table,
            ObjectName::in_schema(db, schema, table.name.clone()),
        ))
    }
}

/// For a database mounted from a project account's share or listing, the provider's
/// listing, share and database (as far as the catalog declares them).
pub fn mounted_provider(db_id: &ObjectId, catalog: &Catalog) -> Option<MountedFrom> {
    let Some(Spec::Database(db)) = catalog.get(db_id) else {
        return None;
    };
    let (provider, listing, share_name) = match &db.source {
        DatabaseSource::Share {
            provider: AccountRef::Project(p),
            share,
        } => (p.clone(), None, Some(share.clone())),
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
            let share = match catalog.get(&listing_id) {
                Some(Spec::Listing(l)) => l.share.clone(),
                _ => None,
            };
            (p.clone(), Some(listing_id), share)
        }
        _ => return None,
    };
    let share = share_name.map(|s| {
        ObjectId::new(
            provider.clone(),
            ObjectKind::Share,
            ObjectName::account_level(s),
        )
    });
    let database = share.as_ref().and_then(|s| match catalog.get(s) {
        Some(Spec::Share(spec)) => spec.database.clone(),
        _ => None,
    });
    Some(MountedFrom {
        provider,
        listing,
        share,
        database,
    })
}

/// A dependency cycle, listed in order: each object depends on the previous one and
/// the first depends on the last.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("dependency cycle: {}", display_cycle(.cycle))]
pub struct CycleError {
    pub cycle: Vec<ObjectId>,
}

fn display_cycle(cycle: &[ObjectId]) -> String {
    let mut parts: Vec<String> = cycle.iter().map(|id| id.to_string()).collect();
    if let Some(first) = cycle.first() {
        parts.push(first.to_string());
    }
    parts.join(" → ")
}

/// The objects of a catalog and the dependency edges between them.
pub struct DependencyGraph {
    graph: DiGraph<ObjectId, ()>,
    index: BTreeMap<ObjectId, NodeIndex>,
}

/// Builds the graph of every object in the catalog; edges to objects that are not in
/// the catalog are left out.
pub fn build_graph(catalog: &Catalog) -> Result<DependencyGraph, CycleError> {
    let mut graph = DiGraph::new();
    let mut index = BTreeMap::new();
    for id in catalog.objects.keys() {
        index.insert(id.clone(), graph.add_node(id.clone()));
    }
    for (id, spec) in &catalog.objects {
        let to = index[id];
        for dep in dependencies(id, spec, catalog) {
            if let Some(&from) = index.get(&dep) {
                graph.update_edge(from, to, ());
            }
        }
    }
    let g = DependencyGraph { graph, index };
    if let Some(cycle) = g.find_cycle() {
        return Err(CycleError { cycle });
    }
    Ok(g)
}

impl DependencyGraph {
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// Every edge as (dependency, dependant), sorted.
    pub fn edges(&self) -> Vec<(ObjectId, ObjectId)> {
        let mut out: Vec<(ObjectId, ObjectId)> = self
            .graph
            .edge_indices()
            .filter_map(|e| self.graph.edge_endpoints(e))
            .map(|(a, b)| (self.graph[a].clone(), self.graph[b].clone()))
            .collect();
        out.sort();
        out
    }

    /// The direct dependencies of `id` that are in the graph, sorted.
    pub fn dependencies_of(&self, id: &ObjectId) -> Vec<ObjectId> {
        let Some(&n) = self.index.get(id) else {
            return Vec::new();
        };
        let mut out: Vec<ObjectId> = self
            .graph
            .neighbors_directed(n, petgraph::Direction::Incoming)
            .map(|m| self.graph[m].clone())
            .collect();
        out.sort();
        out
    }

    /// Creation order: every object after its dependencies; among objects that are
    /// ready at the same time, the smallest [`ObjectId`] first. Drops use the reverse.
    pub fn topological_order(&self) -> Vec<ObjectId> {
        let mut indegree: Vec<usize> = self
            .graph
            .node_indices()
            .map(|n| {
                self.graph
                    .neighbors_directed(n, petgraph::Direction::Incoming)
                    .count()
            })
            .collect();
        let mut ready: BinaryHeap<Reverse<(&ObjectId, NodeIndex)>> = self
            .graph
            .node_indices()
            .filter(|n| indegree[n.index()] == 0)
            .map(|n| Reverse((&self.graph[n], n)))
            .collect();
        let mut out = Vec::with_capacity(self.graph.node_count());
        while let Some(Reverse((id, n))) = ready.pop() {
            out.push(id.clone());
            for m in self
                .graph
                .neighbors_directed(n, petgraph::Direction::Outgoing)
            {
                indegree[m.index()] -= 1;
                if indegree[m.index()] == 0 {
                    ready.push(Reverse((&self.graph[m], m)));
                }
            }
        }
        out
    }

    /// One cycle, starting at its smallest object, if the graph has any.
    fn find_cycle(&self) -> Option<Vec<ObjectId>> {
        let sccs = petgraph::algo::tarjan_scc(&self.graph);
        let mut best: Option<Vec<ObjectId>> = None;
        for scc in sccs {
            let is_cycle = scc.len() > 1 || scc.iter().any(|&n| self.graph.contains_edge(n, n));
            if !is_cycle {
                continue;
            }
            let members: BTreeSet<NodeIndex> = scc.iter().copied().collect();
            let Some(&start) = scc.iter().min_by_key(|&&n| &self.graph[n]) else {
                continue;
            };
            let cycle = self.cycle_through(start, &members);
            if best.as_ref().is_none_or(|b| cycle.first() < b.first()) {
                best = Some(cycle);
            }
        }
        best
    }

    /// A path from `start` back to itself inside one strongly connected component,
    /// following the smallest successor first (breadth-first, so the cycle is short).
    fn cycle_through(&self, start: NodeIndex, members: &BTreeSet<NodeIndex>) -> Vec<ObjectId> {
        let mut prev: BTreeMap<NodeIndex, NodeIndex> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut seen = BTreeSet::from([start]);
        let mut last = start;
        'search: while let Some(n) = queue.pop_front() {
            let mut next: Vec<NodeIndex> = self
                .graph
                .neighbors_directed(n, petgraph::Direction::Outgoing)
                .filter(|m| members.contains(m))
                .collect();
            next.sort_by_key(|&m| &self.graph[m]);
            for m in next {
                if m == start {
                    last = n;
                    break 'search;
                }
                if seen.insert(m) {
                    prev.insert(m, n);
                    queue.push_back(m);
                }
            }
        }
        let mut path = vec![self.graph[last].clone()];
        let mut cur = last;
        while cur != start {
            match prev.get(&cur) {
                Some(&p) => {
                    path.push(self.graph[p].clone());
                    cur = p;
                }
                None => break,
            }
        }
        path.reverse();
        path
    }

    /// Graphviz DOT: one cluster per account; cross-account edges are dashed.
    pub fn render_dot(&self) -> String {
        let (ids, by_account) = self.numbered();
        let mut out = String::from(
            "digraph floe {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
        );
        for (account, nodes) in &by_account {
            let _ = writeln!(
                out,
                "  subgraph \"cluster_{account}\" {{\n    label=\"{account}\";"
            );
            for id in nodes {
                let _ = writeln!(
                    out,
                    "    n{} [label=\"{}\"];",
                    ids[id],
                    dot_escape(&node_label(id))
                );
            }
            out.push_str("  }\n");
        }
        for (a, b) in self.edges() {
            let style = if a.account != b.account {
                " [style=dashed, color=blue]"
            } else {
                ""
            };
            let _ = writeln!(out, "  n{} -> n{}{style};", ids[&a], ids[&b]);
        }
        out.push_str("}\n");
        out
    }

    /// Mermaid flowchart: one subgraph per account; cross-account edges are dotted
    /// and labelled with the accounts they connect.
    pub fn render_mermaid(&self) -> String {
        let (ids, by_account) = self.numbered();
        let mut out = String::from("flowchart LR\n");
        for (account, nodes) in &by_account {
            let _ = writeln!(out, "  subgraph {account}[\"{account}\"]");
            for id in nodes {
                let _ = writeln!(
                    out,
                    "    n{}[\"{}\"]",
                    ids[id],
                    mermaid_escape(&node_label(id))
                );
            }
            out.push_str("  end\n");
        }
        for (a, b) in self.edges() {
            if a.account != b.account {
                let _ = writeln!(
                    out,
                    "  n{} -. \"{} → {}\" .-> n{}",
                    ids[&a], a.account, b.account, ids[&b]
                );
            } else {
                let _ = writeln!(out, "  n{} --> n{}", ids[&a], ids[&b]);
            }
        }
        out
    }

    /// Stable node numbers (in ObjectId order) and nodes grouped by account.
    fn numbered(
        &self,
    ) -> (
        BTreeMap<ObjectId, usize>,
        BTreeMap<AccountName, Vec<ObjectId>>,
    ) {
        let mut ids = BTreeMap::new();
        let mut by_account: BTreeMap<AccountName, Vec<ObjectId>> = BTreeMap::new();
        for (i, id) in self.index.keys().enumerate() {
            ids.insert(id.clone(), i);
            by_account
                .entry(id.account.clone())
                .or_default()
                .push(id.clone());
        }
        (ids, by_account)
    }
}

fn node_label(id: &ObjectId) -> String {
    if id.kind == ObjectKind::Grant {
        format!("grant: {}", id.name.name.as_str())
    } else {
        format!("{}: {}", id.kind.as_str(), id.sql_name())
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DatabaseSpec, Ident, ListingSpec, ShareSpec, TaskSpec, WarehouseSpec};

    fn acct(a: &str) -> AccountName {
        AccountName::new(a)
    }

    fn oid(a: &str, kind: ObjectKind, name: &str) -> ObjectId {
        ObjectId::new(acct(a), kind, ObjectName::parse(name).unwrap())
    }

    fn task(after: &[&str]) -> Spec {
        Spec::Task(TaskSpec {
            warehouse: Some(Ident::parse("wh").unwrap()),
            serverless_size: None,
            schedule: None,
            when: None,
            after: after
                .iter()
                .map(|a| ObjectName::parse(a).unwrap())
                .collect(),
            body: "SELECT 1".into(),
            allow_overlapping_execution: None,
            state: None,
            comment: None,
        })
    }

    fn catalog(objects: Vec<(ObjectId, Spec)>) -> Catalog {
        let mut c = Catalog::new();
        for (id, spec) in objects {
            c.insert(id, spec);
        }
        c
    }

    #[test]
    fn order_respects_dependencies_and_breaks_ties_by_id() {
        let c = catalog(vec![
            (
                oid("a", ObjectKind::Warehouse, "WH"),
                Spec::Warehouse(WarehouseSpec::default()),
            ),
            (
                oid("a", ObjectKind::Database, "D"),
                Spec::Database(DatabaseSpec::default()),
            ),
            (
                oid("a", ObjectKind::Schema, "D.S"),
                Spec::Schema(Default::default()),
            ),
            (
                oid("a", ObjectKind::Task, "D.S.T3"),
                task(&["D.S.T1", "D.S.T2"]),
            ),
            (oid("a", ObjectKind::Task, "D.S.T2"), task(&["D.S.T1"])),
            (oid("a", ObjectKind::Task, "D.S.T1"), task(&[])),
        ]);
        let order: Vec<String> = build_graph(&c)
            .unwrap()
            .topological_order()
            .iter()
            .map(|i| i.to_string())
            .collect();
        assert_eq!(
            order,
            [
                "a: warehouse WH",
                "a: database D",
                "a: schema D.S",
                "a: task D.S.T1",
                "a: task D.S.T2",
                "a: task D.S.T3",
            ]
        );
    }

    #[test]
    fn cross_account_sharing_edges() {
        let c = catalog(vec![
            (
                oid("bank", ObjectKind::Database, "SRC"),
                Spec::Database(DatabaseSpec::default()),
            ),
            (
                oid("bank", ObjectKind::Share, "SH"),
                Spec::Share(ShareSpec {
                    database: Some(Ident::parse("src").unwrap()),
                    ..Default::default()
                }),
            ),
            (
                oid("bank", ObjectKind::Listing, "L"),
                Spec::Listing(ListingSpec {
                    share: Some(Ident::parse("sh").unwrap()),
                    ..Default::default()
                }),
            ),
            (
                oid("partner", ObjectKind::Database, "MOUNTED"),
                Spec::Database(DatabaseSpec {
                    source: DatabaseSource::Listing {
                        provider: Some(acct("bank")),
                        listing: Ident::parse("l").unwrap(),
                        global_name: None,
                    },
                    ..Default::default()
                }),
            ),
        ]);
        let g = build_graph(&c).unwrap();
        let order = g.topological_order();
        assert_eq!(
            order.last(),
            Some(&oid("partner", ObjectKind::Database, "MOUNTED"))
        );
        assert_eq!(
            g.dependencies_of(&oid("partner", ObjectKind::Database, "MOUNTED")),
            [oid("bank", ObjectKind::Listing, "L")]
        );
        let from = mounted_provider(&oid("partner", ObjectKind::Database, "MOUNTED"), &c).unwrap();
        assert_eq!(from.database.as_ref().map(|d| d.as_str()), Some("SRC"));
        assert_eq!(
            from.table(&ObjectName::parse("MOUNTED.S.T").unwrap()),
            Some(oid("bank", ObjectKind::Table, "SRC.S.T"))
        );
        let dot = g.render_dot();
        assert!(dot.contains("style=dashed"), "{dot}");
        let mermaid = g.render_mermaid();
        assert!(mermaid.contains("subgraph bank[\"bank\"]"));
        assert!(mermaid.contains("-. \"bank → partner\" .->"), "{mermaid}");
    }

    #[test]
    fn cycles_are_reported_whole() {
        let c = catalog(vec![
            (oid("a", ObjectKind::Task, "D.S.A"), task(&["D.S.C"])),
            (oid("a", ObjectKind::Task, "D.S.B"), task(&["D.S.A"])),
            (oid("a", ObjectKind::Task, "D.S.C"), task(&["D.S.B"])),
            (oid("a", ObjectKind::Task, "D.S.X"), task(&[])),
        ]);
        let err = build_graph(&c).err().unwrap();
        let names: Vec<String> = err
            .cycle
            .iter()
            .map(|i| i.name.name.as_str().to_string())
            .collect();
        assert_eq!(names, ["A", "B", "C"]);
        assert!(err.to_string().ends_with("a: task D.S.A"), "{err}");
    }

    #[test]
    fn missing_dependencies_are_listed_but_not_in_the_graph() {
        let c = catalog(vec![(oid("a", ObjectKind::Task, "D.S.T"), task(&[]))]);
        let t = oid("a", ObjectKind::Task, "D.S.T");
        let deps = dependencies(&t, c.get(&t).unwrap(), &c);
        assert!(deps.contains(&oid("a", ObjectKind::Schema, "D.S")));
        assert!(deps.contains(&oid("a", ObjectKind::Warehouse, "WH")));
        let g = build_graph(&c).unwrap();
        assert!(g.edges().is_empty());
        assert_eq!(g.topological_order(), [t]);
    }
}
