#!/usr/bin/env python3
"""Writes the hostile corpus: one small invalid project per folder of tests/hostile/.

Every case starts from a trimmed copy of the shipped example project (manifests/):
the two long column lists are cut to a few columns and the Python bodies to their
handler, which keeps the project valid while keeping each copy small. `_base/` holds
that trimmed project unmutated; `tests/hostile.rs` checks that it validates, so each
case is invalid because of its one mutation and nothing else.

Each case then gets exactly one hostile mutation (a field deleted, duplicated or
retyped, a number out of range, a bad data type, SQL injected into a name, a bad
reference, a path leaving the project, a YAML tag, an alias bomb, a BOM with garbage,
a non-UTF-8 byte, an unterminated or unknown `${...}`, an undeclared secret, ...) and
a `CASE` file describing it:

    description: <what was mutated>
    file: <the file holding the mutation, relative to the case>
    codes: <optional: diagnostic codes that must all be reported>
    at: <optional: a file:line:column some diagnostic must be located at>
    env: <optional: NAME=VALUE set in the environment of floe>

Cases that need the file system at run time (symlinks, FIFOs, files past a size cap)
are created by tests/hostile.rs itself, not here.

Plain Python 3, no third-party packages. Rerun from the repository root with

    python3 tests/hostile/generate.py

It deletes and rewrites every folder of tests/hostile/ that has a CASE file (and
`_base/`). The hand-written cases (every input named in the hostile-input issue, in
`loader_cases`, `path_cases`, `secret_cases`, `value_cases`, ...) are written from here
too, so the whole corpus is reproducible; EXPECTED lists the codes they must get.
"""

import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "manifests")
OUT = os.path.join(ROOT, "tests", "hostile")

KEEP_COLUMNS = 3
ACCOUNT_FILES = [
    "bank/warehouses.yaml",
    "bank/access.yaml",
    "bank/sharing.yaml",
    "bank/data_sharing_demo.yaml",
    "partner/warehouses.yaml",
    "partner/access.yaml",
    "partner/sharing.yaml",
    "partner/scored_model.yaml",
]
PYTHON_HANDLERS = {
    "partner/python/batch_predict_cc_default.py": "predict",
    "partner/python/cc_profile_processing.py": "feature_transform",
    "partner/python/cc_batch_processing.py": "cc_batch_processing",
}


# ---------------------------------------------------------------- the trimmed base


def trim_columns(text):
    """Keeps the first KEEP_COLUMNS entries of every `columns:` block list."""
    out, kept, in_columns, indent = [], 0, False, None
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        if in_columns:
            this_indent = len(line) - len(stripped)
            if stripped.startswith("- ") and (indent is None or this_indent == indent):
                indent = this_indent
                kept += 1
                if kept <= KEEP_COLUMNS:
                    out.append(line)
                continue
            in_columns = False
        if stripped.startswith("columns:") and stripped.strip() == "columns:":
            in_columns, kept, indent = True, 0, None
        out.append(line)
    return "".join(out)


def base_files():
    """The trimmed example project as {relative path: bytes}."""
    files = {}
    with open(os.path.join(SOURCE, "floe.yaml"), "rb") as f:
        files["floe.yaml"] = f.read()
    for rel in ACCOUNT_FILES:
        with open(os.path.join(SOURCE, rel), encoding="utf-8") as f:
            files[rel] = trim_columns(f.read()).encode()
    for rel, handler in PYTHON_HANDLERS.items():
        body = f"def {handler}(*args):\n    return None\n"
        files[rel] = body.encode()
    with open(os.path.join(SOURCE, "partner/model/cc_default_model.json"), "rb") as f:
        files["partner/model/cc_default_model.json"] = f.read()
    return files


BASE = base_files()


def text(rel):
    return BASE[rel].decode()


# ---------------------------------------------------------------- a line-level YAML view


class Line:
    """One `key: value` line of a block mapping, with the path of keys above it."""

    def __init__(self, rel, index, path, key, value, indent):
        self.rel, self.index, self.path = rel, index, path
        self.key, self.value, self.indent = key, value, indent


KEY_LINE = re.compile(r"^( *)([A-Za-z_][A-Za-z0-9_]*): ?(.*)$")


def key_lines(rel):
    """The block-mapping keys of a file (list items and flow content are skipped)."""
    stack, lines = [], []
    for i, raw in enumerate(text(rel).split("\n")):
        m = KEY_LINE.match(raw)
        if not m:
            continue
        indent, key, value = len(m.group(1)), m.group(2), m.group(3)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = [k for _, k in stack]
        lines.append(Line(rel, i, path, key, value, indent))
        if value == "" or value.startswith("#"):
            stack.append((indent, key))
    return lines


def replace_line(rel, index, new_lines):
    """The file with line `index` replaced by `new_lines` (a list of lines)."""
    lines = text(rel).split("\n")
    lines[index : index + 1] = new_lines
    return "\n".join(lines).encode()


def sub_once(rel, old, new):
    """The file with the one occurrence of `old` replaced by `new`."""
    t = text(rel)
    assert t.count(old) == 1, f"{rel}: `{old}` occurs {t.count(old)} times"
    return t.replace(old, new).encode()


# ---------------------------------------------------------------- cases


CASES = {}


def case(name, description, changes, file=None, codes=(), env=()):
    """Registers a case: `changes` maps relative paths to new bytes."""
    name = name.rstrip("_")
    assert re.fullmatch(r"[a-z0-9_]+", name), name
    assert name not in CASES, f"duplicate case {name}"
    if file is None:
        file = next(iter(changes))
    CASES[name] = (description, dict(changes), file, list(codes), list(env))


def slug(*parts):
    s = "_".join(parts).lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def is_scalar(value):
    v = value.split(" #")[0].strip()
    return v != "" and not v.startswith(("[", "{", "|", ">", "#"))


def retype_cases():
    """Every scalar field retyped, alternately to a list and to a map; every flow
    list retyped to a map. The value's text is kept, so the mutation is visible."""
    n = 0
    for rel in ACCOUNT_FILES:
        short = rel.replace("/", "_").replace(".yaml", "")
        for ln in key_lines(rel):
            if ln.key == "account":
                continue
            v = ln.value.split(" #")[0].strip()
            pad = " " * ln.indent
            where = ".".join(ln.path + [ln.key])
            name = slug("retype", short, ln.path[-1] if ln.path else "", ln.key)
            if is_scalar(ln.value):
                n += 1
                if n % 2:
                    case(name + "_list", f"{rel}: `{where}` retyped from a scalar to a list",
                         {rel: replace_line(rel, ln.index, [f"{pad}{ln.key}: [{v}, {v}]"])})
                else:
                    case(name + "_map", f"{rel}: `{where}` retyped from a scalar to a map",
                         {rel: replace_line(rel, ln.index, [f"{pad}{ln.key}: {{ value: {v} }}"])})
            elif v.startswith("["):
                case(name + "_map", f"{rel}: `{where}` retyped from a list to a map",
                     {rel: replace_line(rel, ln.index, [f"{pad}{ln.key}: {{ items: {v} }}"])})


