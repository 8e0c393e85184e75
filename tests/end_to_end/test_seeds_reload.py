"""Seeds reload only when they changed (issue 17; dbt_build.seeds_fingerprint).

The job's build records a fingerprint of seeds/ (content and seed configs) with the seed tables
it loaded in the work database (ops.seeds_fingerprint). The next build with the same seeds
leaves them out; a changed seed, or a recorded seed table that is gone, reloads them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import TEST_AS_OF
from pipeline_helpers import copy_project

slow = pytest.mark.slow


def seeds_run(target: Path) -> set[str]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1] for r in results if r["unique_id"].startswith("seed.")}


def test_fingerprint_follows_seed_content_and_configs(tmp_path):
    from lead_segmentation.dbt_build import seeds_fingerprint

    project = copy_project(tmp_path / "project")
    variables = {"as_of_date": TEST_AS_OF.isoformat()}
    first = seeds_fingerprint(project, variables)
    assert seeds_fingerprint(project, {"as_of_date": "2026-07-01"}) == first  # the date is not a seed
    assert seeds_fingerprint(project, {**variables, "segment_enabled": True}) != first
    csv = next((project / "seeds").rglob("*.csv"))
    csv.write_text(csv.read_text() + "\n")
    assert seeds_fingerprint(project, variables) != first
    second = seeds_fingerprint(project, variables)
    config = project / "dbt_project.yml"
    config.write_text(config.read_text().replace("    +full_refresh: true", "    +full_refresh: true\n    +quote_columns: false"))
    assert seeds_fingerprint(project, variables) != second


@slow
def test_unchanged_seeds_are_not_reloaded_and_a_changed_seed_is(built_warehouse, tmp_path, monkeypatch):
    from lead_segmentation.dbt_build import SEEDS_FINGERPRINT_TABLE, run_dbt_build, seeds_unchanged

    project = copy_project(tmp_path / "project")
    work = tmp_path / "work.duckdb"
    shutil.copy(built_warehouse.database, work)
    target = tmp_path / "target"
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    monkeypatch.setenv("DBT_LOG_PATH", str(target / "logs"))
    variables = {"as_of_date": TEST_AS_OF.isoformat()}

    def build() -> set[str]:
        run_dbt_build(project, work, variables, say=lambda _: None)
        return seeds_run(target)

    # nothing recorded yet (the session's build ran plain dbt): loads and records
    loaded = build()
    assert "scoring_segment_matrix" in loaded and len(loaded) >= 30
    with duckdb.connect(str(work), read_only=True) as con:
        recorded = json.loads(con.execute(f"select seed_tables from {SEEDS_FINGERPRINT_TABLE}").fetchone()[0])
    assert len(recorded) == len(loaded) and "config.scoring_segment_matrix" in recorded

    # same seeds: left out (the models and tests still run)
    assert build() == set()

    # a changed seed: all seeds reload, the new row is there
    keywords = project / "seeds" / "scoring" / "scoring_fit_free_email_domains.csv"
    with duckdb.connect(str(work), read_only=True) as con:
        before = con.execute("select count(*) from config.scoring_fit_free_email_domains").fetchone()[0]
    keywords.write_text(keywords.read_text().rstrip("\n") + "\nexample-free-mail.test\n")
    assert "scoring_fit_free_email_domains" in build()
    with duckdb.connect(str(work), read_only=True) as con:
        after = con.execute("select count(*) from config.scoring_fit_free_email_domains").fetchone()[0]
    assert after == before + 1
    assert build() == set()

    # a recorded seed table that is gone: reload
    with duckdb.connect(str(work)) as con:
        con.execute("drop table config.routing_parameters")
    from lead_segmentation.dbt_build import seeds_fingerprint

    assert not seeds_unchanged(work, seeds_fingerprint(project, variables))
    assert "routing_parameters" in build()
