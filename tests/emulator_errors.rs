//! One test per error class: Snowflake's error number, SQLSTATE and text; and a
//! list of statements the emulator does not implement, each of which must fail.

mod emulator_support;

use emulator_support::*;
use floe::runtime::session::{BackendError, SqlSession};

fn sql_error(e: BackendError) -> (String, String, String, Option<String>, String) {
    match e {
        BackendError::Sql {
            code,
            sqlstate,
            message,
            query_id,
            statement,
        } => (code, sqlstate, message, query_id, statement),
        other => panic!("not a SQL error: {other}"),
    }
}

#[test]
fn syntax_errors_name_line_and_position() {
    let e = emulator();
    let s = e.session("bank");
    let (code, state, msg, query_id, statement) =
        sql_error(s.execute("create tabel t (a int)").unwrap_err());
    assert_eq!((code.as_str(), state.as_str()), ("001003", "42000"));
    assert_eq!(
        msg,
        "SQL compilation error:\nsyntax error line 1 at position 7 unexpected 'tabel'."
    );
    assert!(query_id.is_some());
    assert_eq!(statement, "create tabel t (a int)");
    let (_, _, msg, ..) = sql_error(s.execute("create database").unwrap_err());
    assert_eq!(
        msg,
        "SQL compilation error:\nsyntax error line 1 at position 15 unexpected '<EOF>'."
    );
    let (_, _, msg, ..) = sql_error(
        s.execute("create database d;\n  create schema d.s extra")
            .unwrap_err(),
    );
    assert!(msg.contains("Actual statement count 2"), "{msg}");
    let (_, _, msg, ..) = sql_error(
        s.execute_script("create database d;\n  create schema d.s extra")
            .unwrap_err(),
    );
    assert_eq!(
        msg,
        "SQL compilation error:\nsyntax error line 2 at position 20 unexpected 'extra'."
    );
    let (code, ..) = sql_error(s.execute("select 'unterminated").unwrap_err());
    assert_eq!(code, "001003");
}

#[test]
fn each_error_class_has_snowflakes_code_and_text() {
    let e = emulator();
    let s = e.session("bank");
    insta::assert_snapshot!(transcript(
        &s,
        &[
            "create table t (a int)",
            "show tables in schema nope",
            "create database d",
            "create database d",
            "create or replace database if not exists d",
            "describe table d.public.missing",
            "alter schema d.missing set comment = 'x'",
            "show tables in database missing",
            "create warehouse w warehouse_size = 'gigantic'",
            "create warehouse w auto_resume = maybe",
            "create warehouse w min_cluster_count = 3 max_cluster_count = 2",
            "create share sh",
            "alter share sh set accounts = localorg.partner share_restrictions = false",
            "create table d.public.t (a int, a int)",
            "create table d.public.t (a number(50, 0))",
            "create table d.public.t (a number(38, 38))",
            "create table d.public.t (a varchar(134217729))",
            "create table d.public.t (a binary(0))",
            "create table d.public.t (a timestamp_ntz(10))",
            "create warehouse w max_cluster_count = 100000",
            "create database r data_retention_time_in_days = 91",
            "create task d.public.k schedule = 'USING CRON 99 99 * * * UTC' as select 1",
            "alter table d.public.nope add column b int",
            "create role r",
            "use role r",
            "create database other",
            "drop database d",
            "use role accountadmin",
            "alter warehouse missing_wh suspend",
            "use warehouse missing_wh",
        ]
    ));
}

