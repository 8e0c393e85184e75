"""The demo data's planted truth is found (issue 16): the generator plants known effects
(lead_segmentation.demo.generate_raw, PLANTED_*: a demo request is the strongest signal of conversion in
the following weeks, leaders convert more, and the program's fast first response raises
conversion over the holdout's); the backtest, the learner and the experiment statistics must
recover them from the built warehouse.

Run at RECOVERY_SCALE (default 0.5: 10,000 people; the session's 0.05 holds a few dozen
conversions per date, too few to rank 38 rules by): one generation and one build of the
backtest and what it reads, without tests (the test command runs those elsewhere).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from conftest import PROJECT_DIR, TEST_AS_OF, TEST_SEED, run_dbt

from lead_segmentation.demo import generate_raw

RECOVERY_SCALE = float(os.environ.get("RECOVERY_SCALE", "0.5"))
SELECT = ["+tag:backtest", "+int_contacts_segmented"]
BUILD = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
HIGH_INTENT_FORMS = tuple(generate_raw.HIGH_INTENT_FORMS)  # the forms the generator plants as high intent


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    from lead_segmentation.demo.generate_raw import generate
    from lead_segmentation.load_raw import load_raw

    root = tmp_path_factory.mktemp("recovery")
    generate(scale=RECOVERY_SCALE, seed=TEST_SEED, out_dir=root / "raw", as_of=TEST_AS_OF, quiet=True)
    database = root / "work.duckdb"
    load_raw(root / "raw", database, quiet=True)
    run_dbt([*BUILD, "--select", *SELECT], database=database, target_path=root / "target")
    return database


def _rows(database: Path, sql: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.slow
def test_the_backtest_finds_the_planted_signals(warehouse):
    """Intent (which carries the planted form signals) and the segment rank future SQLs well
    above chance on every complete as-of date that has history before it (the demo's history
    starts a year before as-of, so the first month end has no signals yet)."""
    rows = _rows(
        warehouse,
        """select as_of_date, score_name, auc, top_decile_lift, positives
        from backtest.score_backtest
        where bucket_type = 'overall' and outcome = 'became_sql' and is_horizon_complete
            and as_of_date >= date '2025-07-31'
        order by 1, 2""",
    )
    by_score: dict[str, list[tuple]] = {}
    for _, score, auc, lift, positives in rows:
        by_score.setdefault(score, []).append((auc, lift, positives))
    assert len(by_score["intent"]) >= 7
    assert all(positives >= 50 for _, _, positives in by_score["intent"])
    intent_auc = [auc for auc, _, _ in by_score["intent"]]
    assert sum(intent_auc) / len(intent_auc) > 0.62
    assert min(intent_auc) > 0.55
    assert all(lift > 2 for _, lift, _ in by_score["intent"])
    segment_auc = [auc for auc, _, _ in by_score["segment"]]
    assert sum(segment_auc) / len(segment_auc) > 0.58


@pytest.mark.slow
def test_the_learner_ranks_the_strongest_planted_signal_first(warehouse, tmp_path):
    from lead_segmentation.backtest.learn import learn, write_proposal

    seeds = PROJECT_DIR / "seeds"
    before = {p: hashlib.sha256(p.read_bytes()).digest() for p in seeds.rglob("*.csv")}
    proposal = learn(warehouse, seeds)
    ranked = [row["rule"] for row in proposal.coefficients]
    assert ranked[0] == "intent:demo_request", ranked[:5]
    # the planted order of the form signals: demo_request > contact_sales > assessment_request
    assert ranked.index("intent:contact_sales") < ranked.index("intent:assessment_request")
    write_proposal(warehouse, seeds, tmp_path / "proposal")
    assert (tmp_path / "proposal" / "seeds.diff").read_text().strip()
    assert {p: hashlib.sha256(p.read_bytes()).digest() for p in seeds.rglob("*.csv")} == before


@pytest.mark.slow
def test_the_planted_treatment_effect_is_detected(warehouse):
    """Each person's first high-intent form (60+ days before as-of): a meeting booked within
    60 days after it, treatment vs holdout (the md5 group of the shipped model). The program's
    faster response converts more, with a Newcombe interval that excludes zero."""
    from lead_segmentation.backtest.experiments import compare

    forms = ", ".join(f"'{f}'" for f in HIGH_INTENT_FORMS)
    rows = _rows(
        warehouse,
        f"""
        with first_forms as (
            select contact_id, min(submitted_at) as first_at
            from intermediate.int_form_submissions_attributed
            where rejection_reason is null and form_name in ({forms})
                and submitted_at < timestamp '{TEST_AS_OF}' - interval 60 day
            group by contact_id
        )
        select g.is_holdout, count(*) as people,
            count(*) filter (where exists (
                select 1 from intermediate.int_sales_activities_attributed as a
                where a.rejection_reason is null and a.contact_id = f.contact_id and a.disposition = 'meeting_booked'
                    and a.occurred_at between f.first_at and f.first_at + interval 60 day
            )) as converted
        from first_forms as f
        inner join intermediate.int_contacts_segmented as g on f.contact_id = g.contact_id
        group by g.is_holdout
        """,
    )
    counts = {holdout: (int(converted), int(people)) for holdout, people, converted in rows}
    result = compare("all", counts[False], counts[True], min_group_size=30)
    assert result.difference is not None, counts
    assert result.low > 0, (counts, result)
