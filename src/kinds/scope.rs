//! What to read from one account, and the rows that came back.
//!
//! Observing is split in two so that parsing stays pure: [`Scope::queries`] lists
//! the bulk statements needed for a desired catalog (a fixed number per kind plus
//! one per *managed* database/share/role/listing/model/routine — never one per table),
//! the runtime runs them (in parallel, paging SHOW output), and each kind's
//! `observe` turns the [`Results`] into specs.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    AccountName, Catalog, DatabaseSource, Ident, ObjectId, ObjectKind, ObjectName, Spec,
};
use crate::runtime::session::Rows;

/// One read statement.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Query {
    /// `SELECT CURRENT_ORGANIZATION_NAME(), CURRENT_ACCOUNT_NAME()`.
    Identity,
    /// `SHOW <KIND> [IN ACCOUNT]`, paged.
    Show(ObjectKind),
    /// Column metadata of every table of one database.
    Columns(Ident),
    ShareGrants(Ident),
    RoleGrants(Ident),
    DescribeListing(Ident),
    ModelVersions(ObjectName),
    ListStage(ObjectName),
    DescribeStage(ObjectName),
    DescribeRoutine(ObjectId),
    /// `SELECT * FROM <db>.INFORMATION_SCHEMA.PROCEDURES|FUNCTIONS`: bodies and
    /// return types of every routine of one database.
    Routines(ObjectKind, Ident),
    /// `SHOW PARAMETERS IN WAREHOUSE|TASK <name>`: object parameters SHOW does not
    /// print, read only for objects that declare one.
    Parameters(ObjectKind, ObjectName),
}

impl Query {
    pub fn sql(&self) -> String {
        match self {
            Query::Identity => "SELECT CURRENT_ORGANIZATION_NAME(), CURRENT_ACCOUNT_NAME()".into(),
            Query::Show(kind) => match kind {
                ObjectKind::Role => "SHOW ROLES".into(),
                ObjectKind::Warehouse => "SHOW WAREHOUSES".into(),
                ObjectKind::Database => "SHOW DATABASES".into(),
                ObjectKind::Share => "SHOW SHARES".into(),
                ObjectKind::Listing => "SHOW LISTINGS".into(),
                ObjectKind::Function => "SHOW USER FUNCTIONS IN ACCOUNT".into(),
                ObjectKind::Procedure => "SHOW PROCEDURES IN ACCOUNT".into(),
                ObjectKind::Schema => "SHOW SCHEMAS IN ACCOUNT".into(),
                ObjectKind::FileFormat => "SHOW FILE FORMATS IN ACCOUNT".into(),
                ObjectKind::Stage => "SHOW STAGES IN ACCOUNT".into(),
                ObjectKind::Table => "SHOW TABLES IN ACCOUNT".into(),
                ObjectKind::Stream => "SHOW STREAMS IN ACCOUNT".into(),
                ObjectKind::Task => "SHOW TASKS IN ACCOUNT".into(),
                ObjectKind::Model => "SHOW MODELS IN ACCOUNT".into(),
                ObjectKind::Grant => "SHOW GRANTS".into(),
            },
            Query::Columns(db) => format!(
                "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, \
                 IS_NULLABLE, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, \
                 DATETIME_PRECISION, COMMENT FROM {}.INFORMATION_SCHEMA.COLUMNS \
                 ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
                db.sql()
            ),
            Query::ShareGrants(s) => format!("SHOW GRANTS TO SHARE {}", s.sql()),
            Query::RoleGrants(r) => format!("SHOW GRANTS TO ROLE {}", r.sql()),
            Query::DescribeListing(l) => format!("DESCRIBE LISTING {}", l.sql()),
            Query::ModelVersions(m) => format!("SHOW VERSIONS IN MODEL {}", m.sql()),
            Query::ListStage(s) => format!("LIST @{}", s.sql()),
            Query::DescribeStage(s) => format!("DESCRIBE STAGE {}", s.sql()),
            Query::Routines(kind, db) => {
                let view = if *kind == ObjectKind::Procedure {
                    "PROCEDURES"
                } else {
                    "FUNCTIONS"
                };
                format!("SELECT * FROM {}.INFORMATION_SCHEMA.{view}", db.sql())
            }
            Query::DescribeRoutine(id) => {
                format!("DESCRIBE {} {}", id.kind.sql_keyword(), id.sql_name())
            }
            Query::Parameters(kind, name) => {
                format!("SHOW PARAMETERS IN {} {}", kind.sql_keyword(), name.sql())
            }
        }
    }

