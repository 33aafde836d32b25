#!/usr/bin/env python3
"""Smoke test: Snowflake's own Python connector against `floe emulator serve`.

The connector was written by Snowflake, not by floe, so a clean run is evidence
that the served emulator speaks the connector protocol: login, statements,
result shapes and errors. For every kind of object floe manages the script
creates one, reads it back with SHOW (and DESCRIBE where Snowflake has it) and
checks the column names against the SQL reference. Then it provokes errors and
checks their numbers and messages.

Usage: smoke.py --port PORT [--host 127.0.0.1] [--account bank] [--workdir DIR] [--strict]

A statement the emulator rejects as an unsupported feature (errno 2, SQLSTATE
0A000) is reported as "unsupported" with what it could not check; with --strict
that is a failure too. Anything else that goes wrong (protocol, columns, values,
errors) is always a failure. Exit code 0 when nothing failed.
"""

import argparse
import os
import sys
import tempfile

import snowflake.connector
from snowflake.connector.errors import ProgrammingError

# Documented column order of each SHOW/DESCRIBE (snowflake-sql-reference.md). Newer
# columns may follow; these must all be present, in this order.
COLUMNS = {
    "SHOW ROLES": ["created_on", "name", "is_default", "is_current", "is_inherited",
                   "assigned_to_users", "granted_to_roles", "granted_roles", "owner",
                   "comment"],
    "SHOW WAREHOUSES": ["name", "state", "type", "size", "min_cluster_count",
                        "max_cluster_count", "started_clusters", "running", "queued",
                        "is_default", "is_current", "auto_suspend", "auto_resume",
                        "available", "provisioning", "quiescing", "other", "created_on",
                        "resumed_on", "updated_on", "owner", "comment",
                        "enable_query_acceleration", "query_acceleration_max_scale_factor",
                        "resource_monitor"],
    "SHOW DATABASES": ["created_on", "name", "is_default", "is_current", "origin", "owner",
                       "comment", "options", "retention_time", "kind"],
    "SHOW SCHEMAS": ["created_on", "name", "is_default", "is_current", "database_name",
                     "owner", "comment", "options", "retention_time"],
    "SHOW FILE FORMATS": ["created_on", "name", "database_name", "schema_name", "type",
                          "owner", "comment"],
    "SHOW STAGES": ["created_on", "name", "database_name", "schema_name", "url",
                    "has_credentials", "has_encryption_key", "owner", "comment", "region",
                    "type", "cloud"],
    "SHOW TABLES": ["created_on", "name", "database_name", "schema_name", "kind", "comment",
                    "cluster_by", "rows", "bytes", "owner", "retention_time",
                    "automatic_clustering", "change_tracking"],
    "DESCRIBE TABLE": ["name", "type", "kind", "null?", "default", "primary key",
                       "unique key", "check", "expression", "comment"],
    "SHOW SHARES": ["created_on", "kind", "owner_account", "name", "database_name", "to",
                    "owner", "comment"],
    "DESCRIBE SHARE": ["kind", "name", "shared_on"],
    "SHOW LISTINGS": ["global_name", "name", "title", "subtitle", "profile", "created_on",
                      "updated_on", "published_on", "state", "review_state", "comment",
                      "owner"],
    "SHOW STREAMS": ["created_on", "name", "database_name", "schema_name", "owner",
                     "comment", "table_name", "source_type", "base_tables", "type", "stale",
                     "mode"],
    "SHOW TASKS": ["created_on", "name", "id", "database_name", "schema_name", "owner",
                   "comment", "warehouse", "schedule", "predecessors", "state", "definition",
                   "condition", "allow_overlapping_execution"],
    "SHOW PROCEDURES": ["created_on", "name", "schema_name", "is_builtin", "is_aggregate",
                        "is_ansi", "min_num_arguments", "max_num_arguments", "arguments",
                        "description", "catalog_name"],
    "DESCRIBE PROCEDURE": ["property", "value"],
    "SHOW USER FUNCTIONS": ["created_on", "name", "schema_name", "is_builtin",
                            "is_aggregate", "is_ansi", "min_num_arguments",
                            "max_num_arguments", "arguments", "description",
                            "catalog_name"],
    "SHOW MODELS": ["created_on", "name", "model_type", "database_name", "schema_name",
                    "owner", "comment", "versions", "default_version_name", "aliases"],
    "SHOW VERSIONS IN MODEL": ["created_on", "name", "aliases", "database_name",
                               "schema_name", "model_name", "is_default_version"],
    "SHOW GRANTS TO ROLE": ["created_on", "privilege", "granted_on", "name", "granted_to",
                            "grantee_name", "grant_option", "granted_by"],
}

