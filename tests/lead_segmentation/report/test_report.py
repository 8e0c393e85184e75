"""The segment report (src/lead_segmentation/report/): generated from a published file, self-contained,
every segment on it, and every number on it equal to the published marts.

The published file is made by the real publish step (src/lead_segmentation/publish.py) from the session's
dbt build (conftest.built_warehouse). The page's numbers are read back from the data-value
attributes of its tables with Python's html.parser and compared with SQL / pandas over the
published file. The browser test renders the page in headless Chromium when the machine has
it and skips otherwise.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import numpy as np
import pytest

from conftest import PROJECT_DIR, TEST_AS_OF


from lead_segmentation.report import render

RUN_ID = "test-report-run"
RATE_FIELDS = {"mql_rate", "sql_rate", "customer_rate", "opportunity_rate", "won_rate",
               "won_opportunity_rate", "meetings_per_lead", "opportunities_per_lead", "pipeline_per_lead"}


def min_people() -> int:
    """report.min_people_for_rate: a rate on fewer people is not shown."""
    from lead_segmentation.quality_config import load_config

    return load_config().report.min_people_for_rate


# ---- reading the page back ------------------------------------------------------------------


@dataclasses.dataclass
class Page:
    tables: dict[str, list[dict]]  # table id -> rows: {"attrs": tr data-*, "cells": field -> raw}
    figures: dict[str, str]  # data-kpi -> data-value
    header: dict[str, str]  # data-* of the run header
    tags: list[tuple[str, dict]]  # every start tag with its attributes
    segment_marks: list[str]  # data-segment of the heatmap cells (SVG groups)
    sparkline_rows: list[str]  # data-segment of the KPI sparkline rows
    text: str  # all text content


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page({}, {}, {}, [], [], [], "")
        self._table: str | None = None
        self._sparks = False
        self._row: dict | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        self.page.tags.append((tag, a))
        if tag == "table":
            self._sparks = a.get("id") == "kpi-sparklines"
            if a.get("class") == "data":
                self._table = a["id"]
                self.page.tables[self._table] = []
        elif tag == "tr":
            if self._table:
                self._row = {"attrs": {k[5:]: v for k, v in a.items() if k.startswith("data-")}, "cells": {}}
                self.page.tables[self._table].append(self._row)
            elif self._sparks and "data-segment" in a:
                self.page.sparkline_rows.append(a["data-segment"])
        elif tag == "td" and self._row is not None and "data-field" in a:
            self._row["cells"][a["data-field"]] = a["data-value"]
        elif tag == "div" and "data-kpi" in a:
            self.page.figures[a["data-kpi"]] = a["data-value"]
        elif tag == "header" and a.get("id") == "run":
            self.page.header = {k[5:]: v for k, v in a.items() if k.startswith("data-")}
        elif tag == "g" and "data-segment" in a:
            self.page.segment_marks.append(a["data-segment"])

    def handle_endtag(self, tag):
        if tag == "table":
            if self._table:
                # A header row (th only) carries no data-field cells: drop it.
                self.page.tables[self._table] = [r for r in self.page.tables[self._table] if r["cells"]]
            self._table, self._row, self._sparks = None, None, False

    def handle_data(self, data):
        self._text.append(data)

    def close(self):
        super().close()
        self.page.text = "".join(self._text)


def read_page(path: Path) -> Page:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader.page


def num(raw: str):
    return None if raw == "" else float(raw)


def same(raw: str, expected, tol: float = 1e-9) -> bool:
    """The page's raw value equals the expected one (NULL = NULL; numbers within tol)."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return raw == ""
    if isinstance(expected, str):
        return raw == expected
    if hasattr(expected, "isoformat"):
        return raw == expected.isoformat()
    return raw != "" and math.isclose(float(raw), float(expected), rel_tol=tol, abs_tol=tol)


def iso(day) -> str:
    """ISO date of a date or a pandas Timestamp (pandas reads DuckDB dates as Timestamps)."""
    return day.date().isoformat() if hasattr(day, "to_pydatetime") else day.isoformat()


