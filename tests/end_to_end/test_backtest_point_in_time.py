"""Point-in-time scoring (issue 16): scores as of a past date T use only what was known at T.

Two builds of the backtest on the same generated data, the second with facts planted after T
for a few people: later CRM versions of their contact and account records, events that
occurred after T, an event that occurred before T but was loaded after it, a form, a meeting
and an opportunity. Everything scored at T must be identical; the same facts must show at the
run's own date (so the plant took hold) and in the outcomes after T. Scoring as of the run's
own date must also give the shipped model's scores for every person (the backtest restates the
shipped rules per date; this is what keeps the two from drifting apart).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest

from conftest import TEST_AS_OF, run_dbt
from pipeline_helpers import read_table, write_table

T = dt.date(2026, 3, 31)
DATES = f"{T.isoformat()},{TEST_AS_OF.isoformat()}"
# The backtest and what it reads (the shipped scoring models for the comparison at as-of).
SELECT = ["+tag:backtest", "+int_contacts_qualified", "+int_contacts_segmented"]
BUILD = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
PLANTED = 3  # people with planted facts


@dataclasses.dataclass(frozen=True)
class Build:
    database: Path


def _build(root: Path, raw_dir: Path) -> Build:
    from lead_segmentation.load_raw import load_raw

    database = root / "work.duckdb"
    load_raw(raw_dir, database, quiet=True)
    run_dbt(
        [*BUILD, "--select", *SELECT],
        database=database,
        target_path=root / "target",
        extra_vars={"backtest_as_of_dates": DATES},
    )
    return Build(database)


def _rows(build: Build, sql: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(build.database), read_only=True) as con:
        return con.execute(sql).fetchall()


def _ts(day: dt.date, hour: int = 10) -> str:
    return f"{day.isoformat()} {hour:02d}:00:00"


def _plant(raw_dir: Path, people: list[tuple[str, str]]) -> None:
    """Facts dated after T for each (contact_id, account_id)."""
    after = [T + dt.timedelta(days=d) for d in (1, 2, 3, 5, 10, 20)]

    header, rows = read_table(raw_dir, "crm_contacts")
    col = {name: i for i, name in enumerate(header)}
    current = {}
    for row in rows:  # the latest line of each contact is a version like any other
        current[row[col["contact_id"]]] = row
    for contact_id, _ in people:
        version = list(current[contact_id])
        version[col["job_title"]] = "Chief Information Security Officer"
        version[col["lifecycle_stage"]] = "sql"
        # The last version of the export (ties go to the later line): current at as-of.
        version[col["updated_at"]] = f"{TEST_AS_OF.isoformat()} 23:59:59"
        rows.append(version)
    write_table(raw_dir, "crm_contacts", header, rows)

    header, rows = read_table(raw_dir, "crm_accounts")
    col = {name: i for i, name in enumerate(header)}
    current = {row[col["account_id"]]: row for row in rows}
    for _, account_id in people:
        version = list(current[account_id])
        version[col["employee_count"]] = "900"
        version[col["has_mfa"]] = "false"
        version[col["exposed_services_count"]] = "9"
        version[col["last_incident_at"]] = _ts(after[0])
        version[col["updated_at"]] = f"{TEST_AS_OF.isoformat()} 23:59:59"
        rows.append(version)
    write_table(raw_dir, "crm_accounts", header, rows)

    header, rows = read_table(raw_dir, "engagement_events")
    col = {name: i for i, name in enumerate(header)}
    for n, (contact_id, _) in enumerate(people):
        for k, day in enumerate(after):
            event = [""] * len(header)
            event[col["event_id"]] = f"evt_planted_{n}_{k}"
            event[col["contact_id"]] = contact_id
            event[col["event_type"]] = "pricing_page_view" if k % 2 else "webinar_attended"
            event[col["occurred_at"]] = _ts(day)
            event[col["loaded_at"]] = _ts(day, 11)
            event[col["source_system"]] = "web_analytics"
            event[col["topic"]] = "identity"
            rows.append(event)
        late = [""] * len(header)  # occurred the day before T, loaded two days after it
        late[col["event_id"]] = f"evt_planted_{n}_late"
        late[col["contact_id"]] = contact_id
        late[col["event_type"]] = "webinar_attended"
        late[col["occurred_at"]] = _ts(T - dt.timedelta(days=1))
        late[col["loaded_at"]] = _ts(after[1])
        late[col["source_system"]] = "webinar_platform"
        late[col["topic"]] = "identity"
        rows.append(late)
    write_table(raw_dir, "engagement_events", header, rows)

    header, rows = read_table(raw_dir, "form_submissions")
    col = {name: i for i, name in enumerate(header)}
    for n, (contact_id, _) in enumerate(people):
        form = [""] * len(header)
        form[col["submission_id"]] = f"sub_planted_{n}"
        form[col["contact_id"]] = contact_id
        form[col["form_name"]] = "demo_request"
        form[col["submitted_at"]] = _ts(after[3])
        form[col["primary_interest"]] = "identity"
        form[col["compliance_deadline"]] = (T + dt.timedelta(days=60)).isoformat()
        rows.append(form)
    write_table(raw_dir, "form_submissions", header, rows)

    header, rows = read_table(raw_dir, "sales_activities")
    col = {name: i for i, name in enumerate(header)}
    for n, (contact_id, _) in enumerate(people):
        activity = [""] * len(header)
        activity[col["activity_id"]] = f"act_planted_{n}"
        activity[col["contact_id"]] = contact_id
        activity[col["owner_id"]] = "usr_sdr_01"
        activity[col["activity_type"]] = "call"
        activity[col["occurred_at"]] = _ts(after[4])
        activity[col["disposition"]] = "meeting_booked"
        rows.append(activity)
    write_table(raw_dir, "sales_activities", header, rows)

    header, rows = read_table(raw_dir, "crm_opportunities")
    col = {name: i for i, name in enumerate(header)}
    for n, (contact_id, account_id) in enumerate(people):
        opportunity = [""] * len(header)
        opportunity[col["opportunity_id"]] = f"opp_planted_{n}"
        opportunity[col["account_id"]] = account_id
        opportunity[col["primary_contact_id"]] = contact_id
        opportunity[col["service_line"]] = "iam"
        opportunity[col["stage"]] = "closed_won"
        opportunity[col["amount_usd"]] = "50000.0"
        opportunity[col["created_at"]] = _ts(after[4])
        opportunity[col["closed_at"]] = _ts(after[5])
        opportunity[col["updated_at"]] = _ts(after[5])
        opportunity[col["is_deleted"]] = "false"
        rows.append(opportunity)
    write_table(raw_dir, "crm_opportunities", header, rows)


SCORED_AT = """
    select contact_id, account_id, fit_score, fit_grade, risk_score, risk_level, risk_band,
        contact_intent_score, intent_level, segment, lifecycle_stage, lead_status, is_eligible
    from backtest.int_backtest_contacts_scored where as_of_date = ? order by contact_id