def retype_map_sections():
    """Top-level maps turned into a string (their contents dropped)."""
    for rel in ACCOUNT_FILES:
        t = text(rel)
        short = rel.replace("/", "_").replace(".yaml", "")
        for section in ("warehouses", "roles", "databases", "shares", "listings", "grants"):
            m = re.search(rf"^{section}:\n((?:[ #].*\n|\n)*)", t, re.M)
            if not m:
                continue
            replacement = f"{section}: 42\n" if section != "grants" else f"{section}: {{ usage: everything }}\n"
            new = t[: m.start()] + replacement + t[m.end() :]
            # Sections that other files refer to would also produce reference errors;
            # that is fine: the retype is what must be reported first, in this file.
            case(
                slug("retype", short, section, "section"),
                f"{rel}: the `{section}:` section is {'a number' if section != 'grants' else 'a map'}",
                {rel: new.encode()},
            )


def int_to_string_cases():
    """Integer and boolean fields given words."""
    for rel in ("bank/warehouses.yaml", "partner/warehouses.yaml"):
        short = rel.replace("/", "_").replace(".yaml", "")
        for ln in key_lines(rel):
            v = ln.value.strip()
            pad = " " * ln.indent
            if re.fullmatch(r"\d+", v):
                case(
                    slug("retype", short, ln.path[-1], ln.key, "word"),
                    f"{rel}: integer `{ln.key}` given a word",
                    {rel: replace_line(rel, ln.index, [f"{pad}{ln.key}: three hundred"])},
                )
            elif v in ("true", "false"):
                case(
                    slug("retype", short, ln.path[-1], ln.key, "word"),
                    f"{rel}: boolean `{ln.key}` given a word",
                    {rel: replace_line(rel, ln.index, [f"{pad}{ln.key}: sometimes"])},
                )


# Fields without which the object cannot exist: (file, exact line text, why).
REQUIRED = [
    ("bank/warehouses.yaml", "account: bank", "the account of an account file"),
    ("partner/sharing.yaml", "account: partner", "the account of an account file"),
    ("bank/sharing.yaml", "    share: data_sharing_demo", "a listing's share"),
    ("bank/sharing.yaml", "    database: data_sharing_demo", "a share's database"),
    ("partner/sharing.yaml", "    database: scored_model", "a share's database"),
    ("partner/sharing.yaml", "    share: scored_data", "a listing's share"),
    ("bank/sharing.yaml", "    targets: [partner]", "a listing's targets"),
    ("partner/scored_model.yaml", "            stage: model_stage", "a model's stage"),
    ("partner/scored_model.yaml", "            returns: float", "a function's return type"),
    ("partner/scored_model.yaml", "            handler: predict", "a Python function's handler"),
    ("partner/scored_model.yaml", "            language: python\n            runtime_version: '3.11'\n            arguments:\n              - { name: features",
     "a Python function's language and runtime", "            arguments:\n              - { name: features"),
    ("partner/scored_model.yaml", "            body_file: python/batch_predict_cc_default.py", "a function's body"),
    ("partner/scored_model.yaml", "            body_file: python/cc_batch_processing.py", "a procedure's body"),
    ("partner/scored_model.yaml", "            handler: cc_batch_processing", "a procedure's handler"),
    ("partner/scored_model.yaml", "            table: cc_default_training_data.data_sharing_demo.cc_default_unscored_data",
     "a stream's table"),
    ("partner/scored_model.yaml", "                files: [model/cc_default_model.json]", "a model version's files"),
    ("partner/scored_model.yaml", "            after: [cdc]", "a child task's predecessor (it has no trigger then)"),
    ("partner/scored_model.yaml", "            when: SYSTEM$STREAM_HAS_DATA('CC_DEFAULT_DATA_STREAM')", "the root task's trigger"),
    ("bank/data_sharing_demo.yaml", "            type: parquet", "a file format's type"),
    ("bank/access.yaml", "    to_role: credit_risk_analyst\n", "a grant's grantee"),
    ("partner/access.yaml", "    to_role: data_scientist", "a grant's grantee"),
    ("bank/warehouses.yaml", "  query_wh:\n", "the name line of a warehouse (its fields land in the section)"),
]


def delete_cases():
    for i, (rel, old, why, *kept) in enumerate(REQUIRED):
        # `old` is deleted whole, with its line feed; when a fourth element is given,
        # the end of `old` only makes the match unique and that element is kept.
        if kept:
            new_text = sub_once(rel, old, kept[0])
        elif old.endswith("\n"):
            new_text = sub_once(rel, old, "")
        else:
            new_text = sub_once(rel, old + "\n", "")
        first = old.strip().split("\n")[0][:40]
        case(
            slug("delete", rel.split("/")[0], first.split(":")[0], str(i)),
            f"{rel}: deleted `{first}` ({why})",
            {rel: new_text},
        )


def duplicate_cases():
    """A key written twice in the same mapping (the second one differs)."""
    picked = 0
    for rel in ACCOUNT_FILES:
        short = rel.replace("/", "_").replace(".yaml", "")
        for ln in key_lines(rel):
            if not is_scalar(ln.value) or ln.key == "account":
                continue
            picked += 1
            if picked % 4:
                continue
            pad = " " * ln.indent
            case(
                slug("duplicate", short, ln.path[-1] if ln.path else "", ln.key),
                f"{rel}: `{'.'.join(ln.path + [ln.key])}` written twice",
                {rel: replace_line(rel, ln.index, [f"{pad}{ln.key}: {ln.value}", f"{pad}{ln.key}: {ln.value}"])},
                codes=["E-YAML-DUPLICATE-KEY"],
            )
    t = text("bank/warehouses.yaml")
    block = t[t.index("  query_wh:") :]
    case(
        "duplicate_warehouse_block",
        "bank/warehouses.yaml: the warehouse QUERY_WH declared twice in one map",
        {"bank/warehouses.yaml": (t + block.replace("comment: Loading", "comment: Again loading")).encode()},
        codes=["E-YAML-DUPLICATE-KEY"],
    )
    case(
        "duplicate_warehouse_case",
        "bank/warehouses.yaml: QUERY_WH declared again as `QUERY_WH` (identifiers fold case)",
        {"bank/warehouses.yaml": (t + block.replace("  query_wh:", "  QUERY_WH:")).encode()},
    )
    case(
        "duplicate_account_key",
        "partner/warehouses.yaml: `account:` written twice with different accounts",
        {"partner/warehouses.yaml": sub_once("partner/warehouses.yaml", "account: partner\n", "account: partner\naccount: bank\n")},
        codes=["E-YAML-DUPLICATE-KEY"],
    )


