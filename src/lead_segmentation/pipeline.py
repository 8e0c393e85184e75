"""The main job: load raw -> raw checks -> dbt build -> mart checks -> publish -> summary.

    lead-segmentation-pipeline [--raw-dir DIR] [--as-of YYYY-MM-DD] [--work-db PATH]
                               [--published-db PATH] [--quiet]
    (bash scripts/run.sh [same options] sets up .venv first)

Steps, each a gate that stops the run when it fails:
  1. demo data   without --raw-dir: the embedded demo data, a continuing export
                 (demo/continuing_export.py: a later as-of is the earlier export plus the new
                 days, so a daily demo run is incremental), cut on first use into
                 data/demo/<as_of>/raw from a series made by demo/generate_raw.py (scale 1, seed 42)
  2. load raw    load_raw.py into schema raw of the work database (all or nothing)
  3. raw checks  Great Expectations suites of raw_checks.py on the full raw tables
  4. dbt build   seeds, models, snapshots and data tests on the work database; a test at
                 error severity stops the build (fail fast), its failing rows stay queryable
                 in schema test_failures; warnings are reported and do not stop the run.
                 Unit tests (code on fixed inputs, not data) run in the test command on every
                 change; --with-unit-tests runs them here too. The incremental engagement
                 models are rebuilt in full (--full-refresh) when a raw file does not continue
                 the one they were built from (load_raw.py: "Continuity"), or with --full-refresh
  5. mart checks Great Expectations suites of mart_checks.py on the built marts
  6. publish     publish.py copies the public marts into a new file and renames it
                 over the published database atomically
Every run appends a row to ops.pipeline_runs (work database; copied into the published file)
and ends with a short summary. GX Data Docs of each run: <work-db folder>/gx_docs/index.html
(not linked from the summary: their pages need internet for their CDN styles and scripts).
Thresholds: config/quality_thresholds.yml.

Exit codes:
  0   published (this run's data is what BI reads; also when Ctrl-C or SIGTERM came after the
      publish rename, while writing the report or the docs: a warning says what was not written)
  1   unexpected error (a bug: printed with its traceback)
  2   raw load refused (a missing file or column, a renamed column, a value of the wrong type, a file that is not UTF-8, a
      timestamp with a zone name);
      or the work database cannot be opened for writing (its folder read-only, the file held
      by another process, another run holding it): one line naming the cause and the holder
  3   raw checks failed (an empty table, NULL keys, duplicate ids, future timestamps, stale
      data, unknown categories above their thresholds, one unknown value holding a share of
      a category (a renamed event type); an events or forms file that does not
      continue the one the incremental models were built from and is much smaller)
  4   dbt build failed (a model error, or a data test (unit test with --with-unit-tests) at
      error severity)
  5   mart checks failed (a contract invariant of the built marts; too many people
      suppressed, with an invalid email or without an account; the segments moved against
      the published run beyond marts.score_shift, unless --accept-score-shift)
  6   publish failed (the copy could not be written or did not match the work database)
  64  invalid command line; or an --as-of older than the newest published one without --backfill
  130 interrupted (Ctrl-C) before the publish rename
  143 terminated (SIGTERM, a scheduler's stop) before the publish rename
A failure of the machine (a folder that cannot be written, a disk full, a file held by another
process) gets one line and the exit code of the step it hit (6 for the publish folder).
Whatever the exit code other than 0, the published file is left byte-for-byte as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

from lead_segmentation import run_log  # noqa: E402
from lead_segmentation.errors import ConfigError  # noqa: E402
from lead_segmentation.gates import Finding, Gate, GateFailed, fault_point  # noqa: E402
from lead_segmentation.paths import PROJECT_DIR  # noqa: E402

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130

DEMO_SCALE = 1.0
DEMO_SEED = 42
DEMO_KEEP = 3  # demo folders (one per as-of) kept; older ones are regenerated on demand


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2, which is "raw load refused" here
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(
        prog="pipeline.py",
        description="Load raw -> raw checks -> dbt build -> mart checks -> atomic publish.",
        epilog="Exit codes: 0 published, 1 unexpected error, 2 raw load refused (or the work "
        "DB cannot be opened for writing), 3 raw checks failed, 4 dbt build failed, 5 mart "
        "checks failed, 6 publish failed, 64 bad usage (or an --as-of older than the published "
        "one without --backfill), 130 interrupted, 143 terminated (SIGTERM). A non-zero exit "
        "leaves the published file unchanged.",
    )
    parser.add_argument(
        "--raw-dir",
        type=Path,
        metavar="DIR",
        help="folder of <table>.csv|.parquet (default: the demo data)",
    )
    parser.add_argument(
        "--as-of", metavar="YYYY-MM-DD", help="scoring date YYYY-MM-DD (default: today, UTC)"
    )
    parser.add_argument(
        "--source",
        choices=("files", "hubspot"),
        default="files",
        help="what the raw layer is: the six-file export (files, default) or HubSpot connector "
        "tables as Fivetran lands them (hubspot: --raw-dir of <table>.csv|.parquet, or "
        "--source-database; without either, the demo data in connector shape); docs/sources.md",
    )
    parser.add_argument(
        "--source-database",
        type=Path,
        metavar="PATH",
        help="with --source hubspot: a DuckDB database holding the connector tables, attached "
        "read-only and read in place (nothing copied)",
    )
    parser.add_argument(
        "--source-schema",
        default="hubspot",
        metavar="NAME",
        help="with --source-database: the schema of the connector tables (default hubspot)",
    )
    parser.add_argument(
        "--work-db",
        type=Path,
        default=None,
        metavar="PATH",
        help="work DuckDB file dbt builds in (default warehouse/work.duckdb)",
    )
    parser.add_argument(
        "--published-db",
        type=Path,
        default=None,
        metavar="PATH",
        help="DuckDB file BI reads (default warehouse/published.duckdb)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress lines; only failures and the summary"
    )
    parser.add_argument(
        "--gx-docs",
        type=Path,
        default=None,
        metavar="DIR",
        help="Data Docs folder (default: gx_docs next to the work DB)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="YAML",
        help="gate thresholds (default config/quality_thresholds.yml)",
    )
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    parser.add_argument(
        "--dbt-vars",
        default=None,
        metavar="JSON",
        help="extra dbt vars as JSON, e.g. '{\"holdout_pct\": 5}'",
    )
    parser.add_argument(
        "--with-unit-tests",
        action="store_true",
        help="also run dbt's unit tests in the build (they test code, not data; the test "
        "command runs them on every change)",
    )
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental models from the raw tables (done anyway when a raw file "
        "does not continue the one they were built from), e.g. after a backfill older than "
        "var engagement_lookback_days",
    )
    parser.add_argument(
        "--accept-score-shift",
        action="store_true",
        help="publish even when the segment distribution moved beyond marts.score_shift of the "
        "thresholds file against the published run (a real shift, checked by a person)",
    )
    parser.add_argument(
        "--backtest",
        action="store_true",
        help="also build the backtest (models tagged backtest: scores as of past month ends "
        "vs what followed; dbt vars backtest_as_of_dates / backtest_months / "
        "backtest_horizon_days), publish score_backtest and write a proposal of learned "
        "weights under warehouse/proposals/ (docs/backtest.md)",
    )
    parser.add_argument(
        "--backfill",
        action="store_true",
        help="allow an --as-of older than the newest one published (refused otherwise, exit "
        "64): republishes the marts as of that date; the snapshots (segment and routing "
        "history) are not run, so history keeps only the forward runs",
    )
    parser.add_argument(
        "--erase-email",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="an erasure request: remove this person's email and name from every table of the "
        "work database now and from every later load, then run and publish as usual (the log "
        "shows a count, never the address); repeatable",
    )
    parser.add_argument("--demo-scale", type=float, default=DEMO_SCALE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        args.as_of_date = (
            dt.date.fromisoformat(args.as_of) if args.as_of else dt.datetime.now(dt.timezone.utc).date()
        )
    except ValueError:
        parser.error(f"--as-of: expected YYYY-MM-DD, got {args.as_of!r}")
    try:
        args.extra_vars = json.loads(args.dbt_vars) if args.dbt_vars else {}
        if not isinstance(args.extra_vars, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        parser.error(f"--dbt-vars: expected a JSON object ({exc})")
    if args.source_database is not None and args.source != "hubspot":
        parser.error("--source-database needs --source hubspot")
    if args.source_database is not None and args.raw_dir is not None:
        parser.error("--source-database and --raw-dir are two different sources: give one")
    if "as_of_date" in args.extra_vars:
        parser.error("--dbt-vars: set the scoring date with --as-of, not as_of_date")
    target = os.environ.get("DBT_TARGET", "duckdb")
    if target != "duckdb":
        # The load, the checks and the publish read and write DuckDB files: a build on another
        # target would be checked and published from the wrong place.
        parser.error(f"DBT_TARGET={target}: the main job runs on the embedded DuckDB target only")
    args.project_dir = args.project_dir.resolve()
    args.work_db = (args.work_db or args.project_dir / "warehouse" / "work.duckdb").resolve()
    args.published_db = (
        args.published_db or args.project_dir / "warehouse" / "published.duckdb"
    ).resolve()
    if args.work_db == args.published_db:
        parser.error("--work-db and --published-db must be different files")
    args.gx_docs = (args.gx_docs or args.work_db.parent / "gx_docs").resolve()
    args.backfilling = False  # set by refuse_going_back once the published as-of is known
    return args


class Progress:
    """Progress lines: step name and elapsed time since the run started. Remembers the step
    under way (and the gate whose exit code its failures take) for the failure messages."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.started = time.monotonic()
        self.current: str | None = None  # the step under way
        self.gate: Gate | None = None  # the gate of that step (None after publish)

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"[pipeline {time.monotonic() - self.started:7.1f}s] {message}", flush=True)

    @contextlib.contextmanager
    def step(self, name: str, gate: Gate | None = None, point: str | None = None):
        self.current, self.gate = name, gate
        self.say(f"{name} ...")
        began = time.monotonic()
        if point:
            fault_point(point)
        yield
        self.say(f"{name}: done in {time.monotonic() - began:.1f}s")


