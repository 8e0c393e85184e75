"""Put HubSpot connector tables where dbt reads them (var crm_source = hubspot).

Two ways, both chosen by `pipeline.py --source hubspot`:

- a folder of connector-shaped files, one per connector table, `<table>.csv` or
  `<table>.parquet` (`contact.csv`, `email_event.csv`, ...; Segment's `pages.csv`,
  `tracks.csv`, `identifies.csv` when web events come along): loaded into schema raw_hubspot
  (raw_segment) of the work database as they are (every CSV column as text: staging types and cleans them),
  with the loader's `_line_number` and `_loaded_at`. Files of tables the adapter does not read
  are ignored and listed; a table whose file is missing is simply absent (staging reads it as
  empty; the raw gate fails when one that feeds a raw table is missing). A UTF-8 byte order
  mark and upper-case or padded header names are normalised. All or nothing: one transaction.
- an existing DuckDB database (a user's Fivetran or dlt destination), attached READ_ONLY under
  the alias hubspot_source: nothing is copied; dbt attaches it too (on-run-start, var
  hubspot_attach_path) and reads schema `--source-schema` of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

import duckdb

from lead_segmentation.sources.hubspot_tables import (
    ATTACHED_ALIAS,
    SOURCES,
    all_connector_tables,
    connector_tables,
)
from lead_segmentation.sql import quote_identifier, quote_literal

SUFFIXES = (".csv", ".parquet")
IGNORED_FILES = {".gitkeep", "README.md", "_manifest.json"}


class HubspotLoadError(Exception):
    """The connector files cannot be loaded; the message names the file and what to fix."""


@dataclasses.dataclass
class HubspotLoad:
    rows: dict[str, int]  # connector table -> rows loaded
    ignored: list[str]  # files of tables the adapter does not read
    missing: list[str]  # HubSpot tables the adapter reads that had no file

    @property
    def has_segment(self) -> bool:
        return any(t in self.rows for t in connector_tables("segment"))


def find_connector_files(folder: Path) -> tuple[dict[str, Path], list[str]]:
    if not folder.is_dir():
        raise HubspotLoadError(f"HubSpot folder not found: {folder}")
    known = all_connector_tables()
    found: dict[str, Path] = {}
    ignored: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.name in IGNORED_FILES or path.name.startswith(".") or path.is_dir():
            continue
        table, suffix = path.stem.lower(), path.suffix.lower()
        if suffix not in SUFFIXES or table not in known:
            ignored.append(path.name)
            continue
        if table in found:
            raise HubspotLoadError(
                f"{folder}: two files for table {table}: {found[table].name}, {path.name}"
            )
        found[table] = path
    return found, ignored


def _read(path: Path) -> str:
    if path.suffix.lower() == ".csv":
        # Text as delivered (types are staging's job); an empty field is NULL.
        return (
            f"read_csv({quote_literal(str(path))}, header = true, all_varchar = true, "
            "delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
            "parallel = false)"
        )
    return f"read_parquet({quote_literal(str(path))})"


def load_hubspot_folder(folder: str | Path, database: str | Path, *, quiet: bool = False) -> HubspotLoad:
    """Load the connector files into schema raw_hubspot (replaced whole); all or nothing."""
    folder = Path(folder)
    files, ignored = find_connector_files(folder)
    loaded_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    rows: dict[str, int] = {}
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database))
    try:
        con.execute("begin transaction")
        for _, schema in SOURCES.values():
            con.execute(f"drop schema if exists {schema} cascade")
            con.execute(f"create schema {schema}")
        for table, path in files.items():
            definition = all_connector_tables()[table]
            schema = definition.loaded_schema
            try:
                con.execute(f"create temp table _load as select * from {_read(path)}")
            except duckdb.Error as exc:
                raise HubspotLoadError(f"{path}: cannot be read: {str(exc).splitlines()[0]}") from exc
            columns = [r[0] for r in con.execute("select name from pragma_table_info('_load')").fetchall()]
            # Header names as connectors mean them: no byte order mark, no padding, lower case.
            names = [c.replace("\ufeff", "").strip().lower() for c in columns]
            duplicated = sorted({n for n in names if names.count(n) > 1})
            if duplicated:
                raise HubspotLoadError(f"{path}: column(s) {', '.join(duplicated)} appear twice in the header")
            missing_keys = [k for k in definition.key if k not in names]
            if missing_keys:
                raise HubspotLoadError(
                    f"{path}: connector table {table} lacks its key column(s) {', '.join(missing_keys)} "
                    f"(found: {', '.join(names)})"
                )
            select = ", ".join(
                f"{quote_identifier(c)} as {quote_identifier(n)}" for c, n in zip(columns, names)
                if n not in ("_line_number", "_loaded_at")
            )
            con.execute(
                f"create table {schema}.{quote_identifier(table)} as "
                f"select {select}, row_number() over () as _line_number, "
                f"cast({quote_literal(loaded_at.isoformat(sep=' '))} as timestamp) as _loaded_at "
                "from _load"
            )
            con.execute("drop table _load")
            rows[table] = con.execute(f"select count(*) from {schema}.{quote_identifier(table)}").fetchone()[0]
            if not quiet:
                print(f"[load] {definition.source}.{table:<28} {rows[table]:>10,} rows  ({path.name})", file=sys.stderr)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.close()
    missing = sorted(set(connector_tables()) - set(files))
    if not quiet and ignored:
        print(f"[load] ignored (not read by the HubSpot adapter): {', '.join(ignored)}", file=sys.stderr)
    if not quiet and missing:
        print(f"[load] no file (read as empty): {', '.join(missing)}", file=sys.stderr)
    return HubspotLoad(rows=rows, ignored=ignored, missing=missing)


def attach_read_only(con: duckdb.DuckDBPyConnection, source_database: str | Path) -> None:
    """Attach a user's DuckDB database read-only under the alias the dbt vars name."""
    path = Path(source_database)
    if not path.is_file():
        raise HubspotLoadError(f"HubSpot database not found: {path}")
    attached = {r[0] for r in con.execute("select database_name from duckdb_databases()").fetchall()}
    if ATTACHED_ALIAS not in attached:
        con.execute(f"attach {quote_literal(str(path))} as {ATTACHED_ALIAS} (read_only)")


def describe_attached(source_database: str | Path, schema: str, source: str = "hubspot") -> HubspotLoad:
    """Row counts of a source's connector tables in an existing database (nothing is copied)."""
    tables = connector_tables(source)
    con = duckdb.connect()
    try:
        try:
            attach_read_only(con, source_database)
        except duckdb.Error as exc:
            raise HubspotLoadError(
                f"{source_database}: cannot be attached read-only: {str(exc).splitlines()[0]}"
            ) from exc
        present = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = ? and table_schema = ?",
                [ATTACHED_ALIAS, schema],
            ).fetchall()
        }
        relation = f"{ATTACHED_ALIAS}.{quote_identifier(schema)}"
        rows = {
            t: con.execute(f"select count(*) from {relation}.{quote_identifier(t)}").fetchone()[0]
            for t in tables
            if t in present
        }
        ignored = sorted(present - set(tables))
        missing = sorted(set(tables) - present)
        return HubspotLoad(rows=rows, ignored=ignored, missing=missing)
    finally:
        con.close()
