"""The learner on a synthetic backtest with a known truth, and the proposal it writes."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import duckdb
import numpy as np
import pytest

from lead_segmentation.backtest import learn

PROJECT_DIR = Path(__file__).resolve().parents[3]
SEEDS = PROJECT_DIR / "seeds"


def _synthetic_backtest(path: Path, people: int = 3000, dates: int = 6, seed: int = 3) -> None:
    """Backtest tables where a fresh demo request multiplies the odds of becoming SQL by e^2,
    a security executive by e^0.7, and pricing page views do nothing."""
    rng = np.random.default_rng(seed)
    con = duckdb.connect(str(path))
    con.execute("create schema backtest")
    rows, fit, intent, outcomes, as_of = [], [], [], [], []
    for d in range(dates):
        day = f"2025-{d + 1:02d}-28"
        as_of.append((day, True))
        for p in range(people):
            cid = f"c{p:05d}"
            demo = rng.random() < 0.15
            execu = rng.random() < 0.3
            pricing = rng.random() < 0.4
            demo_units = rng.uniform(0.3, 1.0) if demo else 0.0
            logit = -3.0 + 2.0 * demo_units * 2 + 0.7 * execu
            positive = bool(rng.random() < 1 / (1 + math.exp(-logit)))
            rows.append((day, cid, None, 50 if execu else 20, 10, 12.0, execu and demo, True))
            fit.append((day, cid, "persona", "fit:persona_security_executive" if execu else "fit:persona_other", 25 if execu else 0))
            if demo:
                intent.append((day, cid, "demo_request", 40 * demo_units))
            if pricing:
                intent.append((day, cid, "pricing_page_view", 12 * rng.uniform(0.2, 3.0)))
            outcomes.append((day, cid, positive, False, False, 0.0))
    import pandas as pd

    tables = {
        "int_backtest_as_of_dates": pd.DataFrame(as_of, columns=["as_of_date", "is_horizon_complete"]),
        "int_backtest_contacts_scored": pd.DataFrame(
            rows,
            columns=["as_of_date", "contact_id", "account_id", "fit_score", "risk_score",
                     "contact_intent_score", "is_mql", "is_eligible"],
        ),
        "int_backtest_fit_contributions": pd.DataFrame(
            fit, columns=["as_of_date", "contact_id", "dimension", "reason_code", "points"]
        ),
        "int_backtest_risk_contributions": pd.DataFrame(
            [], columns=["as_of_date", "account_id", "risk_category", "reason_code", "points"]
        ),
        "int_backtest_intent_contributions": pd.DataFrame(
            intent, columns=["as_of_date", "contact_id", "signal", "decayed_points"]
        ),
        "int_backtest_contacts_outcomes": pd.DataFrame(
            outcomes,
            columns=["as_of_date", "contact_id", "became_sql", "opportunity_created",
                     "opportunity_won", "pipeline_usd"],
        ),
    }
    for name, frame in tables.items():
        con.register("frame", frame)
        date = "cast(as_of_date as date) as as_of_date, " if len(frame) else ""
        con.execute(f"create table backtest.{name} as select {date}* exclude (as_of_date) from frame"
                    if len(frame) else f"create table backtest.{name} as select * from frame")
        con.unregister("frame")
    con.execute("alter table backtest.int_backtest_risk_contributions alter as_of_date type date")
    con.execute("alter table backtest.int_backtest_risk_contributions alter account_id type varchar")
    con.execute("alter table backtest.int_backtest_risk_contributions alter reason_code type varchar")
    con.execute("alter table backtest.int_backtest_risk_contributions alter points type integer")
    con.close()


def _seed_hashes() -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(SEEDS.rglob("*.csv"))}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("learn") / "work.duckdb"
    _synthetic_backtest(path)
    return path


def test_the_learner_recovers_the_planted_order(synthetic):
    proposal = learn.learn(synthetic, SEEDS)
    ranked = [row["rule"] for row in proposal.coefficients]
    assert ranked[0] == "intent:demo_request"
    assert ranked[1] == "fit:persona_security_executive"
    coefficients = {row["rule"]: row for row in proposal.coefficients}
    # The true effects per unit: 4 (a fresh demo request) and 0.7; pricing views none.
    assert coefficients["intent:demo_request"]["coefficient_per_unit"] == pytest.approx(4.0, rel=0.25)
    assert coefficients["fit:persona_security_executive"]["coefficient_per_unit"] == pytest.approx(0.7, rel=0.3)
    assert abs(coefficients["intent:pricing_page_view"]["coefficient_per_unit"]) < 0.2
    # Train on the earlier dates, evaluate on the later ones.
    assert max(proposal.train_dates) < min(proposal.test_dates)
    learned = [r for r in proposal.comparison if r["score"] == "learned_model"]
    assert learned and all(r["auc"] > 0.6 for r in learned)


def test_suggested_points_keep_each_family_on_the_current_scale(synthetic):
    proposal = learn.learn(synthetic, SEEDS)
    for family in ("fit", "intent"):
        rows = [r for r in proposal.coefficients if r["family"] == family]
        current = sum(abs(r["current_points"]) for r in rows)
        suggested = sum(abs(r["suggested_points"]) for r in rows)
        assert abs(suggested - current) <= len(rows)  # equal up to rounding


def test_the_proposal_is_written_aside_and_the_seeds_are_untouched(synthetic, tmp_path):
    before = _seed_hashes()
    summary = learn.write_proposal(synthetic, SEEDS, tmp_path / "proposal")
    assert _seed_hashes() == before
    assert "intent:demo_request" in summary
    out = tmp_path / "proposal"
    for name in ("coefficients.csv", "comparison.csv", "comparison.md", "seeds.diff"):
        assert (out / name).is_file(), name
    diff = (out / "seeds.diff").read_text()
    assert "--- seeds/scoring/scoring_intent_signals.csv" in diff
    proposed = (out / "seeds" / "scoring" / "scoring_intent_signals.csv").read_text().splitlines()
    current = (SEEDS / "scoring" / "scoring_intent_signals.csv").read_text().splitlines()
    assert proposed[0] == current[0] and len(proposed) == len(current)
    # only the points column differs
    for new, old in zip(proposed[1:], current[1:], strict=True):
        n, o = new.split(","), old.split(",")
        assert n[:2] == o[:2] and n[3:] == o[3:]
    with pytest.raises(ValueError, match="never written under the seeds"):
        learn.write_proposal(synthetic, SEEDS, SEEDS / "proposal")


def test_too_little_to_learn_from_says_so(tmp_path):
    path = tmp_path / "work.duckdb"
    _synthetic_backtest(path, people=50, dates=1)
    with pytest.raises(learn.ProposalError, match="need 2"):
        learn.learn(path, SEEDS)


def test_metrics_match_their_definitions():
    scores = np.arange(1, 11, dtype=float)
    positives = np.array([0, 0, 0, 0, 1, 0, 0, 0, 1, 1])
    assert learn.auc(scores, positives) == pytest.approx(18 / 21)
    assert learn.top_decile_lift(scores, positives, np.arange(10)) == pytest.approx(1 / 0.3)
    assert learn.precision_recall(scores >= 8, positives) == pytest.approx((2 / 3, 2 / 3))
