"""The job under faults (issue 15): interrupts and SIGTERM at every step, a machine that says no
(read-only folders, a work database held by another process), going back in time.

Every promise checked here is the README's: exit 0 <=> this run's data is what BI reads; any
other exit leaves the published file byte-for-byte as it was; the message tells which.

Most tests run the job in this process (pipeline.main) on a copy of the session's built work
database with `dbt build` replaced by a stand-in (the database is already built), so each
interrupt costs seconds; the interrupt is injected by the job's own fault hook
(lead_segmentation.gates.fault_point, env LEAD_SEGMENTATION_FAULT), never by timing. The tests that need the
real dbt child run the job as a user does (a child process).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR, TEST_AS_OF, dbt_bin, dbt_env
from pipeline_helpers import Warehouse, file_state, pipeline_env, run_pipeline

slow = pytest.mark.slow
FAULT_ENV = "LEAD_SEGMENTATION_FAULT"


def logged_runs(database: Path) -> list[dict]:
    with duckdb.connect(str(database), read_only=True) as con:
        cur = con.execute("select * from ops.pipeline_runs order by started_at, run_id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def published_run(published_db: Path) -> str:
    with duckdb.connect(str(published_db), read_only=True) as con:
        return con.execute(
            "select max_by(run_id, ended_at) from ops.pipeline_runs where status = 'published'"
        ).fetchone()[0]


def staged_copies(published_db: Path) -> list[Path]:
    return sorted(published_db.parent.glob(f".{published_db.name}.*"))


class Job:
    """pipeline.main in this process, on its own copy of the built work database; `dbt build`
    is a stand-in that records how it was called (the database is already built) and the docs
    step writes a small page instead of running dbt."""

    def __init__(self, root: Path, raw_dir: Path, monkeypatch, *, built=None, builds=()):
        """On `root`'s folders wh/ and pub/: fresh ones with a copy of `built`'s work database,
        or (built None) the ones already there, copied from another job's (`builds`: its
        stand-in's calls so far). A run's output is captured by redirection."""
        from lead_segmentation import dbt_build

        self.root = root
        self.raw_dir = raw_dir
        self.work_db = root / "wh" / "work.duckdb"
        self.published_db = root / "pub" / "published.duckdb"
        if built is not None:
            self.work_db.parent.mkdir(parents=True)
            self.published_db.parent.mkdir(parents=True)
            shutil.copy(built.database, self.work_db)
        self.builds: list[dict] = list(builds)
        self.monkeypatch = monkeypatch

        def fake_build(project_dir, work_db, variables, *, say, **options):
            from lead_segmentation.gates import fault_point

            self.builds.append({"variables": dict(variables), **options})
            fault_point("dbt_build")
            with duckdb.connect(str(work_db)) as con:  # the date stamp a build would write
                for table in ("lead_scores", "segment_matrix", "lead_routing", "segment_kpis"):
                    con.execute(f"update marts.{table} set as_of_date = ?", [variables["as_of_date"]])
            return dbt_build.DbtOutcome(0, {}, [], 0.0, root, root)

        def fake_docs(project_dir, work_db, variables, out_path):
            out_path.parent.mkdir(parents=True, exist_ok=True)
            out_path.write_text("<html>docs</html>")
            return out_path

        monkeypatch.setattr(dbt_build, "run_dbt_build", fake_build)
        monkeypatch.setattr(dbt_build, "generate_docs", fake_docs)

    def run(self, as_of: dt.date = TEST_AS_OF, fault: str | None = None, args=()) -> tuple[int, str, str]:
        from lead_segmentation import pipeline

        if fault:
            self.monkeypatch.setenv(FAULT_ENV, fault)
        else:
            self.monkeypatch.delenv(FAULT_ENV, raising=False)
        argv = [
            "--raw-dir", str(self.raw_dir),
            "--as-of", as_of.isoformat(),
            "--work-db", str(self.work_db),
            "--published-db", str(self.published_db),
            "--quiet",
            *args,
        ]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = pipeline.main(argv)
        self.monkeypatch.delenv(FAULT_ENV, raising=False)
        return code, out.getvalue(), err.getvalue()


@pytest.fixture
def terminal_sigint():
    """Ctrl-C as a terminal's job gets it. A shell starts a background job with SIGINT
    ignored, and Python then never raises KeyboardInterrupt: without this the SIGINT faults
    would test how pytest was launched, not the job."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture(scope="module")
