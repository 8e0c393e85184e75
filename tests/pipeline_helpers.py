"""Helpers for tests/end_to_end/test_pipeline.py: run the main job as a user would, break raw batches on
purpose, fingerprint the published file, and read it from a separate "BI" process.

Run as a script it is that BI process:
    python tests/pipeline_helpers.py read PUBLISHED_DB STOP_FILE OUT_JSON {hold|reopen}
  hold    opens the file once, read-only, and queries it until STOP_FILE appears (a dashboard
          that keeps its connection);
  reopen  opens a new read-only connection for every query (a dashboard that refreshes).
Every snapshot and every error is written to OUT_JSON.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
IGNORED_IN_PROJECT_COPY = shutil.ignore_patterns(
    ".venv*",
    "target*",
    "warehouse",
    "data",
    "logs",
    ".git",
    "__pycache__",
    ".pytest_cache",
    "dbt_packages",
)


@dataclasses.dataclass
class PipelineRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + "\n" + self.stderr


@dataclasses.dataclass(frozen=True)
class Warehouse:
    """Where pipeline runs read and write in a test (never the repo's warehouse/)."""

    root: Path
    published: Path | None = None  # default: root/published.duckdb

    @property
    def work_db(self) -> Path:
        return self.root / "work.duckdb"

    @property
    def published_db(self) -> Path:
        return self.published or self.root / "published.duckdb"

    @property
    def target_path(self) -> Path:
        return self.root / "target"


def pipeline_env(warehouse: Warehouse) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GX_ANALYTICS_ENABLED="false",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_TARGET_PATH=str(warehouse.target_path),
        DBT_LOG_PATH=str(warehouse.target_path / "logs"),
        DUCKDB_TEMP_DIRECTORY=str(warehouse.root / "duckdb_tmp"),
    )
    env.pop("DBT_PROFILES_DIR", None)  # the project's own profiles.yml (also in a copied project)
    return env


def run_pipeline(
    warehouse: Warehouse,
    raw_dir: Path,
    as_of: dt.date,
    *,
    project_dir: Path = PROJECT_DIR,
    extra_args: list[str] | None = None,
) -> PipelineRun:
    """The job (lead_segmentation.pipeline) on the dbt project `project_dir`, in a child process,
    as a user runs it."""
    cmd = [
        sys.executable,
        "-m",
        "lead_segmentation.pipeline",
        "--project-dir",
        str(project_dir),
        "--raw-dir",
        str(raw_dir),
        "--as-of",
        as_of.isoformat(),
        "--work-db",
        str(warehouse.work_db),
        "--published-db",
        str(warehouse.published_db),
        *(extra_args or []),
    ]
    started = time.monotonic()
    result = subprocess.run(
        cmd, cwd=project_dir, env=pipeline_env(warehouse), capture_output=True, text=True, timeout=900
    )
    return PipelineRun(result.returncode, result.stdout, result.stderr, time.monotonic() - started)


