"""The demo as a continuing export (lead_segmentation.demo.continuing_export, pipeline.demo_raw_dir): a later
as-of is the earlier export plus the new days, so a daily demo run is incremental."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys


DAY1 = dt.date(2026, 6, 28)


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_later_demo_day_is_the_earlier_export_plus_new_days(tmp_path):
    from lead_segmentation import pipeline

    progress = pipeline.Progress(quiet=True)
    day1 = pipeline.demo_raw_dir(tmp_path, DAY1, 0.02, progress)
    day3 = pipeline.demo_raw_dir(tmp_path, DAY1 + dt.timedelta(days=2), 0.02, progress)
    assert day1 != day3
    end = dt.date.fromisoformat(json.loads((day1 / "_manifest.json").read_text())["series"]["end"])
    grew = 0
    for table, when in (
        ("engagement_events", "loaded_at"),
        ("form_submissions", "submitted_at"),
        ("sales_activities", "occurred_at"),
    ):
        early, late = _lines(day1 / f"{table}.csv"), _lines(day3 / f"{table}.csv")
        assert late[: len(early)] == early, f"{table}: the earlier export's lines changed"
        grew += len(late) - len(early)
        # nothing delivered after the day (rows dated past the series' end are clock-skew dirt)
        for row in _rows(day1 / f"{table}.csv"):
            if row[when]:
                day = dt.datetime.fromisoformat(row[when]).date()
                assert day <= DAY1 or day > end, (table, row[when])
    assert grew > 0, "two days later, nothing new was delivered"
    # The CRM tables are the state on the day: nothing updated or created after it.
    for table in ("crm_contacts", "crm_opportunities", "crm_accounts"):
        for row in _rows(day1 / f"{table}.csv"):
            # last_incident_at: the series is generated as of its last day, so an incident
            # after the export day had not happened yet (it used to reach the day-1 cut and the
            # raw gate stopped the README's first run on future timestamps).
            for column in ("updated_at", "created_at", "closed_at", "last_incident_at"):
                if row.get(column):
                    assert dt.datetime.fromisoformat(row[column]).date() <= DAY1, (table, column, row[column])
    # Same seed: cutting the same day again gives the same files.
    again = tmp_path / "again"
    pipeline.demo_raw_dir(again, DAY1, 0.02, progress)
    for path in day1.glob("*.csv"):
        assert path.read_bytes() == (again / "data" / "demo" / day1.parent.name / "raw" / path.name).read_bytes()


def test_old_demo_folders_and_killed_generations_are_cleaned_up(tmp_path):
    from lead_segmentation import pipeline

    progress = pipeline.Progress(quiet=True)
    root = tmp_path / "data" / "demo"
    root.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = root / f".2026-06-01.{dead.pid}.tmp"  # a generation whose process is gone
    stale.mkdir()
    live = root / f".2026-06-02.{os.getpid()}.tmp"  # a concurrent one: left alone
    live.mkdir()
    days = [DAY1 + dt.timedelta(days=n) for n in range(pipeline.DEMO_KEEP + 2)]
    for day in days:
        pipeline.demo_raw_dir(tmp_path, day, 0.02, progress)
    kept = sorted(p.name for p in root.iterdir() if not p.name.startswith("."))
    assert kept == [f"{d.isoformat()}-scale0.02" for d in days[-pipeline.DEMO_KEEP :]]
    assert not stale.exists() and live.exists()
    # one series served every day
    assert len([p for p in (root / ".series").iterdir() if not p.name.startswith(".")]) == 1
