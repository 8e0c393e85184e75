"""The demo as a continuing export: each day's demo data is the previous day's plus new days.

A real connector delivers the engagement history once and then appends each day's new rows;
the CRM tables are re-exported whole (the current state). The demo does the same, so a daily
demo run is incremental (the events and forms files continue the built ones) and the CRM sync
sees realistic daily changes:

- a *series* is one generated export (demo/generate_raw.py, the demo's scale and seed)
  reaching HORIZON_DAYS past the first as-of it served, with a history long enough that each
  day of the series still has the usual twelve months behind it;
- the demo data for an as-of D of the series is that export *cut* at D: events by their load
  time, forms and sales activities by their time (rows dated beyond the series' end, the
  generator's clock-skew dirt, are in every cut), the CRM tables in their state at D (each
  record's latest version updated by D; a record created by D whose versions all come later
  shows its first version as of its creation; a deal not closed by D is still open).
  The appended tables are stored sorted by that time, so the cut at a later D starts with the
  very lines of the cut at an earlier one (same seed: identical earlier lines, appended lines);
- an as-of outside every series starts a new one (that run rebuilds the incremental models in
  full, as for any export that does not continue the built one). Series and day folders are
  kept in data/demo/; the latest DEMO_KEEP day folders and SERIES_KEEP series are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import duckdb

from lead_segmentation.raw_schema import RAW_TABLES
from lead_segmentation.sql import quote_literal

# Daily exports one series serves after its first as-of (then a new series starts).
HORIZON_DAYS = 91
SERIES_KEEP = 2

# Tables that grow by appending, with the column that dates a row's delivery.
APPENDED = {
    "engagement_events": "loaded_at",
    "form_submissions": "submitted_at",
    "sales_activities": "occurred_at",
}
# Re-exported whole: (id column, created column or None).
# Columns of a CRM table holding a dated fact that is unknown before its date.
UNKNOWN_UNTIL_DATED = {"crm_accounts": ("last_incident_at",)}

VERSIONED = {
    "crm_accounts": ("account_id", None),
    "crm_contacts": ("contact_id", "created_at"),
    "crm_opportunities": ("opportunity_id", "created_at"),
}
OPEN_STAGE = "proposal"  # a deal closed after the as-of is still open on it


def _series_name(start: dt.date, scale: float, seed: int, default_scale: float) -> str:
    suffix = "" if scale == default_scale else f"-scale{scale:g}"
    return f"{start.isoformat()}-seed{seed}{suffix}"


def find_or_create_series(
    root: Path, as_of: dt.date, scale: float, seed: int, default_scale: float, generate, say
) -> tuple[Path, dict]:
    """The series whose days include `as_of` (created when there is none)."""
    series_root = root / ".series"
    series_root.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(series_root)
    for folder in sorted(series_root.iterdir()):
        meta_path = folder / "series.json"
        if not meta_path.exists():
            continue
        meta = json.loads(meta_path.read_text())
        start, end = dt.date.fromisoformat(meta["start"]), dt.date.fromisoformat(meta["end"])
        if meta["scale"] == scale and meta["seed"] == seed and start <= as_of <= end:
            return folder, meta
    end = as_of + dt.timedelta(days=HORIZON_DAYS)
    name = _series_name(as_of, scale, seed, default_scale)
    target = series_root / name
    staging = series_root / f".{name}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    say(f"demo data: a new export series from {as_of} to {end} (scale {scale:g}, seed {seed})")
    try:
        # The generator's twelve months behind the first day, plus the series' own days.
        # Scaled up by the longer history, so that the first day holds about `scale`'s rows.
        generate(scale=scale * (365 + HORIZON_DAYS) / 365, seed=seed, out_dir=staging / "generated",
                 as_of=end, fmt="csv", quiet=True, history_days=365 + HORIZON_DAYS)
        _sort_appended(staging / "generated", staging / "export", end)
        shutil.rmtree(staging / "generated")
        meta = {"start": as_of.isoformat(), "end": end.isoformat(), "scale": scale, "seed": seed}
        (staging / "series.json").write_text(json.dumps(meta, indent=2) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _keep_latest(series_root, SERIES_KEEP)
    return target, meta


def _csv(path: Path) -> str:
    return f"read_csv({quote_literal(path)}, all_varchar = true, header = true, auto_detect = false, " + (
        "columns = {" + ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in _columns(path)) + "})"
    )


def _columns(path: Path) -> list[str]:
    return [name for name, _ in RAW_TABLES[path.stem]]


def _copy(con, select: str, path: Path) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    con.execute(f"copy ({select}) to {quote_literal(temp)} (format csv, header true, delimiter ',', quote '\"')")
    os.replace(temp, path)


def _sort_appended(generated: Path, export: Path, end: dt.date) -> None:
    """The series' export: appended tables sorted by delivery time (rows always delivered
    first: no time, or dated past the series' end), the rest as generated."""
    export.mkdir(parents=True)
    after_end = quote_literal(end + dt.timedelta(days=1))
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = true")
        con.execute("set threads = 1")  # row_number() over () must follow the file's order
        for table in RAW_TABLES:
            source = generated / f"{table}.csv"
            if table not in APPENDED:
                shutil.copyfile(source, export / f"{table}.csv")
                continue
            when = f"try_cast({APPENDED[table]} as timestamp)"
            columns = ", ".join(f'"{c}"' for c in _columns(source))
            _copy(
                con,
                f"select {columns} from (select *, row_number() over () as _line from {_csv(source)}) "
                f"order by ({when} is null or {when} >= {after_end}::timestamp) desc, {when}, _line",
                export / f"{table}.csv",
            )


