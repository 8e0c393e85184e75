"""Benchmark the project on generated data, and write the results into docs/benchmarks.md.

    python scripts/dev/bench.py [--scales 1,5,25] [--data-dir DIR] [--out docs/benchmarks.md]

For each scale, on the same machine and in one run:
  1. data       generates day D (src/lead_segmentation/demo/generate_raw.py, seed 42) once into DIR/scale_<s>/day
                and builds day D+1 from it: D's files plus one more day of events and forms
                (new ids, re-deliveries), so D+1 is a superset of D like a real full export
  2. pipeline   the full main job: src/lead_segmentation/pipeline.py --raw-dir day --as-of D (own work and
                published databases)
  3. dbt build  load raw, then the main job's build (`dbt build --exclude-resource-type
                unit_test`: seeds, models, snapshots, data tests) on a fresh work database;
                per-model times from run_results.json. Before it, the same build with `--empty`
                on a copy of the loaded database: dbt's fixed cost of those nodes, no data
                processed. The unit tests (test command only: they check code, not data) are
                timed on their own after it
  4. scoring    `dbt run --full-refresh` of the intermediate models int_contacts_scored needs
                (from the staging tables built in 3), the part the two baselines also compute
  5. baselines  on the staging tables of 3: the pandas reference (score_from_duckdb) and the
                hand-written DuckDB script scripts/dev/bare_sql_scores.sql (no dbt); at scales up
                to --verify-max-scale the bare script's output is compared with the reference,
                person by person (the differential test's comparison), so the bound is honest
  6. increment  load D+1 into the same work database and `dbt build` again: the incremental
                models process one day instead of the history
With --backtest, per scale instead: load D, the daily build, then the backtest
(`dbt build --select tag:backtest`) with 6 and with 12 as-of dates, in a table of its own.
Every step runs in a child process: wall time, and peak memory of its process tree (RSS summed
over the tree, sampled from /proc every 0.1 s; the kernel's ru_maxrss is not used because Linux
carries a parent's high-water mark across fork+exec). Results are kept
as JSON inside the markdown file (a comment), so scales measured in separate runs (e.g. 25 once,
at the end) are reported together, each with its date and the machine's load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from lead_segmentation.dbt_build import (
    WITHOUT_UNIT_TESTS,
    clear_test_failures,
    dbt_command,
    dbt_environment,
)
from lead_segmentation.paths import PROJECT_DIR
from lead_segmentation.sql import quote_literal

DEV_DIR = Path(__file__).resolve().parent
# The reference model and the differential comparison live with the tests; the child processes
# that use them get these folders on PYTHONPATH.
TESTS_PYTHONPATH = os.pathsep.join(str(PROJECT_DIR / "tests" / d) for d in ("", "end_to_end"))

AS_OF = dt.date(2026, 6, 30)
SEED = 42
DEFAULT_SCALES = "1,5"
DEFAULT_DATA_DIR = PROJECT_DIR / "warehouse" / "bench"
DEFAULT_OUT = PROJECT_DIR / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:begin (written by scripts/dev/bench.py) -->", "<!-- bench:end -->"
DATA_MARK = re.compile(r"<!-- bench:data (.*?) -->", re.S)
SAMPLE_SECONDS = 0.1
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
# Intermediate models up to int_contacts_scored: the scoring part both baselines compute.
SCORING_SELECTOR = "+int_contacts_scored,path:models/intermediate"


# --------------------------------------------------------------------------------------------
# Measuring a child process
# --------------------------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read().decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, in KB."""
    children = _children_map()
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE_KB
        except OSError:
            pass
        pending.extend(children.get(pid, []))
    return total


class Measured(dict):
    @property
    def ok(self) -> bool:
        return self["returncode"] == 0