class Interrupted(KeyboardInterrupt):
    """SIGTERM (what a scheduler sends), raised like Ctrl-C's KeyboardInterrupt so that every
    `finally` and cleanup runs: the dbt child is stopped, a staged publish copy removed."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum, _frame):
    raise Interrupted(signum)


def interrupt_exit_code(exc: KeyboardInterrupt) -> int:
    """128 + the signal's number, as a shell reports it: 130 Ctrl-C (SIGINT), 143 SIGTERM."""
    return 128 + (exc.signum if isinstance(exc, Interrupted) else signal.SIGINT)


def _lock_holder(lock_path: Path) -> str:
    try:
        text = lock_path.read_text().strip()
    except OSError:
        text = ""
    return f" ({text})" if text else ""


@contextlib.contextmanager
def work_db_lock(work_db: Path):
    """One run per work database at a time (a second run would rebuild under the first).

    The lock file names its holder (PID, run id, start), so the refused run can say who holds
    it. Failures are the load step's (gate raw_load): it is the first to write the work DB."""
    lock_path = work_db.with_name(work_db.name + ".lock")
    try:
        work_db.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)  # no truncation: the holder's
    except OSError as exc:
        raise GateFailed(
            Gate.RAW_LOAD,
            [Finding("work_db.writable", environment_cause(exc, work_db) or str(exc), look=str(work_db.parent))],
            where="make the work database's folder writable (--work-db picks another one)",
        ) from None
    with os.fdopen(fd, "r+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GateFailed(
                Gate.RAW_LOAD,
                [
                    Finding(
                        "work_db.lock",
                        f"another pipeline run{_lock_holder(lock_path)} is using {work_db}; "
                        "wait for it to finish, or stop it",
                        look=str(lock_path),
                    )
                ],
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"PID {os.getpid()}, started {run_log.utc_now():%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                handle.seek(0)
                handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


# A DuckDB lock conflict names the holder: 'Conflicting lock is held in /usr/bin/x (PID 12)'.
_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (.+?)(?:\. See also|$)", re.S)


def environment_cause(exc: BaseException, where: Path | None = None) -> str | None:
    """A one-line cause for a failure of the machine, not of the data or the code: a folder or
    file that cannot be written, a disk full, a DuckDB file held by another process. None for
    anything else (a bug: reported with its traceback)."""
    text = " ".join(str(exc).split())
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC):
        name = exc.filename or where
        return f"cannot write {name}: {exc.strerror}"
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a dependency
        return None
    if isinstance(exc, duckdb.Error):
        holder = _DUCKDB_HOLDER.search(text)
        if holder:
            path = re.search(r'lock on file "([^"]+)"', text)
            return (
                f"{path.group(1) if path else 'a database file'} is held by another process: "
                f"{holder.group(1).strip()}; close it (a DuckDB client, a notebook, a BI tool) "
                "and run again"
            )
        for marker in ("Permission denied", "Read-only file system", "No space left on device"):
            if marker in text:
                path = re.search(r'"(/[^"]+)"', text)
                return f"cannot write {path.group(1) if path else where or 'a database file'}: {marker}"
    return None


