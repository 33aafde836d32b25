//! Golden transcripts for warehouses, databases, schemas, tables and roles: the
//! statements of the collaboration in order, with their SHOW/DESCRIBE answers.

mod emulator_support;

use emulator_support::*;

#[test]
fn warehouses() {
    let e = emulator();
    let s = e.session("bank");
    insta::assert_snapshot!(transcript(
        &s,
        &[
            "use role accountadmin",
            "create or replace warehouse query_wh with warehouse_size = 'x-small' warehouse_type = 'standard' auto_suspend = 300 auto_resume = true min_cluster_count = 1 max_cluster_count = 1 scaling_policy = 'standard'",
            "create warehouse training_wh warehouse_size = 'medium' warehouse_type = 'snowpark-optimized' max_concurrency_level = 1 initially_suspended = true",
            "create warehouse query_wh",
            "create warehouse if not exists query_wh",
            "show warehouses",
            "alter warehouse query_wh suspend",
            "alter warehouse query_wh suspend",
            "alter warehouse query_wh resume",
            "alter warehouse query_wh resume if suspended",
            "alter warehouse query_wh set warehouse_size = xlarge comment = 'for queries'",
            "alter warehouse query_wh unset warehouse_size",
            "alter warehouse query_wh set warehouse_size = 'huge'",
            "show warehouses like 'QUERY%'",
            "describe warehouse query_wh",
            "select current_warehouse()",
            "drop warehouse training_wh",
            "drop warehouse training_wh",
            "drop warehouse if exists training_wh",
        ]
    ));
}

#[test]
fn databases_and_schemas() {
    let e = emulator();
    let s = e.session("bank");
    insta::assert_snapshot!(transcript(
        &s,
        &[
            "create or replace database data_sharing_demo",
            "select current_database(), current_schema()",
            "create or replace schema data_sharing_demo",
            "select current_database(), current_schema()",
            "create transient database scratch comment = 'tmp' data_retention_time_in_days = 0",
            "show databases",
            "show terse databases starts with 'D'",
            "show schemas in database data_sharing_demo",
            "describe database data_sharing_demo",
            "alter database scratch set comment = 'scratch space'",
            "alter schema data_sharing_demo.public set comment = 'default'",
            "create schema data_sharing_demo.managed with managed access",
            "show schemas like '%A%' in account",
            "show schemas in database missing_db",
            "create schema missing_db.s",
            "drop schema data_sharing_demo.nope",
            "drop schema if exists data_sharing_demo.nope",
            "drop schema if exists missing_db.nope",
            "alter database scratch rename to scratch2",
            "show databases like 'scratch%'",
            "drop database scratch2",
            "show databases limit 1 from 'A'",
        ]
    ));
}

#[test]
fn tables() {
    let e = emulator();
    let s = e.session("bank");
    run(
        &s,
        "create database data_sharing_demo; create schema data_sharing_demo",
    );
    insta::assert_snapshot!(transcript(
        &s,
        &[
            "create table cc_default_unscored_data (\"customer_ID\" varchar, S_2 date, P_2 float, B_1 number(38,2), D_39 int not null, flag boolean default true comment 'a flag')",
            "create table cc_default_unscored_data (x int)",
            "create table if not exists cc_default_unscored_data (x int)",
            "show tables",
            "describe table cc_default_unscored_data",
            "show columns in table cc_default_unscored_data",
            "alter table cc_default_unscored_data set change_tracking = true comment = 'unscored'",
            "alter table cc_default_unscored_data add column r_1 varchar(10)",
            "alter table cc_default_unscored_data alter column r_1 set data type varchar(20)",
            "alter table cc_default_unscored_data alter column r_1 set data type varchar(5)",
            "alter table cc_default_unscored_data modify column b_1 number(38,4)",
            "alter table cc_default_unscored_data alter column \"customer_ID\" comment 'the customer'",
            "alter table cc_default_unscored_data alter column customer_id comment 'wrong case'",
            "alter table cc_default_unscored_data drop column p_2",
            "alter table cc_default_unscored_data cluster by (s_2, \"customer_ID\")",
            "show tables like 'CC%' in schema data_sharing_demo.data_sharing_demo",
            "describe table cc_default_unscored_data",
            "alter table cc_default_unscored_data unset change_tracking",
            "show terse tables in database data_sharing_demo",
            "create or replace transient table t2 (a string) change_tracking = true",
            "show tables in account",
            "drop table t2",
            "drop table t2",
            "drop table if exists t2",
            "drop table if exists nodb.s.t2",
            "describe table t2",
        ]
    ));
}