#[test]
fn statements_the_emulator_does_not_implement_always_fail() {
    let e = emulator();
    let s = e.session("bank");
    run(
        &s,
        "create database d; create table t (a int); create warehouse w",
    );
    for sql in [
        "insert into t values (1)",
        "select * from t",
        "select 1",
        "update t set a = 2",
        "delete from t",
        "copy into t from @s",
        "call p()",
        "create view v as select 1",
        "create or alter table t (a int)",
        "create table t2 as select 1 a",
        "create table t3 like t",
        "create table t4 clone t",
        "create sequence seq",
        "create user u",
        "alter session set timezone = 'UTC'",
        "alter account set x = 1",
        "show views",
        "show users",
        "show functions",
        "show tables history",
        "show schemas in application app",
        "describe view v",
        "grant select on all tables in schema d.public to role public",
        "grant select on future tables in schema d.public to role public",
        "grant all privileges on database d to role public",
        "grant role public to user u",
        "show grants",
        "show grants of share sh",
        "alter warehouse w abort all queries",
        "alter warehouse w set tag t = 'x'",
        "create warehouse w2 with tag (t = 'x')",
        "create warehouse w3 something_new = 1",
        "alter table t swap with t",
        "alter table t alter column a set default 3",
        "create table t5 (a int autoincrement)",
        "create stream s on view v",
        "create stream s on table t insert_only = true",
        "create task tk finalize = root as select 1",
        "execute task tk using config = $${}$$",
        "alter task tk rename to tk2",
        "create procedure p() returns int language java handler = 'x' as 'x'",
        "create model m from model other",
        "alter model m version v1 set alias = a",
        "create organization listing l share s as $$title: x$$",
        "create listing l share s from '@st/dir'",
        "create or replace listing l share s as $$title: x$$",
        "list @~",
        "list @%t",
        "select current_date()",
        "select * from d.information_schema.tables",
        "select a from d.information_schema.columns where ordinal_position > 1",
        "undrop table t",
        "comment on table t is 'x'",
        "begin",
        "put 'file:///tmp/x' @s",
        "show terse warehouses",
        "use secondary roles all",
    ] {
        match s.execute(sql) {
            Ok(rows) => panic!("{sql} succeeded: {}", table(&rows)),
            Err(BackendError::Sql { code, .. }) => assert!(!code.is_empty(), "{sql}"),
            Err(other) => panic!("{sql}: {other}"),
        }
    }
    // Nothing half-applied: the account still holds exactly what was created.
    let tables = run(&s, "show tables in account").remove(0);
    assert_eq!(column(&tables, "name"), vec![Some("T".to_string())]);
}

#[test]
fn a_failing_statement_changes_nothing() {
    let e = emulator();
    let s = e.session("bank");
    run(&s, "create database d; create table t (a int, b int)");
    // The second column change fails, so the first must not apply either.
    fails(
        &s,
        "alter table t alter column a comment 'x', column b set data type varchar",
    );
    let desc = run(&s, "describe table t").remove(0);
    assert_eq!(column(&desc, "comment"), vec![None, None]);
    // A failed script stops at the failing statement; earlier statements stay applied.
    assert!(
        s.execute_script(
            "create table t2 (a int); create table t2 (a int); create table t3 (a int)"
        )
        .is_err()
    );
    let tables = run(&s, "show tables").remove(0);
    assert_eq!(
        column(&tables, "name"),
        vec![Some("T".into()), Some("T2".into())]
    );
}

/// Every data type `validate` accepts, at the edges of its documented range, is a
/// type the emulator (like Snowflake) accepts once normalized the way the planner
/// renders it; one step past the edge, both refuse.
#[test]
fn types_at_the_edges_of_their_ranges_agree_with_validation() {
    use floe::kinds::types::normalize;
    use floe::manifest::data_type::{Position, check};
    let e = emulator();
    let s = e.session("bank");
    s.execute("create database d").unwrap();
    let accepted = [
        "number(1, 0)",
        "number(38, 37)",
        "decimal(38)",
        "varchar(1)",
        "varchar(134217728)",
        "char(134217728)",
        "binary(1)",
        "binary(67108864)",
        "time(0)",
        "timestamp_ntz(9)",
        "timestamp_tz(0)",
        "double precision",
        "string",
    ];
    for (i, t) in accepted.iter().enumerate() {
        assert_eq!(check(t, Position::Column), Ok(()), "{t}");
        let sql = format!("create table d.public.ok{i} (c {})", normalize(t));
        s.execute(&sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let refused = [
        "number(39, 0)",
        "number(38, 38)",
        "number(5, 10)",
        "varchar(134217729)",
        "binary(67108865)",
        "time(10)",
        "timestamp_ltz(10)",
    ];
    for (i, t) in refused.iter().enumerate() {
        assert!(check(t, Position::Column).is_err(), "{t}");
        let sql = format!("create table d.public.bad{i} (c {})", normalize(t));
        assert!(s.execute(&sql).is_err(), "{sql} was accepted");
    }
}