WAREHOUSE_NUMBERS = [
    ("auto_suspend", "9223372036854775808", "2^63, past any 64-bit integer"),
    ("auto_suspend", "4294967296", "2^32"),
    ("auto_suspend", "-1", "negative"),
    ("auto_suspend", "1e400", "a float past f64"),
    ("auto_suspend", "12.5", "a fraction"),
    ("auto_suspend", ".nan", "not a number"),
    ("auto_suspend", ".inf", "infinity"),
    ("auto_suspend", "0x7fffffffffffffffff", "hexadecimal past 64 bits"),
    ("max_cluster_count", "100000", "past the 10 (300 with Enterprise) clusters"),
    ("max_cluster_count", "0", "zero clusters"),
    ("max_cluster_count", "-3", "negative"),
    ("min_cluster_count", "0", "zero clusters"),
    ("min_cluster_count", "18446744073709551616", "2^64"),
]


def number_cases():
    rel = "bank/warehouses.yaml"
    for key, value, why in WAREHOUSE_NUMBERS:
        case(
            slug("range", key, value.replace("-", "minus").replace(".", "dot")),
            f"{rel}: `{key}: {value}` ({why})",
            {rel: re.sub(rf"(?m)^(    {key}:) .*$", rf"\1 {value}", text(rel), count=1).encode()},
        )
    rel = "partner/warehouses.yaml"
    for value, why in [("0", "zero"), ("-1", "negative")]:
        case(
            slug("range_max_concurrency_level", value.replace("-", "minus")),
            f"{rel}: `max_concurrency_level: {value}` ({why})",
            {rel: sub_once(rel, "max_concurrency_level: 1", f"max_concurrency_level: {value}")},
        )
    rel = "bank/warehouses.yaml"
    case(
        "range_min_above_max_clusters",
        "bank/warehouses.yaml: min_cluster_count 5 above max_cluster_count 2",
        {rel: sub_once(rel, "    min_cluster_count: 1\n    max_cluster_count: 1",
                       "    min_cluster_count: 5\n    max_cluster_count: 2")},
    )
    for key, value in [("warehouse_size", "galactic"), ("warehouse_type", "quantum"), ("scaling_policy", "random")]:
        case(
            slug("value", key, value),
            f"bank/warehouses.yaml: `{key}: {value}` (not an allowed value)",
            {"bank/warehouses.yaml": re.sub(rf"(?m)^(    {key}:) .*$", rf"\1 {value}", text("bank/warehouses.yaml"), count=1).encode()},
        )


BAD_TYPES = [
    "number(99,0)", "number(5,10)", "number(0,0)", "number(-1,0)", "number(38,-1)",
    "varchar(-1)", "varchar(0)", "varchar(999999999999)", "varchar(134217729)",
    "timestamp_ntz(10)", "time(-1)", "floaty", "varchar(", "number(1,2,3)",
    "varchar(10) not null", "int; drop table x", "binary(0)", "decimal(39)",
]


def type_cases():
    rel = "partner/scored_model.yaml"
    for i, ty in enumerate(BAD_TYPES):
        case(
            slug("type_column", str(i), ty),
            f"{rel}: column type `{ty}`",
            {rel: sub_once(rel, "{ name: prediction, type: float }", f"{{ name: prediction, type: '{ty}' }}")},
        )
    for ty in ["floaty", "number(99,0)", "varchar(-1)", "table(", "table(x floaty)"]:
        case(
            slug("type_returns", ty),
            f"{rel}: function `returns: {ty}`",
            {rel: sub_once(rel, "returns: float\n", f"returns: '{ty}'\n")},
        )
    for ty in ["floaty", "varchar(999999999999)", "number(5,10)"]:
        case(
            slug("type_argument", ty),
            f"{rel}: function argument type `{ty}`",
            {rel: sub_once(rel, "{ name: features, type: object }", f"{{ name: features, type: '{ty}' }}")},
        )


# Identifiers carrying SQL: each is refused as an identifier (quoting would make it
# harmless, but a manifest name must be a valid identifier in the first place).
INJECTIONS = [
    'x"; DROP DATABASE bank; --',
    "x'; DROP DATABASE bank; --",
    "query_wh; DROP ROLE sysadmin",
    "a\" OR \"1\"=\"1",
    "wh/*comment*/x",
    "wh\\u0000x",
]


def injection_cases():
    for i, inj in enumerate(INJECTIONS):
        quoted = "'" + inj.replace("'", "''") + "'"
        case(
            slug("inject_warehouse_name", str(i)),
            f"bank/warehouses.yaml: a warehouse named {inj!r}",
            {"bank/warehouses.yaml": sub_once("bank/warehouses.yaml", "  query_wh:\n", f"  {quoted}:\n")},
        )
        case(
            slug("inject_grant_reference", str(i)),
            f"partner/access.yaml: a grant on the warehouse {inj!r}",
            {"partner/access.yaml": sub_once("partner/access.yaml", "on: { warehouse: training_wh }", f"on: {{ warehouse: {quoted} }}")},
        )
    for i, (what, old, new) in enumerate([
        ("a privilege carrying SQL", "privilege: usage, on: { warehouse: query_wh }, to_role: credit_risk_analyst",
         "privilege: 'usage; DROP ROLE accountadmin', on: { warehouse: query_wh }, to_role: credit_risk_analyst"),
        ("a warehouse size carrying SQL", "warehouse_size: x-small", "warehouse_size: \"x-small' ; DROP WAREHOUSE query_wh; --\""),
        ("a file format type carrying SQL", "type: parquet", "type: 'parquet) ; DROP TABLE x; --'"),
        ("a role name carrying SQL", "  credit_risk_analyst:\n", "  'credit_risk_analyst; GRANT ROLE accountadmin TO ROLE public':\n"),
        ("a to_role carrying SQL", "{ role: credit_risk_analyst, to_role: sysadmin }", "{ role: credit_risk_analyst, to_role: 'sysadmin; DROP USER admin' }"),
        ("a schedule carrying SQL", "            when: SYSTEM$STREAM_HAS_DATA('CC_DEFAULT_DATA_STREAM')\n",
         "            schedule: \"USING CRON 0 0 * * * UTC'; DROP TABLE scored_table; --\"\n"),
        ("a listing target carrying SQL", "targets: [partner]", "targets: [\"partner; DROP SHARE data_sharing_demo\"]"),
        ("a runtime version carrying SQL", "runtime_version: '3.11'\n            arguments:\n              - { name: features",
         "runtime_version: \"3.11'; DROP FUNCTION x; --\"\n            arguments:\n              - { name: features"),
        ("a state carrying SQL", "            after: [cdc]\n            state: started", "            after: [cdc]\n            state: 'started; DROP TASK cdc'"),
    ]):
        rel = next(r for r in ACCOUNT_FILES if text(r).count(old) == 1)
        case(slug("inject", str(i), what.split(" carrying")[0]), f"{rel}: {what}", {rel: sub_once(rel, old, new)})