def measure(cmd: list[str], *, env: dict | None = None, log: Path) -> Measured:
    """Run cmd to completion; wall seconds, peak tree RSS (MB), exit code. Output -> log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    peak = [0]
    with log.open("w") as out:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], tree_rss_kb(proc.pid))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, _ = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        seconds=round(seconds, 2),
        peak_mb=round(peak[0] / 1024),
        returncode=proc.returncode,
        log=str(log),
    )


def _tail(path: str, lines: int = 12) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --------------------------------------------------------------------------------------------
# Data: day D (generated) and D+1 (D plus one more day)
# --------------------------------------------------------------------------------------------


def next_day_export(day_dir: Path, out_dir: Path, as_of: dt.date, seed: int) -> dict:
    """D+1's export: D's files plus one day of new events and forms, drawn from D's last 30
    days (same mix of people, types, topics and dirt) and moved to D+1, with new ids; plus
    second deliveries of 2% of them. Unchanged tables are hard links to D's files."""
    import duckdb

    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for path in day_dir.iterdir():
        if path.name in ("engagement_events.csv", "form_submissions.csv"):
            shutil.copyfile(path, tmp / path.name)  # appended to below
        elif path.suffix == ".csv":
            os.link(path, tmp / path.name)
    manifest = json.loads((day_dir / "_manifest.json").read_text())
    rows = manifest["rows"]
    next_day = as_of + dt.timedelta(days=1)
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(f"select setseed({(seed % 1000) / 1000})")
    added = {}
    for table, id_column, time_column, prefix in (
        ("engagement_events", "event_id", "occurred_at", "evt_n1_"),
        ("form_submissions", "submission_id", "submitted_at", "sub_n1_"),
    ):
        path = tmp / f"{table}.csv"
        per_day = max(1, round(rows[table] / 365))
        # The same time of day, on D+1.
        moved = f"(date '{next_day}' + cast(cast({time_column} as timestamp) as time))"
        reader = (f"read_csv({quote_literal(str(path))}, header = true, all_varchar = true, "
                  "allow_quoted_nulls = false, quote = '\"', escape = '\"')")
        columns = [d[0] for d in con.execute(f"select * from {reader} limit 0").description]
        select = []
        for column in columns:
            if column == id_column:
                select.append(f"case when nullif(trim({id_column}), '') is null then {id_column} "
                              f"else '{prefix}' || lpad(cast(n as varchar), 9, '0') end as {column}")
            elif column == time_column:
                select.append(f"case when {time_column} is null then null else "
                              f"strftime({moved}, '%Y-%m-%d %H:%M:%S') end as {column}")
            elif column == "loaded_at":
                select.append(
                    "case when loaded_at is null or occurred_at is null then loaded_at else strftime("
                    f"least({moved} + greatest(cast(loaded_at as timestamp) - cast(occurred_at as timestamp),"
                    f" interval 1 minute), timestamp '{next_day} 23:59:59'), '%Y-%m-%d %H:%M:%S') end as loaded_at"
                )
            else:
                select.append(column)
        recent = f"try_cast({time_column} as timestamp) >= timestamp '{as_of - dt.timedelta(days=29)}'"
        con.execute(
            f"""
            create or replace temp table new_rows as
            select {', '.join(select)}
            from (
                select *, row_number() over () as n
                from (
                    -- USING SAMPLE applies before a WHERE of the same select: filter first
                    select *
                    from (
                        select * from {reader}
                        where {recent} and try_cast({time_column} as timestamp) < timestamp '{next_day}'
                    )
                    using sample {per_day} rows (reservoir, {seed})
                )
            )
            """
        )
        # Second deliveries of 2% of the new rows, one hour later (events) / later in the file.
        redelivered = ", ".join(
            f"strftime(least(cast(loaded_at as timestamp) + interval 1 hour, timestamp '{next_day} 23:59:59'),"
            " '%Y-%m-%d %H:%M:%S') as loaded_at"
            if c == "loaded_at" else c for c in columns
        )
        con.execute(
            f"""
            insert into new_rows
            select {redelivered} from new_rows
            where {id_column} like '{prefix}%' and hash({id_column}) % 50 = 0
            """
        )
        extra = tmp / f"{table}.new.csv"
        con.execute(f"copy new_rows to {quote_literal(str(extra))} (header false, quote '\"')")
        with path.open("ab") as target, extra.open("rb") as source:
            shutil.copyfileobj(source, target)
        added[table] = con.execute("select count(*) from new_rows").fetchone()[0]
        extra.unlink()
    con.close()
    manifest.update(as_of=str(next_day), derived_from=str(day_dir), added_rows=added)
    manifest["rows"] = {**rows, **{t: rows[t] + n for t, n in added.items()}}
    (tmp / "_manifest.json").write_text(json.dumps(manifest, indent=2))
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    return added


