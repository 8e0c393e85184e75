"""Incremental engagement processing gives the same warehouse as a full rebuild.

Day D is generated, loaded and built. Day D+1's export is D's files plus new rows (the demo
source is a full export of an append-only log, so the same seed at D+1 would be another data
set, not a superset): events of the new day, a late event, a re-delivery of an old event, an
earlier delivery of a recent event arriving late with other content, email-only and
future-dated events, new and re-delivered forms, a contact that makes earlier events of an
unknown contact_id resolve, and a contact that takes over an existing person by email (the
person's rows re-point to it). From D's state, D+1 is built twice: incrementally, and with
--full-refresh. Every mart, int_contacts_scored, the row reconciliation and the incremental
models themselves must agree row for row (snapshot-clock columns aside: each run stamps its
own start time), and the incremental run must really have kept D's rows instead of
rebuilding them.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import TEST_SEED, run_dbt
from lead_segmentation.contract import staged_models

pytestmark = pytest.mark.slow  # builds the test data with dbt (minutes)

SCALE = 0.02  # 8,000 events, 400 contacts: every kind of dirt, seconds per build
DAY = dt.date(2026, 6, 30)
NEXT_DAY = DAY + dt.timedelta(days=1)

# Built (seeds, models, snapshots) for both days; the data tests of the incremental models
# run separately on the incremental warehouse.
BUILD = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
# The files source's engagement staging models (named once: contract.staged_models).
(BASE_EVENTS,) = staged_models("base", "events")
(BASE_FORMS,) = staged_models("base", "form_submissions")
(STG_EVENTS,) = staged_models("stg", "events")
(STG_FORMS,) = staged_models("stg", "form_submissions")
INCREMENTAL_MODELS = [BASE_EVENTS, BASE_FORMS]

# Compared after both D+1 builds: (schema.table, columns left out). Left out: the snapshot
# clock (run start time, different for the two builds by construction) and what is derived
# from it; lineage columns of the loader.
COMPARED = {
    "marts.lead_scores": [],
    "marts.lead_routing": ["updated_at"],
    "marts.segment_matrix": [],
    "marts.segment_kpis": [],
    "marts.segment_transitions": ["transition_id", "transitioned_at"],
    "intermediate.int_contacts_scored": [],
    "intermediate.int_contacts_intent_decayed": [],
    "intermediate.int_contacts_intent_scored": [],
    "audit.dq_row_reconciliation": [],
    "audit.dq_rejected_rows": [],
    # _judged_at: when the run that wrote the row started (row_rules' rows_written_at)
    f"staging.{BASE_EVENTS}": ["_loaded_at", "_judged_at"],
    f"staging.{BASE_FORMS}": ["_loaded_at"],
    f"staging.{STG_EVENTS}": ["_judged_at"],
    f"staging.{STG_FORMS}": [],
    "intermediate.int_event_identities_attributed": [],
    "audit.dq_engagement_events_rejected": [],
    "intermediate.int_form_submissions_attributed": [],
}


# Events delivered more than once already (the planted deliveries must be their second).
SINGLE_DELIVERY = f"select event_id from staging.{BASE_EVENTS} where delivery_rank > 1"


def _ts(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _append_rows(path: Path, rows: list[dict]) -> None:
    """Append rows to a raw CSV in its header's column order (missing fields empty = NULL)."""
    with path.open("r", encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for row in rows:
            unknown = set(row) - set(header)
            assert not unknown, f"{path.name}: no column(s) {unknown}"
            writer.writerow(["" if row.get(c) is None else row[c] for c in header])


def _next_day_export(day_dir: Path, out_dir: Path, day_db: Path) -> dict:
    """D+1's files: D's files plus new rows chosen from D's built warehouse."""
    shutil.copytree(day_dir, out_dir)
    with duckdb.connect(str(day_db), read_only=True) as con:

        def one(sql: str) -> tuple:
            row = con.execute(sql).fetchone()
            assert row is not None, f"the generated data has no row for: {sql}"
            return row

        # People with a valid email, each used once below.
        people = con.execute(
            """
            select contact_id, email, created_at
            from intermediate.int_contacts_merged
            where is_email_valid and merged_contact_count = 0
            order by contact_id
            limit 6
            """
        ).fetchall()
        assert len(people) == 6
        # A recent kept event (loaded inside the lookback window) and an old one.
        recent = one(
            f"""
            select event_id, delivered_contact_id, event_type, occurred_at, loaded_at, topic
            from staging.{BASE_EVENTS}
            where row_status = 'kept' and delivered_contact_id is not null
              and loaded_at >= timestamp '{DAY} 00:00:00' and topic is not null
              and cast(occurred_at as date) <= date '{DAY}'
              and event_id not in ({SINGLE_DELIVERY})
            order by event_id limit 1
            """
        )
        old = one(
            f"""
            select event_id, delivered_contact_id, email, event_type, occurred_at, page_url,
                   campaign_id, source_system, topic, loaded_at
            from staging.{BASE_EVENTS}
            where row_status = 'kept' and loaded_at < timestamp '2026-06-01'
              and event_id not in ({SINGLE_DELIVERY})
            order by event_id limit 1
            """
        )
        unknown_contact = one(
            """
            select contact_id from audit.dq_engagement_events_rejected
            where rejection_reason = 'unknown_contact' order by contact_id limit 1
            """
        )[0]
        submission = one(
            f"""
            select submission_id, delivered_contact_id, email, form_name, submitted_at
            from staging.{BASE_FORMS}
            where row_status = 'kept' order by submission_id limit 1
            """
        )

    morning = dt.datetime.combine(NEXT_DAY, dt.time(9, 0))
    new_events = []
    for i, (contact_id, email, _) in enumerate(people[:4]):
        for j, (event_type, topic) in enumerate(
            [("pricing_page_view", "cloud"), ("webinar_attended", "mdr"), ("page_view", "identity")]
        ):
            at = morning + dt.timedelta(minutes=10 * i + j)
            new_events.append(
                {
                    "event_id": f"evt_d1_{i}_{j}",
                    "contact_id": contact_id,
                    "event_type": event_type,
                    "occurred_at": _ts(at),
                    "topic": topic,
                    "source_system": "web_analytics",
                    "loaded_at": _ts(at + dt.timedelta(minutes=5)),
                }
            )
    contact_a, email_b = people[0][0], people[1][1]
    new_events += [
        # unsubscribe and bounce today
        {"event_id": "evt_d1_unsub", "contact_id": contact_a, "event_type": "unsubscribe",
         "occurred_at": _ts(morning), "loaded_at": _ts(morning + dt.timedelta(hours=1))},
        {"event_id": "evt_d1_bounce", "contact_id": people[2][0], "event_type": "email_bounce",
         "occurred_at": _ts(morning), "loaded_at": _ts(morning + dt.timedelta(hours=1))},
        # no contact_id: the email names the person
        {"event_id": "evt_d1_by_email", "email": f"  {email_b.upper()} ",
         "event_type": "case_study_view", "occurred_at": _ts(morning), "topic": "compliance",
         "loaded_at": _ts(morning + dt.timedelta(hours=1))},
        # late: happened ten days ago, delivered today
        {"event_id": "evt_d1_late", "contact_id": people[3][0], "event_type": "pricing_page_view",
         "occurred_at": _ts(morning - dt.timedelta(days=10)), "topic": "incident_response",
         "loaded_at": _ts(morning + dt.timedelta(hours=2))},
        # clock skew: dated two days ahead
        {"event_id": "evt_d1_future", "contact_id": people[3][0], "event_type": "page_view",
         "occurred_at": _ts(morning + dt.timedelta(days=2)),
         "loaded_at": _ts(morning + dt.timedelta(hours=2))},
        # an unknown event type and a missing id
        {"event_id": "evt_d1_scroll", "contact_id": contact_a, "event_type": "page_scroll",
         "occurred_at": _ts(morning), "loaded_at": _ts(morning + dt.timedelta(hours=2))},
        {"event_id": "", "contact_id": contact_a, "event_type": "page_view",
         "occurred_at": _ts(morning), "loaded_at": _ts(morning + dt.timedelta(hours=2))},
    ]
    # A second delivery of an event held since early June: a duplicate.
    old_id, old_contact, old_email, old_type, old_at, old_url, old_campaign, old_source, old_topic, _ = old
    new_events.append(
        {"event_id": old_id, "contact_id": old_contact, "email": old_email, "event_type": old_type,
         "occurred_at": _ts(old_at), "page_url": old_url, "campaign_id": old_campaign,
         "source_system": old_source, "topic": old_topic,
         "loaded_at": _ts(morning + dt.timedelta(hours=3))}
    )
    # An earlier delivery of a recent event, arriving only now, with other content: it wins,
    # so the event moves to another day and topic and the delivery held becomes a duplicate.
    recent_id, recent_contact, recent_type, recent_at, recent_loaded, recent_topic = recent
    other_topic = "general" if recent_topic != "general" else "cloud"
    new_events.append(
        {"event_id": recent_id, "contact_id": recent_contact, "event_type": recent_type,
         "occurred_at": _ts(recent_at - dt.timedelta(days=2)), "topic": other_topic,
         "loaded_at": _ts(recent_loaded - dt.timedelta(hours=1))}
    )
    _append_rows(out_dir / "engagement_events.csv", new_events)

    sub_id, sub_contact, sub_email, sub_form, sub_at = submission
    _append_rows(
        out_dir / "form_submissions.csv",
        [
            {"submission_id": "sub_d1_demo", "contact_id": people[4][0], "form_name": "demo_request",
             "submitted_at": _ts(morning), "primary_interest": "mdr", "timeline": "now",
             "has_budget": "yes"},
            {"submission_id": "sub_d1_by_email", "email": people[5][1], "form_name": "assessment_request",
             "submitted_at": _ts(morning), "primary_interest": "compliance",
             "compliance_deadline": str(NEXT_DAY + dt.timedelta(days=90))},
            # a second delivery of a held submission: a duplicate
            {"submission_id": sub_id, "contact_id": sub_contact, "email": sub_email,
             "form_name": sub_form, "submitted_at": _ts(sub_at)},
        ],
    )

    # Contacts: one for the unknown contact_id (its events now resolve), and one sharing
    # person 6's email, created earlier: it becomes the survivor, person 6 merges into it.
    takeover_id, takeover_of = "con_d1_takeover", people[5]
    _append_rows(
        out_dir / "crm_contacts.csv",
        [
            {"contact_id": unknown_contact, "email": "now.known@example-corp.com",
             "first_name": "Now", "last_name": "Known", "job_title": "CISO", "country": "US",
             "lifecycle_stage": "lead", "email_opt_out": "false", "email_status": "valid",
             "created_at": _ts(morning), "updated_at": _ts(morning), "is_deleted": "false"},
            {"contact_id": takeover_id, "email": takeover_of[1], "first_name": "Take",
             "last_name": "Over", "job_title": "IT manager", "country": "DE",
             "lifecycle_stage": "lead", "email_opt_out": "false", "email_status": "valid",
             "created_at": _ts(takeover_of[2] - dt.timedelta(days=1)),
             "updated_at": _ts(morning), "is_deleted": "false"},
        ],
    )
    return {
        "unknown_contact": unknown_contact,
        "takeover_id": takeover_id,
        "taken_over": takeover_of[0],
        "recent_event": recent_id,
        "old_event": old_id,
    }


def _table(con: duckdb.DuckDBPyConnection, relation: str, dropped: list[str]) -> pd.DataFrame:
    frame = con.execute(f"select * from {relation}").df().drop(columns=dropped)
    for column in frame.columns:  # sums may add up in another order: compare at 1e-9
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].round(9)
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.sort_values(list(frame.columns), key=lambda s: s.astype(str)).reset_index(drop=True)


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    from lead_segmentation.demo.generate_raw import generate
    from lead_segmentation.load_raw import load_raw

    root = tmp_path_factory.mktemp("incremental")
    day_dir, next_dir = root / "raw_d", root / "raw_d1"
    generate(scale=SCALE, seed=TEST_SEED, out_dir=day_dir, as_of=DAY, fmt="csv", quiet=True)

    incremental_db, full_db = root / "incremental.duckdb", root / "full.duckdb"
    load_raw(day_dir, incremental_db, quiet=True)
    run_dbt(BUILD, database=incremental_db, target_path=root / "target_d", as_of=DAY)
    shutil.copy(incremental_db, full_db)  # both D+1 builds start from D's state
    with duckdb.connect(str(incremental_db), read_only=True) as con:
        day_load = con.execute("select max(_loaded_at) from raw.engagement_events").fetchone()[0]
    planted = _next_day_export(day_dir, next_dir, incremental_db)

    load_raw(next_dir, incremental_db, quiet=True)
    run_dbt(BUILD, database=incremental_db, target_path=root / "target_inc", as_of=NEXT_DAY)
    load_raw(next_dir, full_db, quiet=True)
    run_dbt([*BUILD, "--full-refresh"], database=full_db, target_path=root / "target_full", as_of=NEXT_DAY)
    return {
        "incremental": incremental_db,
        "full": full_db,
        "target": root / "target_tests",
        "day_load": day_load,
        **planted,
    }


