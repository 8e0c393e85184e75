"""The main job, end to end (src/lead_segmentation/pipeline.py run as a user runs it, in a child process).

A clean batch is published. Each bad batch is stopped at the right gate with the right exit
code, names its cause, and leaves the published file byte-for-byte unchanged. A clean batch
after a failed one publishes, while BI readers holding the file open read-only see the old or
the new data, never a mix or an error.

Every run writes under pytest's tmp folders (--work-db / --published-db, own dbt target and
log paths), never to the repository's warehouse/. The clean build is made once per module
and shared; the raw-gate failures stop before dbt, so they are quick.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys

import duckdb
import pytest

from conftest import TEST_AS_OF, TEST_SCALE, TEST_SEED
from pipeline_helpers import (
    Warehouse,
    blank_keys,
    copy_project,
    copy_raw,
    drop_column,
    duplicate_rows,
    empty_table,
    file_state,
    matrix_seed,
    rename_segment,
    run_pipeline,
    shift_into_future,
    start_reader,
    stop_reader,
    wait_for_first_snapshot,
)

# Tests that run the whole job (a dbt build); in the default suite, deselect with -m "not slow".
slow = pytest.mark.slow


def last_run(database) -> dict:
    with duckdb.connect(str(database), read_only=True) as con:
        cur = con.execute(
            "select * from ops.pipeline_runs order by started_at desc, run_id desc limit 1"
        )
        names = [d[0] for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))


def run_count(database) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("select count(*) from ops.pipeline_runs").fetchone()[0]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, built_warehouse) -> Warehouse:
    """A warehouse folder whose published file holds a first, "old" publication.

    The old file is published from the session's shared dbt build (conftest.built_warehouse)
    by the real publish step, so this module needs only two dbt builds of its own."""
    from lead_segmentation import run_log
    from lead_segmentation.publish import publish

    place = Warehouse(tmp_path_factory.mktemp("pipeline"))
    started = run_log.utc_now()
    record = run_log.RunRecord(
        run_id=f"baseline-{started:%H%M%S}", as_of_date=TEST_AS_OF, started_at=started
    )
    record.finish("published", 0)
    record.published_db = str(place.published_db)
    publish(built_warehouse.database, place.published_db, record)
    return place


@pytest.fixture(scope="module")
def clean_run(warehouse, generated_raw_dir, tmp_path_factory):
    """A failed batch, then the clean batch published while two BI readers read the file.

    Returns the clean run, what each reader saw, and the run ids before and after."""
    folder = tmp_path_factory.mktemp("clean_run")
    bad = copy_raw(generated_raw_dir, folder / "bad_raw")
    _empty_table(bad)
    failed = run_pipeline(warehouse, bad, TEST_AS_OF)
    assert failed.returncode == 3, failed.output[-6000:]
    before = file_state(warehouse.published_db)
    old_run = published_run_id(warehouse.published_db)

    readers = {mode: start_reader(warehouse.published_db, folder, mode) for mode in ("hold", "reopen")}
    for proc, _, out in readers.values():
        wait_for_first_snapshot(out, proc)
    run = run_pipeline(warehouse, generated_raw_dir, TEST_AS_OF)
    seen = {mode: stop_reader(*reader) for mode, reader in readers.items()}
    assert run.returncode == 0, f"clean run failed (exit {run.returncode}):\n{run.output[-12000:]}"
    return {
        "run": run,
        "seen": seen,
        "old_run": old_run,
        "new_run": published_run_id(warehouse.published_db),
        "state_before": before,
    }


def published_run_id(published_db) -> str:
    with duckdb.connect(str(published_db), read_only=True) as con:
        return con.execute(
            "select max_by(run_id, ended_at) from ops.pipeline_runs where status = 'published'"
        ).fetchone()[0]


# ---- the clean batch ------------------------------------------------------------------------


@slow
def test_clean_batch_after_a_failed_one_is_published(clean_run, warehouse):
    run = clean_run["run"]
    published = warehouse.published_db
    assert file_state(published)[0] != clean_run["state_before"][0]
    assert not list(published.parent.glob(f".{published.name}.*")), "a staged copy was left behind"
    with duckdb.connect(str(published), read_only=True) as con:
        tables = {
            f"{s}.{t}"
            for s, t in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
        }
        assert tables == {
            "marts.lead_scores",
            "marts.segment_matrix",
            "marts.lead_routing",
            "marts.segment_kpis",
            "marts.dq_row_reconciliation",
            "marts.dq_rejected_rows",
            "ops.pipeline_runs",
        }
        people = con.execute("select count(*) from marts.lead_scores").fetchone()[0]
        assert people > 0
        assert con.execute("select sum(contacts) from marts.segment_matrix").fetchone()[0] == people
        statuses = con.execute(
            "select status, exit_code, failed_gate from ops.pipeline_runs order by started_at, run_id"
        ).fetchall()
    # the published log: the old publication, the failed run, this run
    assert statuses[-2:] == [("failed", 3, "raw_checks"), ("published", 0, None)]
    logged = last_run(warehouse.work_db)
    assert logged["run_id"] == clean_run["new_run"] != clean_run["old_run"]
    assert (logged["status"], logged["exit_code"], logged["as_of_date"]) == ("published", 0, TEST_AS_OF)
    assert logged["raw_rows"] > logged["staging_rows"] > 0 and logged["mart_rows"] > 0
    # A published run also writes the segment report and the dbt docs site beside the file.
    report_html = (published.parent / "report" / "index.html").read_text()
    assert "fast_track" in report_html and str(TEST_AS_OF) in report_html
    docs_html = (published.parent / "docs" / "index.html").read_text()
    assert "lead_routing" in docs_html and len(docs_html) > 100_000
    assert logged["published_db"] == str(published)
    # progress while running, a summary at the end, Data Docs on disk
    assert "[pipeline" in run.stdout and "dbt build" in run.stdout
    assert "PUBLISHED to" in run.stdout
    # The logged duration ends at publish; the summary also gives the whole job's.
    assert "(gated run; " in run.stdout and " with the report and docs)" in run.stdout
    assert (warehouse.root / "gx_docs" / "index.html").exists()


@slow
def test_dbt_log_file_keeps_results_not_every_statement(clean_run, warehouse):
    """The job's dbt log file is at level info by default (dbt_build.JOB_DBT_ENV_DEFAULTS):
    node results are there, the SQL of every statement (debug, ~12% of a small build) not."""
    log = (warehouse.target_path / "logs" / "dbt.log").read_text()
    assert "OK created sql table model" in log and "Finished running" in log
    assert "Began running node" not in log and "On model." not in log


@slow
def test_readers_see_old_or_new_never_a_mix_or_an_error(clean_run):
    """Two BI processes read the published file during the whole run: one keeps its
    connection open, one reconnects for every read."""
    old_run, new_run = clean_run["old_run"], clean_run["new_run"]
    for mode, result in clean_run["seen"].items():
        assert result["errors"] == [], f"{mode} reader got errors: {result['errors'][:3]}"
        assert result["snapshots"], mode
        for snap in result["snapshots"]:
            # one snapshot = one file: every mart agrees and belongs to one publication
            assert snap["lead_scores"] == snap["lead_routing"] == snap["matrix_contacts"], (mode, snap)
            assert snap["run_id"] in (old_run, new_run), (mode, snap)
    hold, reopen = clean_run["seen"]["hold"]["snapshots"], clean_run["seen"]["reopen"]["snapshots"]
    # the open connection kept reading the old file; a reconnecting reader moves to the new one
    assert {s["run_id"] for s in hold} == {old_run}
    assert reopen[0]["run_id"] == old_run and reopen[-1]["run_id"] == new_run


@slow
def test_published_file_opens_in_duckdb_1_0_readers(clean_run, warehouse):
    """Written in storage version v1.0.0: every DuckDB 1.x BI driver can open it."""
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse.published_db}' as published (read_only)")
        tags = con.execute(
            "select tags from duckdb_databases() where database_name = 'published'"
        ).fetchone()[0]
    assert tags.get("storage_version", "").startswith("v1.0.0"), tags


# ---- bad batches: each stops at its gate, names the cause, publishes nothing ------------------


def _missing_column(raw):
    drop_column(raw, "engagement_events", "event_type")


def _empty_table(raw):
    empty_table(raw, "sales_activities")


def _null_keys(raw):
    blank_keys(raw, "engagement_events", "event_id", every=4)  # 25% of the events


def _duplicate_ids(raw):
    duplicate_rows(raw, "form_submissions", every=3)  # a third delivered twice


def _future_events(raw):
    when = dt.datetime.combine(TEST_AS_OF + dt.timedelta(days=30), dt.time(12))
    shift_into_future(raw, "engagement_events", "occurred_at", every=20, when=when)  # 5%


BAD_BATCHES = [
    # (id, break the batch, exit code, gate, words the failure message must contain)
    (
        "missing_column",
        _missing_column,
        2,
        "raw_load",
        ["engagement_events.csv", "missing required column", "event_type"],
    ),
    ("empty_table", _empty_table, 3, "raw_checks", ["raw.sales_activities.row_count", "0 row(s)"]),
    ("null_keys", _null_keys, 3, "raw_checks", ["raw.engagement_events.key_null_share", "event_id"]),
    (
        "duplicate_ids",
        _duplicate_ids,
        3,
        "raw_checks",
        ["raw.form_submissions.duplicate_key_share", "submission_id"],
    ),
    (
        "future_events",
        _future_events,
        3,
        "raw_checks",
        ["raw.engagement_events.future_timestamps", "after"],
    ),
]


@slow
@pytest.mark.parametrize(
    "name, breaker, exit_code, gate, words", BAD_BATCHES, ids=[b[0] for b in BAD_BATCHES]
)
def test_bad_batch_stops_publication(
    clean_run, warehouse, generated_raw_dir, tmp_path, name, breaker, exit_code, gate, words
):
    before = file_state(warehouse.published_db)
    runs_before = run_count(warehouse.work_db)
    raw = copy_raw(generated_raw_dir, tmp_path / "raw")
    breaker(raw)

    run = run_pipeline(warehouse, raw, TEST_AS_OF)

    assert run.returncode == exit_code, run.output[-6000:]
    assert file_state(warehouse.published_db) == before, "the published file changed"
    for word in words:
        assert word in run.output, f"{word!r} not in the failure message:\n{run.output[-6000:]}"
    assert f"GATE FAILED: {gate}" in run.stderr
    assert "published data unchanged" in run.stdout
    logged = last_run(warehouse.work_db)
    assert run_count(warehouse.work_db) == runs_before + 1  # append-only
    assert (logged["status"], logged["exit_code"], logged["failed_gate"]) == ("failed", exit_code, gate)
    assert logged["failing_check"]
    assert logged["published_db"] is None


@slow
def test_broken_mart_invariant_stops_publication(clean_run, warehouse, generated_raw_dir, tmp_path):
    """A scoring seed edited to a segment the contract does not know never reaches BI (dbt's
    contract tests or the GX mart checks stop it, whichever sees it first)."""
    project = copy_project(tmp_path / "project")
    rename_segment(matrix_seed(project), "enrich", "mystery_segment")
    before = file_state(warehouse.published_db)
    side = Warehouse(tmp_path / "warehouse", published=warehouse.published_db)

    run = run_pipeline(side, generated_raw_dir, TEST_AS_OF, project_dir=project)

    assert run.returncode in (4, 5), run.output[-8000:]
    assert file_state(warehouse.published_db) == before, "the published file changed"
    logged = last_run(side.work_db)
    assert "mystery_segment" in logged["message"], logged["message"]
    if run.returncode == 5:  # dbt's tests only relate marts to the seed: the contract gate sees it
        assert logged["failed_gate"] == "mart_checks"
        assert "marts.segment_matrix.segment.known" in run.stderr
        assert "marts.lead_scores.segment.known" in run.stderr
    else:
        assert logged["failed_gate"] == "dbt_build"


@slow
def test_dbt_gate_stops_on_error_tests_and_reports_warnings(clean_run, warehouse, tmp_path, monkeypatch):
    """dbt build as a gate, on the clean build's work database: a data test at warn severity is
    reported and does not stop the run; one at error severity does (exit 4), and its failing
    rows stay queryable where the message says."""
    from lead_segmentation.dbt_build import run_dbt_build
    from lead_segmentation.gates import GateFailed

    project = copy_project(tmp_path / "project")
    probes = project / "tests" / "data_tests"
    probes.mkdir(parents=True, exist_ok=True)
    (probes / "pipeline_probe_warns.sql").write_text(
        "{{ config(severity='warn') }}\nselect contact_id from {{ ref('lead_scores') }} where is_holdout\n"
    )
    (probes / "pipeline_probe_fails.sql").write_text(
        "select contact_id from {{ ref('lead_scores') }} where fit_score >= 0\n"
    )
    work = tmp_path / "work.duckdb"
    shutil.copy(warehouse.work_db, work)
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "target" / "logs"))
    with duckdb.connect(str(work), read_only=True) as con:
        people, holdout = con.execute(
            "select count(*), count(*) filter (where is_holdout) from marts.lead_scores"
        ).fetchone()
    assert holdout > 0
    variables = {"as_of_date": TEST_AS_OF.isoformat()}

    outcome = run_dbt_build(
        project, work, variables, say=lambda _: None, select=["pipeline_probe_warns"]
    )
    assert [(w.check, w.rows) for w in outcome.warnings] == [("dbt.test.pipeline_probe_warns", holdout)]

    with pytest.raises(GateFailed) as failed:
        run_dbt_build(
            project,
            work,
            variables,
            say=lambda _: None,
            select=["pipeline_probe_warns", "pipeline_probe_fails"],
        )
    assert failed.value.exit_code == 4
    [finding] = failed.value.findings
    assert (finding.check, finding.rows) == ("dbt.test.pipeline_probe_fails", people)
    assert finding.look == "select * from test_failures.pipeline_probe_fails"
    with duckdb.connect(str(work), read_only=True) as con:
        assert con.execute(finding.look.replace("*", "count(*)")).fetchone()[0] == people


@slow
def test_mart_gate_names_the_broken_invariant(clean_run, warehouse, tmp_path):
    """The GX mart checks on a built work database where a suppressed person got an owner
    and a matrix cell lost its contacts: gate mart_checks (exit 5), each check named."""
    from lead_segmentation.gates import GateFailed
    from lead_segmentation.gx_runner import GxSession
    from lead_segmentation.mart_checks import run_mart_checks
    from lead_segmentation.quality_config import load_config

    work = tmp_path / "work.duckdb"
    shutil.copy(warehouse.work_db, work)
    with duckdb.connect(str(work)) as con:
        suppressed = con.execute(
            "select count(*) from marts.lead_routing where is_suppressed"
        ).fetchone()[0]
        assert suppressed > 0, "the test data should hold suppressed people"
        con.execute(
            "update marts.lead_routing set owner_team = 'sdr_global' where contact_id = "
            "(select min(contact_id) from marts.lead_routing where is_suppressed)"
        )
        con.execute("update marts.segment_matrix set contacts = contacts + 3 where segment = 'monitor'")
    session = GxSession(tmp_path / "gx_docs", "test-run", dt.datetime(2026, 6, 30, 12))
    with pytest.raises(GateFailed) as failed:
        run_mart_checks(work, TEST_AS_OF, load_config(), session)
    assert failed.value.exit_code == 5
    by_check = {f.check: f for f in failed.value.findings}
    assert by_check["marts.lead_routing.suppressed.owner_team_is_null"].rows == 1
    assert by_check["marts.reconciliation.matrix_contacts_minus_lead_scores"].rows == 3
    report = failed.value.report()
    assert "select * from marts.lead_routing where is_suppressed and owner_team is not null" in report


# ---- small things -------------------------------------------------------------------------


def test_bad_usage_exits_64_and_runs_nothing(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lead_segmentation.pipeline",
            "--as-of",
            "30/06/2026",
            "--work-db",
            str(tmp_path / "w.duckdb"),
            "--published-db",
            str(tmp_path / "p.duckdb"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 64
    assert "--as-of" in result.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_demo_data_is_generated_once_per_as_of(tmp_path):
    from lead_segmentation import pipeline

    progress = pipeline.Progress(quiet=True)
    first = pipeline.demo_raw_dir(tmp_path, TEST_AS_OF, 0.01, progress)
    assert first == tmp_path / "data" / "demo" / f"{TEST_AS_OF.isoformat()}-scale0.01" / "raw"
    assert (first / "crm_contacts.csv").exists()
    stamp = (first / "crm_contacts.csv").stat().st_mtime_ns
    assert pipeline.demo_raw_dir(tmp_path, TEST_AS_OF, 0.01, progress) == first
    assert (first / "crm_contacts.csv").stat().st_mtime_ns == stamp  # cached, not regenerated
    other = pipeline.demo_raw_dir(tmp_path, TEST_AS_OF + dt.timedelta(days=1), 0.01, progress)
    assert other != first and (other / "crm_contacts.csv").exists()


@slow
def test_another_export_rebuilds_the_incremental_models_in_full(clean_run, warehouse, tmp_path):
    """The README's second run with another date (a new demo export, not a continuation of
    the last one) used to fail the dbt gate: the incremental engagement models kept the old
    export's rows. A load that does not continue the built one now rebuilds them in full; the
    same export again is incremental."""
    from lead_segmentation.demo.generate_raw import generate

    other = tmp_path / "other_export"
    written = generate(scale=TEST_SCALE, seed=TEST_SEED + 1, out_dir=other, as_of=TEST_AS_OF, quiet=True)
    rebuilt = run_pipeline(warehouse, other, TEST_AS_OF)
    assert rebuilt.returncode == 0, rebuilt.output[-8000:]
    notice = "not a continuation of the load the incremental models were built from"
    assert notice in rebuilt.stdout
    with duckdb.connect(str(warehouse.work_db)) as con:  # a failing-row table of an old build
        con.execute("create table test_failures.from_an_old_build as select 1 as x")
    again = run_pipeline(warehouse, other, TEST_AS_OF + dt.timedelta(days=1))
    assert again.returncode == 0, again.output[-8000:]
    assert notice not in again.stdout
    with duckdb.connect(str(warehouse.work_db), read_only=True) as con:
        stored = {r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'test_failures' "
            "union all select view_name from duckdb_views() where schema_name = 'test_failures'"
        ).fetchall()}
    # schema test_failures holds the latest build's failing-row views only
    # (dbt_build.clear_test_failures)
    assert "from_an_old_build" not in stored and len(stored) > 100
    with duckdb.connect(str(warehouse.published_db), read_only=True) as con:
        balanced = con.execute("select bool_and(is_balanced) from marts.dq_row_reconciliation").fetchone()[0]
        raw_events = con.execute(
            "select raw_rows from marts.dq_row_reconciliation where table_name = 'engagement_events'"
        ).fetchone()[0]
    assert balanced
    assert raw_events == written["engagement_events"]

    # A much smaller file that does not continue the built one (a folder with only the new
    # batch) would lose the history if rebuilt: refused at the raw gate, nothing published.
    batch = tmp_path / "batch_only"
    generate(scale=TEST_SCALE / 5, seed=TEST_SEED + 2, out_dir=batch, as_of=TEST_AS_OF, quiet=True)
    before = file_state(warehouse.published_db)
    # the newest published date (an older one is refused before any gate: tests/end_to_end/test_faults.py)
    refused = run_pipeline(warehouse, batch, TEST_AS_OF + dt.timedelta(days=1))
    assert refused.returncode == 3, refused.output[-8000:]
    assert "raw.engagement_events.continuity" in refused.output
    assert "--full-refresh" in refused.output
    assert file_state(warehouse.published_db) == before


def test_full_refresh_decision(tmp_path):
    """decide_full_refresh: a first load and another export rebuild; the same export again is
    incremental; a much smaller export stops at the raw gate unless --full-refresh."""
    from lead_segmentation import pipeline
    from lead_segmentation.gates import GateFailed
    from lead_segmentation.demo.generate_raw import generate
    from lead_segmentation.load_raw import load_raw, mark_built
    from lead_segmentation.quality_config import load_config

    config, db, said = load_config(), tmp_path / "work.duckdb", []
    exports = {}
    for name, scale, seed in (("full", 0.03, 1), ("other", 0.03, 2), ("batch", 0.002, 3)):
        exports[name] = tmp_path / name
        generate(scale=scale, seed=seed, out_dir=exports[name], as_of=TEST_AS_OF, quiet=True)

    def decide(export, forced=False):
        load_raw(export, db, quiet=True)
        return pipeline.decide_full_refresh(db, config, forced, export, said.append)

    assert decide(exports["full"]) is True and "no build recorded yet" in said[-1]
    mark_built(db)
    assert decide(exports["full"]) is False
    assert decide(exports["other"]) is True and "not a continuation" in said[-1]
    mark_built(db)
    with pytest.raises(GateFailed) as refused:
        decide(exports["batch"])
    assert refused.value.findings[0].check == "raw.engagement_events.continuity"
    assert decide(exports["batch"], forced=True) is True
