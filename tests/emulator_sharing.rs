//! Sharing between accounts: the bank shares a table through a share and a private
//! listing; the partner sees nothing before, mounts it after, streams on it only with
//! change tracking, cannot write into it, and loses access when removed.

mod emulator_support;

use emulator_support::*;

const LISTING_YAML: &str = "title: \"CC default training data\"\nsubtitle: \"Unscored data\"\ndescription: \"Credit card data\"\nlisting_terms:\n  type: \"OFFLINE\"\ntargets:\n  accounts: [\"LOCALORG.PARTNER\"]\n";

fn bank_setup(bank: &floe::emulator::EmulatorSession) {
    run(
        bank,
        "create database data_sharing_demo;
         create schema data_sharing_demo;
         create table cc_default_unscored_data (\"customer_ID\" varchar, S_2 date, P_2 float);
         create table internal_only (x int);
         create share data_sharing_demo comment = 'to partner'",
    );
}

#[test]
fn share_mounted_by_partner() {
    let e = emulator();
    let bank = e.session("bank");
    let partner = e.session("partner");
    bank_setup(&bank);
    // Accounts cannot be added before the database is granted.
    let (code, _) = fails(
        &bank,
        "alter share data_sharing_demo add accounts = localorg.partner",
    );
    assert_eq!(code, "003034");
    run(
        &bank,
        "grant usage on database data_sharing_demo to share data_sharing_demo;
         grant usage on schema data_sharing_demo.data_sharing_demo to share data_sharing_demo;
         grant select on table data_sharing_demo.data_sharing_demo.cc_default_unscored_data to share data_sharing_demo",
    );
    // Not visible to the partner before being added.
    let shares = run(&partner, "show shares").remove(0);
    assert!(shares.is_empty());
    let (code, msg) = fails(
        &partner,
        "create database cc from share localorg.bank.data_sharing_demo",
    );
    assert_eq!(code, "002003", "{msg}");

    run(
        &bank,
        "alter share data_sharing_demo add accounts = localorg.partner",
    );
    insta::assert_snapshot!(
        "provider",
        transcript(
            &bank,
            &[
                "show shares",
                "describe share data_sharing_demo",
                "show grants to share data_sharing_demo",
                "grant usage on database other_db to share data_sharing_demo",
            ]
        )
    );
    insta::assert_snapshot!(
        "consumer",
        transcript(
            &partner,
            &[
                "show shares",
                "describe share localorg.bank.data_sharing_demo",
                "create database cc_default_training_data from share localorg.bank.data_sharing_demo",
                "show databases",
                "describe share localorg.bank.data_sharing_demo",
                "show schemas in database cc_default_training_data",
                "show tables in database cc_default_training_data",
                "show columns in table cc_default_training_data.data_sharing_demo.cc_default_unscored_data",
                "describe table cc_default_training_data.data_sharing_demo.internal_only",
                "create table cc_default_training_data.data_sharing_demo.t (x int)",
                "alter table cc_default_training_data.data_sharing_demo.cc_default_unscored_data set comment = 'x'",
                "drop table cc_default_training_data.data_sharing_demo.cc_default_unscored_data",
                "create database scoring",
                "create stream s on table cc_default_training_data.data_sharing_demo.cc_default_unscored_data",
            ]
        )
    );
    // The provider enables change tracking; the stream now works, and the partner sees it live.
    run(
        &bank,
        "alter table data_sharing_demo.data_sharing_demo.cc_default_unscored_data set change_tracking = true",
    );
    insta::assert_snapshot!(
        "consumer_stream",
        transcript(
            &partner,
            &[
                "show tables like 'CC%' in account",
                "create stream s on table cc_default_training_data.data_sharing_demo.cc_default_unscored_data",
                "show streams",
            ]
        )
    );
    // Removing the account revokes access.
    run(
        &bank,
        "alter share data_sharing_demo remove accounts = localorg.partner",
    );
    insta::assert_snapshot!(
        "revoked",
        transcript(
            &partner,
            &[
                "show shares",
                "show databases like 'CC%'",
                "show tables in database cc_default_training_data",
                "describe table cc_default_training_data.data_sharing_demo.cc_default_unscored_data",
                "show streams",
            ]
        )
    );
}

#[test]
fn dropping_the_share_revokes_access() {
    let e = emulator();
    let bank = e.session("bank");
    let partner = e.session("partner");
    bank_setup(&bank);
    run(
        &bank,
        "grant usage on database data_sharing_demo to share data_sharing_demo;
         grant usage on schema data_sharing_demo.data_sharing_demo to share data_sharing_demo;
         grant select on table data_sharing_demo.data_sharing_demo.cc_default_unscored_data to share data_sharing_demo;
         alter share data_sharing_demo add accounts = localorg.partner",
    );
    run(
        &partner,
        "create database cc from share localorg.bank.data_sharing_demo",
    );
    assert_eq!(run(&partner, "show tables in database cc")[0].len(), 1);
    run(&bank, "drop share data_sharing_demo");
    let (code, msg) = fails(&partner, "show tables in database cc");
    assert_eq!(code, "003030", "{msg}");
    let dbs = run(&partner, "show databases like 'CC'").remove(0);
    assert_eq!(column(&dbs, "origin"), vec![Some("<revoked>".to_string())]);
    // Re-creating the share does not bring an old mount back.
    run(&bank, "create share data_sharing_demo");
    assert!(
        fails(&partner, "show schemas in database cc")
            .1
            .contains("no longer available")
    );
}

#[test]
fn private_listing_to_partner() {
    let e = emulator();
    let bank = e.session("bank");
    let partner = e.session("partner");
    bank_setup(&bank);
    run(
        &bank,
        "grant usage on database data_sharing_demo to share data_sharing_demo;
         grant usage on schema data_sharing_demo.data_sharing_demo to share data_sharing_demo;
         grant select on table data_sharing_demo.data_sharing_demo.cc_default_unscored_data to share data_sharing_demo",
    );
    let create = format!(
        "create external listing cc_default_training_data share data_sharing_demo as $${LISTING_YAML}$$ publish = false review = false"
    );
    insta::assert_snapshot!(
        "listing_provider",
        transcript(
            &bank,
            &[
                &create,
                &create,
                "show listings",
                "describe listing cc_default_training_data",
                "create external listing bad share data_sharing_demo as $$title: x\ntargets:\n  accounts: [\"OTHERORG.X\"]$$",
                "create external listing bad2 share data_sharing_demo as $$[1, 2]$$",
            ]
        )
    );
    let listings = run(&bank, "show listings like 'cc_default%'").remove(0);
    let global = column(&listings, "global_name")[0]
        .clone()
        .expect("global name");
    // A draft listing cannot be mounted.
    let mount = format!("create database cc_default_training_data from listing '{global}'");
    assert_eq!(fails(&partner, &mount).0, "002003");
    run(&bank, "alter listing cc_default_training_data publish");
    assert!(run(&partner, "show shares")[0].len() == 1);
    run(&partner, &mount);
    let dbs = run(&partner, "show databases like 'CC%'").remove(0);
    assert_eq!(column(&dbs, "kind"), vec![Some("IMPORTED DATABASE".into())]);
    assert_eq!(
        column(&dbs, "origin"),
        vec![Some("LOCALORG.BANK.DATA_SHARING_DEMO".into())]
    );
    let tables = run(&partner, "show tables in database cc_default_training_data").remove(0);
    assert_eq!(
        column(&tables, "name"),
        vec![Some("CC_DEFAULT_UNSCORED_DATA".into())]
    );
    // Another account that is not a target sees nothing.
    let other = e.session("other");
    assert_eq!(fails(&other, &mount).0, "002003");
    // Removing the target revokes the partner's access.
    run(
        &bank,
        "alter listing cc_default_training_data remove targets $$targets:\n  accounts: [\"LOCALORG.PARTNER\"]$$",
    );
    assert_eq!(
        fails(&partner, "show tables in database cc_default_training_data").0,
        "003030"
    );
    let described = run(&bank, "describe listing cc_default_training_data").remove(0);
    let manifest = column(&described, "manifest_yaml")[0]
        .clone()
        .unwrap_or_default();
    assert!(!manifest.contains("PARTNER"), "{manifest}");
}

#[test]
fn a_share_holds_one_database() {
    let e = emulator();
    let bank = e.session("bank");
    bank_setup(&bank);
    run(
        &bank,
        "create database second; grant usage on database data_sharing_demo to share data_sharing_demo",
    );
    assert_eq!(
        fails(
            &bank,
            "grant usage on database second to share data_sharing_demo"
        )
        .0,
        "003032"
    );
    assert_eq!(
        fails(
            &bank,
            "grant usage on schema second.public to share data_sharing_demo"
        )
        .0,
        "003037"
    );
}
