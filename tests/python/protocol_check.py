#!/usr/bin/env python3
"""Snowflake's Python connector against floe's wire server with a scripted session.

Checks the protocol itself, independently of the emulator: login, typed values
(numbers, timestamps, booleans converted by the connector from Snowflake's JSON
encodings), a result large enough to be split into chunks that the connector
downloads on its own, an error's errno/sqlstate/message/query id, heartbeat and
logout.

Usage: protocol_check.py --port PORT
"""

import argparse
import datetime
import sys

import snowflake.connector
from snowflake.connector.errors import ProgrammingError


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    failures = []

    def check(condition, what):
        print(("ok    " if condition else "FAIL  ") + what)
        if not condition:
            failures.append(what)

    connection = snowflake.connector.connect(
        account="bank", user="floe", password="pw", host="127.0.0.1", port=args.port,
        protocol="http", login_timeout=20, network_timeout=60,
    )
    cursor = connection.cursor()

    cursor.execute("SELECT CURRENT_ACCOUNT_NAME()")
    check(cursor.fetchall() == [("BANK",)], "the login's account answers")

    cursor.execute("SELECT TYPED")
    row = cursor.fetchone()
    check([d[0] for d in cursor.description] == ["N", "D", "CREATED_ON", "FLAG", "LABEL"],
          f"column names (got {[d[0] for d in cursor.description]})")
    check(row[0] == 42 and isinstance(row[0], int), f"FIXED → int (got {row[0]!r})")
    check(row[1] == datetime.date(2026, 11, 26), f"DATE → date (got {row[1]!r})")
    expected = datetime.datetime(2026, 11, 26, 10, 0, 0, 123000, tzinfo=datetime.timezone.utc)
    check(isinstance(row[2], datetime.datetime) and row[2] == expected,
          f"TIMESTAMP_LTZ → datetime (got {row[2]!r})")
    check(row[3] is True, f"BOOLEAN → bool (got {row[3]!r})")
    check(row[4] is None, f"NULL → None (got {row[4]!r})")

    cursor.execute("SHOW DATABASES")
    rows = cursor.fetchall()
    check(len(rows) == 25000, f"25,000 rows arrive through chunks (got {len(rows)})")
    check(rows[0][1] == "DB_00000" and rows[-1][1] == "DB_24999", "chunk order kept")

    try:
        cursor.execute("SELECT * FROM MISSING")
        check(False, "a missing table fails")
    except ProgrammingError as error:
        check(error.errno == 2003, f"errno 2003 (got {error.errno})")
        check(error.sqlstate == "42S02", f"sqlstate 42S02 (got {error.sqlstate})")
        check("does not exist or not authorized" in error.msg, f"message (got {error.msg!r})")
        check(bool(error.sfqid), f"query id (got {error.sfqid!r})")

    connection._heartbeat_tick()
    check(True, "heartbeat")
    cursor.close()
    connection.close()
    check(connection.is_closed(), "logout")

    print(f"{len(failures)} failed" if failures else "all protocol checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