def cut(series: Path, meta: dict, as_of: dt.date, out_dir: Path) -> None:
    """The export as delivered on `as_of` (see the module's docstring)."""
    export = series / "export"
    out_dir.mkdir(parents=True, exist_ok=True)
    next_day = f"{quote_literal(as_of + dt.timedelta(days=1))}::timestamp"
    after_end = f"{quote_literal(dt.date.fromisoformat(meta['end']) + dt.timedelta(days=1))}::timestamp"
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = true")
        con.execute("set threads = 1")  # row_number() over () must follow the file's order
        for table in RAW_TABLES:
            source = export / f"{table}.csv"
            names = _columns(source)
            columns = ", ".join(f'"{c}"' for c in names)
            if table in APPENDED:
                when = f"try_cast({APPENDED[table]} as timestamp)"
                select = (
                    f"select {columns} from {_csv(source)} "
                    f"where {when} is null or {when} >= {after_end} or {when} < {next_day}"
                )
            else:
                select = _state_at(source, names, table, next_day)
            _copy(con, select, out_dir / f"{table}.csv")
    (out_dir / "_manifest.json").write_text(
        json.dumps({"generator": "lead_segmentation.demo.continuing_export", "series": meta, "as_of": as_of.isoformat()},
                   indent=2) + "\n"
    )


def _state_at(source: Path, names: list[str], table: str, next_day: str) -> str:
    key, created = VERSIONED[table]
    updated = "try_cast(updated_at as timestamp)"
    exists = "true" if created is None else f"coalesce(try_cast({created} as timestamp) < {next_day}, true)"
    first_version = {
        # a record whose versions all come later shows its first version as of its creation
        "updated_at": f"coalesce({created}, strftime({next_day} - interval 1 day, '%Y-%m-%d %H:%M:%S'))"
        if created else f"strftime({next_day} - interval 1 day, '%Y-%m-%d %H:%M:%S')",
        "is_deleted": "'false'",
    }
    if table == "crm_opportunities":
        closed_later = f"try_cast(closed_at as timestamp) >= {next_day}"
        first_version["stage"] = f"case when {closed_later} then {quote_literal(OPEN_STAGE)} else stage end"
        first_version["closed_at"] = f"case when {closed_later} then null else closed_at end"
    replaced = ", ".join(f'{first_version.get(c, chr(34) + c + chr(34))} as "{c}"' for c in names)
    columns = ", ".join(f'"{c}"' for c in names)
    # Facts dated after the export day had not happened yet on that day (the series is generated
    # as of its last day): an incident after it is not known at the cut.
    not_yet = {
        c: f'case when try_cast("{c}" as timestamp) >= {next_day} then null else "{c}" end as "{c}"'
        for c in UNKNOWN_UNTIL_DATED.get(table, ())
    }
    final = ", ".join(not_yet.get(c, f'"{c}"') for c in names)
    return f"""
        with rows as (
            select *, row_number() over () as _line from {_csv(source)}
        ),
        existing as (
            select *, coalesce({updated} < {next_day}, true) as _is_past from rows where {exists}
        ),
        has_past as (
            select {key} as _key, bool_or(_is_past) as _any from existing group by {key}
        ),
        chosen as (
            select {columns}, _line from existing where _is_past
            union all
            select {replaced}, _line from (
                select existing.*, row_number() over (partition by existing.{key} order by _line) as _n
                from existing join has_past on existing.{key} is not distinct from has_past._key
                where not has_past._any
            ) where _n = 1
        )
        select {final} from chosen order by _line
    """


def remove_stale_staging(folder: Path) -> None:
    """Remove `.<name>.<pid>.tmp` folders of generations that were killed (their process is
    gone); a live concurrent one is left alone."""
    if not folder.is_dir():
        return
    for entry in folder.glob(".*.tmp"):
        try:
            pid = int(entry.name.rsplit(".", 2)[-2])
        except (ValueError, IndexError):
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
        except PermissionError:
            pass


def _keep_latest(folder: Path, keep: int) -> None:
    entries = sorted(
        (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
    )
    for old in entries[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
