"""The gates a RevOps lead expects (issue 15): bad data never reaches the marts.

- a batch in which every email is invalid (so everyone would be suppressed and the next CRM
  sync would clear the CRM) stops at the mart gate, naming the suppressed and invalid-email
  shares; the run never prints or logs the planted personal data of a contact;
- a small batch (20 people) with one event type renamed upstream stops at the raw gate,
  while the same batch unrenamed passes it;
- the segment distribution is compared with the previous published run (PSI beyond sampling
  noise), skipped with a note when there is none or it used another scoring version;
- shares are judged by a Wilson lower bound plus a minimum row count (small batches).

The pipeline runs in a child process exactly as a user runs it (tests/pipeline_helpers.py).
"""

from __future__ import annotations

import datetime as dt
import shutil
import stat

import duckdb
import pytest

from conftest import TEST_AS_OF
from pipeline_helpers import (
    Warehouse,
    copy_raw,
    file_state,
    read_table,
    run_pipeline,
    write_table,
)

slow = pytest.mark.slow

PLANTED = {
    "email": "planted.person@example",  # no TLD: invalid, like every other email of the batch
    "first_name": "Zebedeeplanted",
    "last_name": "Quixoteplanted",
    "phone": "+44 7700 900123",
}


def last_run(database) -> dict:
    with duckdb.connect(str(database), read_only=True) as con:
        cur = con.execute("select * from ops.pipeline_runs order by started_at desc, run_id desc limit 1")
        names = [d[0] for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))


def invalidate_every_email(raw_dir) -> None:
    """Every contact's email malformed (an export whose email column broke), one contact
    carrying planted personal data."""
    header, rows = read_table(raw_dir, "crm_contacts")
    i = header.index("email")
    for n, row in enumerate(rows):
        row[i] = f"person{n} at example dot com"
    for column, value in PLANTED.items():
        rows[0][header.index(column)] = value
    write_table(raw_dir, "crm_contacts", header, rows)


def small_batch(source, target, people: int = 20):
    """A 20-person batch: the first `people` contacts of an export with their events and
    forms (the accounts, opportunities and activities exports stay whole, as a CRM sends them)."""
    copy_raw(source, target)
    header, contacts = read_table(target, "crm_contacts")
    keep = {row[header.index("contact_id")] for row in contacts[:people]}
    write_table(target, "crm_contacts", header, contacts[:people])
    for table in ("engagement_events", "form_submissions"):
        head, rows = read_table(target, table)
        write_table(target, table, head, [r for r in rows if r[head.index("contact_id")] in keep])
    return target


def rename_event_type(raw_dir, old: str, new: str) -> int:
    header, rows = read_table(raw_dir, "engagement_events")
    i = header.index("event_type")
    changed = 0
    for row in rows:
        if row[i] == old:
            row[i] = new
            changed += 1
    write_table(raw_dir, "engagement_events", header, rows)
    return changed


@slow
def test_a_batch_of_invalid_emails_stops_at_the_mart_gate_without_leaking_personal_data(
    generated_raw_dir, tmp_path
):
    raw = copy_raw(generated_raw_dir, tmp_path / "raw")
    invalidate_every_email(raw)
    place = Warehouse(tmp_path / "warehouse")

    run = run_pipeline(place, raw, TEST_AS_OF)

    assert run.returncode == 5, run.output[-8000:]
    assert "GATE FAILED: mart_checks" in run.stderr
    assert "marts.population.suppressed_share" in run.stderr
    assert "marts.population.invalid_email_share" in run.stderr
    assert "config marts.population.max_suppressed_share" in run.stderr
    assert not place.published_db.exists()
    logged = last_run(place.work_db)
    assert logged["failed_gate"] == "mart_checks"
    assert logged["failing_check"].startswith("marts.population.")
    # Files holding personal data are owner-only: the work DB, its folder, dbt's logs.
    assert stat.S_IMODE(place.work_db.stat().st_mode) == 0o600
    assert stat.S_IMODE(place.root.stat().st_mode) == 0o700
    assert stat.S_IMODE((place.target_path / "logs" / "dbt.log").stat().st_mode) == 0o600
    # The planted person's email, names and phone appear nowhere the run writes for people.
    logged_text = " ".join(str(v) for v in logged.values())
    for value in PLANTED.values():
        assert value not in run.output, value
        assert value not in logged_text, value


def test_a_small_batch_with_a_renamed_event_type_stops_at_the_raw_gate(generated_raw_dir, tmp_path):
    """20 people; `pricing_page_view` (a high-intent signal) arrives as `pricing_page_viewed`
    (an upstream rename): scores and routing would move silently. The overall unknown-share
    check lets it through (under its 10-row allowance); the per-value Wilson check stops it.
    The same batch without the rename passes the raw gate."""
    from lead_segmentation.gx_runner import GxSession
    from lead_segmentation.load_raw import load_raw
    from lead_segmentation.quality_config import load_config
    from lead_segmentation.raw_checks import run_raw_checks

    batch = small_batch(generated_raw_dir, tmp_path / "batch")
    clean_db = tmp_path / "clean.duckdb"
    load_raw(batch, clean_db, quiet=True)
    session = GxSession(tmp_path / "gx_docs", "clean", dt.datetime(2026, 6, 30, 12))
    run_raw_checks(clean_db, TEST_AS_OF, load_config(), session)  # passes: no exception

    renamed = rename_event_type(batch, "pricing_page_view", "pricing_page_viewed")
    assert 5 <= renamed <= 10, renamed  # a handful of rows: the old allowance absorbed them
    place = Warehouse(tmp_path / "warehouse")
    run = run_pipeline(place, batch, TEST_AS_OF)

    assert run.returncode == 3, run.output[-8000:]
    assert "raw.engagement_events.event_type.unknown_value_share" in run.stderr
    assert "'pricing_page_viewed'" in run.stderr and f"{renamed:,} of " in run.stderr
    assert "raw.engagement_events.event_type.unknown_values" not in run.stderr  # the old check
    assert not place.published_db.exists()


