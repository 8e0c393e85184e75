"""The run log: one row per pipeline run in `ops.pipeline_runs` (append-only).

Kept in the work database (every run, published or not) and copied into the published file
(the history as of that publish, this run included), so BI can show when the data it reads
was produced and from what. Printed as a short summary at the end of each run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from pathlib import Path

import duckdb

from lead_segmentation import raw_schema
from lead_segmentation.contract import OPS_SCHEMA, PUBLIC_MARTS, STAGING_MODELS

SCHEMA = OPS_SCHEMA
TABLE = "pipeline_runs"
RELATION = f"{SCHEMA}.{TABLE}"  # qualified, for queries on the default catalog

# (column, DuckDB type); the order is the table's.
COLUMNS: list[tuple[str, str]] = [
    ("run_id", "VARCHAR"),
    ("as_of_date", "DATE"),
    ("started_at", "TIMESTAMP"),  # naive UTC, as every timestamp of the project
    ("ended_at", "TIMESTAMP"),
    ("duration_seconds", "DOUBLE"),
    ("status", "VARCHAR"),  # published | failed (a gate stopped the run) | error (unexpected)
    ("exit_code", "INTEGER"),
    ("failed_gate", "VARCHAR"),  # raw_load | raw_checks | dbt_build | mart_checks | publish
    ("failing_check", "VARCHAR"),  # the first failed check
    ("failing_rows", "BIGINT"),  # rows concerned by that check
    ("failed_checks", "INTEGER"),  # how many checks failed at that gate
    ("message", "VARCHAR"),  # the full failure report
    ("raw_dir", "VARCHAR"),
    ("raw_rows", "BIGINT"),  # rows loaded into schema raw (all tables)
    ("staging_rows", "BIGINT"),  # rows of the clean staging models
    ("mart_rows", "BIGINT"),  # rows of the public marts
    ("row_counts", "VARCHAR"),  # JSON: {"raw": {table: n}, "staging": {...}, "marts": {...}}
    ("dbt_warnings", "INTEGER"),  # dbt tests at warn severity that found rows
    ("gx_docs", "VARCHAR"),  # Data Docs index of the run
    ("published_db", "VARCHAR"),  # the file published to (NULL when not published)
]



@dataclasses.dataclass
class RunRecord:
    run_id: str
    as_of_date: dt.date
    started_at: dt.datetime
    raw_dir: str | None = None
    ended_at: dt.datetime | None = None
    status: str = "running"
    exit_code: int | None = None
    failed_gate: str | None = None
    failing_check: str | None = None
    failing_rows: int | None = None
    failed_checks: int | None = None
    message: str | None = None
    row_counts: dict = dataclasses.field(default_factory=dict)
    dbt_warnings: int | None = None
    gx_docs: str | None = None
    published_db: str | None = None

    def finish(self, status: str, exit_code: int) -> None:
        self.status = status
        self.exit_code = exit_code
        self.ended_at = utc_now()

    def layer_total(self, layer: str) -> int | None:
        counts = self.row_counts.get(layer)
        return sum(counts.values()) if counts else None

    def values(self) -> list:
        duration = (self.ended_at - self.started_at).total_seconds() if self.ended_at else None
        return [
            self.run_id,
            self.as_of_date,
            self.started_at,
            self.ended_at,
            duration,
            self.status,
            self.exit_code,
            self.failed_gate,
            self.failing_check,
            self.failing_rows,
            self.failed_checks,
            self.message,
            self.raw_dir,
            self.layer_total("raw"),
            self.layer_total("staging"),
            self.layer_total("marts"),
            json.dumps(self.row_counts, sort_keys=True),
            self.dbt_warnings,
            self.gx_docs,
            self.published_db,
        ]


def utc_now() -> dt.datetime:
    """Naive UTC, second precision."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def new_run_id(started_at: dt.datetime) -> str:
    return f"{started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def ensure_table(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> str:
    """Create ops.pipeline_runs when missing; return its qualified name."""
    prefix = f"{catalog}." if catalog else ""
    con.execute(f"create schema if not exists {prefix}{SCHEMA}")
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS)
    con.execute(f"create table if not exists {prefix}{RELATION} ({columns})")
    return f"{prefix}{RELATION}"


def insert(con: duckdb.DuckDBPyConnection, record: RunRecord, catalog: str | None = None) -> None:
    relation = ensure_table(con, catalog)
    names = ", ".join(name for name, _ in COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    con.execute(f"insert into {relation} ({names}) values ({marks})", record.values())


def append(work_db: Path, record: RunRecord) -> None:
    """Append the run's row to the work database's log."""
    con = duckdb.connect(str(work_db))
    try:
        insert(con, record)
    finally:
        con.close()


def _existing(con: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [schema]
        ).fetchall()
    }


def count_layers(
    con: duckdb.DuckDBPyConnection,
    *,
    raw: bool = True,
    built: bool = True,
    staging: tuple[str, ...] = STAGING_MODELS,
) -> dict:
    """Rows per relation of each layer present in the work database. `staging`: the clean
    staging models of the source the build read (contract.staging_models; the work database
    may still hold another source's from an earlier run)."""
    counts: dict[str, dict[str, int]] = {}
    layers = []
    if raw:
        layers.append(("raw", "raw", list(raw_schema.RAW_TABLES)))
    if built:
        layers += [("staging", "staging", staging), ("marts", "marts", PUBLIC_MARTS)]
    for layer, schema, names in layers:
        present = _existing(con, schema)
        found = {
            name: con.execute(f"select count(*) from {schema}.{name}").fetchone()[0]
            for name in names
            if name in present
        }
        if found:
            counts[layer] = found
    return counts


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def summary(record: RunRecord, whole_seconds: float | None = None) -> str:
    """The short end-of-run summary. `whole_seconds`: the whole job, when it ran on after the
    run log's end (the report and docs site are written after publish)."""
    duration = (record.ended_at - record.started_at).total_seconds() if record.ended_at else 0.0
    if record.status == "published":
        status = f"PUBLISHED to {record.published_db}"
    elif record.status == "failed":
        rows = f" on {record.failing_rows:,} row(s)" if record.failing_rows is not None else ""
        status = f"STOPPED at gate {record.failed_gate}: {record.failing_check}{rows}"
        if record.failed_checks and record.failed_checks > 1:
            status += f" (+{record.failed_checks - 1} more)"
        status += "; published data unchanged"
    else:
        status = f"ERROR: {record.failing_check or 'unexpected error'}; published data unchanged"
    lines = [
        f"run {record.run_id}  as_of {record.as_of_date}  exit {record.exit_code}  {_duration(duration)}"
        + (
            f" (gated run; {_duration(whole_seconds)} with the report and docs)"
            if whole_seconds is not None and whole_seconds - duration >= 1
            else ""
        ),
        f"  {status}",
    ]
    layers = [
        f"{layer} {record.layer_total(layer):,}"
        for layer in ("raw", "staging", "marts")
        if record.layer_total(layer) is not None
    ]
    if layers:
        lines.append("  rows: " + " | ".join(layers))
    marts = record.row_counts.get("marts")
    if marts:
        lines.append("  marts: " + ", ".join(f"{k} {v:,}" for k, v in marts.items()))
    if record.dbt_warnings:
        lines.append(f"  dbt warnings: {record.dbt_warnings} (not fatal; see the dbt section above)")
    # No link to the GX Data Docs here: their pages load Bootstrap, jQuery and Vega from CDNs
    # and show blank without internet. Every failed check is in the message and the run log;
    # the Data Docs folder stays on disk (ops.pipeline_runs.gx_docs) for those online.
    return "\n".join(lines)