def test_incremental_run_equals_full_refresh(two_builds):
    differing = []
    with duckdb.connect(str(two_builds["incremental"]), read_only=True) as inc, duckdb.connect(
        str(two_builds["full"]), read_only=True
    ) as full:
        for relation, dropped in COMPARED.items():
            a, b = _table(inc, relation, dropped), _table(full, relation, dropped)
            if len(a) == 0:
                differing.append(f"{relation}: empty")
            elif not a.equals(b):
                merged = a.merge(b, how="outer", indicator=True)
                only = merged[merged["_merge"] != "both"]
                differing.append(
                    f"{relation}: {len(a)} vs {len(b)} rows, {len(only)} differ, e.g.\n"
                    + only.head(6).to_string()
                )
    assert not differing, "incremental != full refresh:\n" + "\n".join(differing)


def test_incremental_run_kept_the_earlier_rows(two_builds):
    """The incremental build re-judged only what changed: most of D's rows are still the
    ones D's run wrote (their load time is D's), while the full refresh rewrote them all."""
    query = f"select count(*) filter (where _loaded_at = ?), count(*) from staging.{BASE_EVENTS}"
    with duckdb.connect(str(two_builds["incremental"]), read_only=True) as con:
        kept_from_day, total = con.execute(query, [two_builds["day_load"]]).fetchone()
    with duckdb.connect(str(two_builds["full"]), read_only=True) as con:
        assert con.execute(query, [two_builds["day_load"]]).fetchone()[0] == 0
    assert 0.5 * total < kept_from_day < total