REFERENCES = [
    ("bank/access.yaml", "on: { warehouse: query_wh }", "on: { warehouse: no_such_wh }", "a grant on an unknown warehouse"),
    ("bank/access.yaml", "{ role: credit_risk_analyst, to_role: sysadmin }", "{ role: no_such_role, to_role: sysadmin }", "an unknown role granted"),
    ("bank/sharing.yaml", "- select: data_sharing_demo.cc_default_training_data", "- select: data_sharing_demo.no_such_table", "a share granting an unknown table"),
    ("bank/sharing.yaml", "listing: scored_data }", "listing: no_such_listing }", "a mount of an unknown listing"),
    ("partner/sharing.yaml", "    share: scored_data", "    share: no_such_share", "a listing of an unknown share"),
    ("partner/sharing.yaml", "{ account: bank, listing", "{ account: nobody, listing", "a mount from an unknown account"),
    ("partner/scored_model.yaml", "            stage: model_stage", "            stage: no_such_stage", "a model on an unknown stage"),
    ("partner/scored_model.yaml", "            after: [cdc]", "            after: [no_such_task]", "a task after an unknown task"),
    ("partner/scored_model.yaml", "after: [feature_eng]", "after: [score_data]", "a task that is its own predecessor"),
    ("partner/scored_model.yaml", "            warehouse: query_wh\n            when", "            warehouse: no_such_wh\n            when", "a task on an unknown warehouse"),
    ("partner/scored_model.yaml", "imports: ['@model_stage/", "imports: ['@no_such_stage/", "an import from an unknown stage"),
    ("partner/scored_model.yaml", "table: cc_default_training_data.data_sharing_demo.cc_default_unscored_data",
     "table: cc_default_training_data.data_sharing_demo.no_such_table", "a stream on an unknown shared table"),
    ("bank/data_sharing_demo.yaml", "file_format: parquet_format\n            comment: Historical",
     "file_format: no_such_format\n            comment: Historical", "a stage with an unknown file format"),
    ("partner/access.yaml", "batch_predict_cc_default(object)", "batch_predict_cc_default(varchar)", "a grant on a function with the wrong signature"),
    ("partner/access.yaml", "on: { table: scored_model.scored_model.scored_table }",
     "on: { table: data_sharing_demo.data_sharing_demo.cc_default_unscored_data }", "a grant on a table of the other account"),
    ("bank/access.yaml", "on: { database: scored_data }", "on: { database: scored_model }", "a grant on a database of the other account"),
    ("bank/access.yaml", "on: { table: data_sharing_demo.data_sharing_demo.cc_default_unscored_data }",
     "on: { table: scored_model.scored_model.scored_table }", "a grant on a table of the other account"),
    ("bank/sharing.yaml", "targets: [partner]", "targets: [bank]", "a listing targeting its own account"),
    ("bank/access.yaml", "{ role: credit_risk_analyst, to_role: sysadmin }", "{ role: data_scientist, to_role: sysadmin }",
     "a grant of a role of the other account"),
    ("partner/warehouses.yaml", "account: partner", "account: insurer", "an account not declared in floe.yaml"),
]


def reference_cases():
    for i, (rel, old, new, why) in enumerate(REFERENCES):
        case(slug("ref", str(i), why.replace("a ", "").replace("an ", ""))[:60], f"{rel}: {why}", {rel: sub_once(rel, old, new)})


def value_cases():
    model = "partner/scored_model.yaml"
    for i, (why, old, new) in enumerate([
        ("a cron with minute 99 and hour 99", "            when: SYSTEM$STREAM_HAS_DATA('CC_DEFAULT_DATA_STREAM')\n",
         "            schedule: USING CRON 99 99 * * * UTC\n"),
        ("a cron with an unknown time zone", "            when: SYSTEM$STREAM_HAS_DATA('CC_DEFAULT_DATA_STREAM')\n",
         "            schedule: USING CRON 0 9 * * * Mars/Olympus_Mons\n"),
        ("a cron with four fields", "            when: SYSTEM$STREAM_HAS_DATA('CC_DEFAULT_DATA_STREAM')\n",
         "            schedule: USING CRON 0 9 * * UTC\n"),
        ("a cron with day of month 32", "            when: SYSTEM$STREAM_HAS_DATA('CC_DEFAULT_DATA_STREAM')\n",
         "            schedule: USING CRON 0 9 32 * * UTC\n"),
        ("a cron with month 13", "            when: SYSTEM$STREAM_HAS_DATA('CC_DEFAULT_DATA_STREAM')\n",
         "            schedule: USING CRON 0 9 * 13 * UTC\n"),
        ("a schedule of 0 minutes", "            when: SYSTEM$STREAM_HAS_DATA('CC_DEFAULT_DATA_STREAM')\n",
         "            schedule: 0 MINUTE\n"),
        ("a schedule of -5 minutes", "            when: SYSTEM$STREAM_HAS_DATA('CC_DEFAULT_DATA_STREAM')\n",
         "            schedule: -5 MINUTE\n"),
        ("a schedule of gibberish", "            when: SYSTEM$STREAM_HAS_DATA('CC_DEFAULT_DATA_STREAM')\n",
         "            schedule: whenever you like\n"),
        ("runtime_version 'two'", "runtime_version: '3.11'\n            arguments:\n              - { name: features",
         "runtime_version: 'two'\n            arguments:\n              - { name: features"),
        ("runtime_version '2.7'", "runtime_version: '3.11'\n            arguments:\n              - { name: features",
         "runtime_version: '2.7'\n            arguments:\n              - { name: features"),
        ("language cobol", "language: python\n            runtime_version: '3.11'\n            arguments:\n              - { name: features",
         "language: cobol\n            runtime_version: '3.11'\n            arguments:\n              - { name: features"),
        ("a task state of 'paused'", "            after: [cdc]\n            state: started", "            after: [cdc]\n            state: paused"),
        ("a default version not among the versions", "default_version: v1", "default_version: v9"),
        ("a serverless size of 'huge'", "            warehouse: query_wh\n            after: [cdc]", "            serverless_size: huge\n            after: [cdc]"),
    ]):
        case(slug("value", str(i), why)[:60], f"{model}: {why}", {model: sub_once(model, old, new)})
    demo = "bank/data_sharing_demo.yaml"
    case("value_stage_url_empty", f"{demo}: an external stage with `url: ''`",
         {demo: sub_once(demo, "url: ${var.training_data_url}", "url: ''")})
    case("value_stage_url_not_url", f"{demo}: an external stage URL that is no URL",
         {demo: sub_once(demo, "url: ${var.training_data_url}", "url: 'not a url at all'")})
    case("value_file_format_type", f"{demo}: file format type `exe`", {demo: sub_once(demo, "type: parquet", "type: exe")})
    case("value_privilege_unknown", "bank/access.yaml: privilege `own everything`",
         {"bank/access.yaml": sub_once("bank/access.yaml", "privilege: usage, on: { warehouse: query_wh }", "privilege: own everything, on: { warehouse: query_wh }")})