def ensure_data(data_dir: Path, scale: float, as_of: dt.date, say) -> tuple[Path, Path, dict]:
    from lead_segmentation.demo.generate_raw import generate

    root = data_dir / f"scale_{scale:g}"
    day, next_day = root / "day", root / "next_day"
    wanted = {"scale": scale, "seed": SEED, "as_of": str(as_of)}
    manifest_path = day / "_manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    if {k: manifest.get(k) for k in wanted} != wanted:
        say(f"generating scale {scale:g} as of {as_of} into {day}")
        shutil.rmtree(root, ignore_errors=True)
        started = time.monotonic()
        generate(scale=scale, seed=SEED, out_dir=day, as_of=as_of, fmt="csv", quiet=True)
        say(f"  generated in {time.monotonic() - started:.0f}s")
        manifest = json.loads(manifest_path.read_text())
    if not (next_day / "_manifest.json").exists():
        say(f"adding one day of engagement -> {next_day}")
        next_day_export(day, next_day, as_of, SEED)
    return day, next_day, manifest


# --------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------


PROFILES_DIR = PROJECT_DIR  # --profiles-dir


def dbt_env(work_db: Path, target: Path, as_of: dt.date) -> dict:
    """The job's dbt environment (dbt_build.dbt_environment: defaults, the scoring date as the
    job passes it), with this bench's own database and folders."""
    base = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROFILES_DIR),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target / "logs"),
        "DUCKDB_TEMP_DIRECTORY": str(work_db.parent / "tmp"),
        "GX_ANALYTICS_ENABLED": "false",
    }
    env, _, _ = dbt_environment(PROJECT_DIR, work_db, {"as_of_date": str(as_of)}, base=base)
    return env


# What the main job runs (src/lead_segmentation/dbt_build.py): unit tests belong to the test command.
JOB_BUILD = ("build", *WITHOUT_UNIT_TESTS)


def dbt_cmd(*args: str) -> list[str]:
    return dbt_command(PROJECT_DIR, {}, *args)


def warm_parse(env: dict, log: Path) -> dict:
    """`dbt parse` into the step's target folder before the timed step, not timed with it: the
    daily job keeps its target folder (dbt's partial-parse state) between runs, so a day's
    build parses only what changed, not the whole project (~7 s at any scale). The parse's
    own time is kept in the results (`*_parse`), and the timed step's log says whether dbt
    could reuse it ("Unable to do partial parsing" when not)."""
    step = measure(dbt_cmd("parse"), env=env, log=log)
    return {"seconds": step["seconds"], "returncode": step["returncode"]}


def run_results(target: Path) -> dict:
    """Top models by execution time and time per resource type, from run_results.json."""
    path = target / "run_results.json"
    if not path.exists():
        return {}
    stored = json.loads(path.read_text())
    results = stored["results"]
    by_type: dict[str, float] = {}
    for result in results:
        kind = result["unique_id"].split(".")[0]
        by_type[kind] = round(by_type.get(kind, 0) + result["execution_time"], 2)
    models = sorted(
        (r for r in results if r["unique_id"].startswith(("model.", "snapshot.", "seed."))),
        key=lambda r: -r["execution_time"],
    )
    return {
        "nodes": len(results),
        # dbt's own elapsed time from the first node to the last (the step's wall time less
        # dbt's start-up: imports, loading the parse state, writing manifest.json)
        "elapsed": round(stored.get("elapsed_time") or 0, 2),
        "seconds_by_type": by_type,
        "top_models": [[r["unique_id"].split(".")[-1], round(r["execution_time"], 2)] for r in models[:10]],
        "model_seconds": {r["unique_id"].split(".")[-1]: round(r["execution_time"], 2) for r in models},
    }


def child(kind: str, database: Path, as_of: dt.date, out: Path | None) -> None:
    """In a child process: time one baseline (printed as JSON on the last line)."""
    import duckdb

    if kind == "reference":
        from reference.scoring_model import score_from_duckdb

        started = time.monotonic()
        frame = score_from_duckdb(database, as_of)
        seconds = time.monotonic() - started
    elif kind in ("bare_sql", "bare_sql_from_raw"):
        con = duckdb.connect(str(database), read_only=True)
        con.execute("set threads = 2")
        con.execute(f"set variable as_of = date '{as_of}'")
        # The events (bare_events): dbt's staged events attributed by a join, or the raw events
        # cleaned, deduplicated and attributed by hand; then the same scoring statement.
        events = "bare_sql_events_from_raw.sql" if kind == "bare_sql_from_raw" else "bare_sql_events_from_staging.sql"
        scripts = [(DEV_DIR / events).read_text(), (DEV_DIR / "bare_sql_scores.sql").read_text()]
        started = time.monotonic()
        for script in scripts:
            con.execute(script)
        rows = con.execute("select count(*) from bare_scores").fetchone()[0]
        seconds = time.monotonic() - started
        if out:
            con.execute(f"copy bare_scores to {quote_literal(str(out))} (format parquet)")
        frame = range(rows)
        con.close()
    elif kind == "verify":
        import pandas as pd

        from reference.scoring_model import score_from_duckdb
        from test_scoring_differential import compare

        reference = score_from_duckdb(database, as_of, with_unrounded=True)
        bare = pd.read_parquet(out)
        differences, problems = compare(bare, reference)
        people = len({d[0] for d in differences})
        print(json.dumps({"people": len(reference), "differing_people": people, "problems": problems}))
        return
    else:
        raise SystemExit(f"unknown child {kind}")
    print(json.dumps({"seconds": round(seconds, 3), "people": len(frame)}))


