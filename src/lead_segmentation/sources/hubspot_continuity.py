"""Continuity of the HubSpot and Segment connector tables the incremental engagement models are
built from: a HubSpot daily run is incremental, like a files run (load_raw.py, "Continuity"),
while each of these tables continues the load the models were built from.

The engagement events (base_hubspot__events, and Segment's base_segment__events) are made
from `INCREMENTAL_CONNECTOR_TABLES` (hubspot_tables.py). Their rows are right only while each
table holds the built load's rows, unchanged and at the same lines, then new ones (a connector
that appends: email events, clicks, page views): the loader numbers the lines (`_line_number`), and each table's
fingerprint (an XOR of row hashes that cover the line) over lines 1..n must equal the built
load's. One more break: Segment names a page's person by the user's latest identify, so a new
identify for a user or anonymous id that already has a built page or track re-attributes old
rows, and the models are rebuilt. The form submissions need no continuity (their incremental
model compares every delivery's values; HubSpot answers come from the contact's current
properties), nor do the other raw tables (rebuilt on every run).

A database read in place (`--source-database`) has no loader lines: its runs rebuild in full.
Records in schema ops: `ops.hubspot_loaded_tables` (the last load) and
`ops.hubspot_built_tables` (the load of the last successful build).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb

from lead_segmentation.contract import OPS_SCHEMA
from lead_segmentation.sources.hubspot_tables import INCREMENTAL_CONNECTOR_TABLES, all_connector_tables
from lead_segmentation.sql import quote_identifier

LOADED_TABLE, BUILT_TABLE = "hubspot_loaded_tables", "hubspot_built_tables"
LOADED = f"{OPS_SCHEMA}.{LOADED_TABLE}"
BUILT = f"{OPS_SCHEMA}.{BUILT_TABLE}"


@dataclasses.dataclass(frozen=True)
class TableContinuity:
    table: str
    continues: bool
    rows: int
    built_rows: int | None  # None: no build recorded


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {OPS_SCHEMA}")
    for name in (LOADED, BUILT):
        con.execute(
            f"create table if not exists {name} (table_name varchar, row_count bigint, "
            "row_fingerprint ubigint, continues_built boolean)"
        )


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? "
            "and table_name = ? and column_name <> '_loaded_at' order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def record_load(database: str | Path) -> list[TableContinuity]:
    """After a folder load: record each incremental connector table's rows and fingerprint,
    and whether it continues the built load."""
    tables = all_connector_tables()
    con = duckdb.connect(str(database))
    try:
        _ensure(con)
        con.execute(f"delete from {LOADED}")
        built = {
            name: (rows, fingerprint)
            for name, rows, fingerprint in con.execute(
                f"select table_name, row_count, row_fingerprint from {BUILT}"
            ).fetchall()
        }
        result = []
        for name in INCREMENTAL_CONNECTOR_TABLES:
            schema = tables[name].loaded_schema
            columns = _columns(con, schema, name)
            built_rows, built_fingerprint = built.get(name, (0, 0))
            if columns:
                hashed = ", ".join(quote_identifier(c) for c in columns)
                rows, fingerprint, prefix = con.execute(
                    f"""
                    select
                        count(*),
                        coalesce(bit_xor(row_hash), 0),
                        coalesce(bit_xor(row_hash) filter (where _line_number <= ?), 0)
                    from (select hash({hashed}) as row_hash, _line_number
                          from {schema}.{quote_identifier(name)})
                    """,
                    [built_rows],
                ).fetchone()
            else:  # no file: read as empty
                rows = fingerprint = prefix = 0
            continues = name in built and rows >= built_rows and prefix == built_fingerprint
            result.append(TableContinuity(name, continues, rows, built_rows if name in built else None))
        if _re_identifies(con, built, {c.table: c for c in result}):
            result = [
                dataclasses.replace(c, continues=False) if c.table == "identifies" else c for c in result
            ]
        con.executemany(
            f"insert into {LOADED} values (?, ?, ?, ?)",
            [
                [c.table, c.rows, _fingerprint(con, c.table), c.continues]
                for c in result
            ],
        )
        return result
    finally:
        con.close()


def _fingerprint(con: duckdb.DuckDBPyConnection, name: str) -> int:
    schema = all_connector_tables()[name].loaded_schema
    columns = _columns(con, schema, name)
    if not columns:
        return 0
    hashed = ", ".join(quote_identifier(c) for c in columns)
    return con.execute(
        f"select coalesce(bit_xor(hash({hashed})), 0) from {schema}.{quote_identifier(name)}"
    ).fetchone()[0]


def _re_identifies(con, built: dict, loaded: dict[str, TableContinuity]) -> bool:
    """True when an identify loaded after the built lines names a user or anonymous id that a
    built page or track carries (its rows' person may change)."""
    identifies = loaded.get("identifies")
    if identifies is None or not identifies.continues or identifies.rows == identifies.built_rows:
        return False
    schema = all_connector_tables()["identifies"].loaded_schema
    new_ids = (
        f"select user_id as id from {schema}.identifies where _line_number > {int(built['identifies'][0])} "
        f"union select anonymous_id from {schema}.identifies where _line_number > {int(built['identifies'][0])}"
    )
    for table in ("pages", "tracks"):
        columns = _columns(con, schema, table)
        if not {"user_id", "anonymous_id"} <= set(columns) or table not in built:
            continue
        hit = con.execute(
            f"select count(*) from {schema}.{table} where _line_number <= ? and "
            f"(user_id in (select id from ({new_ids}) where id is not null) "
            f"or anonymous_id in (select id from ({new_ids}) where id is not null))",
            [int(built[table][0])],
        ).fetchone()[0]
        if hit:
            return True
    return False


def breaks(database: str | Path) -> list[TableContinuity]:
    """The incremental connector tables whose last load does not continue the built load (all
    of them when nothing was recorded)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        present = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [OPS_SCHEMA, LOADED_TABLE],
        ).fetchone()[0]
        if not present:
            return [TableContinuity(t, False, 0, None) for t in INCREMENTAL_CONNECTOR_TABLES]
        loaded = {
            name: (rows, continues)
            for name, rows, continues in con.execute(
                f"select table_name, row_count, continues_built from {LOADED}"
            ).fetchall()
        }
        built = dict(con.execute(f"select table_name, row_count from {BUILT}").fetchall())
    finally:
        con.close()
    return [
        TableContinuity(t, False, loaded.get(t, (0, False))[0], built.get(t))
        for t in INCREMENTAL_CONNECTOR_TABLES
        if not loaded.get(t, (0, False))[1]
    ]


def mark_built(database: str | Path) -> None:
    """After a successful build from a folder load: its tables are what the models hold."""
    con = duckdb.connect(str(database))
    try:
        _ensure(con)
        con.execute(f"delete from {BUILT}")
        con.execute(f"insert into {BUILT} select * from {LOADED}")
    finally:
        con.close()


def forget_built(database: str | Path) -> None:
    """The models were built from another source (files, a database read in place)."""
    con = duckdb.connect(str(database))
    try:
        _ensure(con)
        con.execute(f"delete from {BUILT}")
    finally:
        con.close()