"""
CONTRIBUTIONS_AT = """
    select 'fit', contact_id, reason_code, cast(points as double)
    from backtest.int_backtest_fit_contributions where as_of_date = '{t}'
    union all
    select 'risk', account_id, reason_code, cast(points as double)
    from backtest.int_backtest_risk_contributions where as_of_date = '{t}'
    union all
    select 'intent', contact_id, signal, round(decayed_points, 9)
    from backtest.int_backtest_intent_contributions where as_of_date = '{t}'
    order by 1, 2, 3
"""


@pytest.fixture(scope="module")
def builds(tmp_path_factory, generated_raw_dir):
    clean = _build(tmp_path_factory.mktemp("backtest_clean"), generated_raw_dir)
    # People eligible at T, at a known account, not yet security executives, with a single
    # contact record (no merge), so the planted versions are theirs alone.
    people = _rows(
        clean,
        f"""
        select s.contact_id, s.account_id
        from backtest.int_backtest_contacts_scored as s
        inner join intermediate.int_contacts_merged as c on s.contact_id = c.contact_id
        inner join intermediate.int_contacts_scored as i on s.contact_id = i.contact_id
        where not i.is_competitor and s.as_of_date = '{T}' and s.is_eligible and s.account_id is not null
            and c.merged_contact_count = 0
            and coalesce(c.job_title_clean, '') not like '%security%'
        order by s.contact_id
        limit {PLANTED}
        """,
    )
    assert len(people) == PLANTED
    planted_raw = tmp_path_factory.mktemp("backtest_planted_raw") / "raw"
    shutil.copytree(generated_raw_dir, planted_raw)
    _plant(planted_raw, people)
    planted = _build(tmp_path_factory.mktemp("backtest_planted"), planted_raw)
    return clean, planted, [p[0] for p in people]


@pytest.mark.slow
def test_facts_dated_after_t_change_nothing_at_t(builds):
    clean, planted, _ = builds
    assert _rows(clean, SCORED_AT.replace("?", f"'{T}'")) == _rows(
        planted, SCORED_AT.replace("?", f"'{T}'")
    )
    assert _rows(clean, CONTRIBUTIONS_AT.format(t=T)) == _rows(
        planted, CONTRIBUTIONS_AT.format(t=T)
    )


@pytest.mark.slow
def test_the_planted_facts_show_after_t(builds):
    """The plant took hold: at the run's date the planted people score differently, and at T
    their outcomes show the meeting and the won opportunity (the test above can fail)."""
    clean, planted, people = builds
    ids = ", ".join(f"'{p}'" for p in people)
    later = SCORED_AT.replace("?", f"'{TEST_AS_OF}'").replace(
        "order by", f"and contact_id in ({ids}) order by"
    )
    before, after = _rows(clean, later), _rows(planted, later)
    assert len(after) == len(people)
    for old, new in zip(before, after, strict=True):
        assert new[2] > old[2] or new[2] == 100, "the CISO title raised fit"
        assert new[11] == "sql", "the sql lifecycle version is current at the run's date"
    outcomes = _rows(
        planted,
        f"""select became_sql, opportunity_created, opportunity_won, pipeline_usd
        from backtest.int_backtest_contacts_outcomes
        where as_of_date = '{T}' and contact_id in ({ids})""",
    )
    assert outcomes == [(True, True, True, 50000.0)] * len(people)


@pytest.mark.slow
def test_scoring_as_of_the_run_date_gives_the_shipped_scores(builds):
    clean, _, _ = builds
    differences = _rows(
        clean,
        f"""
        select s.contact_id
        from intermediate.int_contacts_scored as s
        inner join intermediate.int_contacts_segmented as g on s.contact_id = g.contact_id
        inner join intermediate.int_contacts_qualified as q on s.contact_id = q.contact_id
        full outer join (
            select * from backtest.int_backtest_contacts_scored where as_of_date = '{TEST_AS_OF}'
        ) as b on s.contact_id = b.contact_id
        where s.contact_id is null or b.contact_id is null
            or s.fit_score is distinct from b.fit_score
            or s.fit_grade is distinct from b.fit_grade
            or s.risk_score is distinct from b.risk_score
            or s.risk_level is distinct from b.risk_level
            or s.risk_band is distinct from b.risk_band
            or s.contact_intent_score is distinct from b.contact_intent_score
            or s.intent_level is distinct from b.intent_level
            or g.segment is distinct from b.segment
            or g.is_holdout is distinct from b.is_holdout
            or q.lead_status is distinct from b.lead_status
        """,
    )
    assert differences == []
    assert _rows(clean, f"select count(*) from backtest.int_backtest_contacts_scored where as_of_date = '{TEST_AS_OF}'")[0][0] > 500
