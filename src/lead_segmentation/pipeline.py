"""The main job: load raw -> raw checks -> dbt build -> mart checks -> publish -> summary.

    lead-segmentation-pipeline [--raw-dir DIR] [--as-of YYYY-MM-DD] [--work-db PATH]
                               [--published-db PATH] [--quiet]
    (bash scripts/run.sh [same options] sets up .venv first)

Steps, each a gate that stops the run when it fails:
  1. demo data   without --raw-dir: the embedded demo data, generated on first use per as-of
                 (demo/generate_raw.py, scale 1, seed 42) into data/demo/<as_of>/raw
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
and ends with a short summary. GX Data Docs of each run: <work-db folder>/gx_docs/index.html.
Thresholds: config/quality_thresholds.yml.

Exit codes:
  0   published
  1   unexpected error (a bug, the work database in use by another run, ...)
  2   raw load refused (a missing file or column, a renamed column, a value of the wrong type,
      a file that is not UTF-8, a timestamp with a zone name)
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
  64  invalid command line
  130 interrupted (Ctrl-C)
Whatever the exit code other than 0, the published file is left byte-for-byte as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

from lead_segmentation import run_log  # noqa: E402
from lead_segmentation.errors import ConfigError  # noqa: E402
from lead_segmentation.gates import Finding, Gate, GateFailed  # noqa: E402
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
        epilog="Exit codes: 0 published, 1 unexpected error, 2 raw load refused, 3 raw checks "
        "failed, 4 dbt build failed, 5 mart checks failed, 6 publish failed, 64 bad usage, "
        "130 interrupted. A failed run leaves the published file unchanged.",
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
    return args


class Progress:
    """Progress lines: step name and elapsed time since the run started."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.started = time.monotonic()

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"[pipeline {time.monotonic() - self.started:7.1f}s] {message}", flush=True)

    @contextlib.contextmanager
    def step(self, name: str):
        self.say(f"{name} ...")
        began = time.monotonic()
        yield
        self.say(f"{name}: done in {time.monotonic() - began:.1f}s")


