//! Golden transcripts for file formats, stages (with files), streams, tasks,
//! procedures, functions, models, grants and INFORMATION_SCHEMA queries.

mod emulator_support;

use emulator_support::*;

fn setup(s: &floe::emulator::EmulatorSession) {
    run(
        s,
        "create warehouse query_wh; create database data_sharing_demo; create schema data_sharing_demo",
    );
}

#[test]
fn file_formats_and_stages() {
    let e = emulator();
    let s = e.session("bank");
    setup(&s);
    insta::assert_snapshot!(transcript(
        &s,
        &[
            "create or replace file format parquet_format type = parquet",
            "create file format csv_format type = csv skip_header = 1 field_optionally_enclosed_by = '\"' null_if = ('', 'NULL') comment = 'csv'",
            "create file format bad_format type = csv no_such_option = 1",
            "create file format bad_type type = yaml",
            "show file formats",
            "describe file format parquet_format",
            "alter file format csv_format set skip_header = 2",
            "alter file format csv_format set type = json",
            "create or replace stage quickstart_cc_default_training_data url = 'insert public url here' file_format = parquet_format",
            "create or replace stage quickstart_ext url = 's3://bucket/path/' credentials = (aws_key_id = 'AKIA' aws_secret_key = 'secret') file_format = parquet_format",
            "create stage models comment = 'model artifacts' directory = (enable = true)",
            "create stage with_missing_format file_format = (format_name = 'nope')",
            "show stages",
            "describe stage quickstart_ext",
            "alter stage models set comment = 'artifacts'",
            "show stages like 'MODELS'",
            "list @quickstart_ext",
            "drop stage quickstart_ext",
            "drop file format csv_format",
        ]
    ));
}

#[test]
fn stage_files_put_list_remove() {
    let e = emulator();
    let s = e.session("partner");
    setup(&s);
    run(&s, "create stage models");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("model.pkl");
    std::fs::write(&file, b"hello model").expect("write");
    let put = format!(
        "PUT 'file://{}' @models/CC_MODEL/V1/ AUTO_COMPRESS = FALSE OVERWRITE = TRUE",
        file.display()
    );
    let put_again = format!(
        "PUT 'file://{}' @models/CC_MODEL/V1/ AUTO_COMPRESS = FALSE",
        file.display()
    );
    let put_compressed = format!("PUT 'file://{}' @models/CC_MODEL/V1/", file.display());
    let put_missing = format!(
        "PUT 'file://{}/nope.bin' @models AUTO_COMPRESS = FALSE",
        dir.path().display()
    );
    let transcript = transcript(
        &s,
        &[
            &put,
            &put_again,
            &put_compressed,
            &put_missing,
            "list @models",
            "list @data_sharing_demo.data_sharing_demo.models/CC_MODEL/",
            "list @models/OTHER/",
            "create model cc_model with version v1 from @models/CC_MODEL/V1/",
            "create model empty_model with version v1 from @models/NOTHING/",
            "show models",
            "show versions in model cc_model",
            "remove @models/CC_MODEL/",
            "list @models",
        ],
    );
    let transcript = transcript.replace(&dir.path().display().to_string(), "<dir>");
    insta::assert_snapshot!(transcript);
    // md5 is the hex MD5 of the content.
    let mut s2 = Vec::new();
    std::fs::write(&file, b"abc").expect("write");
    s2.push(run(&s, &put).remove(0));
    let listed = run(&s, "list @models").remove(0);
    assert_eq!(
        column(&listed, "md5"),
        vec![Some("900150983cd24fb0d6963f7d28e17f72".into())]
    );
    assert_eq!(column(&listed, "size"), vec![Some("3".into())]);
}

