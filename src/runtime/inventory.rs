//! Account-level inventory for `floe drift`: the names of every warehouse,
//! database, role, outbound share and listing of each account, managed or not.
//!
//! Planning observes account-level kinds only for the names the manifests declare;
//! drift also wants to see what nobody declared (a rogue X4LARGE warehouse). This is
//! a separate, fixed set of five SHOW statements per account (paged like every
//! SHOW), so its cost does not depend on the number of objects, and plans and
//! applies never pay for it.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::kinds::{Query, Results};
use crate::model::{Ident, ObjectId, ObjectKind, ObjectName};

use super::observe::{ObserveError, Sessions, run_queries};

/// The account-level kinds the inventory lists.
pub const KINDS: [ObjectKind; 5] = [
    ObjectKind::Warehouse,
    ObjectKind::Database,
    ObjectKind::Role,
    ObjectKind::Share,
    ObjectKind::Listing,
];

/// Every account-level object found, and the statements sent.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub objects: Vec<ObjectId>,
    pub queries: usize,
}

/// Lists the account-level objects of every account (accounts one after the other;
/// the five statements of one account in parallel).
#[allow(clippy::result_large_err)] // the error names the account and keeps the backend error as is
pub fn inventory(sessions: &Sessions) -> Result<Inventory, ObserveError> {
    let counter = AtomicUsize::new(0);
    let queries: Vec<Query> = KINDS.into_iter().map(Query::Show).collect();
    let mut out = Inventory::default();
    for (account, session) in sessions {
        let results =
            run_queries(session.as_ref(), &queries, &counter).map_err(|source| ObserveError {
                account: account.clone(),
                source,
            })?;
        out.objects.extend(
            names(&results)
                .into_iter()
                .map(|(kind, name)| ObjectId::new(account.clone(), kind, name)),
        );
    }
    out.queries = counter.load(Ordering::Relaxed);
    Ok(out)
}

/// The names in the SHOW rows (outbound shares only: inbound ones are another
/// account's).
pub fn names(results: &Results) -> Vec<(ObjectKind, ObjectName)> {
    let mut out = Vec::new();
    for kind in KINDS {
        for row in results.get(&Query::Show(kind)).iter() {
            let name = if kind == ObjectKind::Share {
                crate::kinds::share::parse_row(&row).map(|(name, _)| name)
            } else {
                row.get("name")
                    .map(|n| ObjectName::account_level(Ident::from_stored(n)))
            };
            if let Some(name) = name {
                out.push((kind, name));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::session::{Column, Rows};

    fn rows(columns: &[&str], values: &[&[&str]]) -> Rows {
        Rows {
            columns: columns
                .iter()
                .map(|c| Column {
                    name: c.to_string(),
                    type_name: "TEXT".into(),
                })
                .collect(),
            rows: values
                .iter()
                .map(|r| r.iter().map(|v| Some(v.to_string())).collect())
                .collect(),
        }
    }

    #[test]
    fn lists_names_of_each_kind() {
        let mut results = Results::default();
        results.insert(
            Query::Show(ObjectKind::Warehouse),
            rows(&["name", "size"], &[&["ROGUE_WH", "X4Large"]]),
        );
        results.insert(
            Query::Show(ObjectKind::Role),
            rows(&["name"], &[&["ANALYST"], &["PUBLIC"]]),
        );
        let found = names(&results);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].0, ObjectKind::Warehouse);
        assert_eq!(found[0].1.name.as_str(), "ROGUE_WH");
        assert_eq!(found[2].1.name.as_str(), "PUBLIC");
    }
}