def published_as_of(work_db: Path, published_db: Path) -> dt.date | None:
    """The newest as-of ever published, from the run logs of the published file and the work
    database (a backfill publishes an older date; the newest stays the reference)."""
    import duckdb

    newest = None
    for path in (published_db, work_db):
        if not path.exists():
            continue
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                row = con.execute(
                    f"select max(as_of_date) from {run_log.RELATION} "
                    "where status = 'published'"
                ).fetchone()
        except duckdb.Error:
            continue  # no run log yet (or held by a run: that run's lock refuses this one)
        if row and row[0] and (newest is None or row[0] > newest):
            newest = row[0]
    return newest


def is_published(published_db: Path, run_id: str) -> bool:
    """Whether the published file is this run's (the truth after an interrupt)."""
    import duckdb

    try:
        with duckdb.connect(str(published_db), read_only=True) as con:
            return bool(
                con.execute(
                    f"select count(*) from {run_log.RELATION} "
                    "where run_id = ? and status = 'published'",
                    [run_id],
                ).fetchone()[0]
            )
    except Exception:  # noqa: BLE001 - missing or unreadable: not this run's
        return False


def demo_raw_dir(project_dir: Path, as_of: dt.date, scale: float, progress: Progress) -> Path:
    """The demo data for `as_of`: the demo's continuing export as delivered that day
    (demo/continuing_export.py: a later day is the earlier one plus the new days), cut on first use
    (written aside, then renamed in)."""
    from lead_segmentation.demo.continuing_export import (
        cut,
        find_or_create_series,
        remove_stale_staging,
    )

    root = project_dir / "data" / "demo"
    name = as_of.isoformat() + ("" if scale == DEMO_SCALE else f"-scale{scale:g}")
    target = root / name / "raw"
    if target.is_dir():
        progress.say(f"demo data: {target} (cached)")
        return target
    from lead_segmentation.demo.generate_raw import generate

    root.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(root)  # left by a killed run
    series, meta = find_or_create_series(
        root, as_of, scale, DEMO_SEED, DEMO_SCALE, generate, progress.say
    )
    progress.say(f"demo data: the export of {as_of} (series {meta['start']}..{meta['end']}) into {target}")
    staging = root / f".{name}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    from lead_segmentation.owner_only import private_dir

    private_dir(root)  # demo people are fake but shaped like real personal data
    private_dir(staging / "raw")
    try:
        cut(series, meta, as_of, staging / "raw")
        if not target.is_dir():  # else a concurrent run won the race: use its folder
            shutil.rmtree(target.parent, ignore_errors=True)  # a half-deleted leftover
            os.replace(staging, target.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    # Keep the few most recent day folders: each is cut again from its series on demand.
    folders = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
    )
    for old in folders[:-DEMO_KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def decide_full_refresh(work_db: Path, config, forced: bool, raw_dir: Path, say) -> bool:
    """Whether the build must rebuild the incremental models (dbt --full-refresh).

    The rows they hold are right only while the events and forms files continue the ones they
    were built from (load_raw.py, "Continuity"); otherwise (another export, a first run) they
    are rebuilt, unless a file is so much smaller that rebuilding from it would drop the
    history: then the raw gate stops the run (--full-refresh overrides)."""
    from lead_segmentation.load_raw import decide_rebuild, load_continuity

    if forced:
        return True
    return decide_rebuild(
        {t: c for t, c in load_continuity(work_db).items() if not c.continues},
        config.min_rebuild_row_share,
        say,
        check="raw.{table}.continuity",
        what="file",
        advice="Append new batches to the export",
        look=lambda _table: str(raw_dir),
    )


def _load_and_check_files(args, config, raw_dir: Path, progress: Progress, record):
    """The six-file source's load and raw-check steps."""
    from lead_segmentation.load_raw import RawLoadError, load_raw

    with progress.step(f"load raw from {raw_dir}", Gate.RAW_LOAD, "load"):
        try:
            raw_counts = load_raw(raw_dir, args.work_db, quiet=progress.quiet)
        except RawLoadError as exc:
            raise GateFailed(
                Gate.RAW_LOAD,
                [Finding("raw_load", str(exc), look=str(raw_dir))],
                where="fix the raw file named above; the work database's raw schema was not changed",
            ) from exc
        record.row_counts["raw"] = raw_counts
        progress.say(f"loaded {sum(raw_counts.values()):,} rows in {len(raw_counts)} tables")
        full_refresh = decide_full_refresh(
            args.work_db, config, args.full_refresh, raw_dir, progress.say
        )
        # Erasure requests and people deleted in the CRM: their email and name leave the raw
        # tables before anything is built from them (and the held rows of earlier builds).
        from lead_segmentation.erasure import apply as erase

        erased = erase(args.work_db, args.erase_email)
        if erased.requested or erased.deleted_in_crm or erased.rows:
            progress.say(erased.render())

    with progress.step("raw checks (Great Expectations)", Gate.RAW_CHECKS, "raw_checks"):
        from lead_segmentation.gx_runner import GxSession
        from lead_segmentation.raw_checks import run_raw_checks

        session = GxSession(args.gx_docs, record.run_id, record.started_at)
        record.gx_docs = str(args.gx_docs / "index.html")
        report = run_raw_checks(args.work_db, args.as_of_date, config, session)
        progress.say(f"raw checks: {report.checks_run} checks passed")
    return raw_counts, full_refresh, session


def run(args: argparse.Namespace, progress: Progress, record: run_log.RunRecord) -> None:
    """Every step; raises GateFailed (or anything unexpected) to stop."""
    from lead_segmentation.erasure import apply as erase
    from lead_segmentation.load_raw import mark_built
    from lead_segmentation.quality_config import load_config

    config = load_config(args.config) if args.config else load_config()
    # The dbt vars of this run: the build and the docs site see the same ones.
    variables = {**args.extra_vars, "as_of_date": args.as_of_date.isoformat()}

    hubspot = args.source == "hubspot"
    if args.raw_dir is None and args.source_database is None:
        with progress.step("demo data", Gate.RAW_LOAD, "demo"):
            raw_dir = demo_raw_dir(args.project_dir, args.as_of_date, args.demo_scale, progress)
            if hubspot:
                from lead_segmentation.sources.hubspot_job import demo_hubspot_dir

                raw_dir = demo_hubspot_dir(raw_dir, progress.say)
    else:
        raw_dir = args.raw_dir.resolve() if args.raw_dir else None
    record.raw_dir = str(raw_dir or args.source_database.resolve())

    if hubspot:
        # The HubSpot source replaces the load and raw-check steps (sources/hubspot_job.py);
        # the build, the mart checks and the publish below are the same for every source.
        from lead_segmentation.gx_runner import GxSession
        from lead_segmentation.sources import hubspot_job

        with progress.step(
            f"load HubSpot connector tables from {record.raw_dir}", Gate.RAW_LOAD, "load"
        ):
            prepared = hubspot_job.load(args, raw_dir, progress.say)
            raw_counts = prepared.raw_counts
            record.row_counts["raw"] = prepared.connector_rows
            variables.update(prepared.variables)
            full_refresh = hubspot_job.decide_full_refresh(args, prepared, config, progress.say)
            # Erasure requests and people HubSpot deleted: their email and name leave the
            # connector tables loaded into the work database (and the rows earlier builds hold).
            erased = erase(args.work_db, args.erase_email, source="hubspot")
            if erased.requested or erased.deleted_in_crm or erased.rows:
                progress.say(erased.render())
        with progress.step(
            "raw checks on the connector tables (Great Expectations)", Gate.RAW_CHECKS, "raw_checks"
        ):
            session = GxSession(args.gx_docs, record.run_id, record.started_at)
            record.gx_docs = str(args.gx_docs / "index.html")
            report = hubspot_job.check(args, prepared, args.as_of_date, config, session)
            progress.say(f"raw checks: {report.checks_run} checks passed")
    else:
        raw_counts, full_refresh, session = _load_and_check_files(
            args, config, raw_dir, progress, record
        )

    with progress.step("dbt build", Gate.DBT_BUILD):
        from lead_segmentation.dbt_build import drop_stale_relations, run_dbt_build

        outcome = run_dbt_build(
            args.project_dir,
            args.work_db,
            variables,
            say=progress.say,
            unit_tests=args.with_unit_tests,
            full_refresh=full_refresh,
            snapshots=not args.backfilling,
        )
        from lead_segmentation.sources import hubspot_continuity

        if args.source == "files":
            mark_built(args.work_db)
            hubspot_continuity.forget_built(args.work_db)
        elif prepared.from_folder:
            hubspot_continuity.mark_built(args.work_db)
        record.dbt_warnings = len(outcome.warnings)
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(outcome.statuses.items()))
        progress.say(f"dbt build: {outcome.nodes} nodes ({statuses})")
        stale = drop_stale_relations(args.work_db, outcome.target_path / "manifest.json")
        if stale:
            shown = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
            progress.say(f"dbt build: dropped {len(stale)} relation(s) no model builds any more: {shown}")
        if outcome.warnings:
            print(
                f"dbt warnings ({len(outcome.warnings)}, not fatal):\n"
                + "\n".join(w.render() for w in outcome.warnings),
                flush=True,
            )

        # The build's own copies (incremental rows, stored failing test rows) of erased people
        erased = erase(args.work_db, source=args.source)
        if erased.deleted_in_crm or erased.rows:
            progress.say(erased.render())

    if args.backtest:
        run_backtest_build(args, variables, progress)

    import duckdb

    from lead_segmentation.contract import staging_models

    # The staging models of the source this build read (the work DB may hold another's).
    staging = staging_models(args.source, str(variables.get("segment_enabled")).lower() == "true")
    con = duckdb.connect(str(args.work_db), read_only=True)
    try:
        record.row_counts.update(run_log.count_layers(con, raw=False, staging=staging))
    finally:
        con.close()

    with progress.step("mart checks (Great Expectations)", Gate.MART_CHECKS, "mart_checks"):
        from lead_segmentation.mart_checks import run_mart_checks

        report = run_mart_checks(
            args.work_db,
            args.as_of_date,
            config,
            session,
            raw_counts=raw_counts,
            published_db=args.published_db,
            accept_score_shift=args.accept_score_shift,
            source=args.source,
        )
        for note in report.notes:
            progress.say(note)
        progress.say(f"mart checks: {report.checks_run} checks passed")

    with progress.step(f"publish to {args.published_db}", Gate.PUBLISH):
        from lead_segmentation.publish import publish

        record.published_db = str(args.published_db)
        record.finish("published", EXIT_OK)
        try:
            result = publish(args.work_db, args.published_db, record)
        except BaseException:
            record.published_db = None
            record.status, record.exit_code, record.ended_at = "running", None, None
            raise
        progress.say(
            f"published {sum(result.row_counts.values()):,} rows in {len(result.row_counts)} tables "
            f"({result.size_bytes / 1e6:.1f} MB)"
        )

    if args.backtest:
        write_backtest_proposal(args, progress)

    # The segment report reads the published file, so it always shows what BI sees. The data
    # is already published: a report failure is a warning, never a failed run.
    report_path = args.published_db.parent / "report" / "index.html"
    with progress.step(f"segment report {report_path}", None, "report"):
        try:
            from lead_segmentation.report.render import build_report

            build_report(args.published_db, report_path)
        except Exception as exc:  # noqa: BLE001 - see above
            print(f"warning: the segment report was not written: {exc}", file=sys.stderr)

    # The dbt docs site (models, columns, tests, lineage) of what was just built, as one file
    # beside the report; rebuilt only when the project changed. A warning, never a failed run.
    docs_path = args.published_db.parent / "docs" / "index.html"
    with progress.step(f"dbt docs {docs_path}", None, "docs"):
        try:
            from lead_segmentation.dbt_build import generate_docs

            if not generate_docs(args.project_dir, args.work_db, variables, docs_path):
                progress.say("dbt docs: the project did not change since the site was built: kept")
        except Exception as exc:  # noqa: BLE001 - see above
            print(f"warning: the dbt docs were not written: {exc}", file=sys.stderr)