def published_once(tmp_path_factory, built_warehouse, generated_raw_dir) -> tuple[Path, list[dict]]:
    """The job's first run (exit 0, published) on a copy of the session's built work database,
    done once: each test starts from a copy of its folders (work database with its run log,
    published file, report) instead of running it again. Returns the folder and the
    stand-in build's calls."""
    root = tmp_path_factory.mktemp("faults_published_once")
    with pytest.MonkeyPatch.context() as patch:
        first = Job(root, generated_raw_dir, patch, built=built_warehouse)
        code, out, err = first.run()
    assert code == 0, out + err
    return root, first.builds


@pytest.fixture
def job(tmp_path, published_once, generated_raw_dir, monkeypatch, terminal_sigint) -> Job:
    """A job whose first run has published (a copy of published_once's folders)."""
    template, builds = published_once
    for folder in ("wh", "pub"):
        shutil.copytree(template / folder, tmp_path / folder)
    return Job(tmp_path, generated_raw_dir, monkeypatch, builds=builds)


# ---- 1. interrupts tell the truth about what is published ----------------------------------


@slow
@pytest.mark.parametrize(
    "point, sig, code",
    [
        ("load", "SIGINT", 130),
        ("raw_checks", "SIGTERM", 143),
        ("dbt_build", "SIGINT", 130),
        ("mart_checks", "SIGTERM", 143),
        ("publish", "SIGINT", 130),  # the copy is written and audited, not renamed yet
        ("publish", "SIGTERM", 143),
    ],
)
def test_interrupt_before_the_rename_publishes_nothing_and_says_so(job, point, sig, code):
    before = file_state(job.published_db)
    old_run = published_run(job.published_db)
    exit_code, out, err = job.run(fault=f"{point}:{sig}")
    assert exit_code == code, out + err
    assert "nothing was published" in err and "Traceback" not in err + out
    assert file_state(job.published_db) == before
    assert published_run(job.published_db) == old_run
    assert staged_copies(job.published_db) == [], "a staged copy was left behind"
    last = logged_runs(job.work_db)[-1]
    assert (last["status"], last["exit_code"]) == ("error", code)
    assert last["published_db"] is None


@slow
@pytest.mark.parametrize(
    "point, sig",
    [("publish.renamed", "SIGINT"), ("report", "SIGTERM"), ("docs", "SIGINT")],
)
def test_interrupt_after_the_rename_reports_the_run_as_published(job, point, sig):
    """The old job said 'interrupted; nothing was published' (exit 130) while its new file was
    live. After the rename the data IS published: exit 0, a warning naming the step."""
    before = file_state(job.published_db)
    exit_code, out, err = job.run(fault=f"{point}:{sig}")
    assert exit_code == 0, out + err
    assert "after the data was published" in err and "nothing was published" not in err
    assert file_state(job.published_db) != before
    last = logged_runs(job.work_db)[-1]
    assert published_run(job.published_db) == last["run_id"]
    assert (last["status"], last["exit_code"]) == ("published", 0)
    assert last["published_db"] == str(job.published_db)
    assert "PUBLISHED to" in out
    assert staged_copies(job.published_db) == []


@slow
def test_an_error_right_after_the_rename_still_reports_the_run_as_published(job, monkeypatch):
    """Not only interrupts: anything failing once the file is live must not say 'nothing was
    published' with exit 1."""
    from lead_segmentation import publish as publish_module

    real = publish_module.publish

    def publish_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("a bug after the rename")

    monkeypatch.setattr(publish_module, "publish", publish_then_fail)
    exit_code, out, err = job.run()
    assert exit_code == 0, out + err
    assert "after the data was published" in err and "nothing was published" not in err
    last = logged_runs(job.work_db)[-1]
    assert published_run(job.published_db) == last["run_id"] and last["status"] == "published"


# ---- 4. the machine says no: one line, the step's exit code --------------------------------


