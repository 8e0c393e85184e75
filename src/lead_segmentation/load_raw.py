"""Load a folder of raw files into schema `raw` of a DuckDB database.

    lead-segmentation-load --raw-dir DIR --database warehouse/work.duckdb

One file per table of the contract: `<table>.csv` (header row) or `<table>.parquet`.
The loader is strict, because everything downstream trusts the raw layer's shape:

- an unknown file, a missing table, a missing or renamed required column, or an extra column
  is refused;
- a value that cannot be read as the column's type is refused, naming the file, the column
  and the line, never the value (raw rows hold personal data and messages reach the run log
  that BI reads: only the value's shape is shown, letters as `a`, digits as `9`);
- a file that is not UTF-8 is refused naming the line and byte; a UTF-8 byte order mark is
  accepted (stripped);
- timestamps are stored in UTC (TIMESTAMP, naive): a value with a UTC offset or a zone name
  (`2026-06-01 10:00:00+05:00`, `...Z`, `...-0800`, `... Europe/Paris`) is converted to UTC;
  a value without one is taken as UTC already. A Parquet TIMESTAMP WITH TIME ZONE column is
  converted the same way. Nothing is dropped silently: the offset moves the value;
- nothing is dropped: every line of a file becomes one row (DuckDB's `ignore_errors` is never
  used), and the loaded row count is checked against the file's.

A refused load changes nothing: all tables are loaded inside one transaction.
Every raw table gets two lineage columns: `_line_number` (1-based data line in the file, the
header excluded; the row number for Parquet) and `_loaded_at` (when the load ran, UTC).

Continuity: the incremental models (base_engagement__*) keep the rows of earlier loads, which
is right only while each new file continues the one they were built from (the same lines,
then new ones: an appended export). The loader fingerprints every table (`raw._loaded_tables`:
rows, a hash of all rows with their line numbers, and whether the first lines equal the load
the models were last built from, `raw._built_tables`); the pipeline rebuilds the incremental
models in full when a table does not continue (load_continuity), and records a successful build
(mark_built).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
import time
from pathlib import Path

import duckdb

from lead_segmentation.owner_only import private_dir, private_file, restrict_new_files
from lead_segmentation.raw_schema import DUCKDB_TYPES, RAW_TABLES
from lead_segmentation.sql import quote_literal

SUFFIXES = (".csv", ".parquet")
# Raw tables whose rows incremental models keep between runs.
INCREMENTAL_SOURCES = ("engagement_events", "form_submissions")
IGNORED_FILES = {".gitkeep", "README.md", "_manifest.json"}
# A timestamp text with nothing for the zone-aware path to do: date, time, optional fraction.
PLAIN_TIMESTAMP_PATTERN = r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}:\d{2}(\.\d{1,9})?"


class RawLoadError(Exception):
    """The raw folder cannot be loaded as it is; the message says what to fix."""


def find_raw_files(raw_dir: Path) -> dict[str, Path]:
    """Map each contract table to its file; refuse unknown, duplicate or missing files."""
    if not raw_dir.is_dir():
        raise RawLoadError(f"raw folder not found: {raw_dir}")
    found: dict[str, Path] = {}
    unknown: list[str] = []
    for path in sorted(raw_dir.iterdir()):
        if path.name in IGNORED_FILES or path.name.startswith("."):
            continue
        if path.is_dir():
            unknown.append(path.name + "/")
            continue
        table, suffix = path.stem, path.suffix.lower()
        if suffix not in SUFFIXES or table not in RAW_TABLES:
            unknown.append(path.name)
            continue
        if table in found:
            raise RawLoadError(
                f"{path}: table {table} has two files ({found[table].name} and {path.name}); keep one"
            )
        found[table] = path
    if unknown:
        raise RawLoadError(
            f"{raw_dir}: unknown file(s) {', '.join(unknown)}; expected only "
            + ", ".join(f"{t}.csv|.parquet" for t in RAW_TABLES)
        )
    missing = [t for t in RAW_TABLES if t not in found]
    if missing:
        raise RawLoadError(f"{raw_dir}: missing file(s) for table(s) {', '.join(missing)}")
    return found


def _staging_relation(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> str:
    """Read a file untyped (CSV) or as is (Parquet) into a temp table with line numbers."""
    temp = f"_load_{table}"
    if path.suffix.lower() == ".csv":
        # all_varchar: typing is ours, so bad values are reported, not guessed around.
        # allow_quoted_nulls=false: "" stays an empty string, an empty field is NULL.
        # strict_mode / null_padding off: a ragged line is an error, not a silent fix.
        try:
            con.execute(
                f"""
                create or replace temp table {temp} as
                select *, row_number() over () as _line_number
                from read_csv({quote_literal(str(path))},
                    header = true, all_varchar = true, allow_quoted_nulls = false,
                    delim = ',', quote = '"', escape = '"', auto_detect = false,
                    columns = {_csv_columns(con, path)},
                    null_padding = false, strict_mode = true, parallel = false)
                """
            )
        except duckdb.Error as exc:
            if "unicode" in str(exc).lower():
                raise RawLoadError(_not_utf8(path)) from None
            raise RawLoadError(f"{path}: cannot be read as CSV: {_first_line(exc)}") from None
    else:
        try:
            con.execute(
                f"""
                create or replace temp table {temp} as
                select *, row_number() over () as _line_number
                from read_parquet({quote_literal(str(path))})
                """
            )
        except duckdb.Error as exc:
            raise RawLoadError(f"{path}: cannot be read as Parquet: {_first_line(exc)}") from exc
    return temp


def _not_utf8(path: Path) -> str:
    """The one-line refusal of a file that is not UTF-8: its first undecodable line and byte."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return (
                    f"{path}: line {number}, byte {exc.start + 1}: not UTF-8 text; re-export the file "
                    "as UTF-8 (the loader reads no other encoding)"
                )
    return f"{path}: not UTF-8 text; re-export the file as UTF-8"