#[test]
fn models_versions() {
    let e = emulator();
    let s = e.session("partner");
    setup(&s);
    run(&s, "create stage models");
    let dir = tempfile::tempdir().expect("tempdir");
    for v in ["V1", "V2"] {
        let file = dir.path().join(format!("{v}.pkl"));
        std::fs::write(&file, v.as_bytes()).expect("write");
        run(
            &s,
            &format!(
                "PUT 'file://{}' @models/M/{v}/ AUTO_COMPRESS = FALSE OVERWRITE = TRUE",
                file.display()
            ),
        );
    }
    insta::assert_snapshot!(transcript(
        &s,
        &[
            "create model m with version v1 from @models/M/V1/",
            "create model m with version v1 from @models/M/V1/",
            "alter model m add version v2 from @models/M/V2/",
            "alter model m add version v2 from @models/M/V2/",
            "alter model m set default_version = v2",
            "alter model m set default_version = 'v3'",
            "alter model m drop version v2",
            "alter model m set comment = 'scores defaults'",
            "show models like 'M'",
            "show versions in model m",
            "alter model m drop version v1",
            "show versions in model m",
            "drop model m",
            "show models",
        ]
    ));
}

#[test]
fn streams_and_tasks() {
    let e = emulator();
    let s = e.session("partner");
    setup(&s);
    run(&s, "create table src (a int)");
    insta::assert_snapshot!(transcript(
        &s,
        &[
            "create or replace stream cc_default_data_stream on table src comment = 'changes'",
            "show tables like 'SRC'",
            "create stream s2 on table src append_only = true show_initial_rows = true",
            "show streams",
            "show terse streams",
            "describe stream s2",
            "alter stream s2 set comment = 'appended'",
            "alter stream s2 set append_only = false",
            "alter stream s2 unset comment",
            "create or replace task cdc warehouse = 'QUERY_WH' when system$stream_has_data('CC_DEFAULT_DATA_STREAM') as create or replace temporary table new_cc_default_data as (select * from src)",
            "create or replace task feature_eng warehouse = query_wh after cdc as call cc_profile_processing('NEW_CC_DEFAULT_DATA', 'TRANSFORMED_TABLE')",
            "create task scored warehouse = query_wh schedule = '5 minute' after feature_eng as select 1",
            "create task standalone user_task_managed_initial_warehouse_size = 'XSMALL' schedule = 'USING CRON 0 9 * * * UTC' allow_overlapping_execution = true comment = 'nightly' as select 1",
            "show tasks",
            "alter task feature_eng resume",
            "alter task cdc resume",
            "alter task feature_eng set comment = 'x'",
            "create task late after cdc as select 2",
            "alter task feature_eng suspend",
            "execute task feature_eng",
            "execute task cdc",
            "alter task cdc suspend",
            "alter task feature_eng modify as select 42",
            "alter task cdc modify when system$stream_has_data('S2')",
            "alter task feature_eng remove after cdc",
            "alter task feature_eng add after cdc",
            "alter task cdc add after feature_eng",
            "show tasks like 'CDC'",
            "describe task feature_eng",
            "show tasks root only",
            "drop task cdc",
            "show terse tasks",
        ]
    ));
}

#[test]
fn procedures_and_functions() {
    let e = emulator();
    let s = e.session("partner");
    setup(&s);
    insta::assert_snapshot!(transcript(
        &s,
        &[
            "CREATE OR REPLACE PROCEDURE cc_profile_processing(rawTable VARCHAR, targetTable VARCHAR) RETURNS STRING LANGUAGE PYTHON RUNTIME_VERSION = '3.8' PACKAGES = ('snowflake-snowpark-python') HANDLER = 'feature_transform' AS $$\ndef feature_transform(session, raw_table, target_table):\n    return 'ok'\n$$",
            "CREATE PROCEDURE cc_profile_processing(a NUMBER) RETURNS NUMBER(10,2) NOT NULL LANGUAGE SQL COMMENT = 'overload' EXECUTE AS CALLER AS 'begin return 1; end'",
            "CREATE PROCEDURE bad_py(a NUMBER) RETURNS NUMBER LANGUAGE PYTHON RUNTIME_VERSION = '3.11' HANDLER = 'run' AS 'def run(s, a): return a'",
            "CREATE OR REPLACE FUNCTION batch_predict_cc_default(x FLOAT, y VARCHAR) RETURNS FLOAT LANGUAGE PYTHON RUNTIME_VERSION = '3.8' PACKAGES = ('pandas', 'scikit-learn==1.3.0') IMPORTS = ('@models/model.pkl') HANDLER = 'predict' AS $$\nfrom _snowflake import vectorized\n@vectorized(input=pandas.DataFrame)\ndef predict(df):\n    return df[0]\n$$",
            "CREATE SECURE FUNCTION add_one(x INT) RETURNS INT LANGUAGE SQL AS 'x + 1'",
            "show procedures",
            "show user functions",
            "describe procedure cc_profile_processing(varchar, varchar)",
            "describe procedure cc_profile_processing(number)",
            "describe procedure cc_profile_processing(date)",
            "describe function batch_predict_cc_default(float, varchar)",
            "alter procedure cc_profile_processing(number) set comment = 'numbers'",
            "alter procedure cc_profile_processing(number) execute as owner",
            "alter function add_one(number) unset secure",
            "select procedure_name, argument_signature, data_type, procedure_language from data_sharing_demo.information_schema.procedures order by procedure_name, argument_signature",
            "select function_name, argument_signature, is_secure, packages, runtime_version from data_sharing_demo.information_schema.functions where function_schema = 'DATA_SHARING_DEMO' order by function_name",
            "drop procedure cc_profile_processing(number)",
            "drop procedure cc_profile_processing(number)",
            "drop procedure if exists cc_profile_processing(number)",
            "show procedures like 'CC%'",
        ]
    ));
}