@contextlib.contextmanager
def read_only(folder: Path):
    """`folder` read-only for this process: a read-only bind mount as root (root ignores file
    modes), else mode 0555. Skips when neither is possible."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    bind = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot make a read-only folder as root without mount: {bind.stderr!r}")
    try:
        remount = subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True
        )
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only: {remount.stderr!r}")
        yield
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)  # never leave a mount


@slow
def test_read_only_warehouse_folder_is_a_one_line_load_failure(job):
    before = file_state(job.published_db)
    with read_only(job.work_db.parent):
        exit_code, out, err = job.run()
    assert exit_code == 2, out + err
    assert "Traceback" not in out + err
    assert "cannot write" in err and str(job.work_db.parent) in err
    assert file_state(job.published_db) == before


@slow
def test_read_only_publish_folder_fails_the_publish_gate(job):
    before = file_state(job.published_db)
    with read_only(job.published_db.parent):
        exit_code, out, err = job.run()
    assert exit_code == 6, out + err
    assert "Traceback" not in out + err and "GATE FAILED: publish (exit 6)" in err
    assert file_state(job.published_db) == before
    assert logged_runs(job.work_db)[-1]["failed_gate"] == "publish"


def _holder(code: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "holding"
    return proc


@slow
def test_work_db_held_by_another_process_names_the_holder(job):
    """A DuckDB client (a notebook, a BI tool) holding the work database: exit 2 (the load
    step, first to open it) with a one-line cause naming the process, not a traceback."""
    holder = _holder(
        f"import duckdb, sys; c = duckdb.connect({str(job.work_db)!r}); print('holding', flush=True); "
        "sys.stdin.read()"
    )
    try:
        exit_code, out, err = job.run()
    finally:
        holder.communicate("")
    assert exit_code == 2, out + err
    assert "UNEXPECTED" not in err and "Traceback" not in out + err
    assert f"(PID {holder.pid})" in err and "held by another process" in err
    assert "GATE FAILED: raw_load (exit 2)" in err
    # the run log cannot be written either (the file is held): said, not hidden
    assert "could not write the run log" in err


@slow
def test_another_pipeline_run_holding_the_lock_is_named(job):
    lock = job.work_db.with_name(job.work_db.name + ".lock")
    holder = _holder(
        "import fcntl, os, sys\n"
        f"h = open({str(lock)!r}, 'r+')\n"
        "fcntl.flock(h, fcntl.LOCK_EX)\n"
        "h.write(f'PID {os.getpid()}, started 2026-06-30 08:00:00 UTC'); h.flush()\n"
        "print('holding', flush=True); sys.stdin.read()\n"
    )
    try:
        exit_code, out, err = job.run()
    finally:
        holder.communicate("")
    assert exit_code == 2, out + err
    assert f"another pipeline run (PID {holder.pid}, started 2026-06-30" in err
    assert "Traceback" not in out + err


# ---- 5. nothing half-done ------------------------------------------------------------------


def test_a_staged_copy_left_by_a_killed_publish_is_removed_by_the_next(built_warehouse, tmp_path):
    """SIGKILL cannot be caught: the next publish to the folder removes the leftover."""
    from lead_segmentation import run_log
    from lead_segmentation.publish import publish

    published = tmp_path / "published.duckdb"
    leftover = tmp_path / ".published.duckdb.20260630T000000Z-dead00.tmp"
    leftover.write_bytes(b"half a file")
    (tmp_path / (leftover.name + ".wal")).write_bytes(b"x")
    other = tmp_path / ".other.duckdb.x.tmp"  # another file's staging: not ours to remove
    other.write_bytes(b"x")
    record = run_log.RunRecord("r1", TEST_AS_OF, run_log.utc_now())
    record.finish("published", 0)
    publish(built_warehouse.database, published, record)
    assert staged_copies(published) == []
    assert other.exists()


def test_dbt_gate_names_a_failed_test_that_dbt_recorded_as_skipped(tmp_path):
    """--fail-fast with two threads: dbt can record the failing test as skipped and the log
    may not report it. The gate names it from its failing-row views (never a bare
    dbt.invocation), leaving out tests at warn severity and passing ones (a view the log
    stream saw pass is not queried again: counting a view runs its test)."""
    from lead_segmentation.dbt_build import TEST_FAILURES_SCHEMA, failed_tests_from_store

    work = tmp_path / "work.duckdb"
    with duckdb.connect(str(work)) as con:
        con.execute(f"create schema {TEST_FAILURES_SCHEMA}")
        # dbt keeps each test's failing rows as a view (dbt_project.yml, store_failures_as)
        con.execute(f"create view {TEST_FAILURES_SCHEMA}.not_null_x_id as select * from range(3)")
        con.execute(f"create view {TEST_FAILURES_SCHEMA}.a_warning as select * from range(2)")
        con.execute(f"create view {TEST_FAILURES_SCHEMA}.passes as select * from range(0)")
        # seen passing by the log stream; its rows here stand for data changed since
        con.execute(f"create view {TEST_FAILURES_SCHEMA}.seen_passing as select * from range(4)")
        # a table, as dbt stored failures before views (a database an older build left)
        con.execute(f"create table {TEST_FAILURES_SCHEMA}.accepted_values_abc123 as select * from range(5)")
    manifest = {
        "nodes": {
            "test.p.a_warning": {"resource_type": "test", "name": "a_warning", "alias": "a_warning",
                                 "config": {"severity": "warn"}},
            "test.p.long": {"resource_type": "test", "name": "accepted_values_lead_scores_segment__long",
                            "alias": "accepted_values_abc123", "config": {"severity": "ERROR"},
                            "attached_node": "model.p.lead_scores"},
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    # the log stream saw the test start but dbt recorded it as skipped
    nodes = {
        "test.p.not_null_x_id": {"name": "not_null_x_id", "type": "test", "status": "skipped"},
        "test.p.seen_passing": {"name": "seen_passing", "type": "test", "status": "pass"},
    }
    findings = failed_tests_from_store(nodes, [], work, tmp_path)
    assert sorted((f.check, f.rows) for f in findings) == [
        ("dbt.test.accepted_values_lead_scores_segment__long", 5),
        ("dbt.test.not_null_x_id", 3),
    ]
    by_check = {f.check: f for f in findings}
    assert by_check["dbt.test.not_null_x_id"].look == f"select * from {TEST_FAILURES_SCHEMA}.not_null_x_id"
    assert "on lead_scores" in by_check["dbt.test.accepted_values_lead_scores_segment__long"].detail
    # a failure the log stream did report is named from there
    nodes["test.p.not_null_x_id"].update(status="fail", rows=3)
    [logged] = failed_tests_from_store(nodes, [], work, tmp_path)
    assert (logged.check, logged.rows) == ("dbt.test.not_null_x_id", 3)


# ---- 7. time only moves forward unless asked ------------------------------------------------


@slow
def test_an_older_as_of_is_refused_unless_backfill(job):
    before = file_state(job.published_db)
    builds = len(job.builds)
    exit_code, out, err = job.run(as_of=TEST_AS_OF - dt.timedelta(days=1))
    assert exit_code == 64, out + err
    assert "--backfill" in err and "older than the as-of already published" in err
    assert file_state(job.published_db) == before and len(job.builds) == builds
    # the same date again is not going back
    exit_code, out, err = job.run()
    assert exit_code == 0, out + err
    # the summary does not send anyone to the GX Data Docs: blank offline (CDN assets)
    assert "PUBLISHED to" in out and "Data Docs" not in out and "gx_docs" not in out
    assert job.builds[-1]["snapshots"] is True
    exit_code, out, err = job.run(as_of=TEST_AS_OF - dt.timedelta(days=1), args=["--backfill"])
    assert exit_code == 0, out + err
    assert job.builds[-1]["snapshots"] is False  # a backfill leaves the history as it is
    # the newest published date stays the reference after a backfill
    assert job.run(as_of=TEST_AS_OF - dt.timedelta(days=2))[0] == 64


@slow
def test_a_by_hand_build_without_a_date_uses_the_last_builds_date(built_warehouse, tmp_path):
    """`dbt build --select lead_scores+` with no date used to stamp today on marts whose
    intermediates were built for another date. The date now defaults to the last build's."""
    work = tmp_path / "work.duckdb"
    shutil.copy(built_warehouse.database, work)
    with duckdb.connect(str(work), read_only=True) as con:
        recorded = con.execute(
            "select max_by(as_of_date, recorded_at) from ops.dbt_build_as_of"
        ).fetchone()[0]
    assert recorded == TEST_AS_OF  # the session's build (var as_of_date) recorded its date
    env = dbt_env(work, tmp_path / "target")
    env.pop("LEAD_SEGMENTATION_AS_OF_DATE", None)
    result = subprocess.run(
        [dbt_bin(), "run", "--select", "lead_scores", "--project-dir", str(PROJECT_DIR)],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-5000:]
    with duckdb.connect(str(work), read_only=True) as con:
        assert con.execute("select distinct as_of_date from marts.lead_scores").fetchall() == [(TEST_AS_OF,)]