def table_by(page: Page, table_id: str, *keys: str) -> dict:
    rows = page.tables[table_id]
    out = {tuple(r["attrs"][k] for k in keys): r["cells"] for r in rows}
    assert len(out) == len(rows), f"{table_id}: duplicate keys"
    return out


# ---- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory, built_warehouse) -> Path:
    """The session's build published by the real publish step (marts, dq_row_reconciliation,
    ops.pipeline_runs with this run)."""
    from lead_segmentation import run_log
    from lead_segmentation.publish import publish

    path = tmp_path_factory.mktemp("report_published") / "published.duckdb"
    record = run_log.RunRecord(run_id=RUN_ID, as_of_date=TEST_AS_OF, started_at=run_log.utc_now())
    record.finish("published", 0)
    record.published_db = str(path)
    publish(built_warehouse.database, path, record)
    return path


@pytest.fixture(scope="module")
def built(published, tmp_path_factory) -> tuple[Path, Page]:
    out = tmp_path_factory.mktemp("report_out") / "report" / "index.html"
    assert render.build_report(published, out) == out
    return out, read_page(out)


@pytest.fixture(scope="module")
def published_without_reasons(published, tmp_path_factory) -> Path:
    """A published file from before dq_rejected_rows was published (the report degrades)."""
    path = tmp_path_factory.mktemp("report_no_reasons") / "published.duckdb"
    shutil.copyfile(published, path)
    with duckdb.connect(str(path)) as con:
        con.execute("drop table marts.dq_rejected_rows")
    return path


def query(path: Path, sql: str):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).df()


def rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


# ---- the page -------------------------------------------------------------------------------


def test_report_is_one_self_contained_page(built):
    out, page = built
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    tags = [t for t, _ in page.tags]
    # No script, no external stylesheet, image, frame or font: nothing to fetch.
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(tags)
    for _, attrs in page.tags:
        for name in ("src", "href"):
            if name in attrs:
                assert attrs[name].startswith("#"), f"external reference {name}={attrs[name]!r}"
    assert "@import" not in html and "url(" not in html
    # Every chart is inline SVG: the two heatmaps, the weekly chart, the sparklines, ...
    assert tags.count("svg") >= 2 + 1 + 5 * 12
    for section in ("matrix", "trends", "scores", "experiment", "quality", "runs"):
        assert ("section", {"id": section}) in page.tags, section


def test_report_shows_the_run(built, published):
    _, page = built
    version = rows(published, "select distinct scoring_version from marts.lead_scores")
    assert page.header == {
        "as-of-date": TEST_AS_OF.isoformat(),
        "scoring-version": version[0][0],
        "run-id": RUN_ID,
    }
    assert RUN_ID in page.text and TEST_AS_OF.isoformat() in page.text
    runs = table_by(page, "runs-data", "run-id")
    assert runs[(RUN_ID,)]["status"] == "published"


def test_report_has_every_segment_of_the_matrix(built, published):
    _, page = built
    segments = {r[0] for r in rows(published, "select segment from marts.segment_matrix")}
    assert len(segments) == 12
    assert {k[0] for k in table_by(page, "segment-matrix-data", "segment")} == segments
    # Both heatmaps draw every cell, and the KPI trends have a row per segment.
    assert sorted(page.segment_marks) == sorted(list(segments) * 2)
    assert set(page.sparkline_rows) == segments


def test_matrix_numbers_equal_the_mart(built, published):
    _, page = built
    shown = table_by(page, "segment-matrix-data", "segment")
    mart = query(published, "select * from marts.segment_matrix")
    fields = ["risk_band", "intent_level", "motion", "sla_hours", "contacts", "accounts",
              "share_of_contacts", "mql_rate", "sql_rate", "opportunity_rate", "won_rate"]
    for rec in mart.to_dict("records"):
        cells = shown[(rec["segment"],)]
        for field in fields:
            value = rec[field]
            value = None if value is None or (isinstance(value, float) and math.isnan(value)) else value
            if field in RATE_FIELDS and rec["contacts"] < min_people():
                value = None  # too few people: not shown
            if field == "sla_hours" and value is not None:
                value = int(value)
            assert same(cells[field], value), (rec["segment"], field, cells[field], value)


