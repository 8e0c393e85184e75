"""What the report's "Does the score work?" section shows, read from the published file
(marts.score_backtest) and the latest proposal beside it (docs/backtest.md). Plain data: the
report renders it."""

from __future__ import annotations

import csv
import math
from pathlib import Path

SCORES = ("fit", "risk", "intent", "segment")
DEFAULT_OUTCOME = "became_sql"


def _rows(con, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def has_backtest(con) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts' "
            "and table_name = 'score_backtest'"
        ).fetchone()[0]
    )


def latest_proposal(published_path: Path) -> Path | None:
    """The newest proposals/<as-of>/ folder beside the published file that holds a comparison."""
    root = Path(published_path).parent / "proposals"
    folders = sorted(p for p in root.glob("*") if (p / "comparison.csv").is_file()) if root.is_dir() else []
    return folders[-1] if folders else None


def proposal_summary(folder: Path) -> list[dict]:
    """comparison.csv averaged over its test dates: one row per score, current vs suggested."""
    with (folder / "comparison.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    def mean(values):
        numbers = [float(v) for v in values if v not in ("", None) and not math.isnan(float(v))]
        return sum(numbers) / len(numbers) if numbers else None

    out = []
    for score in ("fit", "risk", "intent", "learned_model", "mql_rule"):
        entry: dict = {"score": score}
        for version in ("current", "suggested"):
            chosen = [r for r in rows if r["score"] == score and r["rules"] == version]
            for metric in ("auc", "top_decile_lift", "mql_precision", "mql_recall"):
                entry[f"{metric}_{version}"] = mean(r.get(metric) for r in chosen)
        out.append(entry)
    return out


def backtest_context(con, published_path: Path, outcome: str = DEFAULT_OUTCOME) -> dict | None:
    """None without a published backtest; else the trends, the calibration and the proposal."""
    if not has_backtest(con):
        return None
    overall = _rows(
        con,
        """select as_of_date, score_name, people, positives, rate, auc, top_decile_lift,
            mql_precision, mql_recall, is_horizon_complete, horizon_days, run_as_of_date
        from marts.score_backtest
        where bucket_type = 'overall' and outcome = ?
        order by as_of_date, score_name""",
        [outcome],
    )
    complete_dates = sorted({r["as_of_date"] for r in overall if r["is_horizon_complete"]})
    trends = {
        score: [
            {"as_of_date": r["as_of_date"], "auc": r["auc"], "top_decile_lift": r["top_decile_lift"]}
            for r in overall
            if r["score_name"] == score and r["is_horizon_complete"]
        ]
        for score in SCORES
    }
    mql = [r for r in overall if r["score_name"] == "mql_rule" and r["is_horizon_complete"]]
    # Calibration: each decile's outcome rate, pooled over the complete dates (people-weighted).
    calibration_rows = _rows(
        con,
        """select score_name, bucket, sum(people) as people, sum(positives) as positives
        from marts.score_backtest
        where bucket_type = 'decile' and outcome = ? and is_horizon_complete
        group by score_name, bucket
        order by score_name, bucket""",
        [outcome],
    )
    calibration = {
        score: [
            {
                "decile": int(r["bucket"]),
                "people": int(r["people"]),
                "rate": (r["positives"] / r["people"]) if r["people"] else None,
            }
            for r in calibration_rows
            if r["score_name"] == score
        ]
        for score in SCORES
    }
    folder = latest_proposal(published_path)
    return {
        "outcome": outcome,
        "horizon_days": overall[0]["horizon_days"] if overall else None,
        "run_as_of_date": overall[0]["run_as_of_date"] if overall else None,
        "dates": sorted({r["as_of_date"] for r in overall}),
        "complete_dates": complete_dates,
        "trends": trends,
        "mql": mql,
        "calibration": calibration,
        "proposal": proposal_summary(folder) if folder else None,
        "proposal_path": str(folder) if folder else None,
    }