# ---- the real dbt child: SIGTERM, then the next runs ----------------------------------------


def _dbt_children_of_work_db(work_db: Path) -> list[int]:
    """PIDs of running processes whose environment points dbt at this work database."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if f"DBT_DUCKDB_PATH={work_db}".encode() in environ.split(b"\0"):
            found.append(int(proc.name))
    return found


@slow
def test_sigterm_stops_dbt_and_the_next_runs_publish(built_warehouse, generated_raw_dir, tmp_path):
    """SIGTERM (a scheduler's stop) while dbt builds: the dbt child is stopped with the job,
    the work database is free (the next run succeeds), nothing is published. Then a run
    terminated right after its rename is reported as published (exit 0), and a --backfill
    of an older date leaves the snapshot history as it was."""
    from lead_segmentation import run_log
    from lead_segmentation.publish import publish

    place = Warehouse(tmp_path / "wh")
    place.root.mkdir()
    shutil.copy(built_warehouse.database, place.work_db)
    record = run_log.RunRecord("baseline", TEST_AS_OF, run_log.utc_now())
    record.finish("published", 0)
    publish(place.work_db, place.published_db, record)
    before = file_state(place.published_db)

    def job(as_of, fault=None, args=()):
        env = pipeline_env(place)
        env.pop(FAULT_ENV, None)
        if fault:
            env[FAULT_ENV] = fault
        cmd = [
            sys.executable, "-m", "lead_segmentation.pipeline", "--project-dir", str(PROJECT_DIR),
            "--raw-dir", str(generated_raw_dir), "--as-of", as_of.isoformat(),
            "--work-db", str(place.work_db), "--published-db", str(place.published_db), *args,
        ]
        return subprocess.run(cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900)

    stopped = job(TEST_AS_OF, "dbt_build:SIGTERM")
    assert stopped.returncode == 143, stopped.stdout[-3000:] + stopped.stderr[-3000:]
    assert "terminated (SIGTERM) during step 'dbt build'" in stopped.stderr
    assert _dbt_children_of_work_db(place.work_db) == []
    assert file_state(place.published_db) == before
    with duckdb.connect(str(place.work_db)) as con:  # free: no dbt left holding it
        con.execute("select 1")

    day2 = TEST_AS_OF + dt.timedelta(days=1)
    renamed = job(day2, "publish.renamed:SIGTERM")
    assert renamed.returncode == 0, renamed.stdout[-5000:] + renamed.stderr[-5000:]
    assert "after the data was published" in renamed.stderr
    assert published_run(place.published_db) == logged_runs(place.work_db)[-1]["run_id"]

    history_sql = (
        "select count(*), max(valid_from), count(valid_to) from snapshots.{}"
    )
    with duckdb.connect(str(place.work_db), read_only=True) as con:
        history = {s: con.execute(history_sql.format(s)).fetchone()
                   for s in ("contact_segments_snapshot", "lead_routing_snapshot")}
    backfill = job(TEST_AS_OF - dt.timedelta(days=2), args=["--backfill"])
    assert backfill.returncode == 0, backfill.stdout[-5000:] + backfill.stderr[-5000:]
    with duckdb.connect(str(place.work_db), read_only=True) as con:
        after = {s: con.execute(history_sql.format(s)).fetchone() for s in history}
        assert con.execute("select distinct as_of_date from marts.lead_scores").fetchall() == [
            (TEST_AS_OF - dt.timedelta(days=2),)
        ]
    assert after == history


# ---- erasure ------------------------------------------------------------------------------


def _personal_hits(database: Path, needles: dict[str, str]) -> list[tuple]:
    """(schema.table.column, needle) for every personal value still found anywhere."""
    from lead_segmentation.raw_schema import PERSONAL_COLUMNS

    hits = []
    with duckdb.connect(str(database), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            f"where lower(column_name) in ({', '.join(repr(c) for c in PERSONAL_COLUMNS)})"
        ).fetchall()
        for schema, table, column in columns:
            for label, value in needles.items():
                found = con.execute(
                    f'select count(*) from "{schema}"."{table}" where lower(trim("{column}")) = lower(?)',
                    [value],
                ).fetchone()[0]
                if found:
                    hits.append((f"{schema}.{table}.{column}", label))
    return hits


def _named_rows(database: Path, ids: list[str]) -> list[str]:
    """Tables where one of `ids` still has a first or last name."""
    found = []
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.columns "
            "where column_name in ('first_name', 'last_name') group by all"
        ).fetchall()
        for schema, table in tables:
            columns = {r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [schema, table]).fetchall()}
            if "contact_id" not in columns:
                continue
            names = [c for c in ("first_name", "last_name") if c in columns]
            named = con.execute(
                f'select count(*) from "{schema}"."{table}" where contact_id in ({", ".join("?" for _ in ids)}) '
                f"and ({' or '.join(f'{c} is not null' for c in names)})",
                ids,
            ).fetchone()[0]
            if named:
                found.append(f"{schema}.{table}")
    return found


@slow
def test_erasure_and_crm_deletes_leave_no_email_or_name(built_warehouse, generated_raw_dir, tmp_path):
    """One real run (incremental dbt build) after: an erasure request for a live person (the
    export still has them, with odd case and whitespace), a person soft-deleted in the CRM and
    one hard-deleted (gone from the export). None of their emails or names is left in any table
    of the work database or the published file; their ids may stay; the run's output and log
    never show the address; the request holds on the next load."""
    from pipeline_helpers import read_table, write_table

    raw = tmp_path / "raw"
    shutil.copytree(generated_raw_dir, raw)
    header, rows = read_table(raw, "crm_contacts")
    col = {name: i for i, name in enumerate(header)}
    live = [r for r in rows if r[col["is_deleted"]] == "false" and "@" in r[col["email"]]]
    emails = {r[col["email"]].strip().lower() for r in rows}
    # people with one contact row, and an address and a phone no other row has
    def unique(r, name):
        return sum(1 for x in rows if x[col[name]].strip().lower() == r[col[name]].strip().lower()) == 1

    candidates = [
        r for r in live
        if unique(r, "contact_id") and unique(r, "email") and r[col["phone"]] and unique(r, "phone")
    ]
    requested, soft, hard = candidates[:3]
    soft[col["is_deleted"]] = "true"
    soft[col["updated_at"]] = "2026-06-29 10:00:00"
    rows = [r for r in rows if r is not hard]
    write_table(raw, "crm_contacts", header, rows)
    assert len(emails) > 3

    place = Warehouse(tmp_path / "wh")
    place.root.mkdir()
    shutil.copy(built_warehouse.database, place.work_db)  # the hard-deleted person was built
    people = (("requested", requested), ("soft", soft), ("hard", hard))
    needles = {f"{who}.{part}": p[col[part]] for who, p in people for part in ("email", "phone")}
    ids = [p[col["contact_id"]] for _, p in people]
    assert {label for _, label in _personal_hits(place.work_db, needles)} >= {
        "requested.email", "hard.email", "hard.phone"}
    address = "\t" + requested[col["email"]].upper() + " "
    run = run_pipeline(place, raw, TEST_AS_OF, extra_args=["--erase-email", address])
    assert run.returncode == 0, run.output[-8000:]
    assert requested[col["email"]].lower() not in run.output.lower()
    assert "erasure: 1 request(s)" in run.stdout
    assert _personal_hits(place.work_db, needles) == []
    assert _personal_hits(place.published_db, needles) == []
    assert _named_rows(place.work_db, ids) == []
    with duckdb.connect(str(place.work_db), read_only=True) as con:
        log = " ".join(str(v) for v in con.execute("select * from ops.pipeline_runs").fetchall())
        assert requested[col["email"]].lower() not in log.lower()
        register = con.execute("select * from ops.erased_people").fetchall()
        assert requested[col["email"]].lower() not in str(register).lower()
        # the ids stay: the requested person's raw row is there, without email or name
        kept = con.execute(
            "select email, first_name, last_name, phone from raw.crm_contacts where contact_id = ?",
            [requested[col["contact_id"]]],
        ).fetchall()
        assert kept == [(None, None, None, None)]

    # The next load brings the address back from the export: erased again, no request needed.
    from lead_segmentation.erasure import apply
    from lead_segmentation.load_raw import load_raw

    load_raw(raw, place.work_db, quiet=True)
    assert _personal_hits(place.work_db, needles) != []
    apply(place.work_db)
    assert _personal_hits(place.work_db, needles) == []


# ---- daily use -----------------------------------------------------------------------------


def fake_docs_generate(target: Path, monkeypatch) -> list:
    """dbt_build's `dbt docs generate --static` replaced by a fake (without the 10-18 s)
    writing `<html>site N</html>` for its Nth call; returns the list of calls."""
    from lead_segmentation import dbt_build

    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    calls = []

    def fake_dbt(cmd, **kwargs):
        calls.append(cmd)
        target.mkdir(exist_ok=True)
        (target / "static_index.html").write_text(f"<html>site {len(calls)}</html>")
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(dbt_build.subprocess, "run", fake_dbt)
    return calls


def test_dbt_docs_site_is_rebuilt_only_when_the_project_changed(tmp_path, monkeypatch):
    from lead_segmentation import dbt_build
    from pipeline_helpers import copy_project

    project = copy_project(tmp_path / "project")
    monkeypatch.delenv(dbt_build.DOCS_CACHE_ENV, raising=False)
    calls = fake_docs_generate(tmp_path / "target", monkeypatch)
    out = tmp_path / "docs" / "index.html"
    work = tmp_path / "work.duckdb"
    day1 = {"as_of_date": "2026-06-30"}
    assert dbt_build.generate_docs(project, work, day1, out) is True
    assert out.read_text() == "<html>site 1</html>" and len(calls) == 1
    # the next day, same project: kept (the scoring date is not part of the site)
    assert dbt_build.generate_docs(project, work, {"as_of_date": "2026-07-01"}, out) is False
    assert len(calls) == 1
    # a changed model, a changed var, a missing site: rebuilt
    model = next((project / "models").rglob("lead_scores.sql"))
    model.write_text(model.read_text() + "\n-- changed\n")
    assert dbt_build.generate_docs(project, work, day1, out) is True and len(calls) == 2
    assert dbt_build.generate_docs(project, work, {**day1, "holdout_pct": 5}, out) is True
    out.unlink()
    assert dbt_build.generate_docs(project, work, {**day1, "holdout_pct": 5}, out) is True
    assert len(calls) == 4 and out.read_text() == "<html>site 4</html>"


def test_dbt_docs_site_is_copied_from_the_cache_folder_for_the_same_project(tmp_path, monkeypatch):
    """With LEAD_SEGMENTATION_DOCS_CACHE set, a second work folder of the same project and
    vars gets the site built for the first, without dbt; other vars still build their own."""
    from lead_segmentation import dbt_build
    from pipeline_helpers import copy_project

    project = copy_project(tmp_path / "project")
    monkeypatch.setenv(dbt_build.DOCS_CACHE_ENV, str(tmp_path / "cache"))
    calls = fake_docs_generate(tmp_path / "target", monkeypatch)
    work = tmp_path / "work.duckdb"
    day1 = {"as_of_date": "2026-06-30"}
    first, second = tmp_path / "a" / "index.html", tmp_path / "b" / "index.html"
    assert dbt_build.generate_docs(project, work, day1, first) is True and len(calls) == 1
    assert dbt_build.generate_docs(project, work, {"as_of_date": "2026-07-01"}, second) is True
    assert len(calls) == 1 and second.read_text() == first.read_text() == "<html>site 1</html>"
    # the copy is stamped like a built site: kept on the next run
    assert dbt_build.generate_docs(project, work, day1, second) is False
    other = tmp_path / "c" / "index.html"
    assert dbt_build.generate_docs(project, work, {**day1, "holdout_pct": 5}, other) is True
    assert len(calls) == 2 and other.read_text() == "<html>site 2</html>"
