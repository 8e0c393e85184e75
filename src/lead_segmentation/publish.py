"""Write-audit-publish: the only code that writes warehouse/published.duckdb.

dbt writes only to the work database. Once every gate passed, `publish()`:

1. writes a NEW DuckDB file next to the published one (same folder, so the rename below stays
   on one filesystem): the public marts and `dq_row_reconciliation` in schema `marts`, the run
   log in `ops.pipeline_runs`. It is written in storage version STORAGE_VERSION so that every
   DuckDB 1.x reader (BI drivers lag the CLI) can open it;
2. audits the copy: reopens it read-only and compares each table's row count and content
   checksum with the work database;
3. fsyncs it and `os.replace`s it over the published file, then fsyncs the folder.

The rename swaps the directory entry in one step. A reader that had the old file open keeps
reading the old inode (a consistent old snapshot, never touched); a reader opening afterwards
gets the new file. Nobody ever sees a half-written file, and a BI process holding the file open
read-only blocks nothing. Any failure before the rename (an interrupt or SIGTERM included) removes
the temporary file and leaves the published file byte-for-byte as it was; a staged copy left by a
publish that was killed outright (SIGKILL) is removed by the next publish to the same folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
from pathlib import Path

import duckdb

from lead_segmentation import run_log
from lead_segmentation.contract import BACKTEST_MARTS, PUBLIC_MARTS
from lead_segmentation.gates import Finding, Gate, GateFailed, fault_point
from lead_segmentation.owner_only import private_dir, private_file
from lead_segmentation.sql import quote_literal

# Oldest storage format that holds everything we publish; readable by DuckDB >= 1.0.
STORAGE_VERSION = "v1.0.0"

# (schema in the work database, relation, schema in the published file)
PUBLISHED_RELATIONS: list[tuple[str, str, str]] = [
    *(("marts", name, "marts") for name in PUBLIC_MARTS),
    ("audit", "dq_row_reconciliation", "marts"),
    # One row per rejected raw line (table, line, reason): the report's rejected-rows view.
    ("audit", "dq_rejected_rows", "marts"),
]

# Published when the work database holds them: built by a run that asked for them (the
# backtest, `pipeline.py --backtest`; docs/backtest.md). A later run without --backtest
# publishes the last one built again; its run_as_of_date says which run it is from.
OPTIONAL_PUBLISHED_RELATIONS: list[tuple[str, str, str]] = [
    ("backtest", name, "marts") for name in BACKTEST_MARTS
]


@dataclasses.dataclass
class PublishResult:
    path: Path
    row_counts: dict[str, int]  # "<schema>.<table>" in the published file -> rows
    size_bytes: int


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            candidate.unlink()
        except FileNotFoundError:
            pass


def _rows_and_checksum(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, int]:
    """(rows, order-independent content checksum) of a relation."""
    rows, checksum = con.execute(
        f"select count(*), coalesce(sum(hash(x)), 0) from {relation} as x"
    ).fetchone()
    return int(rows), int(checksum)


def publish(work_db: Path, published_db: Path, record: run_log.RunRecord) -> PublishResult:
    """Copy the public relations of `work_db` into a new file and swap it in atomically.

    `record` is the finished run (status published); it is added to the copied run log.
    Raises GateFailed(PUBLISH); the published file is then unchanged.
    """
    work_db = Path(work_db).resolve()
    published_db = Path(published_db).resolve()
    private_dir(published_db.parent)
    staged = published_db.with_name(f".{published_db.name}.{record.run_id}.tmp")
    folder_fd = None
    try:
        # One publish per folder at a time; holding the lock, any other staged copy is a
        # leftover of a publish that was killed (SIGKILL, power loss): removed here.
        folder_fd = os.open(published_db.parent, os.O_RDONLY)
        fcntl.flock(folder_fd, fcntl.LOCK_EX)
        for leftover in published_db.parent.glob(f".{published_db.name}.*.tmp"):
            _remove(leftover)
        _remove(staged)
        expected = _write(work_db, staged, record)
        _audit(staged, expected, record)
        # Owner-only (ids with scores, the run log): BI readers get access deliberately.
        private_file(staged)
        _fsync(staged)
        fault_point("publish")
        os.replace(staged, published_db)
        fault_point("publish.renamed")
    except BaseException as exc:  # also Ctrl-C and SIGTERM: never leave a staged copy behind
        if folder_fd is not None:
            os.close(folder_fd)
            folder_fd = None
        with contextlib.suppress(OSError):  # e.g. a read-only folder: nothing was staged
            _remove(staged)
        if isinstance(exc, GateFailed) or not isinstance(exc, Exception):
            raise
        raise GateFailed(
            Gate.PUBLISH,
            [Finding("publish.write", f"{type(exc).__name__}: {exc}", look=str(published_db.parent))],
            where=f"the published file {published_db} was not changed",
        ) from exc
    try:
        _fsync(published_db.parent)  # make the rename durable; it already happened
    except OSError:
        pass
    finally:
        if folder_fd is not None:
            os.close(folder_fd)
    return PublishResult(
        path=published_db,
        row_counts={k: v[0] for k, v in expected.items()},
        size_bytes=published_db.stat().st_size,
    )


def _write(work_db: Path, staged: Path, record: run_log.RunRecord) -> dict[str, tuple[int, int]]:
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {quote_literal(str(work_db))} as work (read_only)")
        present = {
            (r[0], r[1])
            for r in con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = 'work'"
            ).fetchall()
        }
        missing = [f"{s}.{n}" for s, n, _ in PUBLISHED_RELATIONS if (s, n) not in present]
        if missing:
            raise GateFailed(
                Gate.PUBLISH,
                [
                    Finding(
                        "publish.sources",
                        f"relation(s) to publish missing from the work database: {', '.join(missing)}",
                        look=f"dbt build output; {work_db}",
                    )
                ],
            )
        con.execute(
            f"attach {quote_literal(str(staged))} as pub (storage_version {quote_literal(STORAGE_VERSION)})"
        )
        expected: dict[str, tuple[int, int]] = {}
        con.execute("begin transaction")
        relations = PUBLISHED_RELATIONS + [
            relation for relation in OPTIONAL_PUBLISHED_RELATIONS if relation[:2] in present
        ]
        for source_schema, name, target_schema in relations:
            con.execute(f"create schema if not exists pub.{target_schema}")
            con.execute(
                f"create table pub.{target_schema}.{name} as select * from work.{source_schema}.{name}"
            )
            expected[f"{target_schema}.{name}"] = _rows_and_checksum(con, f"work.{source_schema}.{name}")
        log = run_log.ensure_table(con, "pub")
        if (run_log.SCHEMA, run_log.TABLE) in present:
            names = ", ".join(n for n, _ in run_log.COLUMNS)
            con.execute(f"insert into {log} ({names}) select {names} from work.{run_log.RELATION}")
        run_log.insert(con, record, "pub")
        expected[run_log.RELATION] = _rows_and_checksum(con, log)
        con.execute("commit")
        con.execute("detach pub")  # checkpoints: the file is complete, no .wal left behind
        con.execute("detach work")
    finally:
        con.close()
    return expected


def _audit(staged: Path, expected: dict[str, tuple[int, int]], record: run_log.RunRecord) -> None:
    """Reopen the new file as a reader would and compare it with the work database."""
    findings = []
    con = duckdb.connect(str(staged), read_only=True)
    try:
        for relation, want in expected.items():
            got = _rows_and_checksum(con, relation)
            if got != want:
                findings.append(
                    Finding(
                        f"publish.audit.{relation}",
                        f"the copy differs from the work database: {got[0]:,} rows (checksum {got[1]}) "
                        f"instead of {want[0]:,} (checksum {want[1]})",
                        rows=abs(got[0] - want[0]),
                    )
                )
        logged = con.execute(
            f"select count(*) from {run_log.RELATION} where run_id = ?", [record.run_id]
        ).fetchone()[0]
        if logged != 1:
            findings.append(
                Finding("publish.audit.run_log", f"run {record.run_id} logged {logged} times")
            )
    finally:
        con.close()
    if findings:
        raise GateFailed(Gate.PUBLISH, findings, where="the published file was not changed")
