//! Saved plans (`floe plan --out plan.json`, `floe apply plan.json`).
//!
//! A saved plan holds the plan itself (with the exact statements, deferred values
//! still unresolved), the desired catalog that defines its scope, the target it was
//! made against, and one fingerprint per account of the normalized observed state in
//! scope. `apply` re-observes the same scope and refuses the plan when any
//! fingerprint differs: the plan was made for a state that no longer exists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{AccountName, Catalog};

use super::Plan;

/// Version of the saved-plan file format.
pub const SAVED_FORMAT_VERSION: u32 = 1;

/// Where a saved plan's accounts live (the target it was made against, resolved).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavedTarget {
    Emulator {
        path: PathBuf,
    },
    Snowflake {
        connections: BTreeMap<AccountName, String>,
    },
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    /// Always `"floe_saved_plan"`, so the file is recognisable.
    pub kind: String,
    pub target_name: String,
    pub target: SavedTarget,
    pub accounts: Vec<AccountName>,
    /// sha256 (hex) of the canonical JSON of each account's normalized observed objects.
    pub fingerprints: BTreeMap<AccountName, String>,
    /// The desired catalog the plan was made from: it defines the scope to re-observe.
    #[serde(with = "catalog_entries")]
    pub desired: Catalog,
    pub plan: Plan,
}

/// JSON object keys must be strings, so a catalog is stored as a list of
/// `[id, spec]` pairs plus its authoritative containers.
mod catalog_entries {
    use std::collections::BTreeSet;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::{Catalog, ObjectId, Spec};

    #[derive(Serialize, Deserialize)]
    struct Entries {
        objects: Vec<(ObjectId, Spec)>,
        authoritative: BTreeSet<ObjectId>,
    }

    pub fn serialize<S: Serializer>(catalog: &Catalog, s: S) -> Result<S::Ok, S::Error> {
        Entries {
            objects: catalog
                .objects
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            authoritative: catalog.authoritative.clone(),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Catalog, D::Error> {
        let entries = Entries::deserialize(d)?;
        Ok(Catalog {
            objects: entries.objects.into_iter().collect(),
            authoritative: entries.authoritative,
        })
    }
}

impl SavedPlan {
    pub const KIND: &'static str = "floe_saved_plan";
}

/// One fingerprint per account (every account in `accounts`, even with no objects).
pub fn fingerprints(observed: &Catalog, accounts: &[AccountName]) -> BTreeMap<AccountName, String> {
    let mut all: BTreeSet<AccountName> = accounts.iter().cloned().collect();
    all.extend(observed.accounts());
    all.into_iter()
        .map(|account| {
            let mut hasher = Sha256::new();
            for (id, spec) in observed.in_account(&account) {
                // serde_json of these types is canonical: struct fields in declaration
                // order, maps sorted (BTreeMap), no floats with unstable formatting.
                let entry = serde_json::json!([id, spec]).to_string();
                hasher.update(entry.as_bytes());
                hasher.update(b"\n");
            }
            (account, hex::encode(hasher.finalize()))
        })
        .collect()
}

/// The accounts whose fingerprint changed (or appeared/disappeared).
pub fn stale_accounts(
    saved: &BTreeMap<AccountName, String>,
    now: &BTreeMap<AccountName, String>,
) -> Vec<AccountName> {
    let keys: BTreeSet<&AccountName> = saved.keys().chain(now.keys()).collect();
    keys.into_iter()
        .filter(|k| saved.get(*k) != now.get(*k))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ident, ObjectId, ObjectKind, ObjectName, Spec, WarehouseSpec};

    fn catalog(size: &str) -> Catalog {
        let mut c = Catalog::new();
        c.insert(
            ObjectId::new(
                AccountName::new("bank"),
                ObjectKind::Warehouse,
                ObjectName::account_level(Ident::from_stored("W")),
            ),
            Spec::Warehouse(WarehouseSpec {
                size: Some(size.into()),
                ..WarehouseSpec::default()
            }),
        );
        c
    }

    #[test]
    fn fingerprints_change_with_the_observed_state_only() {
        let accounts = [AccountName::new("bank"), AccountName::new("partner")];
        let a = fingerprints(&catalog("XSMALL"), &accounts);
        assert_eq!(a, fingerprints(&catalog("XSMALL"), &accounts));
        let b = fingerprints(&catalog("SMALL"), &accounts);
        assert_eq!(stale_accounts(&a, &b), vec![AccountName::new("bank")]);
        assert!(stale_accounts(&a, &a).is_empty());
        assert_eq!(a.len(), 2, "accounts without objects are fingerprinted too");
    }

    #[test]
    fn saved_plans_round_trip_through_json() {
        let saved = SavedPlan {
            format_version: SAVED_FORMAT_VERSION,
            kind: SavedPlan::KIND.into(),
            target_name: "local".into(),
            target: SavedTarget::Emulator {
                path: "/tmp/x.db".into(),
            },
            accounts: vec![AccountName::new("bank")],
            fingerprints: fingerprints(&catalog("XSMALL"), &[AccountName::new("bank")]),
            desired: catalog("SMALL"),
            plan: Plan::default(),
        };
        let json = serde_json::to_string(&saved).unwrap();
        let back: SavedPlan = serde_json::from_str(&json).unwrap();
        assert_eq!(back, saved);
    }
}