def _child_json(measured: Measured) -> dict:
    lines = Path(measured["log"]).read_text(errors="replace").strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return {}


BACKTEST_BUILD = ("build", "--select", "tag:backtest", *WITHOUT_UNIT_TESTS)
BACKTEST_DATE_COUNTS = (6, 12)  # as-of dates per backtest run: the cost should grow linearly


def bench_backtest(scale: float, data_dir: Path, as_of: dt.date, say) -> dict:
    """The backtest (issue 16, docs/backtest.md) on day D: load, the job's daily build (the
    backtest reads its staging tables), then `dbt build --select tag:backtest` (models and data
    tests) with 6 and with 12 month-end as-of dates (var backtest_months)."""
    day, _, manifest = ensure_data(data_dir, scale, as_of, say)
    run = data_dir / f"scale_{scale:g}" / "run_backtest"
    shutil.rmtree(run, ignore_errors=True)
    (run / "tmp").mkdir(parents=True)
    python = sys.executable
    work_db = run / "work.duckdb"
    result: dict = {"scale": scale, "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                    "rows": manifest["rows"], "load_before": list(os.getloadavg())}
    step = measure([python, str(SCRIPTS_DIR / "load_raw.py"), "--database", str(work_db), "--raw-dir", str(day)],
                   log=run / "logs" / "load_raw.log")
    env = dbt_env(work_db, run / "target_daily", as_of)
    step = measure(dbt_cmd(*JOB_BUILD), env=env, log=run / "logs" / "dbt_build.log")
    say(f"  daily build   {step['seconds']:8.1f}s  exit {step['returncode']}")
    if not step.ok:
        say(_tail(step["log"], 30))
        return result
    for months in BACKTEST_DATE_COUNTS:
        env = dbt_env(work_db, run / f"target_backtest_{months}", as_of)
        cmd = dbt_command(PROJECT_DIR, {"backtest_months": months}, *BACKTEST_BUILD)
        step = measure(cmd, env=env, log=run / "logs" / f"backtest_{months}.log")
        result[f"backtest_{months}_dates"] = {**step, **run_results(run / f"target_backtest_{months}")}
        say(f"  backtest {months:2d} dates {step['seconds']:6.1f}s  {step['peak_mb']:6} MB  exit {step['returncode']}")
        if not step.ok:
            say(_tail(step["log"], 30))
    result["load_after"] = list(os.getloadavg())
    shutil.rmtree(run, ignore_errors=True)
    return result


def render_backtest(results: dict) -> str:
    rows = [r for r in sorted(results.values(), key=lambda r: r["scale"]) if r.get("backtest_12_dates")]
    if not rows:
        return ""
    lines = [
        "",
        "Backtest (`dbt build --select tag:backtest`, models and data tests, after the daily build; "
        "`bench.py --backtest`). Wall time, and in brackets the models' own time summed over dbt's "
        "threads (the part that grows with dates and data; the rest is dbt's parse and the tests):",
        "",
        "| scale | events | measured (UTC) | load avg before / after | 6 as-of dates: wall (models) "
        "| 12 as-of dates: wall (models) | peak MB (12) | slowest models (12 dates, s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        six, twelve = r.get("backtest_6_dates", {}), r["backtest_12_dates"]
        top = ", ".join(f"{name} {seconds:.2f}" for name, seconds in twelve.get("top_models", [])[:4])
        lines.append(
            f"| {r['scale']:g} | {r['rows']['engagement_events']:,} | {r['date']} | "
            f"{r['load_before'][0]:.1f} / {r.get('load_after', [float('nan')])[0]:.1f} | "
            f"{_s(six.get('seconds'))} s ({_s(six.get('seconds_by_type', {}).get('model'))} s) | "
            f"{_s(twelve.get('seconds'))} s ({_s(twelve.get('seconds_by_type', {}).get('model'))} s) | "
            f"{twelve.get('peak_mb', '-')} | {top} |"
        )
    return "\n".join(lines)


def bench_scale(scale: float, data_dir: Path, as_of: dt.date, verify_max: float, skip_pipeline: bool, say) -> dict:
    day, next_day, manifest = ensure_data(data_dir, scale, as_of, say)
    run = data_dir / f"scale_{scale:g}" / "run"
    shutil.rmtree(run, ignore_errors=True)
    (run / "tmp").mkdir(parents=True)
    python = sys.executable
    result: dict = {
        "scale": scale,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "rows": manifest["rows"],
        "load_before": list(os.getloadavg()),
        "duckdb_memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "3GB (profile default)"),
        "profiles_dir": str(PROFILES_DIR),
    }
    say(f"scale {scale:g}: {manifest['rows']['engagement_events']:,} events, load {os.getloadavg()[0]:.1f}")

    if not skip_pipeline:
        pipeline_dir = run / "pipeline"
        (pipeline_dir / "tmp").mkdir(parents=True)
        env = dbt_env(pipeline_dir / "work.duckdb", pipeline_dir / "target", as_of)
        result["pipeline_parse"] = warm_parse(env, run / "logs" / "pipeline_parse.log")
        step = measure(
            [python, "-m", "lead_segmentation.pipeline", "--raw-dir", str(day), "--as-of", str(as_of),
             "--work-db", str(pipeline_dir / "work.duckdb"),
             "--published-db", str(pipeline_dir / "published.duckdb"), "--quiet"],
            env=env, log=run / "logs" / "pipeline.log",
        )
        result["pipeline"] = dict(step)
        say(f"  pipeline      {step['seconds']:8.1f}s  {step['peak_mb']:6} MB  exit {step['returncode']}")
        if not step.ok:
            say(_tail(step["log"]))
        shutil.rmtree(pipeline_dir, ignore_errors=True)

    work_db = run / "work.duckdb"
    load = [python, "-m", "lead_segmentation.load_raw", "--database", str(work_db), "--raw-dir"]
    step = measure([*load, str(day)], log=run / "logs" / "load_raw.log")
    result["load_raw"] = dict(step)
    say(f"  load raw      {step['seconds']:8.1f}s  {step['peak_mb']:6} MB  exit {step['returncode']}")
    if not step.ok:
        say(_tail(step["log"]))
        return result

    # dbt's fixed cost of the same build: `dbt build --empty` (every ref and source read with
    # `limit 0`) on a copy of the loaded database. The seeds, every node's DDL, commit and test
    # query and dbt's own work per node remain; no data is processed (issue 17's floor).
    empty = run / "empty"
    (empty / "tmp").mkdir(parents=True)
    shutil.copy2(work_db, empty / "work.duckdb")
    env = dbt_env(empty / "work.duckdb", empty / "target", as_of)
    warm_parse(env, run / "logs" / "dbt_parse_empty.log")
    step = measure(dbt_cmd(*JOB_BUILD, "--empty"), env=env, log=run / "logs" / "dbt_build_empty.log")
    empty_results = run_results(empty / "target")
    result["dbt_build_empty"] = {**step, **{k: v for k, v in empty_results.items()
                                            if k in ("nodes", "elapsed", "seconds_by_type")}}
    say(f"  dbt --empty   {step['seconds']:8.1f}s  {step['peak_mb']:6} MB  exit {step['returncode']}")
    shutil.rmtree(empty, ignore_errors=True)

    env = dbt_env(work_db, run / "target_full", as_of)
    result["dbt_parse"] = warm_parse(env, run / "logs" / "dbt_parse.log")
    step = measure(dbt_cmd(*JOB_BUILD), env=env, log=run / "logs" / "dbt_build.log")
    result["dbt_build"] = {**step, **run_results(run / "target_full")}
    say(f"  dbt build     {step['seconds']:8.1f}s  {step['peak_mb']:6} MB  exit {step['returncode']}")
    if not step.ok:
        say(_tail(step["log"], 30))
        return result

    env = dbt_env(work_db, run / "target_unit", as_of)
    # The daily models' unit tests: the backtest's need its relations, which this build leaves out.
    step = measure(dbt_cmd("test", "--select", "test_type:unit", "--exclude", "tag:backtest"), env=env,
                   log=run / "logs" / "dbt_unit_tests.log")
    result["unit_tests"] = dict(step)
    say(f"  unit tests    {step['seconds']:8.1f}s  {step['peak_mb']:6} MB  exit {step['returncode']}")

    env = dbt_env(work_db, run / "target_scoring", as_of)
    step = measure(
        # One model at a time: each model's time is then its own (DuckDB still uses every
        # core inside a query, as in the baselines), not inflated by a model running beside it.
        dbt_cmd("run", "--threads", "1", "--full-refresh", "--select", SCORING_SELECTOR),
        env=env, log=run / "logs" / "dbt_scoring.log",
    )
    scoring = run_results(run / "target_scoring")
    result["dbt_scoring"] = {**step, "model_seconds": scoring.get("model_seconds", {}),
                             "models_sum": round(sum(scoring.get("model_seconds", {}).values()), 2)}
    say(f"  dbt scoring   {step['seconds']:8.1f}s  {step['peak_mb']:6} MB  "
        f"(models {result['dbt_scoring']['models_sum']:.1f}s)")

    bare_out = {"bare_sql": run / "bare_scores.parquet",
                "bare_sql_from_raw": run / "bare_scores_from_raw.parquet"}
    for kind in ("reference", "bare_sql", "bare_sql_from_raw"):
        cmd = [python, __file__, "--child", kind, "--database", str(work_db), "--as-of", str(as_of)]
        if kind in bare_out:
            cmd += ["--child-out", str(bare_out[kind])]
        step = measure(cmd, env={**os.environ, "PYTHONPATH": TESTS_PYTHONPATH}, log=run / "logs" / f"{kind}.log")
        result[kind] = {**step, **_child_json(step)}
        say(f"  {kind:<13} {result[kind].get('seconds', float('nan')):8.1f}s  {step['peak_mb']:6} MB  "
            f"(process {step['seconds']:.1f}s) exit {step['returncode']}")
    for kind, out in bare_out.items():
        if scale <= verify_max and out.exists():
            step = measure(
                [python, __file__, "--child", "verify", "--database", str(work_db), "--as-of", str(as_of),
                 "--child-out", str(out)],
                env={**os.environ, "PYTHONPATH": TESTS_PYTHONPATH},
                log=run / "logs" / f"verify_{kind}.log",
            )
            result[f"{kind}_verified"] = _child_json(step)
            say(f"  {kind} vs reference: {result[f'{kind}_verified']}")

    next_as_of = as_of + dt.timedelta(days=1)
    step = measure([*load, str(next_day)], log=run / "logs" / "load_raw_next_day.log")
    result["load_raw_next_day"] = dict(step)
    # The next day reuses the full build's target folder, as a daily job does (dbt's partial
    # parse state); run_results.json is the new run's.
    shutil.copytree(run / "target_full", run / "target_incremental")
    clear_test_failures(work_db)  # as the job's build does (dbt_build.run_dbt_build)
    env = dbt_env(work_db, run / "target_incremental", next_as_of)
    # The seeds did not change since the full build loaded them: the job's build leaves them
    # out (dbt_build.seeds_unchanged, issue 17), so the daily build does too.
    step = measure(dbt_cmd(*JOB_BUILD, "--exclude-resource-type", "seed"), env=env,
                   log=run / "logs" / "dbt_incremental.log")
    incremental = run_results(run / "target_incremental")
    # Keep what the report shows: the full build's ten slowest models, in both runs.
    shown = [name for name, _ in result["dbt_build"].get("top_models", [])]
    full_seconds = result["dbt_build"].pop("model_seconds", {})
    result["dbt_build"]["model_seconds"] = {n: full_seconds[n] for n in shown if n in full_seconds}
    incremental["model_seconds"] = {
        n: incremental.get("model_seconds", {}).get(n) for n in shown
    }
    result["incremental"] = {**step, **incremental}
    say(f"  incremental   {step['seconds']:8.1f}s  {step['peak_mb']:6} MB  exit {step['returncode']}")
    if not step.ok:
        say(_tail(step["log"], 30))
    result["load_after"] = list(os.getloadavg())
    shutil.rmtree(run / "tmp", ignore_errors=True)
    return result


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    versions = {}
    for package in ("dbt-core", "dbt-duckdb", "duckdb", "pandas", "pyarrow"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "-"
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": versions,
        "duckdb_settings": {
            "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "3GB (profile default)"),
            "threads": os.environ.get("DBT_THREADS", "2 (profile default)"),
        },
    }


def _ratio(a, b) -> str:
    return f"{a / b:.2f}" if a and b else "-"


def _s(value) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _model_seconds(result: dict, step: str):
    return result.get(step, {}).get("seconds_by_type", {}).get("model")


def _by_type(run: dict) -> str:
    names = {
        "model": "models",
        "test": "data tests",
        "unit_test": "unit tests",
        "seed": "seeds",
        "snapshot": "snapshots",
    }
    by_type = run.get("seconds_by_type", {})
    return ", ".join(f"{label} {by_type[kind]:.1f} s" for kind, label in names.items() if kind in by_type) or "-"


def render(results: dict, host: dict) -> str:
    scales = sorted(results.values(), key=lambda r: (r["scale"], r["date"]))
    lines = [
        f"Machine: {host['nproc']} cores ({host['cpu']}), {host['memory_gb']} GB RAM, {host['os']}; "
        f"Python {host['python']}, "
        + ", ".join(f"{k} {v}" for k, v in host["versions"].items())
        + f". dbt threads {host['duckdb_settings']['threads']}; DuckDB threads: its default (all cores).",
        "",
        "| scale | events | measured (UTC) | DuckDB memory_limit | load avg before / after | full job (pipeline) | "
        "dbt build | peak MB | incremental day | peak MB | unit tests (test command) | "
        "scoring in dbt (wall / models) | pandas reference | bare SQL (staging) | bare SQL (from raw) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in scales:
        pipe = r.get("pipeline", {})
        pipe_text = "not run" if not pipe else (
            f"{_s(pipe['seconds'])} s ({pipe['peak_mb']} MB)"
            + ("" if pipe["returncode"] == 0 else f", exit {pipe['returncode']}")
        )
        build, inc, sc = r.get("dbt_build", {}), r.get("incremental", {}), r.get("dbt_scoring", {})
        lines.append(
            f"| {r['scale']:g} | {r['rows']['engagement_events']:,} | {r['date']} | "
            f"{r.get('duckdb_memory_limit', '-')} | "
            f"{r['load_before'][0]:.1f} / {r.get('load_after', [float('nan')])[0]:.1f} | {pipe_text} | "
            f"{_s(build.get('seconds'))} s | {build.get('peak_mb', '-')} | {_s(inc.get('seconds'))} s | "
            f"{inc.get('peak_mb', '-')} | {_s(r.get('unit_tests', {}).get('seconds'))} s | "
            f"{_s(sc.get('seconds'))} s / {_s(sc.get('models_sum'))} s | "
            f"{_s(r.get('reference', {}).get('seconds'))} s | {_s(r.get('bare_sql', {}).get('seconds'))} s | "
            f"{_s(r.get('bare_sql_from_raw', {}).get('seconds'))} s |"
        )
    for r in scales:
        if r.get("profiles_dir") and Path(r["profiles_dir"]) != PROJECT_DIR:
            lines += ["", f"Scale {r['scale']:g} ran with the profiles.yml in {r['profiles_dir']} "
                      "(`--profiles-dir`): see \"DuckDB settings\" below."]
    lines += [
        "",
        "Ratios (lower is better except pandas / ours):",
        "",
        "| scale | dbt build / bare SQL from raw | dbt build / bare SQL (staging) | scoring in dbt (models) / bare SQL (staging) "
        "| pandas / scoring in dbt (models) | incremental / full dbt build | same, model time only "
        "| bare SQL = reference (staging; from raw) |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def check(verified):
        if not verified:
            return "not checked"
        if not verified["differing_people"] and not verified["problems"]:
            return f"yes ({verified['people']:,} people)"
        return f"NO: {verified['differing_people']} people differ {verified['problems']}"

    for r in scales:
        bare = r.get("bare_sql", {}).get("seconds")
        bare_raw = r.get("bare_sql_from_raw", {}).get("seconds")
        models = r.get("dbt_scoring", {}).get("models_sum")
        build = r.get("dbt_build", {}).get("seconds")
        lines.append(
            f"| {r['scale']:g} ({r['date'][:10]}) | {_ratio(build, bare_raw)} | {_ratio(build, bare)} | {_ratio(models, bare)} | "
            f"{_ratio(r.get('reference', {}).get('seconds'), models)} | "
            f"{_ratio(r.get('incremental', {}).get('seconds'), build)} | "
            f"{_ratio(_model_seconds(r, 'incremental'), _model_seconds(r, 'dbt_build'))} | "
            f"{check(r.get('bare_sql_verified'))}; {check(r.get('bare_sql_from_raw_verified'))} |"
        )
    for r in scales:
        build, inc = r.get("dbt_build", {}), r.get("incremental", {})
        if not build.get("top_models"):
            continue
        empty = r.get("dbt_build_empty", {})
        fixed = ""
        if empty.get("seconds"):
            fixed = (
                f" The same build with `--empty` (no data processed: dbt's fixed cost of its "
                f"{empty.get('nodes', '?')} nodes): {_s(empty['seconds'])} s wall, of which "
                f"{_s(empty['seconds'] - empty.get('elapsed', 0))} s outside the nodes (dbt's start-up, "
                f"its artifacts); the full build's time outside the nodes: "
                f"{_s(build['seconds'] - build.get('elapsed', 0)) if build.get('elapsed') else '-'} s."
            )
        lines += [
            "",
            f"Scale {r['scale']:g} ({r['date']}): node time summed over dbt's threads, full build / incremental day: "
            f"{_by_type(build)} / {_by_type(inc)}.{fixed} The ten slowest models of the full build (seconds):",
            "",
            "| model | full build | incremental day |",
            "|---|---|---|",
        ]
        for name, seconds in build["top_models"]:
            lines.append(f"| {name} | {seconds:.2f} | {inc.get('model_seconds', {}).get(name, '-')} |")
    return "\n".join(lines)


def write_report(out: Path, new_results: list[dict]) -> None:
    text = out.read_text() if out.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text = text.rstrip() + f"\n\n{BEGIN}\n{END}\n"
    match = DATA_MARK.search(text)
    stored = json.loads(match.group(1)) if match else {}
    results = stored.get("results", {})
    def without_logs(value):  # log paths are local to the run; not part of the record
        if isinstance(value, dict):
            return {k: without_logs(v) for k, v in value.items() if k != "log"}
        return value

    backtests = stored.get("backtest", {})
    for result in new_results:
        if "backtest_12_dates" in result:  # bench.py --backtest: its own table
            backtests[f"{result['scale']:g}"] = without_logs(result)
        else:
            # one entry per measurement (scale and time): earlier rows stay for comparison
            results[f"{result['scale']:g} {result['date']}"] = without_logs(result)
    host = machine()
    payload = json.dumps({"results": results, "backtest": backtests, "machine": host}, separators=(",", ":"))
    section = (
        f"{BEGIN}\n{render(results, host)}\n{render_backtest(backtests)}\n\n"
        f"<!-- bench:data {payload} -->\n{END}"
    )
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1] if END in rest else ""
    out.write_text(head + section + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default=DEFAULT_SCALES, help="comma-separated scales (default 1,5)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="generated data and work files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown report to update")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF)
    parser.add_argument("--verify-max-scale", type=float, default=5.0,
                        help="compare bare SQL with the reference up to this scale (default 5)")
    parser.add_argument("--skip-pipeline", action="store_true", help="do not run src/lead_segmentation/pipeline.py")
    parser.add_argument("--profiles-dir", type=Path, default=PROJECT_DIR,
                        help="folder of the profiles.yml dbt and the pipeline use (default: the project's)")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite the results section from the results stored in --out; measure nothing")
    parser.add_argument("--backtest", action="store_true",
                        help="measure the backtest instead (6 and 12 as-of dates per scale; its own table)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.database, args.as_of, args.child_out)
        return 0

    def say(message: str) -> None:
        print(f"[bench] {message}", flush=True)

    if args.render_only:
        write_report(args.out, [])
        return 0
    global PROFILES_DIR
    PROFILES_DIR = args.profiles_dir.resolve()
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    started = time.monotonic()
    results = []
    if args.backtest:
        for scale in scales:
            results.append(bench_backtest(scale, args.data_dir, args.as_of, say))
            write_report(args.out, results)
        say(f"done in {time.monotonic() - started:.0f}s -> {args.out}")
        return 0 if all(r.get("backtest_12_dates", {}).get("returncode") == 0 for r in results) else 1
    for scale in scales:
        results.append(bench_scale(scale, args.data_dir, args.as_of, args.verify_max_scale, args.skip_pipeline, say))
        write_report(args.out, results)  # after each scale, so a long run leaves partial results
    say(f"done in {time.monotonic() - started:.0f}s -> {args.out}")
    failed = [r["scale"] for r in results if not r.get("incremental", {}).get("returncode") == 0]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