#[test]
fn roles() {
    let e = emulator();
    let s = e.session("bank");
    insta::assert_snapshot!(transcript(
        &s,
        &[
            "show roles",
            "create role analyst comment = 'reads data'",
            "create role analyst",
            "create role if not exists analyst",
            "grant role analyst to role sysadmin",
            "show roles like 'ANALYST'",
            "alter role analyst set comment = 'reads'",
            "show grants of role analyst",
            "drop role accountadmin",
            "drop role analyst",
            "drop role if exists analyst",
        ]
    ));
}

#[test]
fn context_functions_use_expression_names() {
    let e = emulator();
    let s = e.session("partner");
    let rows = run(
        &s,
        "select current_organization_name(), current_account_name(), current_account(), current_role(), current_region(), current_warehouse(), current_database(), current_schema()",
    );
    insta::assert_snapshot!(table(&rows[0]));
}

#[test]
fn users_and_their_public_keys() {
    let e = emulator();
    let s = e.session("bank");
    let key = include_str!("fixtures/keys/test_key.pub").trim();
    let other = include_str!("fixtures/keys/other_key.pub").trim();
    let statements = [
        format!(
            "create user ci_deployer type = service rsa_public_key = '{key}' default_role = sysadmin default_warehouse = query_wh comment = 'deploys'"
        ),
        "create user ci_deployer".to_string(),
        "create user if not exists ci_deployer".to_string(),
        "create user analyst type = person login_name = 'ana' display_name = 'Ana'".to_string(),
        "show users".to_string(),
        "show users like 'CI%'".to_string(),
        "describe user ci_deployer".to_string(),
        format!("alter user ci_deployer set rsa_public_key_2 = '{other}'"),
        "alter user ci_deployer unset rsa_public_key, comment".to_string(),
        "describe user ci_deployer".to_string(),
        "alter user ci_deployer set rsa_public_key = 'not a key'".to_string(),
        "alter user ci_deployer set type = robot".to_string(),
        "use role sysadmin".to_string(),
        "create user intruder".to_string(),
        "use role useradmin".to_string(),
        "create user helper".to_string(),
        "use role accountadmin".to_string(),
        "drop user analyst".to_string(),
        "drop user analyst".to_string(),
        "drop user if exists analyst".to_string(),
        "describe user analyst".to_string(),
        "show users".to_string(),
    ];
    let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
    insta::assert_snapshot!(transcript(&s, &statements));
}

#[test]
fn users_persist_in_the_emulator_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("emulator.db");
    let key = include_str!("fixtures/keys/test_key.pub").trim();
    {
        let e = floe::emulator::Emulator::open(&db).unwrap();
        run(
            &e.session("bank"),
            &format!("create user deployer rsa_public_key = '{key}'"),
        );
    }
    let e = floe::emulator::Emulator::open(&db).unwrap();
    let described = run(&e.session("bank"), "describe user deployer").remove(0);
    let fingerprint = described
        .rows
        .iter()
        .find(|row| row[0].as_deref() == Some("RSA_PUBLIC_KEY_FP"))
        .and_then(|row| row[1].clone());
    assert_eq!(
        fingerprint.as_deref(),
        Some(include_str!("fixtures/keys/test_key.fingerprint").trim())
    );
    // Accounts keep their own users.
    assert!(
        run(&e.session("partner"), "show users")
            .remove(0)
            .rows
            .is_empty()
    );
}