failures = []
unsupported = []


def is_unsupported(error):
    return error.errno == 2 and error.sqlstate == "0A000"


def note_error(what, error):
    if is_unsupported(error):
        print(f"unsupported  {what}: {error.msg.splitlines()[-1]}")
        unsupported.append(what)
    else:
        check(False, f"{what}: {error.errno} {error.msg}")


def check(condition, what):
    if condition:
        print(f"ok    {what}")
    else:
        print(f"FAIL  {what}")
        failures.append(what)


def columns_of(cursor):
    return [d[0] for d in cursor.description]


def in_order(expected, actual):
    """True when every expected column appears in `actual`, in the same order."""
    position = 0
    for name in expected:
        try:
            position = actual.index(name, position) + 1
        except ValueError:
            return False
    return True


def run(cursor, sql):
    cursor.execute(sql)
    return cursor.fetchall()


def show(cursor, key, sql, expect_name=None, name_column="name"):
    """Runs a SHOW/DESCRIBE, checks its columns and (optionally) that a row names `expect_name`."""
    try:
        rows = run(cursor, sql)
    except ProgrammingError as error:
        note_error(sql, error)
        return []
    actual = columns_of(cursor)
    expected = COLUMNS[key]
    check(in_order(expected, actual),
          f"{sql}: columns {expected} in order (got {actual})")
    if expect_name is not None:
        index = actual.index(name_column) if name_column in actual else None
        names = [row[index] for row in rows] if index is not None else []
        check(expect_name in names, f"{sql}: a row named {expect_name} (got {names[:10]})")
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--account", default="bank")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="floe-smoke-")

    connection = snowflake.connector.connect(
        account=args.account,
        user="floe_smoke",
        password="smoke-password",
        host=args.host,
        port=args.port,
        protocol="http",
        login_timeout=30,
        network_timeout=60,
    )
    check(connection.session_id is not None, "login returns a session")
    cursor = connection.cursor()

    rows = run(cursor, "SELECT CURRENT_ORGANIZATION_NAME(), CURRENT_ACCOUNT_NAME()")
    check(rows == [("LOCALORG", args.account.upper())],
          f"the account named at login answers (got {rows})")

    # One object of every kind, each created then read back.
    ddl = [
        "CREATE ROLE SMOKE_ROLE COMMENT = 'smoke test'",
        "CREATE WAREHOUSE SMOKE_WH WAREHOUSE_SIZE = XSMALL AUTO_SUSPEND = 60 INITIALLY_SUSPENDED = TRUE",
        "CREATE DATABASE SMOKE_DB COMMENT = 'smoke test'",
        "CREATE SCHEMA SMOKE_DB.SMOKE",
        "CREATE FILE FORMAT SMOKE_DB.SMOKE.CSV_FMT TYPE = CSV FIELD_DELIMITER = ','",
        "CREATE STAGE SMOKE_DB.SMOKE.ARTIFACTS",
        "CREATE TABLE SMOKE_DB.SMOKE.CUSTOMERS (\"customer_ID\" VARCHAR, S_2 DATE) CHANGE_TRACKING = TRUE",
        "CREATE STREAM SMOKE_DB.SMOKE.CUSTOMERS_CHANGES ON TABLE SMOKE_DB.SMOKE.CUSTOMERS",
        "CREATE PROCEDURE SMOKE_DB.SMOKE.ECHO(A VARCHAR) RETURNS VARCHAR LANGUAGE PYTHON "
        "RUNTIME_VERSION = '3.11' PACKAGES = ('snowflake-snowpark-python') HANDLER = 'run' "
        "AS $$\ndef run(session, a):\n    return a\n$$",
        "CREATE FUNCTION SMOKE_DB.SMOKE.TWICE(X NUMBER) RETURNS NUMBER LANGUAGE PYTHON "
        "RUNTIME_VERSION = '3.11' HANDLER = 'twice' AS $$\ndef twice(x):\n    return 2 * x\n$$",
        "CREATE TASK SMOKE_DB.SMOKE.NIGHTLY WAREHOUSE = SMOKE_WH SCHEDULE = '60 MINUTE' AS SELECT 1",
        "CREATE SHARE SMOKE_SHARE COMMENT = 'smoke test'",
        "GRANT USAGE ON DATABASE SMOKE_DB TO SHARE SMOKE_SHARE",
        "GRANT USAGE ON SCHEMA SMOKE_DB.SMOKE TO SHARE SMOKE_SHARE",
        "GRANT SELECT ON TABLE SMOKE_DB.SMOKE.CUSTOMERS TO SHARE SMOKE_SHARE",
        "CREATE EXTERNAL LISTING SMOKE_LISTING SHARE SMOKE_SHARE AS $$\n"
        "title: \"Smoke\"\nsubtitle: \"Smoke test\"\ndescription: \"Smoke test\"\n"
        "listing_terms:\n  type: \"OFFLINE\"\n"
        "targets:\n  accounts: [\"LOCALORG.PARTNER\"]\n$$ PUBLISH = FALSE REVIEW = FALSE",
        "GRANT USAGE ON DATABASE SMOKE_DB TO ROLE SMOKE_ROLE",
    ]
    for sql in ddl:
        try:
            rows = run(cursor, sql)
            check(columns_of(cursor) == ["status"] and len(rows) == 1,
                  f"{sql.splitlines()[0][:70]} → one status row (got {rows})")
        except ProgrammingError as error:
            note_error(sql.splitlines()[0][:70], error)

    # A model needs its artifacts on a stage first: PUT runs inside the emulator,
    # which reads the local file itself (the connector sees an ordinary result).
    artifact = os.path.join(workdir, "model.pkl")
    with open(artifact, "wb") as handle:
        handle.write(b"smoke model artifact")
    try:
        run(cursor, f"PUT 'file://{artifact}' @SMOKE_DB.SMOKE.ARTIFACTS/SMOKE_MODEL/V1/ "
                    "AUTO_COMPRESS = FALSE OVERWRITE = TRUE")
        run(cursor, "CREATE MODEL SMOKE_DB.SMOKE.SMOKE_MODEL WITH VERSION V1 "
                    "FROM @SMOKE_DB.SMOKE.ARTIFACTS/SMOKE_MODEL/V1/")
        check(True, "PUT an artifact and CREATE MODEL from it")
    except ProgrammingError as error:
        note_error("PUT + CREATE MODEL", error)

    show(cursor, "SHOW ROLES", "SHOW ROLES LIKE 'SMOKE_ROLE'", "SMOKE_ROLE")
    show(cursor, "SHOW WAREHOUSES", "SHOW WAREHOUSES LIKE 'SMOKE_WH'", "SMOKE_WH")
    show(cursor, "SHOW DATABASES", "SHOW DATABASES LIKE 'SMOKE_DB'", "SMOKE_DB")
    show(cursor, "SHOW SCHEMAS", "SHOW SCHEMAS IN DATABASE SMOKE_DB", "SMOKE")
    show(cursor, "SHOW FILE FORMATS", "SHOW FILE FORMATS IN SCHEMA SMOKE_DB.SMOKE", "CSV_FMT")
    show(cursor, "SHOW STAGES", "SHOW STAGES IN SCHEMA SMOKE_DB.SMOKE", "ARTIFACTS")
    show(cursor, "SHOW TABLES", "SHOW TABLES IN SCHEMA SMOKE_DB.SMOKE", "CUSTOMERS")
    columns = show(cursor, "DESCRIBE TABLE", "DESCRIBE TABLE SMOKE_DB.SMOKE.CUSTOMERS")
    check([row[0] for row in columns] == ["customer_ID", "S_2"],
          f"DESCRIBE TABLE keeps quoted case (got {[row[0] for row in columns]})")
    # A parameterised query: the connector binds client-side (pyformat).
    cursor.execute("SHOW DATABASES LIKE %s", ("SMOKE_DB",))
    check(len(cursor.fetchall()) == 1, "a bound LIKE pattern")
    show(cursor, "SHOW SHARES", "SHOW SHARES LIKE 'SMOKE_SHARE'", "SMOKE_SHARE")
    show(cursor, "DESCRIBE SHARE", "DESCRIBE SHARE SMOKE_SHARE")
    show(cursor, "SHOW LISTINGS", "SHOW LISTINGS LIKE 'SMOKE_LISTING'", "SMOKE_LISTING")
    show(cursor, "SHOW STREAMS", "SHOW STREAMS IN SCHEMA SMOKE_DB.SMOKE", "CUSTOMERS_CHANGES")
    show(cursor, "SHOW TASKS", "SHOW TASKS IN SCHEMA SMOKE_DB.SMOKE", "NIGHTLY")
    show(cursor, "SHOW PROCEDURES", "SHOW PROCEDURES IN SCHEMA SMOKE_DB.SMOKE", "ECHO")
    show(cursor, "DESCRIBE PROCEDURE", "DESCRIBE PROCEDURE SMOKE_DB.SMOKE.ECHO(VARCHAR)")
    show(cursor, "SHOW USER FUNCTIONS", "SHOW USER FUNCTIONS IN SCHEMA SMOKE_DB.SMOKE", "TWICE")
    show(cursor, "SHOW MODELS", "SHOW MODELS IN SCHEMA SMOKE_DB.SMOKE", "SMOKE_MODEL")
    show(cursor, "SHOW VERSIONS IN MODEL", "SHOW VERSIONS IN MODEL SMOKE_DB.SMOKE.SMOKE_MODEL", "V1")
    show(cursor, "SHOW GRANTS TO ROLE", "SHOW GRANTS TO ROLE SMOKE_ROLE", "SMOKE_DB")

    # Errors come back with Snowflake's numbers, SQLSTATEs and messages.
    for sql, errno, sqlstate, text in [
        ("DESCRIBE TABLE SMOKE_DB.SMOKE.MISSING", 2003, "42S02", "does not exist or not authorized"),
        ("CREATE DATABASE SMOKE_DB", 2002, "42710", "already exists"),
    ]:
        try:
            run(cursor, sql)
            check(False, f"{sql} fails")
        except ProgrammingError as error:
            check(error.errno == errno and error.sqlstate == sqlstate and text in error.msg
                  and error.sfqid,
                  f"{sql} → {errno} ({sqlstate}) '{text}' (got {error.errno} "
                  f"({error.sqlstate}) {error.msg!r}, query id {error.sfqid!r})")

    cursor.close()
    connection.close()

    if args.strict:
        failures.extend(f"unsupported: {what}" for what in unsupported)
    print(f"{len(unsupported)} unsupported by the emulator: {unsupported}" if unsupported
          else "every kind supported")
    print(f"{len(failures)} failed" if failures else "all smoke checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
