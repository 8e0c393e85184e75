"""The model is configuration: one seed row edited, a rebuild, and exactly the affected scores move.

Edits demo_request's points (40 -> 60) in a copy of the project, rebuilds the scoring models in
a copy of the session's warehouse, and checks that every person's intent score moved by the
decayed extra points of their in-window demo requests, and nobody else's moved at all.
"""

from __future__ import annotations

import csv
import shutil

import duckdb
import pytest

from conftest import PROJECT_DIR, run_dbt

pytestmark = pytest.mark.slow

IGNORE = shutil.ignore_patterns(".venv*", "target*", "warehouse", "data", "logs", "__pycache__", ".git")


def _scores(database) -> dict[str, float]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            contact_id: float(score)
            for contact_id, score in con.execute(
                "select contact_id, contact_intent_score from intermediate.int_contacts_scored"
            ).fetchall()
        }


def test_editing_one_seed_row_moves_exactly_the_affected_scores(built_warehouse, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORE)
    seed = project / "seeds" / "scoring" / "scoring_intent_signals.csv"
    with seed.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    fieldnames = list(rows[0].keys())
    demo = [r for r in rows if r["signal"] == "demo_request"]
    assert len(demo) == 1 and float(demo[0]["points"]) == 40, "the shipped default changed"
    demo[0]["points"] = "60"
    with seed.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)

    database = tmp_path / "work.duckdb"
    shutil.copyfile(built_warehouse.database, database)
    before = _scores(database)
    run_dbt(
        ["seed", "--select", "scoring_intent_signals"],
        database=database,
        target_path=tmp_path / "target",
        project_dir=project,
    )
    run_dbt(
        ["run", "--select", "int_contacts_intent_decayed+", "--exclude", "resource_type:snapshot"],
        database=database,
        target_path=tmp_path / "target",
        project_dir=project,
    )
    after = _scores(database)

    # The expected move: +20 points per in-window demo request, decayed with its 21-day
    # half-life, for people whose score is not floored at 0 (unsubscribers may stay at 0).
    with duckdb.connect(str(database), read_only=True) as con:
        extra = dict(
            (contact_id, float(points))
            for contact_id, points in con.execute(
                f"""
                select contact_id,
                    sum(20 * power(0.5, (date '{built_warehouse.as_of}' - cast(submitted_at as date)) / 21.0))
                from intermediate.int_form_submissions_attributed
                where rejection_reason is null and form_name = 'demo_request'
                  and cast(submitted_at as date) between date '{built_warehouse.as_of}' - 180
                                                     and date '{built_warehouse.as_of}'
                group by contact_id
                """
            ).fetchall()
        )
    assert set(before) == set(after)
    moved = {c for c in before if abs(after[c] - before[c]) > 0.0001}
    assert moved, "no score moved: the seed is not read by the engine"
    assert moved <= set(extra), f"scores moved without a demo request: {sorted(moved - set(extra))[:5]}"
    for contact_id in moved:
        delta = after[contact_id] - before[contact_id]
        if before[contact_id] > 0:
            assert delta == pytest.approx(extra[contact_id], abs=0.011), contact_id
        else:  # was floored at 0 by negative signals: it moves by at most the extra points
            assert 0 < delta <= extra[contact_id] + 0.011, contact_id
    unmoved_with_demo = [c for c in extra if c not in moved and before[c] > 0]
    assert not unmoved_with_demo, f"demo requesters whose score did not move: {unmoved_with_demo[:5]}"