def test_segment_distribution_shift_against_the_published_run(built_warehouse, tmp_path):
    """The mart gate compares the segments with the published run: the same data passes; half
    the people moved to another segment stops the run; --accept-score-shift lets a real shift
    through with a note; no published file, or another scoring version, skips with a note."""
    from lead_segmentation import run_log
    from lead_segmentation.gates import GateFailed
    from lead_segmentation.gx_runner import GxSession
    from lead_segmentation.mart_checks import run_mart_checks
    from lead_segmentation.publish import publish
    from lead_segmentation.quality_config import load_config

    published = tmp_path / "published.duckdb"
    record = run_log.RunRecord(run_id="previous", as_of_date=TEST_AS_OF, started_at=run_log.utc_now())
    record.finish("published", 0)
    publish(built_warehouse.database, published, record)
    assert stat.S_IMODE(published.stat().st_mode) == 0o600  # owner-only, whatever the umask
    before = file_state(published)
    work = tmp_path / "work.duckdb"
    shutil.copy(built_warehouse.database, work)
    config = load_config()

    def check(**kwargs):
        session = GxSession(tmp_path / "gx_docs", "t", dt.datetime(2026, 6, 30, 12))
        return run_mart_checks(work, TEST_AS_OF, config, session, **kwargs)

    assert check().notes == ["score shift: no previous published run; skipped"]
    assert check(published_db=published).notes == []  # the same data: no shift

    with duckdb.connect(str(work)) as con:
        biggest = con.execute(
            "select segment from marts.lead_scores group by all order by count(*) desc limit 1"
        ).fetchone()[0]
        con.execute(f"update marts.lead_scores set segment = 'monitor' where segment = '{biggest}'")
    with pytest.raises(GateFailed) as failed:
        check(published_db=published)
    [finding] = [f for f in failed.value.findings if f.check.startswith("marts.score_shift")]
    assert finding.check == "marts.score_shift.segment_psi"
    assert f"{biggest} " in finding.detail and "--accept-score-shift" in finding.detail
    assert "config marts.score_shift.max_segment_psi" in finding.detail

    accepted = check(published_db=published, accept_score_shift=True)
    assert "accepted (--accept-score-shift)" in accepted.notes[0]
    with duckdb.connect(str(work)) as con:
        con.execute("update marts.lead_scores set scoring_version = 'v2'")
    assert "scoring_version v1, this one v2" in check(published_db=published).notes[0]
    assert file_state(published) == before  # read, never written


def test_psi_noise_and_wilson_bounds_scale_with_the_batch():
    from lead_segmentation.mart_checks import segment_psi
    from lead_segmentation.quality_config import load_config

    test = load_config().share_test
    # 20 of 20 suppressed fails a 50% limit; 12 of 20 does not; 600 of 1,000 does.
    assert test.exceeds(20, 20, 0.5) and not test.exceeds(12, 20, 0.5) and test.exceeds(600, 1000, 0.5)
    assert not test.exceeds(4, 4, 0.5)  # under wilson.min_rows: never judged
    # The same shares: PSI 0; the noise allowance shrinks as the batch grows.
    same = {"a": 10, "b": 10}
    assert segment_psi(same, same)[0] == pytest.approx(0)
    assert segment_psi({"a": 10, "b": 10}, {"a": 1, "b": 1})[1] > segment_psi(
        {"a": 1000, "b": 1000}, {"a": 1000, "b": 1000}
    )[1]
    assert segment_psi({"a": 500, "b": 500}, {"a": 900, "b": 100})[0] > 0.25


def test_a_refused_line_never_copies_personal_data_into_messages_or_the_run_log(
    generated_raw_dir, tmp_path
):
    """A contact line the loader refuses (a phone number in the updated_at column) is named by
    file, line and column; its email, names and phone reach neither stdout/stderr nor
    ops.pipeline_runs (published to every BI reader)."""
    raw = copy_raw(generated_raw_dir, tmp_path / "raw")
    header, rows = read_table(raw, "crm_contacts")
    for column, value in PLANTED.items():
        rows[4][header.index(column)] = value
    rows[4][header.index("updated_at")] = PLANTED["phone"]
    write_table(raw, "crm_contacts", header, rows)
    place = Warehouse(tmp_path / "warehouse")

    run = run_pipeline(place, raw, TEST_AS_OF)

    assert run.returncode == 2, run.output[-4000:]
    assert "crm_contacts.csv: line 6, column updated_at" in run.stderr
    logged = last_run(place.work_db)
    logged_text = " ".join(str(v) for v in logged.values())
    assert "line 6, column updated_at" in logged_text
    for value in PLANTED.values():
        assert value not in run.output and value not in logged_text, value


def test_error_texts_lose_their_quoted_values_and_person_columns_their_examples():
    from lead_segmentation.gates import without_values
    from lead_segmentation.gx_runner import PERSONAL_COLUMN

    text = "Conversion Error: Could not convert string 'jane.o''neil@acme.com' to INT64 in \"email\""
    assert without_values(text) == "Conversion Error: Could not convert string '...' to INT64 in \"email\""
    assert all(PERSONAL_COLUMN.search(c) for c in ("contact_id", "email", "first_name", "phone", "account_id"))
    assert not any(PERSONAL_COLUMN.search(c) for c in ("segment", "fit_grade", "motion", "priority"))
