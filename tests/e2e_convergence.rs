//! Property: from any (small) pre-existing state, applying a (small) desired catalog
//! converges — the next plan is empty. Both states are random; the pre-existing one is
//! applied first, so it is whatever floe and the emulator make of it.

mod common;

use proptest::prelude::*;

use floe::emulator::Emulator;
use floe::model::*;
use floe::runtime::pipeline::observe_and_plan;
use floe::runtime::{ApplyOptions, apply};

const SIZES: [&str; 4] = ["x-small", "XSMALL", "small", "Medium"];
const TYPES: [&str; 6] = [
    "varchar",
    "string",
    "number",
    "NUMBER(38,0)",
    "date",
    "float",
];

fn acct(i: u8) -> AccountName {
    AccountName::new(if i == 0 { "bank" } else { "partner" })
}

#[derive(Clone, Debug)]
struct Table {
    columns: Vec<(u8, usize)>,
    change_tracking: Option<bool>,
    comment: Option<u8>,
}

#[derive(Clone, Debug)]
struct State {
    warehouses: Vec<(u8, u8, usize, Option<u64>)>,
    tables: Vec<(u8, u8, u8, u8, Table)>,
}

fn table() -> impl Strategy<Value = Table> {
    (
        proptest::collection::btree_map(0u8..4, 0usize..TYPES.len(), 1..4),
        proptest::option::of(any::<bool>()),
        proptest::option::of(0u8..3),
    )
        .prop_map(|(columns, change_tracking, comment)| Table {
            columns: columns.into_iter().collect(),
            change_tracking,
            comment,
        })
}

fn state() -> impl Strategy<Value = State> {
    (
        proptest::collection::vec(
            (
                0u8..2,
                0u8..2,
                0usize..SIZES.len(),
                proptest::option::of(60u64..400),
            ),
            0..3,
        ),
        proptest::collection::vec((0u8..2, 0u8..2, 0u8..2, 0u8..3, table()), 0..4),
    )
        .prop_map(|(warehouses, tables)| State { warehouses, tables })
}

fn catalog(state: &State) -> Catalog {
    let mut c = Catalog::new();
    for (a, w, size, auto_suspend) in &state.warehouses {
        c.insert(
            ObjectId::new(
                acct(*a),
                ObjectKind::Warehouse,
                ObjectName::account_level(Ident::from_stored(format!("W{w}"))),
            ),
            Spec::Warehouse(WarehouseSpec {
                size: Some(SIZES[*size].into()),
                auto_suspend: *auto_suspend,
                ..WarehouseSpec::default()
            }),
        );
    }
    for (a, d, s, t, table) in &state.tables {
        let db = Ident::from_stored(format!("D{d}"));
        let schema = Ident::from_stored(format!("S{s}"));
        c.insert(
            ObjectId::new(
                acct(*a),
                ObjectKind::Database,
                ObjectName::account_level(db.clone()),
            ),
            Spec::Database(DatabaseSpec::default()),
        );
        c.insert(
            ObjectId::new(
                acct(*a),
                ObjectKind::Schema,
                ObjectName::in_database(db.clone(), schema.clone()),
            ),
            Spec::Schema(SchemaSpec::default()),
        );
        c.insert(
            ObjectId::new(
                acct(*a),
                ObjectKind::Table,
                ObjectName::in_schema(db, schema, Ident::from_stored(format!("T{t}"))),
            ),
            Spec::Table(TableSpec {
                columns: table
                    .columns
                    .iter()
                    .map(|(n, ty)| ColumnSpec {
                        name: Ident::from_stored(format!("C{n}")),
                        data_type: TYPES[*ty].into(),
                        nullable: None,
                        default: None,
                        comment: None,
                    })
                    .collect(),
                change_tracking: table.change_tracking,
                comment: table.comment.map(|c| format!("comment {c}")),
                ..TableSpec::default()
            }),
        );
    }
    c
}

fn converge(emulator: &Emulator, desired: &Catalog) -> Result<(), TestCaseError> {
    let accounts = [acct(0), acct(1)];
    let sessions = common::sessions(emulator, &accounts);
    let (_, plan) = observe_and_plan(&sessions, desired, &accounts)
        .map_err(|e| TestCaseError::fail(format!("plan: {e}")))?;
    let report = apply(&plan, &sessions, ApplyOptions::default(), &|_| {});
    prop_assert!(report.is_success(), "apply failed: {:?}", report.failed);
    let (_, again) = observe_and_plan(&sessions, desired, &accounts)
        .map_err(|e| TestCaseError::fail(format!("re-plan: {e}")))?;
    prop_assert!(
        again.is_empty(),
        "not converged: {:?}",
        again
            .steps
            .iter()
            .map(|s| format!("{} {} {:?}", s.action, s.object, s.properties))
            .collect::<Vec<_>>()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_state_converges_to_any_desired_catalog(before in state(), after in state()) {
        let emulator = Emulator::open_in_memory().unwrap();
        converge(&emulator, &catalog(&before))?;
        converge(&emulator, &catalog(&after))?;
    }
}