# ---------------------------------------------------------------- loader-level cases


def loader_cases():
    wh = "partner/warehouses.yaml"
    t = text(wh)
    for tag in ["!!binary aGVsbG8=", "!foo x-small", "!!python/object/apply:os.system ['id']", "!<tag:yaml.org,2002:int> x-small"]:
        case(slug("tag", tag.split()[0]), f"{wh}: a YAML tag `{tag.split()[0]}` on a value",
             {wh: sub_once(wh, "warehouse_size: x-small", f"warehouse_size: {tag}")})
    case("tag_on_map", f"{wh}: a YAML tag on a mapping", {wh: sub_once(wh, "  training_wh:\n", "  training_wh: !custom\n")})
    bomb = ["# yaml-language-server: $schema=../../schemas/account.schema.json", "account: partner", "bomb:",
            '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        bomb.append(f"  a{i}: &a{i} [{', '.join([prev] * 9)}]")
    case("alias_billion_laughs", "partner/bomb.yaml: nine levels of nine aliases (billion laughs)",
         {"partner/bomb.yaml": ("\n".join(bomb) + "\n").encode()})
    wide = ["account: partner", "bomb:", "  a0: &a0 " + "x" * 4096]
    for i in range(1, 25):
        wide.append(f"  a{i}: &a{i} [*a{i - 1}, *a{i - 1}]")
    case("alias_doubling_bomb", "partner/bomb.yaml: 24 levels of doubled aliases over a 4 KB string",
         {"partner/bomb.yaml": ("\n".join(wide) + "\n").encode()})
    anchors = "\n".join(["x-bomb:"] + bomb[3:]) + "\nwarehouses:\n"
    in_field = sub_once(wh, "    comment: Model training (Snowpark-optimized, one query at a time).", "    comment: *a9")
    case("alias_bomb_in_field", f"{wh}: an alias bomb used as a warehouse comment",
         {wh: in_field.replace(b"warehouses:\n", anchors.encode())})
    spread = {}
    for n in range(20):
        lines = ["account: partner", "bomb:", '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for i in range(1, 5):
            lines.append(f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
        spread[f"partner/bomb_{n:02}.yaml"] = ("\n".join(lines) + "\n").encode()
    case("alias_spread_over_files", "partner/bomb_*.yaml: twenty files, each expanding to 59,049 strings (the budget is per project)",
         spread, file="partner/bomb_19.yaml")
    case("alias_undefined", f"{wh}: an alias of an anchor never defined", {wh: sub_once(wh, "warehouse_size: medium", "warehouse_size: *nowhere")})
    case("alias_recursive_merge", f"{wh}: a merge key pulling in its own anchor",
         {wh: sub_once(wh, "  training_wh:\n", "  training_wh: &self\n    <<: *self\n")})
    case("nesting_deep_flow", "partner/deep.yaml: 100,000 nested flow lists",
         {"partner/deep.yaml": ("account: partner\nwarehouses: " + "[" * 100000 + "]" * 100000 + "\n").encode()})
    deep = ["account: partner", "warehouses:"]
    for d in range(1, 400):
        deep.append("  " * d + f"k{d}:")
    deep.append("  " * 400 + "v: 1")
    case("nesting_deep_block", "partner/deep.yaml: 400 nested block mappings",
         {"partner/deep.yaml": ("\n".join(deep) + "\n").encode()})
    case("nesting_unclosed_flow", "partner/deep.yaml: 50,000 unclosed flow maps",
         {"partner/deep.yaml": ("account: partner\nwarehouses: " + "{a: " * 50000 + "\n").encode()})
    for n, why in [(256, "one past Snowflake's 255 characters"), (70000, "70,000 characters")]:
        case(f"ident_long_{n}", f"{wh}: a warehouse name of {why}",
             {wh: sub_once(wh, "  training_wh:\n", f"  {'w' * n}:\n")})
    case("ident_long_quoted", f"{wh}: a quoted warehouse name of 300 characters",
         {wh: sub_once(wh, "  training_wh:\n", "  '\"" + "Q" * 300 + "\"':\n")})
    case("ident_long_reference", "partner/access.yaml: a grant on a warehouse of a 70,000-character name",
         {"partner/access.yaml": sub_once("partner/access.yaml", "on: { warehouse: training_wh }", "on: { warehouse: " + "r" * 70000 + " }")})
    case("ident_long_explicit_key", f"{wh}: a warehouse name of 70,000 characters as an explicit key",
         {wh: sub_once(wh, "  training_wh:\n", f"  ? {'x' * 70000}\n  :\n")})
    case("ident_empty", f"{wh}: a warehouse with an empty name", {wh: sub_once(wh, "  training_wh:\n", "  '':\n")})
    case("ident_control_chars", f"{wh}: a warehouse name with a line feed and a bell",
         {wh: sub_once(wh, "  training_wh:\n", '  "train\\n\\u0007wh":\n')})
    case("bom_then_garbage", f"{wh}: a UTF-8 BOM followed by garbage",
         {wh: b"\xef\xbb\xbf" + b"\x01\x02 ::: garbage [\n"})
    case("bom_with_error", f"{wh}: a UTF-8 BOM, then an unknown field on line 5",
         {wh: b"\xef\xbb\xbf" + sub_once(wh, "  query_wh:\n", "  query_wh:\n    flavour: vanilla\n")},
         codes=["E-FIELD-UNKNOWN"])
    case("bom_twice", f"{wh}: two byte-order marks", {wh: b"\xef\xbb\xbf\xef\xbb\xbf" + BASE[wh]})
    for name, blob, why in [
        ("latin1", b"comment: caf\xe9 au lait", "a Latin-1 byte in a comment"),
        ("lone_continuation", b"comment: \x80\x80", "lone UTF-8 continuation bytes"),
        ("overlong", b"comment: \xc0\xaf", "an overlong UTF-8 encoding"),
        ("surrogate", b"comment: \xed\xa0\x80", "an encoded UTF-16 surrogate"),
        ("truncated", b"comment: \xe2\x82", "a truncated multi-byte sequence"),
    ]:
        case(f"utf8_{name}", f"{wh}: {why} on line 13",
             {wh: BASE[wh].replace(b"comment: Querying the shared data and running the scoring pipeline.", blob)})
    case("utf8_in_body_file", "partner/python/cc_batch_processing.py: a body file with a non-UTF-8 byte",
         {"partner/python/cc_batch_processing.py": b"def cc_batch_processing(*args):\n    return '\xff'\n"},
         file="partner/scored_model.yaml")
    case("nul_byte", f"{wh}: a NUL byte inside a name", {wh: sub_once(wh, "  training_wh:\n", "  train\x00wh:\n")})
    case("utf16_file", f"{wh}: the file encoded as UTF-16", {wh: BASE[wh].decode().encode("utf-16")})
    case("empty_file_garbage", "bank/junk.yaml: a YAML file that is only punctuation", {"bank/junk.yaml": b"}}}]]]:::\n"})
    case("two_documents", f"{wh}: a second YAML document in an account file",
         {wh: BASE[wh] + b"---\naccount: bank\n"})
    case("list_at_top", "bank/list.yaml: an account file whose top level is a list", {"bank/list.yaml": b"- account: bank\n- warehouses: {}\n"})
    case("scalar_at_top", "bank/scalar.yaml: an account file whose top level is a string", {"bank/scalar.yaml": b"just some words\n"})


def interpolation_cases():
    demo = "bank/data_sharing_demo.yaml"
    for i, (expr, why) in enumerate([
        ("${var.training_data_url", "an unterminated ${var.x"),
        ("${env.HOME}", "an unknown namespace ${env.HOME}"),
        ("${var.no_such_variable}", "an undefined variable"),
        ("${}", "an empty ${}"),
        ("${var.}", "a variable without a name"),
        ("${secret.SNOWFLAKE_PASSWORD}", "an unknown namespace ${secret.…}"),
        ("${var.${var.training_data_url}}", "a nested ${…}"),
        ("s3://bucket/${", "a trailing ${"),
    ]):
        case(slug("interp", str(i), why)[:50], f"{demo}: a stage URL with {why}",
             {demo: sub_once(demo, "url: ${var.training_data_url}", f"url: '{expr}'")})
    case("interp_in_comment_env", "bank/warehouses.yaml: ${env.HOME} in a comment",
         {"bank/warehouses.yaml": sub_once("bank/warehouses.yaml", "comment: Loading", "comment: ${env.HOME} Loading")})
    case("interp_in_name", "bank/warehouses.yaml: ${var.x unterminated in a warehouse name",
         {"bank/warehouses.yaml": sub_once("bank/warehouses.yaml", "  query_wh:\n", "  '${var.x':\n")})


def credentials_block(key_env, secret_env):
    return (f"            credentials: {{ aws_key_id_env: {key_env}, aws_secret_key_env: {secret_env} }}\n"
            "            comment: Historical")


def secret_cases():
    demo = "bank/data_sharing_demo.yaml"
    old = "            comment: Historical"
    for i, (key_env, secret_env, declared, why) in enumerate([
        ("SNOWFLAKE_PASSWORD", "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", None, "SNOWFLAKE_* variables, undeclared"),
        ("SNOWFLAKE_PASSWORD", "AWS_SECRET", ["SNOWFLAKE_PASSWORD", "AWS_SECRET"], "SNOWFLAKE_PASSWORD, even when declared"),
        ("AWS_KEY_ID", "AWS_SECRET", None, "variables not declared in floe.yaml"),
        ("AWS_KEY_ID", "AWS_SECRET", ["AWS_KEY_ID"], "one of two variables not declared"),
        ("HOME", "PATH", None, "the runner's HOME and PATH"),
        ("GITHUB_TOKEN", "AWS_SECRET", ["AWS_SECRET"], "the CI token, undeclared"),
    ]):
        changes = {demo: sub_once(demo, old, credentials_block(key_env, secret_env))}
        if declared is not None:
            changes["floe.yaml"] = text("floe.yaml").replace(
                "\ntargets:", "\nsecrets: [" + ", ".join(declared) + "]\n\ntargets:").encode()
        env = [f"{n}=hostile-{n.lower()}" for n in sorted({key_env, secret_env}) if n not in ("HOME", "PATH")]
        case(slug("secret", str(i), why)[:50], f"{demo}: stage credentials from {why}", changes, file=demo, env=env)


MODEL = "partner/scored_model.yaml"


def path_cases():
    model = MODEL
    old_body = "body_file: python/cc_batch_processing.py"
    for i, (path, why) in enumerate([
        ("/etc/passwd", "an absolute path outside the project"),
        ("../../../../etc/passwd", "a path climbing out with .."),
        ("../../floe.yaml", "a path climbing out of the project by two levels"),
        ("/dev/zero", "an endless device"),
        ("/dev/urandom", "an endless random device"),
        ("/proc/self/environ", "the process environment"),
        ("python", "a folder"),
        ("python/../../../../../../etc/hostname", "a path that climbs out after entering the project"),
        ("~/.ssh/id_rsa", "a home-relative path"),
        ("", "an empty path"),
        ("python/missing.py", "a missing file"),
        ("C:\\Windows\\win.ini", "a Windows path"),
    ]):
        case(slug("path_body", str(i), why)[:50], f"{model}: body_file {path!r} ({why})",
             {model: sub_once(model, old_body, f"body_file: '{path}'")})
    old_files = "files: [model/cc_default_model.json]"
    for i, (path, why) in enumerate([
        ("/etc/passwd", "an absolute path outside the project"),
        ("../../../../etc/passwd", "a path climbing out with .."),
        ("/dev/zero", "an endless device"),
        ("model", "a folder"),
        ("/proc/self/environ", "the process environment"),
    ]):
        case(slug("path_artifact", str(i), why)[:50], f"{model}: model artifact {path!r} ({why})",
             {model: sub_once(model, old_files, f"files: ['{path}']")})
    case("path_artifact_extra", f"{model}: a model version adding /etc/shadow to its files",
         {model: sub_once(model, old_files, "files: [model/cc_default_model.json, /etc/shadow]")})


def project_file_cases():
    p = "floe.yaml"
    for i, (why, old, new) in enumerate([
        ("an account in upper case", "  bank:\n    comment: Data provider", "  BANK:\n    comment: Data provider"),
        ("an unknown default target", "default_target: local", "default_target: staging"),
        ("a target mapping an unknown account", "prod:\n    bank: { connection: bank }", "prod:\n    insurer: { connection: insurer }"),
        ("variables as a list", "variables:\n", "variables: [a, b]\nx-variables:\n"),
        ("accounts as a string", "accounts:\n  bank:", "accounts: everyone\nx-accounts:\n  bank:"),
        ("an unknown top-level field", "default_target: local", "default_target: local\nsuperuser: true"),
        ("an emulator path that is a number", "emulator: .floe/emulator.db", "emulator: [1]"),
        ("a variable that is a map", "  training_data_url: s3://", "  training_data_url: { a: b }\n  x_url: s3://"),
        ("secrets as a map", "default_target: local", "default_target: local\nsecrets: { SNOWFLAKE_PASSWORD: yes }"),
        ("a target without accounts", "  prod:\n    bank: { connection: bank }\n    partner: { connection: partner }", "  prod: {}"),
    ]):
        case(slug("project", str(i), why)[:50], f"floe.yaml: {why}", {p: sub_once(p, old, new)})


# The rule that must refuse each hand-written case: its codes, and for some the exact
# place (a BOM must not shift columns; a bad byte is reported where it is).
EXPECTED = {
    **{f"range_{k}": ["E-VALUE-RANGE"] for k in [
        "auto_suspend_9223372036854775808", "auto_suspend_4294967296", "auto_suspend_minus1",
        "max_cluster_count_100000", "max_cluster_count_0", "max_cluster_count_minus3",
        "min_cluster_count_0", "min_cluster_count_18446744073709551616",
        "max_concurrency_level_0", "max_concurrency_level_minus1"]},
    **{f"range_auto_suspend_{k}": ["E-TYPE-MISMATCH"] for k in ["1e400", "12dot5", "dotnan", "dotinf", "0x7fffffffffffffffff"]},
    "range_min_above_max_clusters": ["E-VALUE-INVALID"],
    **{f"type_column_{i}_{k}": ["E-DATA-TYPE"] for i, k in [
        (0, "number_99_0"), (1, "number_5_10"), (2, "number_0_0"), (3, "number_1_0"), (4, "number_38_1"),
        (5, "varchar_1"), (6, "varchar_0"), (7, "varchar_999999999999"), (8, "varchar_134217729"),
        (9, "timestamp_ntz_10"), (10, "time_1"), (12, "varchar"), (13, "number_1_2_3"),
        (14, "varchar_10_not_null"), (16, "binary_0"), (17, "decimal_39")]},
    "type_column_11_floaty": ["E-VALUE-INVALID"],
    "type_column_15_int_drop_table_x": ["E-VALUE-INVALID"],
    "type_returns_floaty": ["E-VALUE-INVALID"],
    "type_returns_number_99_0": ["E-DATA-TYPE"],
    "type_returns_varchar_1": ["E-DATA-TYPE"],
    "type_argument_number_5_10": ["E-DATA-TYPE"],
    "type_argument_varchar_999999999999": ["E-DATA-TYPE"],
    **{f"value_{i}_{k}": ["E-SCHEDULE"] for i, k in [
        (0, "a_cron_with_minute_99_and_hour_99"), (1, "a_cron_with_an_unknown_time_zone"),
        (2, "a_cron_with_four_fields"), (3, "a_cron_with_day_of_month_32"), (4, "a_cron_with_month_13"),
        (5, "a_schedule_of_0_minutes"), (6, "a_schedule_of_5_minutes"), (7, "a_schedule_of_gibberish")]},
    "inject_5_a_schedule": ["E-SCHEDULE"],
    "value_8_runtime_version_two": ["E-RUNTIME-VERSION"],
    "value_9_runtime_version_2_7": ["E-RUNTIME-VERSION"],
    "inject_7_a_runtime_version": ["E-RUNTIME-VERSION"],
    "value_stage_url_empty": ["E-STAGE-URL"],
    "ref_8_task_that_is_its_own_predecessor": ["E-TASK-SELF-PREDECESSOR"],
    "ref_14_grant_on_table_of_the_other_account": ["E-GRANT-OTHER-ACCOUNT"],
    "ref_15_grant_on_database_of_the_other_account": ["E-GRANT-OTHER-ACCOUNT"],
    "ref_16_grant_on_table_of_the_other_account": ["E-GRANT-OTHER-ACCOUNT"],
    "ref_18_grant_of_role_of_the_other_account": ["E-GRANT-OTHER-ACCOUNT"],
    **{f"tag_{k}": ["E-YAML-TAG"] for k in ["binary", "foo", "on_map", "python_object_apply_os_system", "tag_yaml_org_2002_int"]},
    **{f"alias_{k}": ["E-YAML-ALIAS-LIMIT"] for k in ["billion_laughs", "doubling_bomb", "bomb_in_field", "spread_over_files"]},
    "nesting_deep_block": ["E-YAML-DEPTH-LIMIT"],
    "nesting_unclosed_flow": ["E-YAML-DEPTH-LIMIT"],
    **{f"ident_{k}": ["E-IDENT-INVALID"] for k in ["long_256", "long_quoted", "long_reference", "long_explicit_key", "empty", "control_chars"]},
    "utf8_latin1": ("E-YAML-ENCODING", "partner/warehouses.yaml:13:17"),
    "utf8_lone_continuation": ("E-YAML-ENCODING", "partner/warehouses.yaml:13:14"),
    "utf8_overlong": ("E-YAML-ENCODING", "partner/warehouses.yaml:13:14"),
    "utf8_surrogate": ("E-YAML-ENCODING", "partner/warehouses.yaml:13:14"),
    "utf8_truncated": ("E-YAML-ENCODING", "partner/warehouses.yaml:13:14"),
    "utf16_file": ["E-YAML-ENCODING"],
    "utf8_in_body_file": ["E-BODY-FILE-ENCODING"],
    "bom_with_error": ("E-FIELD-UNKNOWN", "partner/warehouses.yaml:6:5"),
    **{f"interp_{k}": ["E-VAR-SYNTAX"] for k in [
        "0_an_unterminated_var_x", "1_an_unknown_namespace_env_home", "3_an_empty", "4_a_variable_without_a_name",
        "5_an_unknown_namespace_secret", "6_a_nested", "7_a_trailing", "in_comment_env"]},
    "interp_2_an_undefined_variable": ["E-VAR-UNDEFINED"],
    "secret_0_snowflake_variables_undeclared": ["E-SECRET-RESERVED"],
    "secret_1_snowflake_password_even_when_declared": ["E-SECRET-RESERVED"],
    **{f"secret_{k}": ["E-SECRET-UNDECLARED"] for k in [
        "2_variables_not_declared_in_floe_yaml", "3_one_of_two_variables_not_declared",
        "4_the_runner_s_home_and_path", "5_the_ci_token_undeclared"]},
    **{f"path_body_{k}": ["E-PATH-ABSOLUTE"] for k in [
        "0_an_absolute_path_outside_the_project", "3_an_endless_device", "4_an_endless_random_device",
        "5_the_process_environment"]},
    **{f"path_body_{k}": ["E-PATH-OUTSIDE-PROJECT"] for k in [
        "1_a_path_climbing_out_with", "2_a_path_climbing_out_of_the_project_by", "7_a_path_that_climbs_out_after_entering"]},
    "path_body_6_a_folder": ["E-PATH-NOT-FILE"],
    "path_body_9_an_empty_path": ["E-PATH-NOT-FILE"],
    **{f"path_artifact_{k}": ["E-PATH-ABSOLUTE"] for k in [
        "0_an_absolute_path_outside_the_proje", "2_an_endless_device", "4_the_process_environment"]},
    "path_artifact_1_a_path_climbing_out_with": ["E-PATH-OUTSIDE-PROJECT"],
    "path_artifact_3_a_folder": ["E-PATH-NOT-FILE"],
    "path_artifact_extra": ["E-PATH-ABSOLUTE"],
    "limits_artifact_past_lowered_cap": ["E-FILE-TOO-LARGE"],
    "limits_body_past_lowered_cap": ["E-FILE-TOO-LARGE"],
    "limits_6_snowflake_password_declared_as_a_secret": ["E-SECRET-RESERVED"],
    "limits_7_a_floe_variable_declared_as_a_secret": ["E-SECRET-RESERVED"],
    "secret_floe_variable": ["E-SECRET-RESERVED"],
}


def apply_expectations():
    for name, expected in EXPECTED.items():
        assert name in CASES, f"EXPECTED names no case {name}"
        description, changes, file, codes, env = CASES[name]
        if isinstance(expected, tuple):
            code, at = expected
            codes, file = [code], at
        else:
            codes = expected
        CASES[name] = (description, changes, file, codes, env)


def limit_cases():
    """floe.yaml's `limits:` and `secrets:` given hostile values, and files past a
    lowered limit (so no large file needs to be committed)."""
    p = "floe.yaml"
    for i, (why, extra) in enumerate([
        ("a negative body size limit", "limits: { body_file_bytes: -1 }"),
        ("a zero body size limit", "limits: { body_file_bytes: 0 }"),
        ("an artifact limit past any integer", "limits: { artifact_bytes: 100000000000000000000000 }"),
        ("a size limit in words", "limits: { body_file_bytes: big }"),
        ("an unknown limit", "limits: { everything: 0 }"),
        ("limits as a list", "limits: [1, 2]"),
        ("SNOWFLAKE_PASSWORD declared as a secret", "secrets: [SNOWFLAKE_PASSWORD]"),
        ("a FLOE_ variable declared as a secret", "secrets: [FLOE_VAR_TOKEN]"),
        ("a secret name carrying shell", "secrets: ['not a name; rm -rf /']"),
        ("secrets as a string", "secrets: AWS_KEY_ID"),
    ]):
        case(slug("limits", str(i), why)[:50], f"floe.yaml: {why}",
             {p: sub_once(p, "default_target: local", "default_target: local\n" + extra)})
    case("limits_artifact_past_lowered_cap",
         f"{MODEL}: a model artifact of 708 bytes past `limits: {{ artifact_bytes: 100 }}`",
         {p: sub_once(p, "default_target: local", "default_target: local\nlimits: { artifact_bytes: 100 }")},
         file=MODEL)
    case("limits_body_past_lowered_cap",
         f"{MODEL}: body files past `limits: {{ body_file_bytes: 10 }}`",
         {p: sub_once(p, "default_target: local", "default_target: local\nlimits: { body_file_bytes: 10 }")},
         file=MODEL)
    demo = "bank/data_sharing_demo.yaml"
    case("secret_floe_variable", f"{demo}: stage credentials from a FLOE_ variable",
         {demo: sub_once(demo, "            comment: Historical", credentials_block("FLOE_VAR_TOKEN", "FLOE_VAR_SECRET"))},
         env=["FLOE_VAR_TOKEN=hostile-floe-var-token", "FLOE_VAR_SECRET=hostile-floe-var-secret"])


def positional_cases():
    """Objects written as lists whose items would fill the fields by position."""
    for name, rel, old, new in [
        ("warehouse", "bank/warehouses.yaml", "  query_wh:\n    warehouse_type: standard\n",
         "  query_wh: [standard, x-small, 300, true, false, 1, 1, standard, hello]\n  old_wh:\n    warehouse_type: standard\n"),
        ("column", MODEL, "{ name: prediction, type: float }", "[prediction, float]"),
        ("grant", "partner/access.yaml", "{ privilege: usage, on: { warehouse: training_wh }, to_role: data_scientist }",
         "[usage, { warehouse: training_wh }, data_scientist]"),
        ("listing_mount", "partner/sharing.yaml", "{ account: bank, listing: cc_default_training_data }",
         "[bank, cc_default_training_data]"),
        ("credentials", "bank/data_sharing_demo.yaml", "            comment: Historical",
         "            credentials: [AWS_KEY_ID, AWS_SECRET]\n            comment: Historical"),
        ("model_version", MODEL, "                files: [model/cc_default_model.json]",
         "                - [model/cc_default_model.json]"),
    ]:
        changes = {rel: sub_once(rel, old, new)}
        if name == "credentials":
            changes["floe.yaml"] = sub_once("floe.yaml", "\ntargets:", "\nsecrets: [AWS_KEY_ID, AWS_SECRET]\n\ntargets:")
        case(f"positional_{name}", f"{rel}: a {name.replace('_', ' ')} written as a list of its fields in order",
             changes, file=rel, codes=["E-TYPE-MISMATCH"])


def build_all():
    retype_cases()
    retype_map_sections()
    int_to_string_cases()
    delete_cases()
    duplicate_cases()
    number_cases()
    type_cases()
    injection_cases()
    reference_cases()
    value_cases()
    loader_cases()
    interpolation_cases()
    secret_cases()
    path_cases()
    project_file_cases()
    limit_cases()
    positional_cases()
    apply_expectations()


def write_project(folder, files):
    for rel, data in files.items():
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def main():
    build_all()
    for entry in os.listdir(OUT):
        folder = os.path.join(OUT, entry)
        if os.path.isdir(folder) and (os.path.exists(os.path.join(folder, "CASE")) or entry == "_base"):
            shutil.rmtree(folder)
    write_project(os.path.join(OUT, "_base"), BASE)
    for name, (description, changes, file, codes, env) in sorted(CASES.items()):
        files = dict(BASE)
        files.update(changes)
        folder = os.path.join(OUT, name)
        write_project(folder, files)
        if re.search(r":\d+:\d+$", file):
            lines = [f"description: {description}", f"file: {file.split(':')[0]}", f"at: {file}"]
        else:
            lines = [f"description: {description}", f"file: {file}"]
        if codes:
            lines.append("codes: " + " ".join(codes))
        for e in env:
            lines.append(f"env: {e}")
        with open(os.path.join(folder, "CASE"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    print(f"wrote {len(CASES)} cases and _base/ under {os.path.relpath(OUT, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
