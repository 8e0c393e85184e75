"""A second build with the same inputs and as-of leaves every mart, and updated_at, unchanged.

Reverse-ETL diffs lead_routing by record_hash and updated_at: a rebuild that moved
updated_at (or reordered anything) would resend every person on every run.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from conftest import run_dbt
from lead_segmentation.contract import PUBLIC_MARTS

pytestmark = pytest.mark.slow



def _marts(database) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {m: con.execute(f"select * from marts.{m} order by all").fetchall() for m in PUBLIC_MARTS}


def test_rebuild_with_same_inputs_changes_nothing(built_warehouse, tmp_path):
    database = tmp_path / "work.duckdb"
    shutil.copyfile(built_warehouse.database, database)
    before = _marts(database)
    # What a second `dbt build` does to the marts: snapshots record (nothing new), then the
    # marts rebuild from them.
    run_dbt(["snapshot"], database=database, target_path=tmp_path / "target")
    run_dbt(["run", "--select", "marts"], database=database, target_path=tmp_path / "target")
    after = _marts(database)
    for mart in PUBLIC_MARTS:
        assert len(after[mart]) == len(before[mart]) > 0, mart
        assert after[mart] == before[mart], f"{mart} changed on a rebuild with the same inputs"
    with duckdb.connect(str(database), read_only=True) as con:
        versions = con.execute(
            "select count(*), count(distinct contact_id) from snapshots.lead_routing_snapshot"
        ).fetchone()
    assert versions[0] == versions[1], "the rebuild recorded new routing versions"


def test_changed_routing_moves_updated_at_only_for_that_person(built_warehouse, tmp_path):
    database = tmp_path / "work.duckdb"
    shutil.copyfile(built_warehouse.database, database)
    with duckdb.connect(str(database)) as con:
        contact_id, motion = con.execute(
            "select contact_id, motion from marts.lead_routing "
            "where not is_suppressed order by contact_id limit 1"
        ).fetchone()
        before = dict(con.execute("select contact_id, updated_at from marts.lead_routing").fetchall())
        # The person opts out in the CRM: their routing becomes a suppression.
        con.execute(
            "update intermediate.int_contacts_merged set email_opt_out = true where contact_id = ?",
            [contact_id],
        )
    run_dbt(
        ["run", "--select", "int_contacts_suppressed+", "--exclude", "resource_type:snapshot"],
        database=database,
        target_path=tmp_path / "target",
    )
    run_dbt(["snapshot"], database=database, target_path=tmp_path / "target")
    run_dbt(["run", "--select", "marts"], database=database, target_path=tmp_path / "target")
    with duckdb.connect(str(database), read_only=True) as con:
        after = dict(con.execute("select contact_id, updated_at from marts.lead_routing").fetchall())
        row = con.execute(
            "select is_suppressed, suppression_reason, motion from marts.lead_routing where contact_id = ?",
            [contact_id],
        ).fetchone()
    assert row == (True, "opted_out", "suppressed"), (motion, row)
    moved = {c for c in before if after[c] != before[c]}
    assert moved == {contact_id}
    assert after[contact_id] > before[contact_id]