BACKTEST_SELECTOR = "tag:backtest"


def run_backtest_build(args: argparse.Namespace, variables: dict, progress: Progress) -> None:
    """`dbt build --select tag:backtest` on the work database the daily build just passed:
    the backtest models (a bare `dbt build` leaves them out, selectors.yml) and their tests.
    A failure stops the run like the daily build (gate dbt_build, exit 4)."""
    from lead_segmentation.dbt_build import run_dbt_build

    with progress.step("backtest (dbt build --select tag:backtest)"):
        outcome = run_dbt_build(
            args.project_dir,
            args.work_db,
            variables,
            say=progress.say,
            select=[BACKTEST_SELECTOR],
            unit_tests=args.with_unit_tests,
        )
        progress.say(f"backtest: {outcome.nodes} nodes in {outcome.elapsed:.1f}s")


def write_backtest_proposal(args: argparse.Namespace, progress: Progress) -> None:
    """Learned weights, proposed and never applied (docs/backtest.md): files under
    <published folder>/proposals/<as-of>/. The data is already published: a failure here is a
    warning, never a failed run."""
    out_dir = args.published_db.parent / "proposals" / args.as_of_date.isoformat()
    with progress.step(f"backtest proposal {out_dir}"):
        try:
            from lead_segmentation.backtest.learn import write_proposal

            summary = write_proposal(args.work_db, args.project_dir / "seeds", out_dir)
            progress.say(summary)
        except Exception as exc:  # noqa: BLE001 - see above
            print(f"warning: the backtest proposal was not written: {exc}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from lead_segmentation.owner_only import restrict_new_files

    restrict_new_files()  # the work DB, published file, demo data, dbt and GX output: owner-only
    # SIGTERM (a scheduler stopping the job) unwinds like Ctrl-C: children stopped, staged
    # files removed, the run logged, the exit code and message telling what is published.
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        return _main(args)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _main(args: argparse.Namespace) -> int:
    progress = Progress(args.quiet)
    started_at = run_log.utc_now()
    record = run_log.RunRecord(
        run_id=run_log.new_run_id(started_at), as_of_date=args.as_of_date, started_at=started_at
    )
    progress.say(
        f"run {record.run_id}, as of {args.as_of_date}; work DB {args.work_db}; "
        f"publishes to {args.published_db}"
    )
    exit_code = EXIT_UNEXPECTED
    locked = False
    try:
        with work_db_lock(args.work_db):
            locked = True
            try:
                refused = refuse_going_back(args, record)
                exit_code = refused if refused is not None else _run_and_classify(args, progress, record)
            finally:
                _append_log(args.work_db, record)
    except GateFailed as failure:  # the lock: another run, or a folder that cannot be written
        if locked:
            raise
        exit_code = _gate_failed(record, failure)
    except KeyboardInterrupt as exc:  # while taking the lock or writing the log
        if record.status == "running":
            exit_code = interrupt_exit_code(exc)
            record.finish("error", exit_code)
            record.failing_check = "interrupted"
            print("interrupted; nothing was published", file=sys.stderr)
    # The run log's duration ends at publish; the report and docs site are written after it.
    whole = (run_log.utc_now() - started_at).total_seconds()
    print(run_log.summary(record, whole_seconds=whole), flush=True)
    return exit_code


def refuse_going_back(args: argparse.Namespace, record: run_log.RunRecord) -> int | None:
    """Time only moves forward unless asked: an --as-of older than the newest published one
    would republish older data (and the CRM sync would push it). Refused with exit 64 unless
    --backfill; sets args.backfilling (a backfill does not run the snapshots)."""
    newest = published_as_of(args.work_db, args.published_db)
    args.backfilling = newest is not None and args.as_of_date < newest
    if not args.backfilling or args.backfill:
        return None
    record.finish("error", EXIT_USAGE)
    record.failing_check = f"--as-of {args.as_of_date} is older than the published {newest}"
    print(
        f"REFUSED (exit {EXIT_USAGE}): --as-of {args.as_of_date} is older than the as-of already "
        f"published ({newest}); nothing was run or published. To republish an older date on "
        "purpose, add --backfill (the segment history is then left as it is)",
        file=sys.stderr,
    )
    return EXIT_USAGE


def _gate_failed(record: run_log.RunRecord, failure: GateFailed) -> int:
    record.finish("failed", failure.exit_code)
    record.failed_gate = failure.gate.label
    record.failing_check = failure.first.check
    record.failing_rows = failure.first.rows
    record.failed_checks = len(failure.findings)
    record.message = failure.report()
    print(failure.report(), file=sys.stderr, flush=True)
    return failure.exit_code


def _run_and_classify(args: argparse.Namespace, progress: Progress, record: run_log.RunRecord) -> int:
    """run() with every outcome turned into an exit code, a message and the run-log row."""
    try:
        run(args, progress, record)
        return EXIT_OK
    except GateFailed as failure:
        return _gate_failed(record, failure)
    except ConfigError as exc:
        record.finish("error", EXIT_UNEXPECTED)
        record.failing_check = f"configuration: {exc}"[:500]
        print(f"CONFIGURATION ERROR (exit 1); nothing was published\n{exc}", file=sys.stderr)
        return EXIT_UNEXPECTED
    except KeyboardInterrupt as exc:
        return _interrupted(args, progress, record, exc)
    except Exception as exc:  # noqa: BLE001 - the run log must record every outcome
        if progress.gate in (Gate.PUBLISH, None) and is_published(args.published_db, record.run_id):
            # after the rename: the data is live, whatever broke next (exit 0 <=> published)
            return _published_anyway(args, progress, record, f"{type(exc).__name__}: {exc}")
        cause = environment_cause(exc, args.work_db)
        if cause and progress.gate is not None:
            # The machine, not the data or the code: one line, the exit code of the step.
            return _gate_failed(
                record, GateFailed(progress.gate, [Finding(f"{progress.gate.label}.environment", cause)])
            )
        record.finish("error", EXIT_UNEXPECTED)
        # Database errors quote the value that failed: not in the log BI reads.
        from lead_segmentation.gates import without_values

        record.failing_check = without_values(f"{type(exc).__name__}: {exc}")[:500]
        record.message = without_values(traceback.format_exc())
        print(f"UNEXPECTED ERROR (exit 1); nothing was published\n{record.message}", file=sys.stderr)
        return EXIT_UNEXPECTED


def _published_anyway(
    args: argparse.Namespace, progress: Progress, record: run_log.RunRecord, what: str
) -> int:
    """The run's data was published, then `what` (an interrupt, an error) stopped a later
    step: a published run (exit 0) with a warning naming the step and what was not written."""
    step = progress.current or "publish"
    record.status, record.exit_code = "published", EXIT_OK
    record.published_db = str(args.published_db)
    record.ended_at = record.ended_at or run_log.utc_now()
    record.message = f"published; then {what} during step: {step}"[:2000]
    print(
        f"warning: {what} during step '{step}' after the data was published: "
        f"{args.published_db} holds this run's data (run {record.run_id}); what that step "
        "writes (the report or the docs site) was not updated",
        file=sys.stderr,
    )
    return EXIT_OK


def _interrupted(
    args: argparse.Namespace, progress: Progress, record: run_log.RunRecord, exc: KeyboardInterrupt
) -> int:
    """Tell the truth about what is published. Before the publish rename: nothing was, exit
    130 (Ctrl-C) or 143 (SIGTERM). After it (while writing the report or the docs, or in the
    instant after the rename): the new data IS published, so the run is a published run, exit
    0, with a warning naming what was not written. Exit 0 <=> this run's data is what BI
    reads; any other exit leaves the published file as it was."""
    # A second Ctrl-C must not cut the check and the log below short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    how = "terminated (SIGTERM)" if isinstance(exc, Interrupted) else "interrupted (Ctrl-C)"
    step = progress.current or "start-up"
    if is_published(args.published_db, record.run_id):
        return _published_anyway(args, progress, record, how)
    code = interrupt_exit_code(exc)
    record.finish("error", code)
    record.failing_check = f"{how} during step '{step}'"
    print(
        f"{how} during step '{step}' (exit {code}); nothing was published: "
        f"{args.published_db} is unchanged",
        file=sys.stderr,
    )
    return code


def _append_log(work_db: Path, record: run_log.RunRecord) -> None:
    try:
        run_log.append(work_db, record)
    except Exception as exc:  # noqa: BLE001 - never hide the run's own outcome behind the log's
        print(f"warning: could not write the run log to {work_db}: {exc}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