def test_key_figures_equal_the_marts(built, published):
    _, page = built
    (people, mqls, sqls, customers, holdout), = rows(
        published,
        "select count(*), count(*) filter (where is_marketing_qualified), "
        "count(*) filter (where is_sales_qualified), count(*) filter (where lead_status = 'customer'), "
        "count(*) filter (where is_holdout) from marts.lead_scores",
    )
    (suppressed,), = rows(published, "select count(*) from marts.lead_routing where is_suppressed")
    (rejected,), = rows(published, "select sum(rejected_rows) from marts.dq_row_reconciliation")
    assert {k: int(v) for k, v in page.figures.items()} == {
        "people": people, "mqls": mqls, "sqls": sqls, "customers": customers,
        "suppressed": suppressed, "holdout": holdout, "rejected_rows": rejected,
    }
    assert people > 0 and suppressed > 0


def test_weekly_kpis_equal_the_mart(built, published):
    _, page = built
    kpis = query(published, "select * from marts.segment_kpis")
    weeks = sorted(kpis["week_start"].unique())[-render.DEFAULT_WEEKS:]
    window = kpis[kpis["week_start"].isin(weeks)]
    counts = window.groupby(["week_start", "segment"])[["leads_entered", "mqls", "sqls"]].sum()
    treatment = window[window["experiment_group"] == "treatment"].set_index(["week_start", "segment"])
    shown = table_by(page, "kpi-trends-data", "week-start", "segment")
    assert len(shown) == len(counts) == len(weeks) * 12
    for (week, segment), rec in counts.iterrows():
        cells = shown[(iso(week), segment)]
        for field in ("leads_entered", "mqls", "sqls"):
            assert int(cells[field]) == int(rec[field]), (week, segment, field)
        for field in ("sla_met_rate", "median_first_response_minutes"):
            expected = treatment.loc[(week, segment), field]
            assert same(cells[field], None if expected is None or math.isnan(expected) else float(expected)), (
                week, segment, field, cells[field], expected)
    totals = table_by(page, "kpi-totals-data", "week-start")
    by_week = window.groupby("week_start")[["leads_entered", "mqls", "sqls"]].sum()
    assert {k[0] for k in totals} == {iso(w) for w in weeks}
    for week, rec in by_week.iterrows():
        assert [int(totals[(iso(week),)][f]) for f in ("leads_entered", "mqls", "sqls")] == [
            int(rec["leads_entered"]), int(rec["mqls"]), int(rec["sqls"])]
    # The window holds real activity, so the comparison above compared something.
    assert int(window["leads_entered"].sum()) > 0


