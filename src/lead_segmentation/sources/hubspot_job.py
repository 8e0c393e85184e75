"""The main job's HubSpot source (`pipeline.py --source hubspot`): the load and raw-check
steps, in place of the six-file ones; the dbt build, the mart checks and the publish are the
job's own, unchanged.

    --raw-dir DIR            a folder of connector files (`contact.csv`, `email_event.csv`,
                             ...; `pages.csv`, `tracks.csv`, `identifies.csv` add Segment web
                             events): loaded into schemas raw_hubspot / raw_segment
    --source-database PATH   a DuckDB database holding the connector tables (schema
                             --source-schema, default `hubspot`; Segment's in schema `segment`
                             when present): attached READ_ONLY, nothing copied
    neither                  the demo population, converted to connector shape once per as-of
                             (data/demo/<as_of>/hubspot, beside the six-file demo)

A run from a folder is incremental, like a files run, while the connector tables the events
are made from continue the load the models were built from (hubspot_continuity.py); a
database read in place is rebuilt in full. The six-file continuity record is cleared, so a
later files run rebuilds in full too (and a files run clears the HubSpot one).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb

from lead_segmentation.gates import Finding, Gate, GateFailed
from lead_segmentation.load_raw import decide_rebuild
from lead_segmentation.sources import hubspot_continuity
from lead_segmentation.sources.hubspot_tables import ATTACHED_ALIAS, SOURCES, all_connector_tables
from lead_segmentation.sources.load_hubspot import (
    HubspotLoadError,
    attach_read_only,
    describe_attached,
    load_hubspot_folder,
)


@dataclasses.dataclass
class PreparedSource:
    raw_counts: dict[str, int]  # raw contract table -> connector rows feeding it
    variables: dict  # dbt vars that point the build at the connector tables
    connector_rows: dict[str, int]
    from_folder: bool = False  # loaded by the job (line numbers: incremental runs possible)


def demo_hubspot_dir(raw_dir: Path, say) -> Path:
    """The demo population in connector shape, converted once beside its six-file folder."""
    from lead_segmentation.sources.hubspot_shape import convert

    target = raw_dir.parent / "hubspot"
    if target.is_dir():
        say(f"demo data in HubSpot shape: {target} (cached)")
        return target
    staging = raw_dir.parent / f".hubspot.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        convert(raw_dir, staging)
        if not target.is_dir():
            os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(f"demo data in HubSpot shape: {target}")
    return target


def _raw_counts(connector_rows: dict[str, int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, table in all_connector_tables().items():
        if table.feeds:
            counts[table.feeds] = counts.get(table.feeds, 0) + connector_rows.get(name, 0)
    return counts


def _forget_built_files(work_db: Path) -> None:
    """The six-file continuity record no longer describes what the models hold."""
    con = duckdb.connect(str(work_db))
    try:
        has = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = '_built_tables'"
        ).fetchone()[0]
        if has:
            con.execute("delete from raw._built_tables")
    finally:
        con.close()


def load(args, raw_dir: Path | None, say) -> PreparedSource:
    """Step `load`: put the connector tables where dbt reads them (GateFailed RAW_LOAD)."""
    try:
        if args.source_database is not None:
            database = args.source_database.resolve()
            result = describe_attached(database, args.source_schema)
            segment = describe_attached(database, "segment", source="segment")
            has_segment = bool(segment.rows.get("pages") or segment.rows.get("tracks"))
            rows = dict(result.rows)
            if has_segment:
                rows.update(segment.rows)
            variables = {
                "crm_source": "hubspot",
                "hubspot_attach_path": str(database),
                "hubspot_database": ATTACHED_ALIAS,
                "hubspot_schema": args.source_schema,
            }
            if has_segment:
                variables.update(
                    segment_enabled=True, segment_database=ATTACHED_ALIAS, segment_schema="segment"
                )
            say(f"attached {database} read-only (schema {args.source_schema}); nothing copied")
            from_folder = False
        else:
            result = load_hubspot_folder(raw_dir, args.work_db, quiet=args.quiet)
            rows = result.rows
            variables = {"crm_source": "hubspot", "hubspot_schema": SOURCES["hubspot"][1]}
            if result.has_segment:
                variables.update(segment_enabled=True, segment_schema=SOURCES["segment"][1])
            from_folder = True
    except HubspotLoadError as exc:
        raise GateFailed(
            Gate.RAW_LOAD,
            [Finding("hubspot.load", str(exc), look=str(args.source_database or raw_dir))],
            where="fix the connector table named above; nothing was loaded",
        ) from exc
    if result.ignored:
        say(f"not read by the adapters (ignored): {', '.join(result.ignored)}")
    if result.missing:
        say(f"connector tables absent (read as empty): {', '.join(result.missing)}")
    _forget_built_files(args.work_db)
    if from_folder:
        hubspot_continuity.record_load(args.work_db)
    else:
        hubspot_continuity.forget_built(args.work_db)
    return PreparedSource(
        raw_counts=_raw_counts(rows), variables=variables, connector_rows=rows, from_folder=from_folder
    )


def decide_full_refresh(args, prepared: PreparedSource, config, say) -> bool:
    """Whether the build must rebuild the incremental models (see the module docstring).

    As for the six files (pipeline.decide_full_refresh): a connector table that does not
    continue the built load and holds fewer than raw.min_rebuild_row_share of its rows (a
    folder of only the new sync, a truncated export) stops the run at the raw gate, naming
    the table, instead of rebuilding the history from it (--full-refresh overrides)."""
    if args.full_refresh:
        return True
    if not prepared.from_folder:
        say("a database read in place has no line numbers: building the incremental models in full")
        return True
    return decide_rebuild(
        {c.table: c for c in hubspot_continuity.breaks(args.work_db)},
        config.min_rebuild_row_share,
        say,
        check="hubspot.{table}.continuity",
        what="table",
        advice="Land the connector's full table",
        look=lambda table: f"{all_connector_tables()[table].loaded_schema}.{table}",
        source="HubSpot ",
    )


def check(args, prepared: PreparedSource, as_of: dt.date, config, session):
    """Step `raw checks` on the connector tables (GateFailed RAW_CHECKS naming the table)."""
    from lead_segmentation.sources.hubspot_checks import run_hubspot_checks

    variables = prepared.variables
    if args.source_database is not None:
        con = duckdb.connect()
        attach_read_only(con, args.source_database.resolve())
        locations = {"hubspot": (ATTACHED_ALIAS, variables["hubspot_schema"])}
        if variables.get("segment_enabled"):
            locations["segment"] = (ATTACHED_ALIAS, variables["segment_schema"])
    else:
        con = duckdb.connect(str(args.work_db), read_only=True)
        catalog = con.execute("select current_database()").fetchone()[0]
        locations = {"hubspot": (catalog, variables["hubspot_schema"])}
        if variables.get("segment_enabled"):
            locations["segment"] = (catalog, variables["segment_schema"])
    try:
        return run_hubspot_checks(con, locations, as_of, config, session)
    finally:
        con.close()