    /// SHOW statements return at most 10 000 rows and are read page by page.
    pub fn is_paged(&self) -> bool {
        matches!(self, Query::Show(_))
    }
}

/// The rows each query returned (missing = not there / not found).
#[derive(Clone, Debug, Default)]
pub struct Results {
    pub rows: BTreeMap<Query, Rows>,
}

static EMPTY: Rows = Rows {
    columns: Vec::new(),
    rows: Vec::new(),
};

impl Results {
    pub fn get(&self, query: &Query) -> &Rows {
        self.rows.get(query).unwrap_or(&EMPTY)
    }
    pub fn insert(&mut self, query: Query, rows: Rows) {
        self.rows.insert(query, rows);
    }
}

/// What is managed in one account, derived from the desired catalog.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub account: Option<AccountName>,
    /// Desired names per kind (account-level kinds are observed only for these).
    pub declared: BTreeMap<ObjectKind, BTreeSet<ObjectName>>,
    /// Databases whose schema-level contents are observed.
    pub databases: BTreeSet<Ident>,
    /// Desired databases declared as local (their columns are read).
    pub local_databases: BTreeSet<Ident>,
    /// Tables desired streams read from (observed even inside imported databases).
    pub stream_tables: BTreeSet<ObjectName>,
    /// Roles that receive desired grants, and every declared role (whose grants
    /// are all observed: one `SHOW GRANTS TO ROLE` each).
    pub grant_roles: BTreeSet<Ident>,
    /// Desired model → its artifact stage.
    pub model_stages: BTreeMap<ObjectName, ObjectName>,
    /// Desired stages that declare a file format (read with DESCRIBE STAGE).
    pub stages_with_format: BTreeSet<ObjectName>,
    /// Desired procedures and functions (read with DESCRIBE).
    pub routines: BTreeSet<ObjectId>,
    /// Desired warehouses and tasks that declare a property only `SHOW PARAMETERS`
    /// returns (see [`Query::Parameters`]).
    pub parameters: BTreeSet<(ObjectKind, ObjectName)>,
    /// Databases that turned out to be imported (from a share or listing); their
    /// contents are not observed. Filled by [`Scope::note_imported`].
    pub imported: BTreeSet<Ident>,
}

impl Scope {
    pub fn from_desired(account: &AccountName, desired: &Catalog) -> Scope {
        let mut scope = Scope {
            account: Some(account.clone()),
            ..Scope::default()
        };
        for (id, spec) in desired.in_account(account) {
            scope
                .declared
                .entry(id.kind)
                .or_default()
                .insert(id.name.clone());
            if let Some(db) = &id.name.database {
                scope.databases.insert(db.clone());
            }
            match spec {
                Spec::Database(d) => {
                    scope.databases.insert(id.name.name.clone());
                    if d.source == DatabaseSource::Local {
                        scope.local_databases.insert(id.name.name.clone());
                    }
                }
                Spec::Stream(s) => {
                    scope.stream_tables.insert(s.table.clone());
                }
                Spec::Grant(g) => {
                    scope.grant_roles.insert(g.to_role.clone());
                }
                Spec::Role(_) => {
                    scope.grant_roles.insert(id.name.name.clone());
                }
                Spec::Model(m) => {
                    scope.model_stages.insert(id.name.clone(), m.stage.clone());
                }
                Spec::Stage(s) if s.file_format.is_some() => {
                    scope.stages_with_format.insert(id.name.clone());
                }
                Spec::Procedure(_) | Spec::Function(_) => {
                    scope.routines.insert(id.clone());
                }
                Spec::Warehouse(w)
                    if w.max_concurrency_level.is_some()
                        || w.statement_timeout_in_seconds.is_some()
                        || w.statement_queued_timeout_in_seconds.is_some() =>
                {
                    scope.parameters.insert((id.kind, id.name.clone()));
                }
                Spec::Task(t) if t.serverless_size.is_some() => {
                    scope.parameters.insert((id.kind, id.name.clone()));
                }
                _ => {}
            }
        }
        // A database that is only a container of desired objects but not itself
        // declared is still read, as a local one.
        let declared_dbs = scope
            .declared
            .get(&ObjectKind::Database)
            .cloned()
            .unwrap_or_default();
        for db in scope.databases.clone() {
            if !declared_dbs.contains(&ObjectName::account_level(db.clone())) {
                scope.local_databases.insert(db);
            }
        }
        scope
    }

