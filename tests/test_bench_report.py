"""scripts/dev/bench.py's report: what it says about dbt's fixed cost (the `--empty` build)."""

from __future__ import annotations

import json

from conftest import dev_script


def _load():
    return dev_script("bench")


HOST = {"nproc": 2, "cpu": "cpu", "memory_gb": 8, "os": "Linux", "python": "3.11", "versions": {},
        "duckdb_settings": {"threads": "2"}}


def _result(**extra) -> dict:
    return {
        "scale": 1.0, "date": "2026-12-05 17:00 UTC", "rows": {"engagement_events": 400000},
        "load_before": [0.5, 0.5, 0.5], "load_after": [0.7, 0.7, 0.7],
        "dbt_build": {"seconds": 14.0, "elapsed": 9.5, "nodes": 262, "peak_mb": 450,
                      "seconds_by_type": {"model": 6.0, "test": 9.0}, "top_models": [["m", 1.0]]},
        "incremental": {"seconds": 14.5, "seconds_by_type": {"model": 6.5}, "model_seconds": {"m": 0.5}},
        **extra,
    }


def test_the_empty_build_is_reported_with_the_time_outside_the_nodes():
    text = _load().render({"1": _result(dbt_build_empty={"seconds": 11.5, "elapsed": 7.0, "nodes": 262})}, HOST)
    assert "with `--empty` (no data processed: dbt's fixed cost of its 262 nodes): 11.5 s wall" in text
    assert "of which 4.5 s outside the nodes" in text
    assert "the full build's time outside the nodes: 4.5 s" in text


def test_results_from_before_the_empty_step_render_without_it():
    text = _load().render({"1": _result()}, HOST)
    assert "--empty" not in text
    assert "| m | 1.00 | 0.5 |" in text


def test_run_results_keeps_dbts_elapsed_time(tmp_path):
    (tmp_path / "run_results.json").write_text(json.dumps({
        "elapsed_time": 9.504,
        "results": [{"unique_id": "model.p.m", "execution_time": 1.234},
                    {"unique_id": "test.p.t", "execution_time": 0.5}],
    }))
    summary = _load().run_results(tmp_path)
    assert summary["elapsed"] == 9.5
    assert summary["seconds_by_type"] == {"model": 1.23, "test": 0.5}
    assert summary["top_models"] == [["m", 1.23]]