def _expected_deciles(published: Path, score: str) -> dict[int, dict]:
    """Deciles computed in pandas, apart from the report's SQL: decile = ceil(10 x share of
    people with a score <= one's own)."""
    people = query(
        published,
        f"select {score} as score, lead_status, is_marketing_qualified, is_sales_qualified, has_opportunity,"
        " has_won_opportunity from marts.lead_scores",
    )
    people["score"] = people["score"].astype(float)
    n = len(people)
    ordered = np.sort(people["score"].to_numpy())
    at_or_below = np.searchsorted(ordered, people["score"].to_numpy(), side="right")
    people["decile"] = [-(-10 * int(k) // n) for k in at_or_below]  # ceil in integers
    out = {}
    for decile, group in people.groupby("decile"):
        out[int(decile)] = {
            "people": len(group),
            "min_score": group["score"].min(),
            "max_score": group["score"].max(),
            "mql_rate": group["is_marketing_qualified"].mean(),
            "sql_rate": group["is_sales_qualified"].mean(),
            "customer_rate": (group["lead_status"] == "customer").mean(),
            "opportunity_rate": group["has_opportunity"].mean(),
            "won_opportunity_rate": group["has_won_opportunity"].mean(),
        }
    return out


@pytest.mark.parametrize(("table_id", "score"), [("fit-deciles-data", "fit_score"),
                                                 ("intent-deciles-data", "contact_intent_score")])
def test_score_deciles_equal_the_mart(built, published, table_id, score):
    _, page = built
    shown = table_by(page, table_id, "decile")
    expected = _expected_deciles(published, score)
    assert {int(k[0]) for k in shown} == set(expected)
    for decile, want in expected.items():
        cells = shown[(str(decile),)]
        for field, value in want.items():
            if field in RATE_FIELDS and want["people"] < min_people():
                value = None  # too few people: not shown
            assert same(cells[field], value), (score, decile, field, cells[field], value)
    (people,), = rows(published, "select count(*) from marts.lead_scores")
    assert sum(int(c["people"]) for c in shown.values()) == people
    # lead_scores publishes each person's opportunity outcomes: the deciles show their rates.
    assert "opportunity_rate" in next(iter(shown.values()))
    assert "has no per-person opportunity outcome" not in page.text


def test_treatment_versus_holdout_equals_the_marts(built, published):
    _, page = built
    kpis = query(published, "select * from marts.segment_kpis")
    sums = kpis.groupby("experiment_group")[
        ["leads_entered", "mqls", "sqls", "meetings_booked", "opportunities_created",
         "opportunities_won", "pipeline_usd", "won_usd"]].sum()
    shown = table_by(page, "experiment-kpis-data", "experiment-group")
    assert {k[0] for k in shown} == {"treatment", "holdout"}
    for group, rec in sums.iterrows():
        cells = shown[(group,)]
        for field, value in rec.items():
            assert same(cells[field], float(value)), (group, field)
        assert same(cells["sql_rate"], float(rec["sqls"]) / float(rec["leads_entered"]))
        assert same(cells["mql_rate"], float(rec["mqls"]) / float(rec["leads_entered"]))
    people = query(
        published,
        "select case when is_holdout then 'holdout' else 'treatment' end as grp, count(*) as people, "
        "avg(case when is_sales_qualified then 1 else 0 end) as sql_rate from marts.lead_scores group by 1",
    )
    shown_people = table_by(page, "experiment-people-data", "experiment-group")
    for rec in people.to_dict("records"):
        assert int(shown_people[(rec["grp"],)]["people"]) == rec["people"]
        assert same(shown_people[(rec["grp"],)]["sql_rate"], rec["sql_rate"])
    by_segment = table_by(page, "experiment-segments-data", "segment", "experiment-group")
    (pairs,), = rows(published, "select count(*) from (select distinct segment, is_holdout from marts.lead_scores)")
    assert len(by_segment) == pairs


def test_data_quality_figures_equal_the_published_tables(built, published):
    _, page = built
    recon = query(published, "select * from marts.dq_row_reconciliation")
    shown = table_by(page, "dq-reconciliation-data", "table-name")
    assert len(shown) == len(recon) == 6
    for rec in recon.to_dict("records"):
        for field in ("raw_rows", "kept_rows", "duplicate_rows", "merged_rows", "rejected_rows"):
            assert int(shown[(rec["table_name"],)][field]) == rec[field]
    assert int(recon["duplicate_rows"].sum()) > 0 and int(recon["merged_rows"].sum()) > 0
    suppression = dict(rows(
        published,
        "select suppression_reason, count(*) from marts.lead_routing where is_suppressed group by 1",
    ))
    shown_supp = table_by(page, "dq-suppression-data", "suppression-reason")
    assert {k[0]: int(v["people"]) for k, v in shown_supp.items()} == suppression
    assert "undeliverable" in suppression
    # The pipeline publishes dq_rejected_rows: the page lists rejected rows by reason.
    assert "dq-rejected-data" in page.tables


def test_rejection_reasons_note_when_not_published(published_without_reasons, tmp_path):
    page = read_page(render.build_report(published_without_reasons, tmp_path / "index.html"))
    assert "dq-rejected-data" not in page.tables
    assert ("p", {"class": "note", "id": "dq-rejected-unavailable"}) in page.tags


def test_rejection_reasons_equal_the_audit_model(published, tmp_path, built_warehouse):
    out = render.build_report(published, tmp_path / "index.html")
    page = read_page(out)
    shown = table_by(page, "dq-rejected-data", "table-name", "rejection-reason")
    with duckdb.connect(str(built_warehouse.database), read_only=True) as con:
        expected = con.execute(
            "select table_name, rejection_reason, count(*) from audit.dq_rejected_rows group by 1, 2"
        ).fetchall()
    assert {(t, r): n for t, r, n in expected} == {k: int(v["rejected_rows"]) for k, v in shown.items()}
    assert len(expected) > 1
    assert "dq-rejected-unavailable" not in out.read_text()


def test_opportunity_outcomes_by_decile_follow_lead_scores(published, tmp_path):
    path = tmp_path / "published.duckdb"
    shutil.copyfile(published, path)
    with duckdb.connect(str(path)) as con:
        # Planted outcomes, so the top decile's rates are known whatever the demo data says.
        con.execute(
            "update marts.lead_scores set has_opportunity = fit_score >= 45, "
            "has_won_opportunity = fit_score >= 65"
        )
    page = read_page(render.build_report(path, tmp_path / "index.html"))
    shown = table_by(page, "fit-deciles-data", "decile")
    people = query(path, "select fit_score, has_opportunity, has_won_opportunity from marts.lead_scores")
    assert "has no per-person opportunity outcome" not in page.text
    top = str(max(int(k[0]) for k in shown))
    cells = shown[(top,)]
    lowest_top = float(cells["min_score"])
    in_top = people[people["fit_score"] >= lowest_top]
    assert same(cells["opportunity_rate"], in_top["has_opportunity"].mean())
    assert same(cells["won_opportunity_rate"], in_top["has_won_opportunity"].mean())


def test_text_from_the_data_is_escaped(published, tmp_path):
    path = tmp_path / "published.duckdb"
    shutil.copyfile(published, path)
    hostile = "<script>alert('x')</script> & \"quoted\""
    with duckdb.connect(str(path)) as con:
        con.execute("update marts.segment_matrix set motion = ? where segment = 'fast_track'", [hostile])
        con.execute("update marts.lead_routing set suppression_reason = ? where suppression_reason = 'competitor'",
                    ["<b>competitor</b>"])
    out = render.build_report(path, tmp_path / "index.html")
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "<b>competitor" not in html
    assert "&lt;script&gt;" in html
    page = read_page(out)
    assert not [t for t, _ in page.tags if t in ("script", "b")]
    assert table_by(page, "segment-matrix-data", "segment")[("fast_track",)]["motion"] == hostile
    assert hostile in page.text


def test_marts_without_rows_still_give_a_page(published, tmp_path):
    """A first run on an empty batch: the page says there is nothing, it does not crash."""
    path = tmp_path / "published.duckdb"
    shutil.copyfile(published, path)
    with duckdb.connect(str(path)) as con:
        for table in ("lead_scores", "lead_routing", "segment_kpis", "dq_row_reconciliation"):
            con.execute(f"delete from marts.{table}")
    page = read_page(render.build_report(path, tmp_path / "index.html"))
    assert page.header["as-of-date"] == TEST_AS_OF.isoformat()  # from segment_matrix
    assert page.figures["people"] == "0"
    assert page.tables["kpi-trends-data"] == [] and page.tables["fit-deciles-data"] == []
    assert "No weeks to show." in page.text


def test_published_file_is_opened_read_only_and_left_unchanged(published, tmp_path):
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    # A BI reader holds the file open read-only. DuckDB refuses a second connection in the same
    # process with another mode, so this also proves the report opens it read-only.
    with duckdb.connect(str(published), read_only=True) as bi:
        out = render.build_report(published, tmp_path / "index.html")
        assert bi.execute("select count(*) from marts.lead_scores").fetchone()[0] > 0
    assert out.exists()
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before


def test_command_line(published, tmp_path, capsys):
    out = tmp_path / "nested" / "index.html"
    assert render.main(["--published", str(published), "--out", str(out), "--weeks", "4"]) == 0
    assert out.exists()
    assert len(table_by(read_page(out), "kpi-totals-data", "week-start")) == 4
    assert render.main(["--published", str(tmp_path / "missing.duckdb"), "--out", str(out)]) == 1
    assert "no published file" in capsys.readouterr().err
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert render.main(["--published", str(empty), "--out", str(tmp_path / "x.html")]) == 1
    assert "lacks marts.lead_scores" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


# ---- in a browser ---------------------------------------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_report_parses_as_html(built):
    """Always runs (also without a browser): the page is well-formed enough for a parser to
    find its sections, tables and charts, and every table row has its cells."""
    out, page = built
    assert page.header["as-of-date"] == TEST_AS_OF.isoformat()
    for table_id, rows_ in page.tables.items():
        assert rows_, f"table {table_id} is empty"
        width = {len(r["cells"]) for r in rows_}
        assert len(width) == 1, f"table {table_id} has ragged rows"
    assert len(page.tables) >= 10


@pytest.mark.skipif(_chromium() is None, reason="no chromium on this machine (apt-get install -y chromium)")
def test_report_renders_in_headless_chromium(built, tmp_path):
    out, page = built
    browser = _chromium()
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "report.png"
    result = subprocess.run(
        [*flags, "--window-size=1280,2400", f"--screenshot={shot}", out.as_uri()],
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0 and shot.exists(), result.stderr[-3000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2400)
    assert len(data) > 50_000, "the screenshot is (nearly) blank"
    # The DOM as the browser built it: every section and every chart made it.
    dom = subprocess.run(
        [*flags, "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=180
    )
    assert dom.returncode == 0, dom.stderr[-3000:]
    for marker in ('id="segment-matrix-data"', 'id="kpi-sparklines"', 'id="dq-reconciliation-data"'):
        assert marker in dom.stdout
    assert dom.stdout.count("<svg") == [t for t, _ in page.tags].count("svg")


def test_mql_and_sql_come_from_the_published_flags(published, tmp_path):
    """The report counts MQLs and SQLs by lead_scores.is_marketing_qualified / is_sales_qualified
    (the one definition, int_contacts_qualified), not by re-deriving them from lead_status."""
    path = tmp_path / "published.duckdb"
    shutil.copyfile(published, path)
    with duckdb.connect(str(path)) as con:
        # Flags that disagree with lead_status on purpose: the report must follow the flags.
        con.execute("update marts.lead_scores set is_marketing_qualified = true, is_sales_qualified = false")
        (people,), = con.execute("select count(*) from marts.lead_scores").fetchall()
        (leads, sqls), = con.execute(
            "select count(*) filter (where lead_status = 'lead'), count(*) filter (where lead_status = 'sql')"
            " from marts.lead_scores"
        ).fetchall()
    assert leads > 0 and sqls > 0  # the flags now disagree with lead_status both ways
    page = read_page(render.build_report(path, tmp_path / "index.html"))
    assert int(page.figures["mqls"]) == people and int(page.figures["sqls"]) == 0
    for row in table_by(page, "experiment-people-data", "experiment-group").values():
        assert same(row["mql_rate"], 1.0) and same(row["sql_rate"], 0.0)
    for deciles in ("fit-deciles-data", "intent-deciles-data"):
        for row in table_by(page, deciles, "decile").values():
            if int(row["people"]) >= min_people():
                assert same(row["mql_rate"], 1.0) and same(row["sql_rate"], 0.0)


def test_a_file_published_before_the_flags_is_refused(published, tmp_path, capsys):
    path = tmp_path / "published.duckdb"
    shutil.copyfile(published, path)
    with duckdb.connect(str(path)) as con:
        con.execute("alter table marts.lead_scores drop column is_marketing_qualified")
    assert render.main(["--published", str(path), "--out", str(tmp_path / "x.html")]) == 1
    assert "lacks is_marketing_qualified" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


# ---- rates on too few people, legends ---------------------------------------------------------


def test_rates_on_too_few_people_are_not_shown(published, tmp_path):
    """A holdout of one person who became an SQL must not read "100%": below
    report.min_people_for_rate the rate is blank (–, no bar), the count stays."""
    path = tmp_path / "published.duckdb"
    shutil.copyfile(published, path)
    with duckdb.connect(str(path)) as con:
        con.execute("update marts.lead_scores set is_holdout = false")
        con.execute(
            "update marts.lead_scores set is_holdout = true, lead_status = 'sql', is_marketing_qualified = true, "
            "is_sales_qualified = true "
            "where contact_id = (select min(contact_id) from marts.lead_scores)"
        )
        con.execute("delete from marts.segment_kpis where experiment_group = 'holdout'")
        con.execute(
            "insert into marts.segment_kpis by name select * replace ('holdout' as experiment_group, "
            "1 as leads_entered, 1 as mqls, 1 as sqls) from marts.segment_kpis limit 1"
        )
    page = read_page(render.build_report(path, tmp_path / "index.html"))
    holdout = table_by(page, "experiment-people-data", "experiment-group")[("holdout",)]
    assert holdout["people"] == "1" and holdout["sql_rate"] == "" and holdout["mql_rate"] == ""
    treatment = table_by(page, "experiment-people-data", "experiment-group")[("treatment",)]
    assert treatment["sql_rate"] != ""
    funnel = table_by(page, "experiment-kpis-data", "experiment-group")[("holdout",)]
    assert funnel["leads_entered"] == "1" and funnel["sql_rate"] == ""
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "SQLs / lead: holdout 100.0%" not in html and "MQLs / lead: holdout 100.0%" not in html
    assert f"A rate on fewer than {min_people()} people is not shown" in page.text
    # the matrix: a cell of fewer people shows its count, no rate
    small = [r for r in table_by(page, "segment-matrix-data", "segment").values()
             if 0 < int(r["contacts"]) < min_people()]
    assert all(r["sql_rate"] == "" for r in small)


def test_every_series_has_a_legend_entry_inside_the_chart():
    """The decile charts draw five series on 530 px: the fifth (won rate) used to be keyed
    past the right edge. Legend entries wrap onto a new line instead."""
    import re

    from lead_segmentation.report.charts import grouped_bars_svg

    names = ["MQL rate (mql or sql)", "SQL rate", "Customer rate", "Opportunity rate", "Won rate"]
    svg = str(grouped_bars_svg(["D1", "D2"], ["0-10", "11-20"],
                               [(n, "#123456", [0.1, 0.2]) for n in names], label="deciles"))
    width = float(re.search(r'viewBox="0 0 ([0-9.]+) ', svg).group(1))
    keys = re.findall(r'<rect x="([0-9.]+)" y="([0-9.]+)" width="11" height="11"', svg)
    assert len(keys) == len(names)
    for (x, _), name in zip(keys, names):
        assert float(x) + 15 + 6.6 * len(name) <= width, name
        assert f">{name}<" in svg
    assert len({y for _, y in keys}) == 2  # wrapped onto a second line
# ---- issue 16: intervals and "Does the score work?" -----------------------------------------


def test_experiment_intervals_equal_wilson_and_newcombe_on_segment_kpis(built, published):
    from lead_segmentation.backtest import experiments as ex

    _, page = built
    shown = table_by(page, "experiment-intervals-data", "segment")
    sums = query(
        published,
        "select segment, experiment_group, sum(leads_entered) as n, sum(sqls) as k "
        "from marts.segment_kpis group by 1, 2",
    )
    counts: dict = {}
    for rec in sums.to_dict("records"):
        counts.setdefault(rec["segment"], {})[rec["experiment_group"]] = (int(rec["k"]), int(rec["n"]))
    minimum, confidence = ex.read_settings(PROJECT_DIR)
    too_few = 0
    for segment, groups in counts.items():
        want = ex.compare(segment, groups.get("treatment", (0, 0)), groups.get("holdout", (0, 0)),
                          minimum, confidence)
        cells = shown[(segment,)]
        assert same(cells["treatment_rate"], want.treatment.rate)
        assert same(cells["holdout_rate"], want.holdout.rate)
        assert same(cells["difference"], want.difference)
        assert cells["verdict"] == want.verdict
        if want.holdout.rate is None:
            too_few += 1
            assert cells["holdout_interval"] == ex.TOO_FEW
    assert ("all segments",) in shown
    # The session's 1,000 people leave most holdout groups under the minimum: the page says so.
    assert too_few > 0 and ex.TOO_FEW in page.text


def test_without_a_backtest_the_section_says_how_to_get_one(built):
    _, page = built
    assert "Does the score work?" in page.text
    assert "run.sh --backtest" in page.text
    assert "backtest-trends-data" not in page.tables


def test_backtest_section_equals_score_backtest(published, tmp_path):
    path = tmp_path / "published.duckdb"
    shutil.copyfile(published, path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            """create table marts.score_backtest as
            select cast(as_of_date as date) as as_of_date, 90 as horizon_days,
                as_of_date < '2026-04-01' as is_horizon_complete, score_name, 'became_sql' as outcome,
                bucket_type, bucket, cast(100 as bigint) as people, cast(positives as bigint) as positives,
                positives / 100.0 as rate, 1.0 as lift, 0.0 as pipeline_usd,
                case when bucket_type = 'overall' then auc end as auc,
                case when bucket_type = 'overall' then 2.5 end as top_decile_lift,
                case when score_name = 'mql_rule' then 0.25 end as mql_precision,
                case when score_name = 'mql_rule' then 0.5 end as mql_recall,
                'v1' as scoring_version, date '2026-06-30' as run_as_of_date
            from (values ('2026-01-31', 0.61), ('2026-02-28', 0.66), ('2026-05-31', 0.9)) as d (as_of_date, auc)
            cross join (values ('fit'), ('risk'), ('intent'), ('segment'), ('mql_rule')) as s (score_name)
            cross join (select 'overall' as bucket_type, 'all' as bucket, 10 as positives
                        union all select 'decile', lpad(cast(i as varchar), 2, '0'), i from range(1, 11) t (i))"""
        )
    proposal = tmp_path / "proposals" / "2026-06-30"
    proposal.mkdir(parents=True)
    (proposal / "comparison.csv").write_text(
        "as_of_date,score,rules,people,positives,auc,top_decile_lift\n"
        "2026-02-28,intent,current,100,10,0.66,2.5\n2026-02-28,intent,suggested,100,10,0.7,3.0\n"
    )
    out = tmp_path / "report.html"
    render.build_report(path, out)
    page = read_page(out)
    trends = table_by(page, "backtest-trends-data", "as-of-date")
    assert set(trends) == {("2026-01-31",), ("2026-02-28",)}  # the open horizon is left out
    assert same(trends[("2026-02-28",)]["auc_intent"], 0.66)
    assert same(trends[("2026-01-31",)]["lift_fit"], 2.5)
    mql = table_by(page, "backtest-mql-data", "as-of-date")
    assert same(mql[("2026-01-31",)]["mql_precision"], 0.25)
    proposal_rows = table_by(page, "backtest-proposal-data", "score")
    assert same(proposal_rows[("intent",)]["auc_suggested"], 0.7)
    assert "Does the score work?" in page.text and "run.sh --backtest" not in page.text