def file_state(path: Path) -> tuple[str, int, int]:
    """(sha256, inode, mtime_ns) of a file: equal before/after means untouched."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    stat = path.stat()
    return digest, stat.st_ino, stat.st_mtime_ns


# ---- raw batches broken on purpose ----------------------------------------------------------


def copy_raw(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def read_table(raw_dir: Path, table: str) -> tuple[list[str], list[list[str]]]:
    with (raw_dir / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_table(raw_dir: Path, table: str, header: list[str], rows: list[list[str]]) -> None:
    with (raw_dir / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def drop_column(raw_dir: Path, table: str, column: str) -> None:
    header, rows = read_table(raw_dir, table)
    i = header.index(column)
    write_table(raw_dir, table, header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows])


def empty_table(raw_dir: Path, table: str) -> None:
    header, _ = read_table(raw_dir, table)
    write_table(raw_dir, table, header, [])


def blank_keys(raw_dir: Path, table: str, column: str, every: int) -> int:
    """Blank `column` on every `every`-th row; return how many rows were changed."""
    header, rows = read_table(raw_dir, table)
    i = header.index(column)
    changed = 0
    for n, row in enumerate(rows):
        if n % every == 0:
            row[i] = ""
            changed += 1
    write_table(raw_dir, table, header, rows)
    return changed


def duplicate_rows(raw_dir: Path, table: str, every: int) -> int:
    """Deliver every `every`-th row a second time (same id); return the rows added."""
    header, rows = read_table(raw_dir, table)
    extra = [list(r) for n, r in enumerate(rows) if n % every == 0]
    write_table(raw_dir, table, header, rows + extra)
    return len(extra)


def shift_into_future(raw_dir: Path, table: str, column: str, every: int, when: dt.datetime) -> int:
    header, rows = read_table(raw_dir, table)
    i = header.index(column)
    changed = 0
    for n, row in enumerate(rows):
        if n % every == 0:
            row[i] = when.isoformat(sep=" ")
            changed += 1
    write_table(raw_dir, table, header, rows)
    return changed


def copy_project(target: Path) -> Path:
    """The dbt project (models, seeds, macros, scripts, ...) without builds, data or venv."""
    shutil.copytree(PROJECT_DIR, target, ignore=IGNORED_IN_PROJECT_COPY)
    return target


def matrix_seed(project_dir: Path) -> Path:
    """The scoring seed that maps risk band x intent level to a segment."""
    for path in sorted((project_dir / "seeds").rglob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
        if {"risk_band", "intent_level", "segment"} <= set(header):
            return path
    raise FileNotFoundError(
        f"no seed with risk_band, intent_level, segment under {project_dir / 'seeds'}"
    )


def rename_segment(seed: Path, old: str, new: str) -> None:
    with seed.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    i = rows[0].index("segment")
    hits = [r for r in rows[1:] if r[i] == old]
    if not hits:
        raise ValueError(f"segment {old!r} not in {seed}")
    for row in hits:
        row[i] = new
    with seed.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


# ---- the BI reader --------------------------------------------------------------------------

SNAPSHOT_SQL = {
    "run_id": "select max_by(run_id, ended_at) from ops.pipeline_runs where status = 'published'",
    "lead_scores": "select count(*) from marts.lead_scores",
    "lead_routing": "select count(*) from marts.lead_routing",
    "matrix_contacts": "select sum(contacts) from marts.segment_matrix",
}


def snapshot(con) -> dict:
    """One consistent read of the published file (one transaction)."""
    con.execute("begin transaction")
    try:
        return {name: con.execute(sql).fetchone()[0] for name, sql in SNAPSHOT_SQL.items()}
    finally:
        con.execute("rollback")


def start_reader(published_db: Path, folder: Path, mode: str) -> tuple[subprocess.Popen, Path, Path]:
    stop = folder / f"stop-{mode}"
    out = folder / f"reader-{mode}.json"
    proc = subprocess.Popen(
        [sys.executable, __file__, "read", str(published_db), str(stop), str(out), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, stop, out


def wait_for_first_snapshot(out: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    ready = out.with_suffix(".ready")
    while not ready.exists():
        if proc.poll() is not None:
            raise AssertionError(f"reader exited early: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError("reader did not start")
        time.sleep(0.1)


def stop_reader(proc: subprocess.Popen, stop: Path, out: Path) -> dict:
    stop.touch()
    stdout, stderr = proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"reader crashed ({proc.returncode}): {stdout}\n{stderr}")
    return json.loads(out.read_text())


def _reader(published_db: str, stop_file: str, out_file: str, mode: str) -> int:
    import duckdb

    snapshots: list[dict] = []
    errors: list[str] = []
    held = duckdb.connect(published_db, read_only=True) if mode == "hold" else None
    ready = Path(out_file).with_suffix(".ready")
    stopping = False
    while True:
        try:
            if held is not None:
                snapshots.append(snapshot(held))
            else:
                con = duckdb.connect(published_db, read_only=True)
                try:
                    snapshots.append(snapshot(con))
                finally:
                    con.close()
        except Exception as exc:  # noqa: BLE001 - every error is a test failure, recorded
            errors.append(f"{type(exc).__name__}: {exc}")
        if not ready.exists():
            ready.touch()
        if stopping:
            break  # one last read after the stop signal: sees the final state
        stopping = Path(stop_file).exists()
        time.sleep(0.1)
    if held is not None:
        held.close()
    Path(out_file).write_text(json.dumps({"snapshots": snapshots, "errors": errors}, default=str))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "read":
        sys.exit(_reader(*sys.argv[2:6]))
    print(__doc__, file=sys.stderr)
    sys.exit(64)