#[test]
fn grants_and_roles() {
    let e = emulator();
    let s = e.session("bank");
    setup(&s);
    run(
        &s,
        "create table t (a int); create role analyst; grant role analyst to role sysadmin",
    );
    insta::assert_snapshot!(transcript(
        &s,
        &[
            "grant usage on warehouse query_wh to role analyst",
            "grant usage on database data_sharing_demo to role analyst",
            "grant usage on schema data_sharing_demo.data_sharing_demo to role analyst",
            "grant select on table data_sharing_demo.data_sharing_demo.t to role analyst with grant option",
            "grant select on warehouse query_wh to role analyst",
            "grant usage on database nope to role analyst",
            "grant usage on database data_sharing_demo to role nobody",
            "grant create database on account to role analyst",
            "show grants to role analyst",
            "show grants on table data_sharing_demo.data_sharing_demo.t",
            "show grants on database data_sharing_demo",
            "show grants of role analyst",
            "revoke select on table data_sharing_demo.data_sharing_demo.t from role analyst",
            "grant ownership on table data_sharing_demo.data_sharing_demo.t to role analyst",
            "show grants on table data_sharing_demo.data_sharing_demo.t",
            "use role analyst",
            "show tables in account",
            "show databases",
            "create database analyst_db",
            "alter warehouse query_wh set comment = 'not mine'",
            "alter table data_sharing_demo.data_sharing_demo.t set comment = 'mine'",
            "use role accountadmin",
            "revoke role analyst from role sysadmin",
            "show grants of role analyst",
        ]
    ));
}

#[test]
fn information_schema_columns() {
    let e = emulator();
    let s = e.session("bank");
    setup(&s);
    run(
        &s,
        "create table t (\"customer_ID\" varchar(20) not null comment 'id', amount number(10,2) default 0, ts timestamp_ntz, f float)",
    );
    insta::assert_snapshot!(transcript(
        &s,
        &[
            "select table_schema, table_name, column_name, ordinal_position, is_nullable, data_type, character_maximum_length, numeric_precision, numeric_scale, column_default, comment from data_sharing_demo.information_schema.columns where table_schema = 'DATA_SHARING_DEMO' order by table_name, ordinal_position",
            "select column_name from data_sharing_demo.information_schema.columns where table_name = 'T' and column_name = 'customer_ID'",
            "select nope from data_sharing_demo.information_schema.columns",
            "select * from data_sharing_demo.information_schema.tables",
            "select column_name from data_sharing_demo.information_schema.columns where ordinal_position > 1",
            "select column_name from missing.information_schema.columns",
        ]
    ));
    let all = run(
        &s,
        "select * from data_sharing_demo.information_schema.columns",
    )
    .remove(0);
    assert_eq!(all.columns.len(), 44);
    assert_eq!(all.rows.len(), 4);
}