@contextlib.contextmanager
def work_db_lock(work_db: Path):
    """One run per work database at a time (a second run would rebuild under the first)."""
    work_db.parent.mkdir(parents=True, exist_ok=True)
    lock_path = work_db.with_name(work_db.name + ".lock")
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another pipeline run is using {work_db} (lock {lock_path})") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def demo_raw_dir(project_dir: Path, as_of: dt.date, scale: float, progress: Progress) -> Path:
    """The demo data for `as_of`, generated on first use (written aside, then renamed in)."""
    root = project_dir / "data" / "demo"
    name = as_of.isoformat() + ("" if scale == DEMO_SCALE else f"-scale{scale:g}")
    target = root / name / "raw"
    if target.is_dir():
        progress.say(f"demo data: {target} (cached)")
        return target
    from lead_segmentation.demo.generate_raw import generate

    progress.say(f"demo data: generating scale {scale:g}, seed {DEMO_SEED}, as of {as_of} into {target}")
    staging = root / f".{name}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    from lead_segmentation.owner_only import private_dir

    private_dir(root)  # demo people are fake but shaped like real personal data
    private_dir(staging / "raw")
    try:
        generate(
            scale=scale,
            seed=DEMO_SEED,
            out_dir=staging / "raw",
            as_of=as_of,
            fmt="csv",
            quiet=progress.quiet,
        )
        if not target.is_dir():  # else a concurrent run won the race: use its folder
            shutil.rmtree(target.parent, ignore_errors=True)  # a half-deleted leftover
            os.replace(staging, target.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    # Keep the few most recent folders: the data is reproducible from the seed.
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
    from lead_segmentation.load_raw import load_continuity

    if forced:
        return True
    breaks = {t: c for t, c in load_continuity(work_db).items() if not c.continues}
    shrunk = [
        Finding(
            f"raw.{table}.continuity",
            f"{c.rows:,} rows, not a continuation of the {c.built_rows:,} rows the "
            "incremental models were built from: rebuilding from this file would drop "
            f"the history (below raw.min_rebuild_row_share {config.min_rebuild_row_share}). "
            "Append new batches to the export; or run with --full-refresh to rebuild "
            "from this data alone",
            look=str(raw_dir),
        )
        for table, c in breaks.items()
        if c.built_rows and c.rows < config.min_rebuild_row_share * c.built_rows
    ]
    if shrunk:
        raise GateFailed(Gate.RAW_CHECKS, shrunk)
    first = [table for table, c in breaks.items() if c.built_rows is None]
    other = [table for table in breaks if table not in first]
    if first:
        say(f"{', '.join(first)}: no build recorded yet: building the incremental models in full")
    if other:
        say(
            f"{', '.join(other)}: not a continuation of the load the incremental models "
            "were built from: rebuilding them in full"
        )
    return bool(breaks)


def run(args: argparse.Namespace, progress: Progress, record: run_log.RunRecord) -> None:
    """Every step; raises GateFailed (or anything unexpected) to stop."""
    from lead_segmentation.load_raw import RawLoadError, load_raw, mark_built
    from lead_segmentation.quality_config import load_config

    config = load_config(args.config) if args.config else load_config()
    # The dbt vars of this run: the build and the docs site see the same ones.
    variables = {**args.extra_vars, "as_of_date": args.as_of_date.isoformat()}

    if args.raw_dir is None:
        with progress.step("demo data"):
            raw_dir = demo_raw_dir(args.project_dir, args.as_of_date, args.demo_scale, progress)
    else:
        raw_dir = args.raw_dir.resolve()
    record.raw_dir = str(raw_dir)

    with progress.step(f"load raw from {raw_dir}"):
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

    with progress.step("raw checks (Great Expectations)"):
        from lead_segmentation.gx_runner import GxSession
        from lead_segmentation.raw_checks import run_raw_checks

        session = GxSession(args.gx_docs, record.run_id, record.started_at)
        record.gx_docs = str(args.gx_docs / "index.html")
        report = run_raw_checks(args.work_db, args.as_of_date, config, session)
        progress.say(f"raw checks: {report.checks_run} checks passed")

    with progress.step("dbt build"):
        from lead_segmentation.dbt_build import run_dbt_build

        outcome = run_dbt_build(
            args.project_dir,
            args.work_db,
            variables,
            say=progress.say,
            unit_tests=args.with_unit_tests,
            full_refresh=full_refresh,
        )
        mark_built(args.work_db)
        record.dbt_warnings = len(outcome.warnings)
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(outcome.statuses.items()))
        progress.say(f"dbt build: {outcome.nodes} nodes ({statuses})")
        if outcome.warnings:
            print(
                f"dbt warnings ({len(outcome.warnings)}, not fatal):\n"
                + "\n".join(w.render() for w in outcome.warnings),
                flush=True,
            )

    if args.backtest:
        run_backtest_build(args, variables, progress)

    import duckdb

    con = duckdb.connect(str(args.work_db), read_only=True)
    try:
        record.row_counts.update(run_log.count_layers(con, raw=False))
    finally:
        con.close()

    with progress.step("mart checks (Great Expectations)"):
        from lead_segmentation.mart_checks import run_mart_checks

        report = run_mart_checks(
            args.work_db,
            args.as_of_date,
            config,
            session,
            raw_counts=raw_counts,
            published_db=args.published_db,
            accept_score_shift=args.accept_score_shift,
        )
        for note in report.notes:
            progress.say(note)
        progress.say(f"mart checks: {report.checks_run} checks passed; Data Docs: {report.docs_index}")

    with progress.step(f"publish to {args.published_db}"):
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
    with progress.step(f"segment report {report_path}"):
        try:
            from lead_segmentation.report.render import build_report

            build_report(args.published_db, report_path)
        except Exception as exc:  # noqa: BLE001 - see above
            print(f"warning: the segment report was not written: {exc}", file=sys.stderr)

    # The dbt docs site (models, columns, tests, lineage) of what was just built, as one file
    # beside the report. Also a warning, never a failed run.
    docs_path = args.published_db.parent / "docs" / "index.html"
    with progress.step(f"dbt docs {docs_path}"):
        try:
            from lead_segmentation.dbt_build import generate_docs

            generate_docs(args.project_dir, args.work_db, variables, docs_path)
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
    try:
        with work_db_lock(args.work_db):
            try:
                run(args, progress, record)
                exit_code = EXIT_OK
            except GateFailed as failure:
                exit_code = failure.exit_code
                record.finish("failed", exit_code)
                record.failed_gate = failure.gate.label
                record.failing_check = failure.first.check
                record.failing_rows = failure.first.rows
                record.failed_checks = len(failure.findings)
                record.message = failure.report()
                print(failure.report(), file=sys.stderr, flush=True)
            except ConfigError as exc:
                exit_code = EXIT_UNEXPECTED
                record.finish("error", exit_code)
                record.failing_check = f"configuration: {exc}"[:500]
                print(f"CONFIGURATION ERROR (exit 1); nothing was published\n{exc}", file=sys.stderr)
            except KeyboardInterrupt:
                exit_code = EXIT_INTERRUPTED
                record.finish("error", exit_code)
                record.failing_check = "interrupted"
                print("interrupted; nothing was published", file=sys.stderr)
            except Exception as exc:  # noqa: BLE001 - the run log must record every outcome
                exit_code = EXIT_UNEXPECTED
                record.finish("error", exit_code)
                # Database errors quote the value that failed: not in the log BI reads.
                from lead_segmentation.gates import without_values

                record.failing_check = without_values(f"{type(exc).__name__}: {exc}")[:500]
                record.message = without_values(traceback.format_exc())
                print(
                    f"UNEXPECTED ERROR (exit 1); nothing was published\n{record.message}",
                    file=sys.stderr,
                )
            _append_log(args.work_db, record)
    except RuntimeError as exc:  # the lock
        record.finish("error", EXIT_UNEXPECTED)
        record.failing_check = str(exc)
        print(f"ERROR: {exc}", file=sys.stderr)
    # The run log's duration ends at publish; the report and docs site are written after it.
    whole = (run_log.utc_now() - started_at).total_seconds()
    print(run_log.summary(record, whole_seconds=whole), flush=True)
    return exit_code


def _append_log(work_db: Path, record: run_log.RunRecord) -> None:
    try:
        run_log.append(work_db, record)
    except Exception as exc:  # noqa: BLE001 - never hide the run's own outcome behind the log's
        print(f"warning: could not write the run log to {work_db}: {exc}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
