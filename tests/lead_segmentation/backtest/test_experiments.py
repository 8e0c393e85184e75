"""Treatment vs holdout statistics: Wilson and Newcombe intervals, the minimum group size."""

from __future__ import annotations

import math

import duckdb
import pytest

from lead_segmentation.backtest import experiments as ex


def test_wilson_matches_published_values():
    # Newcombe (1998), table I: 81/263 -> 0.2553-0.3662; 0/10 -> 0-0.2775; 1/29 -> 0.0061-0.1718
    assert ex.wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert ex.wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert ex.wilson(1, 29) == pytest.approx((0.0061, 0.1718), abs=1e-4)
    assert all(math.isnan(v) for v in ex.wilson(0, 0))
    with pytest.raises(ValueError):
        ex.wilson(11, 10)


def test_newcombe_difference_matches_the_paper():
    # Newcombe (1998), method 10, example (a): 56/70 - 48/80 = 0.2000, 0.0524 to 0.3339.
    d, low, high = ex.newcombe(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert (low, high) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    # (b) 9/10 - 3/10 = 0.6, 0.1705 to 0.8090
    assert ex.newcombe(9, 10, 3, 10)[1:] == pytest.approx((0.1705, 0.8090), abs=1e-4)


def test_small_groups_are_too_few_to_tell():
    comparison = ex.compare("fast_track", (40, 100), (3, 12), min_group_size=30)
    assert comparison.treatment.rate == pytest.approx(0.4)
    assert comparison.holdout.rate is None and comparison.holdout.label == ex.TOO_FEW
    assert comparison.difference is None and comparison.verdict == ex.TOO_FEW
    enough = ex.compare("fast_track", (40, 100), (5, 50), min_group_size=30)
    assert enough.verdict == "treatment converts more" and enough.low > 0
    same = ex.compare("fast_track", (10, 100), (5, 50), min_group_size=30)
    assert same.verdict == "no difference shown" and same.low < 0 < same.high


def test_segment_experiments_read_segment_kpis():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        """create table marts.segment_kpis as select * from (values
        ('fast_track', 'treatment', 60, 30), ('fast_track', 'holdout', 5, 1),
        ('fast_track', 'treatment', 40, 10), ('monitor', 'treatment', 500, 20),
        ('monitor', 'holdout', 60, 1)) as t (segment, experiment_group, leads_entered, sqls)"""
    )
    rows = {r.segment: r for r in ex.segment_experiments(con, min_group_size=30)}
    assert rows["fast_track"].treatment.people == 100 and rows["fast_track"].treatment.conversions == 40
    assert rows["fast_track"].verdict == ex.TOO_FEW
    assert rows["monitor"].holdout.rate == pytest.approx(1 / 60)
    assert rows["all segments"].treatment.people == 600 and rows["all segments"].holdout.people == 65


def test_settings_come_from_dbt_project_vars(tmp_path):
    (tmp_path / "dbt_project.yml").write_text(
        "vars:\n  experiment_min_group_size: 50\n  experiment_confidence: 0.9\n"
    )
    assert ex.read_settings(tmp_path) == (50, 0.9)
    assert ex.read_settings(tmp_path / "missing") == (ex.DEFAULT_MIN_GROUP_SIZE, ex.DEFAULT_CONFIDENCE)
