"""The report's "Does the score work?" data, from a hand-made published file."""

from __future__ import annotations

import duckdb
import pytest

from lead_segmentation.backtest import report_data


def _published(path):
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        """create table marts.score_backtest as select * replace (
            cast(rate as double) as rate, cast(lift as double) as lift,
            cast(pipeline_usd as double) as pipeline_usd, cast(auc as double) as auc,
            cast(top_decile_lift as double) as top_decile_lift,
            cast(mql_precision as double) as mql_precision, cast(mql_recall as double) as mql_recall
        ) from (values
        (date '2026-01-31', 90, true, 'intent', 'became_sql', 'overall', 'all', 100, 10, 0.1, 1.0, 0.0, 0.7, 3.0, null, null, date '2026-06-30'),
        (date '2026-01-31', 90, true, 'intent', 'became_sql', 'decile', '10', 10, 3, 0.3, 3.0, 0.0, null, null, null, null, date '2026-06-30'),
        (date '2026-01-31', 90, true, 'intent', 'became_sql', 'decile', '01', 10, 0, 0.0, 0.0, 0.0, null, null, null, null, date '2026-06-30'),
        (date '2026-02-28', 90, true, 'intent', 'became_sql', 'decile', '10', 30, 3, 0.1, 1.0, 0.0, null, null, null, null, date '2026-06-30'),
        (date '2026-02-28', 90, true, 'intent', 'became_sql', 'overall', 'all', 300, 12, 0.04, 1.0, 0.0, 0.6, 2.5, null, null, date '2026-06-30'),
        (date '2026-05-31', 90, false, 'intent', 'became_sql', 'overall', 'all', 300, 2, 0.01, 1.0, 0.0, 0.9, 9.0, null, null, date '2026-06-30'),
        (date '2026-01-31', 90, true, 'mql_rule', 'became_sql', 'overall', 'all', 100, 10, 0.1, 1.0, 0.0, 0.6, null, 0.2, 0.4, date '2026-06-30')
        ) as t (as_of_date, horizon_days, is_horizon_complete, score_name, outcome, bucket_type,
            bucket, people, positives, rate, lift, pipeline_usd, auc, top_decile_lift,
            mql_precision, mql_recall, run_as_of_date)"""
    )
    return con


def test_no_backtest_no_section(tmp_path):
    con = duckdb.connect(str(tmp_path / "p.duckdb"))
    con.execute("create schema marts")
    assert report_data.backtest_context(con, tmp_path / "p.duckdb") is None


def test_trends_use_complete_horizons_and_calibration_pools_dates(tmp_path):
    con = _published(tmp_path / "published.duckdb")
    context = report_data.backtest_context(con, tmp_path / "published.duckdb")
    assert [str(r["as_of_date"]) for r in context["trends"]["intent"]] == ["2026-01-31", "2026-02-28"]
    assert [r["auc"] for r in context["trends"]["intent"]] == [0.7, 0.6]
    top = [r for r in context["calibration"]["intent"] if r["decile"] == 10][0]
    assert top["people"] == 40 and top["rate"] == pytest.approx(6 / 40)
    assert context["mql"][0]["mql_precision"] == 0.2
    assert context["proposal"] is None


def test_the_latest_proposal_is_summarised(tmp_path):
    con = _published(tmp_path / "published.duckdb")
    for day, auc in (("2026-05-31", "0.5"), ("2026-06-30", "0.8")):
        folder = tmp_path / "proposals" / day
        folder.mkdir(parents=True)
        (folder / "comparison.csv").write_text(
            "as_of_date,score,rules,people,positives,auc,top_decile_lift\n"
            f"2026-01-31,intent,current,10,2,0.6,2.0\n2026-01-31,intent,suggested,10,2,{auc},3.0\n"
            f"2026-02-28,intent,suggested,10,2,{auc},1.0\n"
        )
    context = report_data.backtest_context(con, tmp_path / "published.duckdb")
    assert context["proposal_path"].endswith("2026-06-30")
    intent = [r for r in context["proposal"] if r["score"] == "intent"][0]
    assert intent["auc_current"] == pytest.approx(0.6) and intent["auc_suggested"] == pytest.approx(0.8)
    assert intent["top_decile_lift_suggested"] == pytest.approx(2.0)