def test_changes_on_the_next_day_reached_the_incremental_warehouse(two_builds):
    """The planted changes are visible (so the comparison above is not vacuous)."""
    with duckdb.connect(str(two_builds["incremental"]), read_only=True) as con:
        verdicts = dict(
            con.execute(
                f"""
                select event_id || '@' || cast(loaded_at as varchar), row_status
                from staging.{BASE_EVENTS}
                where event_id in (?, ?)
                """,
                [two_builds["recent_event"], two_builds["old_event"]],
            ).fetchall()
        )
        assert sorted(verdicts.values()) == ["duplicate", "duplicate", "kept", "kept"]
        # the persons the kept events of those contact ids are attributed to (per identity)
        persons = con.execute(
            f"""
            select distinct identities.contact_id
            from staging.{STG_EVENTS} as events
            inner join intermediate.int_event_identities_attributed as identities
                on identities.identity_type = 'contact_id'
                and events.delivered_contact_id = identities.identity_value
            where events.delivered_contact_id in (?, ?) and identities.rejection_reason is null
            """,
            [two_builds["unknown_contact"], two_builds["taken_over"]],
        ).fetchall()
        assert {p[0] for p in persons} == {two_builds["unknown_contact"], two_builds["takeover_id"]}
        signals = con.execute(
            "select count(*) from intermediate.int_contacts_intent_decayed where contact_id = ?",
            [two_builds["takeover_id"]],
        ).fetchone()[0]
        assert signals > 0


def test_data_tests_pass_on_the_incremental_warehouse(two_builds):
    run_dbt(
        # The backtest models read the incremental ones but are built on demand only.
        ["test", "--select", *[f"{m}+1" for m in INCREMENTAL_MODELS], "dq_row_reconciliation",
         "--exclude", "tag:backtest", "--exclude-resource-type", "unit_test"],
        database=two_builds["incremental"],
        target_path=two_builds["target"],
        as_of=NEXT_DAY,
    )
