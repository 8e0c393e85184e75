"""The HubSpot run's full-refresh decision (hubspot_job.decide_full_refresh) on a work database
whose connector tables are written here: the same load again is incremental, another load
rebuilds, and a table that shrank below raw.min_rebuild_row_share of the built load stops
the run at the raw gate naming it (--full-refresh overrides)."""

from __future__ import annotations

import argparse

import duckdb
import pytest

from lead_segmentation.gates import Gate, GateFailed
from lead_segmentation.quality_config import load_config
from lead_segmentation.sources import hubspot_continuity, hubspot_job


def land(database, rows: int, first_id: int = 1) -> None:
    """raw_hubspot.email_event with `rows` rows numbered from first_id, as the loader lands
    it (with _line_number); the other incremental tables absent (read as empty)."""
    con = duckdb.connect(str(database))
    try:
        con.execute("create schema if not exists raw_hubspot")
        con.execute(
            "create or replace table raw_hubspot.email_event as select "
            "cast(i as varchar) as id, 'OPEN' as type, "
            "cast(i - ? + 1 as bigint) as _line_number "
            "from range(?, ? + ?) as t(i)",
            [first_id, first_id, first_id, rows],
        )
    finally:
        con.close()


def decide(database, full_refresh: bool = False) -> tuple[bool, list[str]]:
    hubspot_continuity.record_load(database)
    said: list[str] = []
    args = argparse.Namespace(full_refresh=full_refresh, work_db=database)
    prepared = hubspot_job.PreparedSource({}, {}, {}, from_folder=True)
    return hubspot_job.decide_full_refresh(args, prepared, load_config(), said.append), said


def test_a_shrunk_connector_table_stops_the_run_naming_it(tmp_path):
    db = tmp_path / "work.duckdb"
    land(db, 100)
    rebuild, said = decide(db)
    assert rebuild is True and "no HubSpot build recorded yet" in said[0]
    hubspot_continuity.mark_built(db)

    land(db, 100)  # the same load again
    assert decide(db) == (False, [])
    land(db, 120)  # the built rows, then 20 new ones: continues
    assert decide(db) == (False, [])
    hubspot_continuity.mark_built(db)

    land(db, 80, first_id=500)  # another load, 80 of 120 rows (above the 0.5 share): rebuild
    rebuild, said = decide(db)
    assert rebuild is True and said == [
        "email_event: not a continuation of the load the incremental models were built from: "
        "rebuilding them in full"
    ]
    hubspot_continuity.mark_built(db)

    land(db, 30, first_id=900)  # 30 of 80 rows: only the new sync landed
    with pytest.raises(GateFailed) as refused:
        decide(db)
    assert refused.value.gate == Gate.RAW_CHECKS
    (finding,) = refused.value.findings
    assert finding.check == "hubspot.email_event.continuity"
    assert "30 rows" in finding.detail and "80 rows" in finding.detail
    assert finding.look == "raw_hubspot.email_event"
    assert decide(db, full_refresh=True) == (True, [])
