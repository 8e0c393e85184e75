"""Prove a refactor changed no published data: compare every table of one schema in two
DuckDB files (e.g. a published.duckdb from before and after) with EXCEPT ALL both ways.

    python scripts/dev/compare_marts.py BEFORE.duckdb AFTER.duckdb [--schema marts]
        [--ignore lead_routing.updated_at ...] [--added lead_scores.is_sales_qualified ...]

Checks per table: same columns in the same order with the same types, same row count, and
no row of one missing from the other (EXCEPT ALL counts duplicates). Columns named with
--ignore (table.column) are left out of the row comparison; by default only
lead_routing.updated_at, the wall-clock time the routing snapshot first saw a row. Columns
named with --added (table.column) are an additive contract change: they may exist in AFTER
only, and every other column is compared as usual (same order, types and rows). Exit 0
when identical, 1 otherwise (each difference is printed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lead_segmentation.sql import quote_identifier as _quote
from lead_segmentation.sql import quote_literal as _sql_string

DEFAULT_IGNORED = ("lead_routing.updated_at",)


def _columns(con, catalog: str, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_catalog = ? and table_schema = ? and table_name = ?"
        " order by ordinal_position",
        [catalog, schema, table],
    ).fetchall()


def _tables(con, catalog: str, schema: str) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = ? and table_schema = ?",
        [catalog, schema],
    ).fetchall()
    return {name for (name,) in rows}


def compare(
    before: Path, after: Path, schema: str = "marts", ignored=DEFAULT_IGNORED, added=()
) -> list[str]:
    """Return the differences between the two files' tables in `schema` (empty = identical).
    `added` (table.column) names columns that only AFTER may have (an additive change)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"attach {_sql_string(str(before))} as before_db (read_only)")
    con.execute(f"attach {_sql_string(str(after))} as after_db (read_only)")
    problems: list[str] = []
    before_tables = _tables(con, "before_db", schema)
    after_tables = _tables(con, "after_db", schema)
    for name in sorted(before_tables ^ after_tables):
        side = "before" if name in before_tables else "after"
        problems.append(f"{schema}.{name}: only in {side}")
    for table in sorted(before_tables & after_tables):
        before_columns = _columns(con, "before_db", schema, table)
        new = {item.split(".", 1)[1] for item in added if item.split(".", 1)[0] == table}
        missing_new = sorted(new - {c for c, _ in _columns(con, "after_db", schema, table)})
        if missing_new:
            problems.append(f"{schema}.{table}: added column(s) {missing_new} not in after")
        after_columns = [c for c in _columns(con, "after_db", schema, table) if c[0] not in new]
        if before_columns != after_columns:
            problems.append(f"{schema}.{table}: columns differ: {before_columns} vs {after_columns}")
            continue
        skip = {item.split(".", 1)[1] for item in ignored if item.split(".", 1)[0] == table}
        kept = ", ".join(_quote(c) for c, _ in before_columns if c not in skip)
        relation = f"{_quote(schema)}.{_quote(table)}"
        for left, right in (("before_db", "after_db"), ("after_db", "before_db")):
            missing = con.execute(
                f"select count(*) from (select {kept} from {left}.{relation}"
                f" except all select {kept} from {right}.{relation})"
            ).fetchone()[0]
            if missing:
                problems.append(f"{schema}.{table}: {missing} rows of {left} not in {right}")
        counts = [
            con.execute(f"select count(*) from {db}.{relation}").fetchone()[0]
            for db in ("before_db", "after_db")
        ]
        if counts[0] != counts[1]:
            problems.append(f"{schema}.{table}: {counts[0]} rows before, {counts[1]} after")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--schema", default="marts")
    parser.add_argument(
        "--ignore",
        action="append",
        default=None,
        help="table.column left out of the row comparison (repeatable; default: %s)"
        % ", ".join(DEFAULT_IGNORED),
    )
    parser.add_argument(
        "--added",
        action="append",
        default=[],
        help="table.column that only AFTER has (an additive contract change; repeatable)",
    )
    args = parser.parse_args(argv)
    ignored = tuple(args.ignore) if args.ignore is not None else DEFAULT_IGNORED
    problems = compare(args.before, args.after, args.schema, ignored, tuple(args.added))
    for problem in problems:
        print(problem)
    if not problems:
        print(
            f"identical: every table of schema {args.schema} (ignored: {', '.join(ignored) or 'none'};"
            f" added: {', '.join(args.added) or 'none'})"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
