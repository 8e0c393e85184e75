"""The backtest in the main job (issue 16): the daily run never builds it; `--backtest`
builds it after the daily build, publishes score_backtest with the other marts, and writes a
proposal of learned weights beside the published file without touching the seeds."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from conftest import PROJECT_DIR, TEST_AS_OF
from pipeline_helpers import Warehouse, run_pipeline


def _seed_hashes() -> dict:
    return {p: hashlib.sha256(p.read_bytes()).digest() for p in (PROJECT_DIR / "seeds").rglob("*.csv")}


@pytest.mark.slow
def test_backtest_runs_only_when_asked_and_is_published(tmp_path, generated_raw_dir):
    warehouse = Warehouse(tmp_path / "wh")
    daily = run_pipeline(warehouse, generated_raw_dir, TEST_AS_OF)
    assert daily.returncode == 0, daily.output[-5000:]
    with duckdb.connect(str(warehouse.work_db), read_only=True) as con:
        schemas = {r[0] for r in con.execute("select schema_name from duckdb_schemas()").fetchall()}
    assert "backtest" not in schemas, "the daily run built the backtest"
    with duckdb.connect(str(warehouse.published_db), read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert "score_backtest" not in tables

    seeds_before = _seed_hashes()
    backtest = run_pipeline(warehouse, generated_raw_dir, TEST_AS_OF, extra_args=["--backtest"])
    assert backtest.returncode == 0, backtest.output[-5000:]
    assert "backtest (dbt build --select tag:backtest): done" in backtest.output
    with duckdb.connect(str(warehouse.published_db), read_only=True) as con:
        dates, complete, runs = con.execute(
            """select count(distinct as_of_date), count(distinct as_of_date)
                filter (where is_horizon_complete), max(run_as_of_date)
            from marts.score_backtest"""
        ).fetchone()
        overall = con.execute(
            """select count(*) from marts.score_backtest
            where bucket_type = 'overall' and score_name = 'intent' and outcome = 'became_sql'"""
        ).fetchone()[0]
    # month ends 2025-06-30 .. 2026-05-31; horizons ending by 2026-06-30: up to 2026-03-31
    assert (dates, complete, str(runs)) == (12, 10, TEST_AS_OF.isoformat())
    assert overall == 12
    proposal = warehouse.root / "proposals" / TEST_AS_OF.isoformat()
    assert (proposal / "comparison.md").is_file() or "backtest proposal was not written" in backtest.output
    assert _seed_hashes() == seeds_before