    pub fn account(&self) -> AccountName {
        self.account.clone().unwrap_or_else(|| AccountName::new(""))
    }

    pub fn is_declared(&self, kind: ObjectKind, name: &ObjectName) -> bool {
        self.declared.get(&kind).is_some_and(|s| s.contains(name))
    }

    pub fn declared_names(&self, kind: ObjectKind) -> impl Iterator<Item = &ObjectName> {
        self.declared.get(&kind).into_iter().flatten()
    }

    /// True when `name` is a schema-level object in a schema whose objects are
    /// observed (see [`Scope::in_managed_database`]).
    pub fn manages(&self, name: &ObjectName) -> bool {
        match (&name.database, &name.schema) {
            (Some(db), Some(schema)) => self.in_managed_database(db.as_str(), schema.as_str()),
            _ => false,
        }
    }

    /// The `SHOW <kind> IN ACCOUNT` rows of a schema-level kind that [`Scope::manages`],
    /// parsed by `parse` and wrapped into a [`Spec`] by `wrap`.
    pub fn observe_managed<S>(
        &self,
        results: &Results,
        kind: ObjectKind,
        parse: impl Fn(&crate::runtime::session::Row<'_>) -> Option<(ObjectName, S)>,
        wrap: impl Fn(S) -> Spec,
    ) -> Vec<(ObjectId, Spec)> {
        results
            .get(&Query::Show(kind))
            .iter()
            .filter_map(|row| parse(&row))
            .filter(|(name, _)| self.manages(name))
            .map(|(name, spec)| (ObjectId::new(self.account(), kind, name), wrap(spec)))
            .collect()
    }

    /// The `value` of parameter `key` read for one object, when it was read.
    pub fn parameter(
        &self,
        results: &Results,
        kind: ObjectKind,
        name: &ObjectName,
        key: &str,
    ) -> Option<String> {
        if !self.parameters.contains(&(kind, name.clone())) {
            return None;
        }
        results
            .get(&Query::Parameters(kind, name.clone()))
            .iter()
            .find(|row| row.get("key").is_some_and(|k| k.eq_ignore_ascii_case(key)))
            .and_then(|row| super::common::clean(row.get("value")))
    }

    /// True when schema-level objects of this database/schema are observed.
    pub fn in_managed_database(&self, database: &str, schema: &str) -> bool {
        let db = Ident::from_stored(database);
        schema != "INFORMATION_SCHEMA"
            && self.databases.contains(&db)
            && !self.imported.contains(&db)
    }

    /// Records which databases are imported, from the SHOW DATABASES rows.
    pub fn note_imported(&mut self, results: &Results) {
        for row in results.get(&Query::Show(ObjectKind::Database)).iter() {
            let imported = row
                .get("kind")
                .is_some_and(|k| k.eq_ignore_ascii_case("IMPORTED DATABASE"))
                || super::common::clean(row.get("origin")).is_some();
            if let (true, Some(name)) = (imported, row.get("name")) {
                self.imported.insert(Ident::from_stored(name));
            }
        }
    }

    /// Every statement to run for this scope.
    pub fn queries(&self) -> Vec<Query> {
        let mut out = vec![Query::Identity];
        for kind in ObjectKind::ALL {
            let needed = match kind {
                ObjectKind::Grant => false,
                ObjectKind::Database => {
                    self.declared.contains_key(&kind) || !self.databases.is_empty()
                }
                k if k.level() == crate::model::Level::Account => self.declared.contains_key(&k),
                _ => !self.databases.is_empty(),
            };
            if needed {
                out.push(Query::Show(kind));
            }
        }
        for db in &self.local_databases {
            out.push(Query::Columns(db.clone()));
        }
        for name in self.declared_names(ObjectKind::Share) {
            out.push(Query::ShareGrants(name.name.clone()));
        }
        for name in self.declared_names(ObjectKind::Listing) {
            out.push(Query::DescribeListing(name.name.clone()));
        }
        for role in &self.grant_roles {
            out.push(Query::RoleGrants(role.clone()));
        }
        let mut stages = BTreeSet::new();
        for (model, stage) in &self.model_stages {
            out.push(Query::ModelVersions(model.clone()));
            stages.insert(stage.clone());
        }
        out.extend(stages.into_iter().map(Query::ListStage));
        out.extend(
            self.stages_with_format
                .iter()
                .cloned()
                .map(Query::DescribeStage),
        );
        out.extend(
            self.parameters
                .iter()
                .map(|(kind, name)| Query::Parameters(*kind, name.clone())),
        );
        let routine_dbs: BTreeSet<(ObjectKind, Ident)> = self
            .routines
            .iter()
            .filter_map(|id| Some((id.kind, id.name.database.clone()?)))
            .filter(|(_, db)| self.local_databases.contains(db))
            .collect();
        out.extend(
            routine_dbs
                .into_iter()
                .map(|(kind, db)| Query::Routines(kind, db)),
        );
        out
    }

    /// Statements that depend on the first round's answers: DESCRIBE for managed
    /// routines that exist but whose details INFORMATION_SCHEMA did not give.
    pub fn followups(&self, results: &Results) -> Vec<Query> {
        let mut out = Vec::new();
        for kind in [ObjectKind::Procedure, ObjectKind::Function] {
            let existing: BTreeSet<ObjectId> = super::routine::observe(results, self, kind)
                .into_iter()
                .filter(|(_, spec)| super::routine::needs_describe(spec))
                .map(|(id, _)| id)
                .collect();
            for desired in self.routines.iter().filter(|r| r.kind == kind) {
                if existing.contains(&super::normalize_id(desired)) {
                    out.push(Query::DescribeRoutine(desired.clone()));
                }
            }
        }
        out
    }
}

/// `database_name`, `schema_name`, `name` of a SHOW row as an [`ObjectName`].
pub fn schema_object_name(row: &crate::runtime::session::Row<'_>) -> Option<ObjectName> {
    Some(ObjectName::in_schema(
        Ident::from_stored(row.get("database_name")?),
        Ident::from_stored(row.get("schema_name")?),
        Ident::from_stored(row.get("name")?),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manages_schema_objects_of_managed_local_databases_only() {
        let mut scope = Scope::default();
        scope.databases.insert(Ident::from_stored("DB"));
        scope.databases.insert(Ident::from_stored("MOUNTED"));
        scope.imported.insert(Ident::from_stored("MOUNTED"));
        let name = |dotted: &str| ObjectName::parse(dotted).unwrap();
        assert!(scope.manages(&name("db.s.t")));
        assert!(!scope.manages(&name("db.information_schema.t")));
        assert!(!scope.manages(&name("mounted.s.t")));
        assert!(!scope.manages(&name("other.s.t")));
        assert!(!scope.manages(&name("db")));
    }
}