def _csv_columns(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """The header of a CSV file as a DuckDB `columns` struct (every column VARCHAR).

    A UTF-8 byte order mark (Excel writes one) is not part of the first column's name."""
    with path.open("rb") as handle:
        raw_header = handle.readline().rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")
    try:
        header = raw_header.decode("utf-8")
    except UnicodeDecodeError:
        raise RawLoadError(_not_utf8(path)) from None
    if not header:
        raise RawLoadError(f"{path}: line 1: the file is empty (a header row is required)")
    import csv

    names = next(csv.reader([header]))
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise RawLoadError(f"{path}: line 1: column {name!r} appears twice in the header")
        seen.add(name)
    return "{" + ", ".join(f"{quote_literal(n)}: 'VARCHAR'" for n in names) + "}"


def _first_line(exc: Exception) -> str:
    """DuckDB's CSV errors name the line and what was expected; keep that, drop the advice
    and the `Original Line` DuckDB quotes (a raw line holds personal data: messages reach the
    run log BI reads)."""
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    keep = [ln for ln in lines[1:] if ln.startswith(("Expected", "Found"))]
    return "; ".join(lines[:1] + keep[:2])


def value_shape(value: object) -> str:
    """What a refused value looks like without what it says: letters -> `a`, digits -> `9`,
    other characters kept, cut at 40 (`2026-13-01` -> `9999-99-99`, an email -> `aaa@aaaa.aa`)."""
    text = str(value)
    shape = "".join("a" if ch.isalpha() else "9" if ch.isdigit() else ch for ch in text[:40])
    return shape + ("..." if len(text) > 40 else "")


def _source_types(con: duckdb.DuckDBPyConnection, temp: str) -> dict[str, str]:
    return {r[0]: r[1] for r in con.execute(f"describe {temp}").fetchall()}


def _check_columns(con: duckdb.DuckDBPyConnection, table: str, path: Path, temp: str) -> None:
    present = [r[0] for r in con.execute(f"describe {temp}").fetchall() if r[0] != "_line_number"]
    expected = [name for name, _ in RAW_TABLES[table]]
    missing = [c for c in expected if c not in present]
    extra = [c for c in present if c not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing required column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(extra)}")
        hint = " (renamed?)" if missing and extra else ""
        raise RawLoadError(f"{path}: line 1 (header): {'; '.join(parts)}{hint}")


def zone_aware_timestamp(quoted: str) -> str:
    """A timestamp text typed as naive UTC (see typed_expression); NULL when unreadable."""
    text = f"nullif(regexp_replace(trim({quoted}), '\\s*UTC$', ''), '')"
    return (
        f"cast(try_cast(case when not regexp_matches({text}, '[A-Za-z]{{2,}}') then {text} end "
        f"as timestamptz) as timestamp)"
    )


def typed_expression(column: str, logical_type: str, is_csv: bool, source_type: str = "VARCHAR") -> str:
    """The SQL that types one column; NULL for a value the type cannot hold (checked first).

    Timestamps end as naive UTC: text is read as TIMESTAMPTZ (an offset moves it to UTC; none
    means UTC, the connection's time zone) and converted back, so an offset is never dropped
    silently. A Parquet TIMESTAMP WITH TIME ZONE converts the same way. A zone NAME (`Europe/
    Paris`, `EST`; `UTC` excepted) is refused: DuckDB 1.5 carries a parsed zone name over to the
    later values of the same batch (measured), which would move them silently."""
    target = DUCKDB_TYPES[logical_type]
    quoted = f'"{column}"'
    is_text = is_csv or source_type == "VARCHAR"
    if logical_type == "timestamp" and is_text:
        general = zone_aware_timestamp(quoted)
        # Fast path for the common shape (no offset, no zone, nothing to trim): a plain
        # TIMESTAMP cast gives the same value ~4x cheaper than the zone-aware path
        # (10M events: the two timestamp columns were a third of the load).
        return (
            f"case when regexp_full_match({quoted}, '{PLAIN_TIMESTAMP_PATTERN}') "
            f"then try_cast({quoted} as timestamp) else {general} end"
        )
    if logical_type == "text" or not is_text:
        return f"cast({quoted} as {target})"
    if logical_type == "boolean":
        # Only the spellings an export writes; 'yes'/'1' would be a silent guess.
        return (
            f"case lower(trim({quoted})) when 'true' then true when 'false' then false "
            f"when 't' then true when 'f' then false end"
        )
    return f"try_cast(nullif(trim({quoted}), '') as {target})"


def _check_values(con, table: str, path: Path, temp: str, source_types: dict[str, str]) -> None:
    """Refuse the file at the first value its column's type cannot hold: a value present in
    the file (not NULL, not blank in text) whose typed value in raw.<table> is NULL.

    Runs after the typed table is written (inside the load's transaction): one pass compares
    the file's text with the typed values, so each value is typed once, not once to check and
    again to load."""
    is_csv = path.suffix.lower() == ".csv"
    checked = [(c, t) for c, t in RAW_TABLES[table] if t != "text"]
    if not checked:
        return
    aggregates = []
    for column, _ in checked:
        present = f'source."{column}" is not null'
        if is_csv or source_types.get(column, "VARCHAR") == "VARCHAR":
            present += f""" and trim(source."{column}") <> ''"""
        bad = f'{present} and typed."{column}" is null'
        aggregates.append(f"min(source._line_number) filter (where {bad})")
        aggregates.append(f"count(*) filter (where {bad})")
    found = con.execute(
        f"select {', '.join(aggregates)} from {temp} as source "
        f"inner join raw.{table} as typed on source._line_number = typed._line_number"
    ).fetchone()
    for index, (column, logical_type) in enumerate(checked):
        first_line, bad_count = found[2 * index], found[2 * index + 1]
        if first_line is None:
            continue
        value = con.execute(
            f'select "{column}" from {temp} where _line_number = ?', [first_line]
        ).fetchone()[0]
        line = first_line + 1 if is_csv else first_line  # CSV: +1 for the header line
        where = f"line {line}" if is_csv else f"row {line}"
        hint = (
            "; expected ISO 8601 (2026-06-01 10:00:00), optionally with a UTC offset "
            "(+05:00, -0800, Z), not a zone name"
            if logical_type == "timestamp"
            else ""
        )
        raise RawLoadError(
            f"{path}: {where}, column {column}: cannot read a value shaped "
            f"{value_shape(value)!r} as {logical_type} ({bad_count} bad value(s) in this column)"
            + hint
        )


def _record_load_fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Record rows and row fingerprint of raw.<table>, and whether its first lines are the
    lines of the load the incremental models were built from (raw._built_tables)."""
    columns = ", ".join(f'"{c}"' for c, _ in RAW_TABLES[table]) + ", _line_number"
    built = con.execute(
        "select row_count, row_fingerprint from raw._built_tables where table_name = ?", [table]
    ).fetchone()
    built_rows = built[0] if built else 0
    # XOR of row hashes: order-free, and each hash covers the line number, so the prefix of a
    # file (lines 1..n of the built load) has the built load's fingerprint only when equal.
    rows, fingerprint, prefix = con.execute(
        f"""
        select
            count(*),
            coalesce(bit_xor(row_hash), 0),
            coalesce(bit_xor(row_hash) filter (where _line_number <= ?), 0)
        from (select hash({columns}) as row_hash, _line_number from raw.{table})
        """,
        [built_rows],
    ).fetchone()
    continues = built is not None and rows >= built_rows and prefix == built[1]
    con.execute("delete from raw._loaded_tables where table_name = ?", [table])
    con.execute(
        "insert into raw._loaded_tables values (?, ?, ?, ?)", [table, rows, fingerprint, continues]
    )


@dataclasses.dataclass(frozen=True)
class Continuity:
    """How the last load of a raw table relates to the load the models were built from."""

    continues: bool  # its first lines are the built load's (False without a recorded build)
    rows: int
    built_rows: int | None  # None: no build recorded


def load_continuity(database: str | Path) -> dict[str, Continuity]:
    """For each raw table feeding incremental models: does the last load continue the load
    they were built from?"""
    with duckdb.connect(str(database), read_only=True) as con:
        found = {
            table: Continuity(bool(continues), rows, built_rows)
            for table, continues, rows, built_rows in con.execute(
                """
                select loaded.table_name, loaded.continues_built, loaded.row_count, built.row_count
                from raw._loaded_tables as loaded
                left join raw._built_tables as built
                    on loaded.table_name = built.table_name
                """
            ).fetchall()
        }
    return {table: found.get(table, Continuity(False, 0, None)) for table in INCREMENTAL_SOURCES}


def decide_rebuild(
    breaks: dict,
    min_rebuild_row_share: float,
    say,
    *,
    check: str,
    what: str,
    advice: str,
    look,
    source: str = "",
) -> bool:
    """The incremental models' rebuild decision, for every source: `breaks` maps each table
    that does not continue the load they were built from to its continuity (rows, built_rows;
    built_rows None: no build recorded). A table with fewer than min_rebuild_row_share of the
    built rows would drop the history when rebuilt from: the raw gate stops the run, naming
    it (check `check.format(table=...)`, where to look `look(table)`). Otherwise any break
    means a full rebuild, said once per kind. `what` names a table of the source ("file",
    "table"), `advice` what the user should land instead, `source` prefixes "build"."""
    from lead_segmentation.gates import Finding, Gate, GateFailed

    shrunk = [
        Finding(
            check.format(table=table),
            f"{c.rows:,} rows, not a continuation of the {c.built_rows:,} rows the "
            f"incremental models were built from: rebuilding from this {what} would drop the "
            f"history (below raw.min_rebuild_row_share {min_rebuild_row_share}). "
            f"{advice}; or run with --full-refresh to rebuild from this data alone",
            look=look(table),
        )
        for table, c in breaks.items()
        if c.built_rows and c.rows < min_rebuild_row_share * c.built_rows
    ]
    if shrunk:
        raise GateFailed(Gate.RAW_CHECKS, shrunk)
    first = [table for table, c in breaks.items() if c.built_rows is None]
    other = [table for table in breaks if table not in first]
    if first:
        say(f"{', '.join(first)}: no {source}build recorded yet: building the incremental models in full")
    if other:
        say(
            f"{', '.join(other)}: not a continuation of the load the incremental models "
            "were built from: rebuilding them in full"
        )
    return bool(breaks)


def mark_built(database: str | Path) -> None:
    """Record that the models were built from the last load (after a successful dbt build)."""
    with duckdb.connect(str(database)) as con:
        con.execute(
            "create or replace table raw._built_tables as "
            "select table_name, row_count, row_fingerprint from raw._loaded_tables"
        )


def load_raw(raw_dir: str | Path, database: str | Path, *, quiet: bool = False) -> dict[str, int]:
    """Load every raw file into schema raw; return rows loaded per table. All or nothing."""
    raw_dir = Path(raw_dir)
    files = find_raw_files(raw_dir)
    private_dir(Path(database).parent)  # the work DB holds personal data: owner-only
    loaded_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    counts: dict[str, int] = {}
    # The same memory cap and spill folder as the dbt profile: at 10M events an uncapped load
    # takes 80% of RAM by default (7 GB measured), more than the whole build needs.
    temp_directory = os.environ.get("DUCKDB_TEMP_DIRECTORY", str(Path(database).parent / "tmp"))
    private_dir(temp_directory)  # spilled rows are raw rows
    con = duckdb.connect(
        str(database),
        config={
            "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "3GB"),
            "temp_directory": temp_directory,
        },
    )
    private_file(database)
    # The loader says what it loads, one line per table; DuckDB's own bar would redraw on the
    # output for each statement over 2 s (a flood of lines in a log file or CI output).
    con.execute("set enable_progress_bar = false")
    # Timestamps without an offset are UTC (the project's rule), whatever the machine's
    # zone; offsets convert to UTC (typed_expression).
    con.execute("set TimeZone = 'UTC'")
    try:
        con.execute("begin transaction")
        con.execute("create schema if not exists raw")
        con.execute(
            "create table if not exists raw._built_tables "
            "(table_name varchar, row_count bigint, row_fingerprint ubigint)"
        )
        con.execute(
            "create table if not exists raw._loaded_tables (table_name varchar, row_count bigint, "
            "row_fingerprint ubigint, continues_built boolean)"
        )
        for table, path in files.items():
            started = time.monotonic()
            temp = _staging_relation(con, table, path)
            _check_columns(con, table, path, temp)
            is_csv = path.suffix.lower() == ".csv"
            source_types = _source_types(con, temp)
            select_list = ",\n".join(
                f"{typed_expression(c, t, is_csv, source_types.get(c, 'VARCHAR'))} as \"{c}\""
                for c, t in RAW_TABLES[table]
            )
            con.execute(
                f"""
                create or replace table raw.{table} as
                select {select_list},
                    cast(_line_number as bigint) as _line_number,
                    cast({quote_literal(loaded_at.isoformat(sep=' '))} as timestamp) as _loaded_at
                from {temp}
                """
            )
            _check_values(con, table, path, temp, source_types)
            loaded = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            read = con.execute(f"select count(*) from {temp}").fetchone()[0]
            if loaded != read:  # defensive: the load must never lose a line
                raise RawLoadError(f"{path}: read {read} rows but loaded {loaded}")
            con.execute(f"drop table {temp}")
            _record_load_fingerprint(con, table)
            counts[table] = loaded
            if not quiet:
                print(
                    f"[load] {table:<20} {loaded:>12,} rows  {time.monotonic() - started:6.1f}s"
                    f"  ({path.name})",
                    file=sys.stderr,
                )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw-dir", required=True, type=Path, help="folder of <table>.csv|.parquet")
    parser.add_argument(
        "--database", default="warehouse/work.duckdb", type=Path, help="DuckDB file to load into"
    )
    args = parser.parse_args(argv)
    restrict_new_files()
    try:
        load_raw(args.raw_dir, args.database)
    except RawLoadError as exc:
        print(f"load refused: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
