//! A catalog: every object of every account, by identity.
//!
//! Desired and observed states are both catalogs. Maps are ordered so that anything
//! derived from a catalog (graphs, plans, output) is deterministic.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::name::{AccountName, ObjectId, ObjectKind};
use super::spec::Spec;

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct Catalog {
    pub objects: BTreeMap<ObjectId, Spec>,
    /// Databases and schemas whose undeclared contents are managed (planned as drops).
    /// Only meaningful on the desired side.
    #[serde(default)]
    pub authoritative: BTreeSet<ObjectId>,
}

impl Catalog {
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// Inserts an object; returns the previous spec when the identity was taken.
    pub fn insert(&mut self, id: ObjectId, spec: Spec) -> Option<Spec> {
        self.objects.insert(id, spec)
    }

    pub fn get(&self, id: &ObjectId) -> Option<&Spec> {
        self.objects.get(id)
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Objects of one account, in identity order.
    pub fn in_account<'a>(
        &'a self,
        account: &'a AccountName,
    ) -> impl Iterator<Item = (&'a ObjectId, &'a Spec)> + 'a {
        self.objects
            .iter()
            .filter(move |(id, _)| &id.account == account)
    }

    /// Objects of one kind, in identity order.
    pub fn of_kind(&self, kind: ObjectKind) -> impl Iterator<Item = (&ObjectId, &Spec)> {
        self.objects.iter().filter(move |(id, _)| id.kind == kind)
    }

    /// The accounts that hold at least one object.
    pub fn accounts(&self) -> BTreeSet<AccountName> {
        self.objects.keys().map(|id| id.account.clone()).collect()
    }
}
