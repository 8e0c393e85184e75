"""`dbt build` as a gate (gate `dbt_build`, exit 4).

Runs `dbt build --fail-fast` in a child process against the work database only (the profile
reads DBT_DUCKDB_PATH). A child process, not dbt's in-process runner, because dbt-duckdb keeps
its DuckDB connection open in the calling process, which would block the mart checks and the
publish step from opening the file.

- a data test at error severity that finds rows, a model that fails, a unit test that fails:
  the build stops at once (fail fast) and the gate fails, naming the node, the failing-row
  count and the query that shows the rows (`store_failures: true` in dbt_project.yml keeps
  each test's query as a view in schema `test_failures` of the work database);
- a test at warn severity is reported (name, rows, relation) but does not stop the run;
- a failing `row_rules` test (each model's row-level rules in one scan, docs/data_quality.md)
  is reported rule by rule (by_rule): the individual test's name, its model and column, its
  failing rows, and the query that shows them in its view.

Seeds are loaded only when they changed (seeds_fingerprint, recorded in the work database).

Schema test_failures holds the failing-row views of the latest build only: it is emptied before
each build (clear_test_failures), which also spares dbt dropping each test's old view one by one.
A view stores no row (no copy of a failing row's personal data) and shows the rows the test
found as long as the data it reads is unchanged: a failed build publishes nothing and the next
build starts by emptying the schema.

dbt's own log is JSON on stdout: parsed for progress lines, and kept in dbt's log file
(DBT_LOG_PATH, default logs/) for the details, at level info unless DBT_LOG_LEVEL_FILE says
otherwise (debug adds every SQL statement, at a cost: JOB_DBT_ENV_DEFAULTS).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Mapping

from lead_segmentation.contract import OPS_SCHEMA
from lead_segmentation.gates import Finding, Gate, GateFailed, fault_point, without_values
from lead_segmentation.sql import quote_identifier

PROGRESS_EVERY_SECONDS = 10.0
ANSI_ESCAPES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclasses.dataclass
class DbtOutcome:
    nodes: int  # nodes dbt ran (models, seeds, snapshots, tests)
    statuses: dict[str, int]  # status -> count
    warnings: list[Finding]
    elapsed: float
    target_path: Path
    log_path: Path


def dbt_executable() -> list[str]:
    candidate = Path(sys.executable).parent / "dbt"
    if candidate.exists():
        return [str(candidate)]
    return [sys.executable, "-c", "from dbt.cli.main import cli; cli()"]


# The production build leaves dbt's unit tests to the test command (see run_dbt_build).
WITHOUT_UNIT_TESTS = ("--exclude-resource-type", "unit_test")

# Defaults of the job's dbt processes; a caller's own value wins. dbt's log file at `info`
# (node starts, results, errors) instead of dbt's `debug` (every SQL statement, ~5 events per
# node): writing it cost 12% of a build at scale 1, where dbt's per-node work dominates
# (24.0 s -> 21.2 s, three runs each, docs/benchmarks.md). DBT_LOG_LEVEL_FILE=debug brings
# the SQL back; the SQL of every node is also in the target folder (compiled/, run/).
JOB_DBT_ENV_DEFAULTS = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DBT_LOG_LEVEL_FILE": "info",
}


# The scoring date reaches dbt as an environment variable, not in --vars (macro as_of_date
# reads var as_of_date first, then this): dbt re-parses the whole project when --vars differ
# from the last run's, which a daily date always does, but only the files that read an
# environment variable when its value changes (parse 7.2 s -> 4.3 s, docs/benchmarks.md).
AS_OF_ENV = "LEAD_SEGMENTATION_AS_OF_DATE"


def dbt_command(project_dir: Path, variables: dict, *args: str) -> list[str]:
    """`dbt <args> --project-dir <project_dir> --vars <variables as JSON>`, as_of_date left
    out of --vars: it travels in the environment (dbt_environment)."""
    passed = {name: value for name, value in variables.items() if name != "as_of_date"}
    return [*dbt_executable(), *args, "--project-dir", str(project_dir), "--vars", json.dumps(passed)]


def dbt_environment(
    project_dir: Path, work_db: Path, variables: dict, base: Mapping[str, str] | None = None
) -> tuple[dict[str, str], Path, Path]:
    """The child's environment, from `base` (default: this process's): the work database,
    the scoring date of `variables` (AS_OF_ENV), the job's defaults, plus target/log/temp
    folders (DBT_TARGET_PATH / DBT_LOG_PATH / DUCKDB_TEMP_DIRECTORY of `base` win when set)."""
    env = dict(os.environ if base is None else base)
    env.pop(AS_OF_ENV, None)  # only this run's date, never one left in the caller's shell
    if variables.get("as_of_date"):
        env[AS_OF_ENV] = str(variables["as_of_date"])
    env["DBT_DUCKDB_PATH"] = str(work_db)
    env["DBT_TARGET"] = "duckdb"  # the work database is a DuckDB file (pipeline.py refuses others)
    for name, value in JOB_DBT_ENV_DEFAULTS.items():
        env.setdefault(name, value)
    env.setdefault("DBT_PROFILES_DIR", str(project_dir))
    env.setdefault("DUCKDB_TEMP_DIRECTORY", str(work_db.parent / "tmp"))
    target = Path(env.get("DBT_TARGET_PATH") or "target")
    log = Path(env.get("DBT_LOG_PATH") or "logs")
    target = target if target.is_absolute() else project_dir / target
    log = log if log.is_absolute() else project_dir / log
    env["DBT_TARGET_PATH"], env["DBT_LOG_PATH"] = str(target), str(log)
    return env, target, log


# Where dbt stores failing test rows (dbt_project.yml, data_tests: +schema).
TEST_FAILURES_SCHEMA = "test_failures"


def clear_test_failures(work_db: Path) -> None:
    """Drop the previous build's failing-row views in one statement. With them present, dbt
    drops each test's old relation before writing the new one: ~540 drops (then tables), 15% of
    an incremental build at scale 1 (17.0 s -> 14.5 s, four runs each; docs/benchmarks.md)."""
    import duckdb

    if not work_db.exists():
        return
    with duckdb.connect(str(work_db)) as con:
        con.execute(f"drop schema if exists {TEST_FAILURES_SCHEMA} cascade")


def drop_stale_relations(work_db: Path, manifest_path: Path) -> list[str]:
    """Drop the tables and views of the project's model and seed schemas that no node of the
    manifest builds any more (a renamed model, a source switched off, a model deleted), and
    return their names (`schema.name`). Left in place they look current and keep the rows
    they held (personal data included) out of sight. Snapshot schemas are never touched:
    their rows are history a rebuild cannot bring back. Call it after a successful build;
    without its manifest (nothing says what the project builds) nothing is dropped."""
    import duckdb

    if not manifest_path.exists():
        return []
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    kept_schemas = {n["schema"] for n in nodes if n["resource_type"] == "snapshot"}
    schemas = {
        n["schema"] for n in nodes if n["resource_type"] in ("model", "seed")
    } - kept_schemas
    built = {
        (n["schema"], (n.get("alias") or n["name"]).lower())
        for n in nodes
        if n["resource_type"] in ("model", "seed", "snapshot")
    }
    dropped = []
    with duckdb.connect(str(work_db)) as con:
        present = con.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
        for schema, name, kind in sorted(present):
            if schema not in schemas or (schema, name.lower()) in built:
                continue
            what = "view" if kind == "VIEW" else "table"
            con.execute(f"drop {what} if exists {quote_identifier(schema)}.{quote_identifier(name)}")
            dropped.append(f"{schema}.{name}")
    return dropped


# Seeds are configuration: reloaded only when they changed (issue 17). The job records what it
# loaded in the work database; a build whose seeds/ and seed configs hash to the recorded
# fingerprint, with every recorded seed table present, leaves the seeds out.
SEEDS_FINGERPRINT_TABLE = f"{OPS_SCHEMA}.seeds_fingerprint"
# The project code the incremental models' held rows were built with (one row, replaced).
INCREMENTAL_CODE_TABLE = f"{OPS_SCHEMA}.incremental_models_code"
INCREMENTAL_CODE_SOURCES = ("models", "macros", "seeds", "snapshots")


def seeds_fingerprint(project_dir: Path, variables: dict) -> str:
    """sha256 of everything a seed load depends on: every file under seeds/ (CSVs and their
    YAML configs, names included), the `seeds:` section of dbt_project.yml, dbt's version and
    the vars (which enable the HubSpot / Segment seeds; the scoring date left out)."""
    import hashlib

    import yaml
    from dbt.version import __version__ as dbt_version

    digest = hashlib.sha256()
    digest.update(f"dbt {dbt_version}\n".encode())
    passed = {k: v for k, v in variables.items() if k != "as_of_date"}
    digest.update(json.dumps(passed, sort_keys=True, default=str).encode() + b"\0")
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    digest.update(json.dumps(project.get("seeds"), sort_keys=True, default=str).encode() + b"\0")
    digest.update(json.dumps(project.get("seed-paths"), default=str).encode() + b"\0")
    for folder in project.get("seed-paths") or ["seeds"]:
        root = project_dir / folder
        for path in sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []:
            digest.update(str(path.relative_to(project_dir)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def seeds_unchanged(work_db: Path, fingerprint: str) -> bool:
    """True when the work database records this fingerprint and holds every seed table it
    recorded with it (a dropped seed table, or none recorded, means reload)."""
    import duckdb

    if not work_db.exists():
        return False
    try:
        with duckdb.connect(str(work_db), read_only=True) as con:
            row = con.execute(f"select fingerprint, seed_tables from {SEEDS_FINGERPRINT_TABLE}").fetchone()
            if not row or row[0] != fingerprint or not row[1]:
                return False
            present = {
                f"{schema}.{table}"
                for schema, table in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
            }
            return set(json.loads(row[1])) <= present
    except duckdb.Error:  # no ops schema or table yet
        return False


def record_seeds(work_db: Path, fingerprint: str, seed_tables: list[str]) -> None:
    """Record the fingerprint of the seeds just loaded and their tables (one row, replaced)."""
    _replace_ops_record(
        work_db, SEEDS_FINGERPRINT_TABLE,
        {"fingerprint": fingerprint, "seed_tables": json.dumps(sorted(seed_tables))},
    )


def _replace_ops_record(work_db: Path, table: str, values: dict[str, str]) -> None:
    """Replace the one-row record `table` (schema ops) with `values` (text) and the time."""
    import duckdb

    columns = ", ".join(f"?::varchar as {name}" for name in values)
    with duckdb.connect(str(work_db)) as con:
        con.execute(f"create schema if not exists {OPS_SCHEMA}")
        con.execute(
            f"create or replace table {table} as select {columns}, now()::timestamp as recorded_at",
            list(values.values()),
        )


def _quoted_relation(relation_name: str | None) -> str | None:
    """'"work"."test_failures"."x"' -> 'test_failures.x' (what a person types in the work DB)."""
    if not relation_name:
        return None
    parts = [p.strip('"') for p in relation_name.split(".")]
    return ".".join(parts[-2:])


# Seconds dbt gets to stop after SIGTERM (it cancels its queries) before it is killed.
STOP_GRACE_SECONDS = 10.0


def stop_child(proc: subprocess.Popen) -> None:
    """Stop a dbt child and wait for it: its DuckDB connection (the work database's lock)
    goes with it, so the next run can open the file."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


PARSE_STATE = "partial_parse.msgpack"
PARSE_STATE_HASH = "partial_parse.project_hash"


def forget_stale_parse_state(project_dir: Path, target_path: Path, variables: dict) -> bool:
    """Delete dbt's saved parse state when the project's files changed since it was written;
    True when it did. dbt's partial parsing mis-handles some edits (after a generic test
    changes, a snapshot defined in YAML goes missing: "depends on a node named
    'contact_segments_snapshot' which was not found", dbt-labs/dbt-core#10903), which would
    stop every later run until someone deleted the file. A changed project pays one full
    parse (~7 s); an unchanged one keeps partial parsing. The hash recorded is the project's
    now: a parse that fails leaves no state, so the next run parses in full again."""
    wanted = project_hash(project_dir, variables)
    state, recorded = target_path / PARSE_STATE, target_path / PARSE_STATE_HASH
    stale = state.exists() and (
        not recorded.exists() or recorded.read_text().strip() != wanted
    )
    if stale:
        state.unlink()
    target_path.mkdir(parents=True, exist_ok=True)
    recorded.write_text(wanted + "\n")
    return stale


def recorded_incremental_code(work_db: Path) -> str | None:
    """The code hash the incremental models were last built with (None: none recorded)."""
    import duckdb

    if not work_db.exists():
        return None
    try:
        with duckdb.connect(str(work_db), read_only=True) as con:
            row = con.execute(f"select code_hash from {INCREMENTAL_CODE_TABLE}").fetchone()
    except duckdb.Error:  # no ops schema or table yet
        return None
    return row[0] if row else None


def record_incremental_code(work_db: Path, code_hash: str) -> None:
    _replace_ops_record(work_db, INCREMENTAL_CODE_TABLE, {"code_hash": code_hash})


OUT_OF_SYNC_HINT = (
    " -- the project changed this incremental model's columns since its rows were built "
    "(by code older than the job's record of it): run once with --full-refresh"
)


def run_dbt_build(
    project_dir: Path,
    work_db: Path,
    variables: dict,
    *,
    say: Callable[[str], None],
    select: list[str] | None = None,
    unit_tests: bool = False,
    full_refresh: bool = False,
    snapshots: bool = True,
    seeds: str = "changed",
) -> DbtOutcome:
    """Run `dbt build`; raise GateFailed(DBT_BUILD) when it does not succeed.

    Unit tests are left out unless `unit_tests`: they check the code on fixed inputs, not the
    data, so they give the same answer on every run of the same code; the test command runs
    them on every change (dbt's own advice for production builds). About 10 s per run.
    Without `snapshots`, the snapshots are not run (their history is left as it is).
    Seeds (`seeds`): "changed" (default) loads them only when seeds_fingerprint differs from the
    one recorded in the work database or a recorded seed table is missing (always on a full
    refresh or with `select`), "always" loads them every time.
    """
    env, target_path, log_path = dbt_environment(project_dir, work_db, variables)
    Path(env["DUCKDB_TEMP_DIRECTORY"]).mkdir(parents=True, exist_ok=True)
    clear_test_failures(work_db)
    if forget_stale_parse_state(project_dir, target_path, variables):
        say("[dbt] the project changed since the last run: parsing it in full")
    cmd = dbt_command(
        project_dir,
        variables,
        "build",
        "--fail-fast",
        "--log-format",
        "json",
        "--log-format-file",
        "text",
    )
    if not unit_tests:
        cmd += WITHOUT_UNIT_TESTS
    if not snapshots:  # a backfill (lead-segmentation-pipeline --backfill) leaves the history as it is
        cmd += ["--exclude-resource-type", "snapshot"]
    fingerprint = seeds_fingerprint(project_dir, variables)
    skip_seeds = seeds == "changed" and not full_refresh and not select and seeds_unchanged(work_db, fingerprint)
    if skip_seeds:  # --exclude-resource-type, not --exclude: the latter drops the default selector
        cmd += ["--exclude-resource-type", "seed"]
    # Held rows of the incremental models are right only for the code that made them: after a
    # change of models, macros, seeds or snapshots (an upgrade, a new weight) they are rebuilt.
    code_hash = project_hash(project_dir, variables, INCREMENTAL_CODE_SOURCES)
    recorded_code = recorded_incremental_code(work_db)
    if not full_refresh and not select and recorded_code not in (None, code_hash):
        say("[dbt] the project's models, macros, seeds or snapshots changed since the incremental "
            "models were built: rebuilding them in full")
        full_refresh = True
    if full_refresh:
        cmd.append("--full-refresh")
    if select:
        cmd += ["--select", *select]
    started = time.monotonic()
    nodes: dict[str, dict] = {}  # unique_id -> node info from the log stream
    statuses: dict[str, int] = {}
    errors: list[str] = []  # error-level messages not tied to a node (parse/compile errors)
    total = 0
    invocation_id = None  # ties run_results.json to this invocation (never a stale file)
    last_progress = started

    proc = subprocess.Popen(
        cmd,
        cwd=project_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    assert proc.stdout is not None
    try:
        fault_point("dbt_build")
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                if line.strip():
                    errors.append(line.strip())
                continue
            info, data = event.get("info", {}), event.get("data", {})
            invocation_id = invocation_id or info.get("invocation_id")
            name = info.get("name")
            node_info = data.get("node_info") or {}
            if name in (
                "LogModelResult",
                "LogTestResult",
                "LogSeedResult",
                "LogSnapshotResult",
                "LogNodeResult",
            ):
                total = data.get("total") or total
                status = node_info.get("node_status")
                if status in (None, "", "None"):  # unit tests report their status only in data
                    status = str(data.get("status") or "?").lower()
                statuses[status] = statuses.get(status, 0) + 1
                nodes[node_info.get("unique_id", "?")] = {
                    "name": node_info.get("node_name"),
                    "type": node_info.get("resource_type"),
                    "relation": (node_info.get("node_relation") or {}).get("relation_name"),
                    "attached": data.get("attached_node"),
                    "status": status,
                    "rows": data.get("num_failures"),
                }
                if status in ("warn", "fail", "error"):
                    rows = data.get("num_failures")
                    rows_text = f", {rows} row(s)" if rows not in (None, 0) else ""
                    say(
                        f"[dbt] {status.upper()} {node_info.get('resource_type')} "
                        f"{node_info.get('node_name')}{rows_text}"
                    )
            elif info.get("level") == "error" and info.get("msg"):
                errors.append(info["msg"])
            now = time.monotonic()
            if now - last_progress >= PROGRESS_EVERY_SECONDS:
                done = sum(statuses.values())
                detail = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
                say(f"[dbt] {done}/{total or '?'} nodes ({detail})  {now - started:.0f}s")
                last_progress = now
    except BaseException:
        # Ctrl-C, SIGTERM (or a bug): dbt must not run on, holding the work database
        stop_child(proc)
        raise
    returncode = proc.wait()
    elapsed = time.monotonic() - started

    results = _read_results(target_path, invocation_id)
    where = (
        f"dbt log: {log_path / 'dbt.log'}; run results: {target_path / 'run_results.json'}; "
        f"stored failing rows: schema {TEST_FAILURES_SCHEMA} of {work_db}"
    )
    findings: list[Finding] = []
    warnings: list[Finding] = []
    for result in results:
        uid = result.get("unique_id", "?")
        node = nodes.get(uid, {})
        status = result.get("status")
        message = (result.get("message") or "").strip()
        if status == "skipped" or "fail_fast" in message.lower() or "skipping due to" in message.lower():
            continue
        if status not in ("fail", "error", "warn"):
            continue
        finding = _finding(uid, node, result)
        (warnings if status == "warn" else findings).append(finding)
    if returncode != 0 and not findings:
        # With --fail-fast and several threads, dbt can record the test that failed as
        # skipped (or not at all): name it from the log stream, else from its stored rows.
        findings = failed_tests_from_store(nodes, warnings, work_db, target_path)
    if returncode != 0 and not findings:
        detail = without_values(ANSI_ESCAPES.sub("", "; ".join(errors[-5:]))) or (
            f"dbt exited with code {returncode}"
        )
        findings.append(Finding("dbt.invocation", detail[:2000], look=str(log_path / "dbt.log")))
    findings = [
        dataclasses.replace(f, detail=f.detail + OUT_OF_SYNC_HINT)
        if "out of sync" in f.detail else f
        for f in by_rule(findings, work_db)
    ]
    warnings = by_rule(warnings, work_db)
    if findings:
        raise GateFailed(Gate.DBT_BUILD, findings, where=where)
    loaded = [
        _quoted_relation(node.get("relation"))
        for node in nodes.values()
        if node.get("type") == "seed" and node.get("status") == "success"
    ]
    if loaded and not select:  # a build that loaded the seeds (all of them: no selection)
        record_seeds(work_db, fingerprint, [t for t in loaded if t])
    if not select:
        record_incremental_code(work_db, code_hash)
    return DbtOutcome(
        nodes=sum(statuses.values()),
        statuses=statuses,
        warnings=warnings,
        elapsed=elapsed,
        target_path=target_path,
        log_path=log_path,
    )


def _read_results(target_path: Path, invocation_id: str | None) -> list[dict]:
    """This invocation's run results (none when dbt stopped before writing them)."""
    path = target_path / "run_results.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return []
    if invocation_id is None or doc.get("metadata", {}).get("invocation_id") != invocation_id:
        return []
    return doc.get("results", [])


def failed_tests_from_store(nodes: dict, warnings: list[Finding], work_db: Path, target_path: Path) -> list[Finding]:
    """The failed tests when run_results.json does not say (fail-fast): those the log stream
    reported as fail/error, else the error-severity tests whose stored failing rows (schema
    test_failures, emptied before each build) are not empty."""
    logged = [
        _finding(uid, node, {"status": node["status"], "failures": node.get("rows")})
        for uid, node in nodes.items()
        if node.get("status") in ("fail", "error")
    ]
    if logged:
        return logged
    import duckdb

    tests = {}  # table name in test_failures -> (test name, severity, attached model)
    try:
        manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
        for node in manifest.get("nodes", {}).values():
            if node.get("resource_type") == "test":
                config = node.get("config") or {}
                table = (node.get("alias") or node["name"]).lower()
                tests[table] = (node["name"], str(config.get("severity") or "error").lower(), node.get("attached_node"))
    except (OSError, ValueError, KeyError):
        pass
    warned = {w.check.split(".", 2)[-1] for w in warnings}
    # The failing rows are views (dbt_project.yml, store_failures_as): counting one runs its
    # test's query again, so the tests the log stream saw pass are not counted.
    passed = {n.get("name") for n in nodes.values() if n.get("status") == "pass"}
    found = []
    try:
        with duckdb.connect(str(work_db), read_only=True) as con:
            tables = [
                r[0]
                for r in con.execute(
                    "select table_name from duckdb_tables() where schema_name = ? "
                    "union select view_name from duckdb_views() where schema_name = ? order by 1",
                    [TEST_FAILURES_SCHEMA, TEST_FAILURES_SCHEMA],
                ).fetchall()
            ]
            for table in tables:
                name, severity, attached = tests.get(table.lower(), (table, "error", None))
                if severity == "warn" or name in warned or name in passed:
                    continue
                rows = con.execute(f'select count(*) from {TEST_FAILURES_SCHEMA}."{table}"').fetchone()[0]
                if rows:
                    about = f" on {attached.split('.')[-1]}" if attached else ""
                    found.append(
                        Finding(
                            f"dbt.test.{name}",
                            f"test fail{about}: {rows} failing row(s) (dbt stopped at this test: "
                            "fail fast; its result was recorded as skipped)",
                            rows=rows,
                            look=f"select * from {TEST_FAILURES_SCHEMA}.{table}",
                        )
                    )
    except duckdb.Error:
        return []
    return found


# The columns of a row_rules test's failing rows (tests/generic/row_rules.sql): one row per
# failing row and rule, the rule named by its individual test.
RULE_COLUMNS = ("rule", "rule_kind", "model_name", "column_name")
_STORED = re.compile(r"^select \* from ([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)$")


def rules_failed(work_db: Path, relation: str) -> list[tuple[str, str, str, str, int]]:
    """(rule, kind, model, column, failing rows) of a row_rules test's stored failing rows in
    `relation` (schema.table), by rule; [] when the table is not a row_rules result."""
    import duckdb

    schema, table = relation.split(".", 1)
    try:
        with duckdb.connect(str(work_db), read_only=True) as con:
            columns = {
                r[0]
                for r in con.execute(
                    "select column_name from duckdb_columns() where schema_name = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
            }
            if not set(RULE_COLUMNS) <= columns:
                return []
            return [
                tuple(r)
                for r in con.execute(
                    f'select rule, rule_kind, model_name, column_name, count(*) from {schema}."{table}" '
                    "group by all order by rule"
                ).fetchall()
            ]
    except duckdb.Error:
        return []


def by_rule(findings: list[Finding], work_db: Path) -> list[Finding]:
    """Each failing row_rules test replaced by one finding per failing rule: the individual
    test's name (dbt.test.<rule>), its model and column, its failing rows, and the query that
    shows them (`... where rule = '<rule>'`). Other findings, and a row_rules result that cannot
    be read, are kept as they are."""
    from lead_segmentation.sql import quote_literal

    out: list[Finding] = []
    for finding in findings:
        stored = _STORED.match(finding.look or "")
        rules = rules_failed(work_db, f"{stored.group(1)}.{stored.group(2)}") if stored else []
        if not rules:
            out.append(finding)
            continue
        checker = finding.check.split(".", 2)[-1]
        status = "warn" if finding.detail.startswith("test warn") else "fail"
        for rule, kind, model, column, rows in rules:
            out.append(
                Finding(
                    f"dbt.test.{rule}",
                    f"rule {status} on {model}: {kind} of {column}, {rows} failing row(s) "
                    f"(checked by {checker})",
                    rows=rows,
                    look=f"{finding.look} where rule = {quote_literal(rule)}",
                )
            )
    return out


def _finding(uid: str, node: dict, result: dict) -> Finding:
    kind = node.get("type") or uid.split(".")[0]
    name = node.get("name") or uid.split(".")[-2 if kind == "test" else -1]
    status = result.get("status")
    # dbt colours unit-test diffs even in run_results.json; keep the text only
    message = " ".join(ANSI_ESCAPES.sub("", result.get("message") or status or "").split())
    rows = result.get("failures")
    if kind == "test":
        attached = node.get("attached")
        about = f" on {attached.split('.')[-1]}" if attached else ""
        detail = f"test {status}{about}: {message}"
        relation = _quoted_relation(node.get("relation"))
        look = f"select * from {relation}" if relation else None
    elif kind == "unit_test":
        detail = f"unit test {status}: {message[:1500]}"
        look = None
        rows = None
    else:
        # A model's database error may quote the row value that broke it: never logged.
        detail = f"{kind} {status}: {without_values(message)[:1500]}"
        look = None
        rows = None
    return Finding(f"dbt.{kind}.{name}", detail, rows=rows, look=look)


# What the docs site is made of: the project's sources (not the data: the site shows models,
# columns, tests and lineage). Its hash decides whether the site must be rebuilt.
DOCS_SOURCES = ("models", "macros", "seeds", "snapshots", "tests", "analyses")
DOCS_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")
DOCS_SUFFIXES = (".sql", ".yml", ".yaml", ".md", ".csv", ".py")
# A folder of docs sites by project hash, shared by work folders (optional; the test suite
# sets it so its job runs build the site once per project and vars, not once per run).
DOCS_CACHE_ENV = "LEAD_SEGMENTATION_DOCS_CACHE"


def project_hash(project_dir: Path, variables: dict, folders: tuple[str, ...] = DOCS_SOURCES) -> str:
    """sha256 of every project file the docs site is built from (or of `folders`), dbt's
    version and the vars (the scoring date left out: the site does not change with it)."""
    import hashlib

    from dbt.version import __version__ as dbt_version

    digest = hashlib.sha256()
    digest.update(f"dbt {dbt_version}\n".encode())
    passed = {k: v for k, v in variables.items() if k != "as_of_date"}
    digest.update(json.dumps(passed, sort_keys=True, default=str).encode())
    paths = [project_dir / name for name in DOCS_FILES if (project_dir / name).is_file()]
    for folder in folders:
        if (project_dir / folder).is_dir():
            paths += [
                p for p in (project_dir / folder).rglob("*")
                if p.is_file() and p.suffix in DOCS_SUFFIXES and "__pycache__" not in p.parts
            ]
    for path in sorted(paths):
        digest.update(str(path.relative_to(project_dir)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def generate_docs(
    project_dir: Path, work_db: Path, variables: dict, out_path: Path, *, force: bool = False
) -> bool:
    """`dbt docs generate --static` over the work database; the single-file docs site (models,
    columns, tests, lineage) is copied to out_path. Skipped (returns False) when the site there
    was built from the same project (project_hash, kept in <out_path>.hash): the docs cost
    10-18 s of every run and only change with the project. Returns True when rebuilt. Raises
    RuntimeError when dbt fails."""
    stamp = out_path.with_name(out_path.name + ".hash")
    wanted = project_hash(project_dir, variables)
    if not force and out_path.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return False
    # A site built from the same project for another work folder (several warehouses, the
    # test suite's runs) is the same site: copied from the cache folder instead of rebuilt.
    cache_dir = os.environ.get(DOCS_CACHE_ENV)
    cached = Path(cache_dir) / f"{wanted}.html" if cache_dir else None
    if not force and cached is not None and cached.exists():
        _replace_file(cached, out_path)
        stamp.write_text(wanted + "\n")
        return True
    env, target_path, _ = dbt_environment(project_dir, work_db, variables)
    cmd = dbt_command(project_dir, variables, "docs", "generate", "--static")
    result = subprocess.run(cmd, cwd=project_dir, env=env, capture_output=True, text=True)
    site = target_path / "static_index.html"
    if result.returncode != 0 or not site.exists():
        tail = "\n".join(result.stdout.strip().splitlines()[-5:])
        raise RuntimeError(f"dbt docs generate failed (exit {result.returncode}): {tail}")
    _replace_file(site, out_path)
    stamp.write_text(wanted + "\n")
    if cached is not None:
        _replace_file(site, cached)
    return True


def _replace_file(source: Path, target: Path) -> None:
    """Copy source over target atomically: a reader (a browser, another test worker) never
    sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, temp)
    os.replace(temp, target)
