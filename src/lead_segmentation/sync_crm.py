"""Reverse-ETL helper: turn the published routing into CRM import batches of what changed.

    lead-segmentation-sync-crm --published warehouse/published.duckdb --out DIR \
        --mapping hubspot|salesforce|PATH [--state PATH] [--dry-run] [--full] [--max-clear-pct N]

Reads `marts.lead_routing` (and the `marts.lead_scores` fields the mapping asks for, joined on
contact_id) from the published file, opened READ-ONLY and closed before anything is written:
the pipeline publishes by renaming a new file over the old one, so a sync never blocks a
publish and always reads one consistent snapshot. It compares each person with the sync state
of the last successful sync and writes, into DIR:

- `<mapping>_<batch_id>_upserts.csv`: people new to the CRM or whose synced values changed
  (lead_routing.record_hash changed, or any mapped value changed, e.g. a lead_scores field or
  the mapping itself), never a suppressed person. Columns: the mapping's CRM names.
- `<mapping>_<batch_id>_clears.csv`: the CRM key, the outreach fields to blank and a clear
  reason: people who became suppressed (reason = suppression_reason), suppressed people never
  cleared before, suppressed people whose clear row changed (a new suppression reason), and
  people who left lead_routing (deleted or merged away; reason `left`). A suppressed person
  is ALWAYS sent as a clear, never as an upsert.
- `<mapping>_<batch_id>_manifest.json`: batch id, the published data's as_of_date,
  scoring_version and run id, the counts, and each batch file's name, rows and sha256. It is
  written last: a batch without a manifest is incomplete and must not be imported.

Every cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab
or a carriage return, other than a plain number) is written with a leading apostrophe (OWASP's
CSV-injection advice): `=HYPERLINK(...)` arrives in the CRM as the text `'=HYPERLINK(...)`.

A batch file with no rows is not written (its manifest entry is null). When nothing changed,
nothing is written at all and the state is not touched: the sync prints `nothing to sync`
and exits 0. Import batches in batch id order (the ids sort chronologically).

The state (contact_id -> record_hash, is_suppressed, clear_reason, payload_hash, synced_at,
batch_id) is replaced only after the batch files and the manifest are complete (each written
to a temporary file, fsynced, renamed). A failure before that removes this run's files and
leaves the state as it was, so the next run sends the same changes again; a crash between the
manifest and the state means the next run resends them (at-least-once: upserts on the key and
clears are idempotent). Default state: `warehouse/sync_state/<mapping>.duckdb`; `--state` may
also name a `.parquet` or `.json` file. One sync per state at a time (a lock file beside it).

`--full` resends everyone in lead_routing (upserts and clears) plus the people who left.
`--dry-run` prints the counts and writes nothing (no batch, no state).
Mass clears are refused (exit 3): a run that would clear, for ANY reason (newly suppressed, or
gone from lead_routing), more than `sync.max_clear_share` (25%) of the people active in the
CRM (synced and not suppressed), beyond `sync.clear_allowance_people` (10) whatever the share,
of config/quality_thresholds.yml. A batch of invalid emails (everyone suppressed) or a
truncated publish must not wipe the CRM. `--max-clear-pct N` overrides the share for one run
(`--max-left-pct` is its old name); `--thresholds PATH` reads another thresholds file.

Exit codes: 0 synced or nothing to sync; 1 writing failed (nothing committed); 2 usage or
configuration error (arguments, mapping file, state file, another sync running); 3 published
data unusable (file missing or unreadable, lead_routing or a column missing, bad keys, mass
clear refused).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import datetime as dt
import decimal
import hashlib
import json
import math
import os
import re
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

import duckdb
import yaml

from lead_segmentation import run_log
from lead_segmentation.contract import CONTRACT_COLUMNS
from lead_segmentation.errors import ConfigError
from lead_segmentation.owner_only import private_dir, private_file, restrict_new_files
from lead_segmentation.paths import CRM_FIELD_MAPS_DIR, PUBLISHED_DB, QUALITY_THRESHOLDS, WAREHOUSE_DIR
from lead_segmentation.sql import quote_identifier

MAPPINGS_DIR = CRM_FIELD_MAPS_DIR
DEFAULT_PUBLISHED = PUBLISHED_DB
DEFAULT_STATE_DIR = WAREHOUSE_DIR / "sync_state"
THRESHOLDS = QUALITY_THRESHOLDS

EXIT_OK = 0
EXIT_WRITE_FAILED = 1
EXIT_CONFIG = 2
EXIT_PUBLISHED = 3

SCHEMA = "marts"
ROUTING = "lead_routing"
SCORES = "lead_scores"

# CONTRACT.md section 3 (+ v1.1): the columns a mapping may name.
LEAD_ROUTING_COLUMNS = CONTRACT_COLUMNS[ROUTING]
LEAD_SCORES_COLUMNS = CONTRACT_COLUMNS[SCORES]
# lead_routing columns the sync itself needs, whatever the mapping.
SYNC_COLUMNS = ("contact_id", "record_hash", "is_suppressed", "suppression_reason")

LEFT = "left"  # clear reason of a person who left lead_routing
SUPPRESSED_UNKNOWN = "suppressed"  # clear reason when suppression_reason is NULL

STATE_COLUMNS = (
    "contact_id",
    "record_hash",
    "is_suppressed",
    "clear_reason",  # reason sent in the last clear; NULL after an upsert
    "payload_hash",  # sha256 of the last row sent (header + values)
    "synced_at",  # naive UTC
    "batch_id",
)
STATE_SUFFIXES = (".duckdb", ".parquet", ".json")
STATE_TABLE = "sync_state"

MAPPING_KEYS = {"crm", "object", "description", "key", "fields", "clear", "format"}
FORMAT_DEFAULTS = {
    "null_value": "",
    "true_value": "true",
    "false_value": "false",
    "timestamp_format": "%Y-%m-%dT%H:%M:%SZ",
    "date_format": "%Y-%m-%d",
}
COUNT_NAMES = ("new", "changed", "cleared", "left", "unchanged", "resent")


class SyncError(Exception):
    exit_code = EXIT_WRITE_FAILED


class PublishedDataError(SyncError):
    """The published file cannot be synced as it is."""

    exit_code = EXIT_PUBLISHED


# --------------------------------------------------------------------------- mapping


@dataclasses.dataclass(frozen=True)
class FieldMap:
    key: str  # as written in the mapping: `segment` or `lead_scores.fit_score`
    table: str  # lead_routing | lead_scores
    column: str  # column in that table
    crm_column: str


@dataclasses.dataclass(frozen=True)
class Mapping:
    name: str
    path: Path
    sha256: str
    crm: str
    object: str | None
    key_column: str
    fields: tuple[FieldMap, ...]
    blank: tuple[str, ...]  # field keys a clear blanks, in `fields` order
    reason_column: str
    null_value: str
    true_value: str
    false_value: str
    timestamp_format: str
    date_format: str

    @property
    def upsert_header(self) -> list[str]:
        return [self.key_column, *(f.crm_column for f in self.fields), self.reason_column]

    @property
    def clear_header(self) -> list[str]:
        by_key = {f.key: f.crm_column for f in self.fields}
        return [self.key_column, *(by_key[k] for k in self.blank), self.reason_column]

    def columns_of(self, table: str) -> list[str]:
        return [f.column for f in self.fields if f.table == table]


def shipped_mappings() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yml"))


def resolve_mapping(spec: str) -> tuple[str, Path]:
    """`hubspot` / `salesforce` (shipped) or a path to a mapping file -> (name, path)."""
    shipped = MAPPINGS_DIR / f"{spec}.yml"
    if "/" not in spec and os.sep not in spec and shipped.is_file():
        return spec, shipped
    path = Path(spec)
    if path.is_file():
        return path.stem, path
    raise ConfigError(
        f"unknown mapping {spec!r}: expected one of {', '.join(shipped_mappings())} "
        f"or the path of a mapping file"
    )


def _text(value: Any, key: str, path: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: `{key}` must be a non-empty (quoted) string, got {value!r}")
    return value


def load_mapping(spec: str) -> Mapping:
    """Read and validate a mapping file; every error names the offending key."""
    name, path = resolve_mapping(spec)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the mapping file {path}: {exc}") from exc
    try:
        doc = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: a mapping file must be a YAML mapping with keys {sorted(MAPPING_KEYS)}")
    unknown = sorted(str(k) for k in doc if k not in MAPPING_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(MAPPING_KEYS))}")
    for required in ("crm", "key", "fields", "clear"):
        if required not in doc:
            raise ConfigError(f"{path}: missing key `{required}`")
    crm = _text(doc["crm"], "crm", path)
    obj = _text(doc["object"], "object", path) if doc.get("object") is not None else None

    key = doc["key"]
    if not isinstance(key, dict):
        raise ConfigError(f"{path}: `key` must be a mapping with `field` and `column`")
    for sub in ("field", "column"):
        if sub not in key:
            raise ConfigError(f"{path}: missing key `key.{sub}`")
    if key["field"] != "contact_id":
        raise ConfigError(
            f"{path}: `key.field` must be contact_id (the primary key of lead_routing, sent as an "
            f"external id), got {key['field']!r}"
        )
    key_column = _text(key["column"], "key.column", path)

    raw_fields = doc["fields"]
    if not isinstance(raw_fields, dict) or not raw_fields:
        raise ConfigError(f"{path}: `fields` must be a non-empty mapping of our field -> CRM column")
    fields: list[FieldMap] = []
    for field_key, crm_column in raw_fields.items():
        label = f"fields.{field_key}"
        if not isinstance(field_key, str):
            raise ConfigError(f"{path}: `{label}`: field names must be strings")
        table, _, column = field_key.rpartition(".")
        table = table or ROUTING
        allowed = {ROUTING: LEAD_ROUTING_COLUMNS, SCORES: LEAD_SCORES_COLUMNS}.get(table)
        if allowed is None:
            raise ConfigError(
                f"{path}: `{label}`: unknown table {table!r}; use a lead_routing column or lead_scores.<column>"
            )
        if column not in allowed:
            raise ConfigError(
                f"{path}: `{label}`: {table} has no column {column!r} (contract columns: {', '.join(allowed)})"
            )
        if column == "contact_id":
            raise ConfigError(f"{path}: `{label}`: contact_id is sent as `key.column`; do not map it again")
        fields.append(FieldMap(field_key, table, column, _text(crm_column, label, path)))

    clear = doc["clear"]
    if not isinstance(clear, dict):
        raise ConfigError(f"{path}: `clear` must be a mapping with `reason_column` and `blank`")
    unknown = sorted(str(k) for k in clear if k not in ("reason_column", "blank"))
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) clear.{', clear.'.join(unknown)}")
    for sub in ("reason_column", "blank"):
        if sub not in clear:
            raise ConfigError(f"{path}: missing key `clear.{sub}`")
    reason_column = _text(clear["reason_column"], "clear.reason_column", path)
    blank = clear["blank"]
    if not isinstance(blank, list) or not blank:
        raise ConfigError(f"{path}: `clear.blank` must be a non-empty list of keys of `fields`")
    mapped = [f.key for f in fields]
    not_mapped = [str(b) for b in blank if b not in mapped]
    if not_mapped:
        raise ConfigError(
            f"{path}: `clear.blank`: {', '.join(not_mapped)} not in `fields` (a clear can only blank mapped fields)"
        )
    if len(set(blank)) != len(blank):
        raise ConfigError(f"{path}: `clear.blank` lists a field twice")

    fmt = doc.get("format") or {}
    if not isinstance(fmt, dict):
        raise ConfigError(f"{path}: `format` must be a mapping")
    unknown = sorted(str(k) for k in fmt if k not in FORMAT_DEFAULTS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) format.{', format.'.join(unknown)}; allowed: {', '.join(FORMAT_DEFAULTS)}"
        )
    formats = dict(FORMAT_DEFAULTS)
    for sub, value in fmt.items():
        if not isinstance(value, str) or (sub != "null_value" and not value):
            raise ConfigError(f"{path}: `format.{sub}` must be a quoted string, got {value!r}")
        formats[sub] = value
    if formats["true_value"] == formats["false_value"]:
        raise ConfigError(f"{path}: `format.true_value` and `format.false_value` must differ")

    columns = [key_column, *(f.crm_column for f in fields), reason_column]
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise ConfigError(
            f"{path}: CRM column(s) {', '.join(duplicates)} used twice (key.column, fields, clear.reason_column)"
        )

    return Mapping(
        name=name,
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        crm=crm,
        object=obj,
        key_column=key_column,
        fields=tuple(fields),
        blank=tuple(k for k in mapped if k in blank),
        reason_column=reason_column,
        **formats,
    )


def format_value(value: Any, mapping: Mapping) -> str:
    """One value as the CRM import expects it (text)."""
    if value is None or (isinstance(value, str) and value == ""):
        return mapping.null_value
    if isinstance(value, bool):
        return mapping.true_value if value else mapping.false_value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.strftime(mapping.timestamp_format)  # naive timestamps are UTC (project rule)
    if isinstance(value, dt.date):
        return value.strftime(mapping.date_format)
    if isinstance(value, float):
        if not math.isfinite(value):
            return mapping.null_value
        return format(decimal.Decimal(repr(value)), "f")  # never scientific notation
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


# --------------------------------------------------------------------------- published data


@dataclasses.dataclass(frozen=True)
class Person:
    contact_id: str
    record_hash: str
    is_suppressed: bool
    suppression_reason: str | None
    values: dict[str, Any]  # field key of the mapping -> value


@dataclasses.dataclass(frozen=True)
class PublishedInfo:
    path: Path
    as_of_date: str | None
    scoring_version: str | None
    run_id: str | None


def _table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """table -> column -> data type, for the tables of schema marts."""
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ?",
        [SCHEMA],
    ).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, {})[column] = data_type
    return tables


def read_published(path: Path, mapping: Mapping) -> tuple[list[Person], PublishedInfo]:
    """Everything the sync needs from the published file, read in one read-only session."""
    if not path.is_file():
        raise PublishedDataError(f"published file not found: {path} (has the pipeline published yet?)")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise PublishedDataError(f"cannot open the published file {path} read-only: {exc}") from exc
    try:
        return _read(con, path, mapping)
    except duckdb.Error as exc:
        raise PublishedDataError(f"cannot read {path}: {exc}") from exc
    finally:
        con.close()


def _read(con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping) -> tuple[list[Person], PublishedInfo]:
    tables = _table_columns(con)
    if ROUTING not in tables:
        raise PublishedDataError(
            f"{path}: table {SCHEMA}.{ROUTING} not found (tables: {', '.join(sorted(tables)) or 'none'})"
        )
    needed = list(dict.fromkeys([*SYNC_COLUMNS, *mapping.columns_of(ROUTING)]))
    missing = [c for c in needed if c not in tables[ROUTING]]
    if missing:
        raise PublishedDataError(f"{path}: {SCHEMA}.{ROUTING} is missing column(s) {', '.join(missing)}")
    if tables[ROUTING]["is_suppressed"] != "BOOLEAN":
        raise PublishedDataError(
            f"{path}: {SCHEMA}.{ROUTING}.is_suppressed is {tables[ROUTING]['is_suppressed']}, expected BOOLEAN"
        )
    score_columns = list(dict.fromkeys(mapping.columns_of(SCORES)))
    if score_columns:
        if SCORES not in tables:
            raise PublishedDataError(
                f"{path}: table {SCHEMA}.{SCORES} not found; the mapping {mapping.name} needs its "
                f"column(s) {', '.join(score_columns)}"
            )
        missing = [c for c in ["contact_id", *score_columns] if c not in tables[SCORES]]
        if missing:
            raise PublishedDataError(f"{path}: {SCHEMA}.{SCORES} is missing column(s) {', '.join(missing)}")

    routing = f"{SCHEMA}.{ROUTING}"
    nulls, duplicates, null_hashes, null_flags = con.execute(
        f"select count(*) filter (where contact_id is null), "
        f"count(contact_id) - count(distinct contact_id), "
        f"count(*) filter (where record_hash is null), "
        f"count(*) filter (where is_suppressed is null) from {routing}"
    ).fetchone()
    problems = [
        f"{n:,} row(s) {what}"
        for n, what in (
            (nulls, "without contact_id"),
            (duplicates, "with a duplicate contact_id"),
            (null_hashes, "without record_hash"),
            (null_flags, "with is_suppressed NULL"),
        )
        if n
    ]
    if problems:
        raise PublishedDataError(f"{path}: {routing} cannot be synced: {'; '.join(problems)}")
    if score_columns:
        (score_duplicates,) = con.execute(
            f"select count(contact_id) - count(distinct contact_id) from {SCHEMA}.{SCORES}"
        ).fetchone()
        if score_duplicates:
            raise PublishedDataError(f"{path}: {SCHEMA}.{SCORES} has {score_duplicates:,} duplicate contact_id(s)")

    select = [f"r.{quote_identifier(c)}" for c in SYNC_COLUMNS]
    select += [f"{'r' if f.table == ROUTING else 's'}.{quote_identifier(f.column)}" for f in mapping.fields]
    join = f"left join {SCHEMA}.{SCORES} as s on s.contact_id = r.contact_id" if score_columns else ""
    rows = con.execute(
        f"select {', '.join(select)} from {routing} as r {join} order by r.contact_id"
    ).fetchall()
    people = [
        Person(
            contact_id=str(row[0]),
            record_hash=str(row[1]),
            is_suppressed=bool(row[2]),
            suppression_reason=row[3] or None,
            values={f.key: value for f, value in zip(mapping.fields, row[len(SYNC_COLUMNS):])},
        )
        for row in rows
    ]
    return people, _published_info(con, path, tables)


def _published_info(con: duckdb.DuckDBPyConnection, path: Path, tables: dict[str, dict[str, str]]) -> PublishedInfo:
    as_of = version = run_id = None
    if {"as_of_date", "scoring_version"} <= set(tables.get(SCORES, {})):
        # One value each in a healthy publish; the latest if not.
        as_of, version = con.execute(
            f"select max(as_of_date), max(scoring_version) from {SCHEMA}.{SCORES}"
        ).fetchone()
    runs = con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        [run_log.SCHEMA, run_log.TABLE],
    ).fetchone()[0]
    if runs:
        row = con.execute(
            f"select run_id, as_of_date from {run_log.RELATION} where status = 'published' "
            "order by ended_at desc nulls last limit 1"
        ).fetchone()
        if row:
            run_id = row[0]
            as_of = as_of or row[1]
    return PublishedInfo(
        path=path.resolve(),
        as_of_date=as_of.isoformat() if isinstance(as_of, dt.date) else (str(as_of) if as_of else None),
        scoring_version=str(version) if version is not None else None,
        run_id=run_id,
    )


# --------------------------------------------------------------------------- state


@dataclasses.dataclass(frozen=True)
class StateRow:
    contact_id: str
    record_hash: str
    is_suppressed: bool
    clear_reason: str | None
    payload_hash: str
    synced_at: dt.datetime
    batch_id: str

    def values(self) -> list[Any]:
        return [getattr(self, c) for c in STATE_COLUMNS]


def default_state_path(mapping: Mapping) -> Path:
    return DEFAULT_STATE_DIR / f"{mapping.name}.duckdb"


def _state_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in STATE_SUFFIXES:
        raise ConfigError(f"state file {path}: the name must end in {', '.join(STATE_SUFFIXES)}")
    return suffix


def read_state(path: Path) -> dict[str, StateRow]:
    """The state of the last successful sync; empty when there was none."""
    suffix = _state_suffix(path)
    if not path.exists():
        return {}
    try:
        if suffix == ".duckdb":
            con = duckdb.connect(str(path), read_only=True)
            try:
                cur = con.execute(f"select * from {STATE_TABLE}")
                names = [d[0] for d in cur.description]
                records = [dict(zip(names, r)) for r in cur.fetchall()]
            finally:
                con.close()
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            records = pq.read_table(path).to_pylist()
        else:
            doc = json.loads(path.read_text(encoding="utf-8"))
            records = doc["rows"]
            for r in records:
                r["synced_at"] = dt.datetime.fromisoformat(r["synced_at"].removesuffix("Z"))
        rows = {}
        for r in records:
            missing = [c for c in STATE_COLUMNS if c not in r]
            if missing:
                raise ValueError(f"missing column(s) {', '.join(missing)}")
            row = StateRow(**{c: r[c] for c in STATE_COLUMNS})
            rows[row.contact_id] = row
        return rows
    except Exception as exc:  # any unreadable state is a configuration problem
        raise ConfigError(
            f"state file {path} is unreadable ({type(exc).__name__}: {exc}); restore it, or move it "
            f"away and run with --full to resend everyone"
        ) from exc


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _state_arrow(rows: list[StateRow]):
    import pyarrow as pa

    schema = pa.schema(
        [
            ("contact_id", pa.string()),
            ("record_hash", pa.string()),
            ("is_suppressed", pa.bool_()),
            ("clear_reason", pa.string()),
            ("payload_hash", pa.string()),
            ("synced_at", pa.timestamp("us")),
            ("batch_id", pa.string()),
        ]
    )
    return pa.table({c: [getattr(r, c) for r in rows] for c in STATE_COLUMNS}, schema=schema)


def write_state(path: Path, rows: list[StateRow]) -> None:
    """Replace the state atomically: a temporary file beside it, fsynced, renamed over it."""
    suffix = _state_suffix(path)
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp{suffix}")
    rows = sorted(rows, key=lambda r: r.contact_id)
    try:
        if suffix == ".duckdb":
            table = _state_arrow(rows)
            con = duckdb.connect(str(tmp))
            try:
                con.register("state_rows", table)
                con.execute(f"create table {STATE_TABLE} as select * from state_rows")
                con.unregister("state_rows")
            finally:
                con.close()  # checkpoints: no .wal left beside the file
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            pq.write_table(_state_arrow(rows), tmp)
        else:
            doc = {
                "columns": list(STATE_COLUMNS),
                "rows": [
                    {**dataclasses.asdict(r), "synced_at": r.synced_at.isoformat() + "Z"} for r in rows
                ],
            }
            tmp.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        private_file(tmp)  # contact ids and what was sent about them
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        _remove(tmp)
        _remove(tmp.with_name(tmp.name + ".wal"))


@contextlib.contextmanager
def state_lock(path: Path) -> Iterator[None]:
    """One sync per state file at a time (an exclusive lock on `<state>.lock`)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as documented
        yield
        return
    lock_path = path.with_name(path.name + ".lock")
    try:
        private_dir(path.parent)
        handle = open(lock_path, "a+")
    except OSError as exc:
        raise ConfigError(f"cannot create the lock file {lock_path}: {exc}") from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ConfigError(f"another sync is running with the state {path} (lock {lock_path} held)") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- plan


@dataclasses.dataclass
class Plan:
    upserts: list[list[str]]
    clears: list[list[str]]
    counts: dict[str, int]
    state: list[StateRow]  # the state to write once the batch is complete
    tracked_before: int
    active_before: int = 0  # people active in the CRM before this batch (synced, not suppressed)
    wiped_suppressed: int = 0  # of them, cleared by this batch because now suppressed
    wiped_left: int = 0  # of them, cleared because gone from lead_routing

    @property
    def wiped(self) -> int:
        return self.wiped_suppressed + self.wiped_left

    @property
    def empty(self) -> bool:
        return not self.upserts and not self.clears


def _payload_hash(header: list[str], row: list[str]) -> str:
    text = "\x1f".join(header) + "\x1e" + "\x1f".join(row)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_sync(
    people: list[Person],
    state: dict[str, StateRow],
    mapping: Mapping,
    *,
    full: bool,
    batch_id: str,
    now: dt.datetime,
) -> Plan:
    """Decide, per person, upsert / clear / nothing, and the state after this batch."""
    counts = dict.fromkeys(COUNT_NAMES, 0)
    upserts: list[list[str]] = []
    clears: list[list[str]] = []
    new_state: list[StateRow] = []
    upsert_header, clear_header = mapping.upsert_header, mapping.clear_header
    blanks = [mapping.null_value] * len(mapping.blank)
    seen: set[str] = set()

    wiped_suppressed = wiped_left = 0
    for person in people:
        seen.add(person.contact_id)
        before = state.get(person.contact_id)
        if person.is_suppressed and before is not None and not before.is_suppressed:
            wiped_suppressed += 1
        if person.is_suppressed:
            reason = person.suppression_reason or SUPPRESSED_UNKNOWN
            row = [person.contact_id, *blanks, reason]
            payload = _payload_hash(clear_header, row)
            # A clear carries only the key, blanks and the reason: a record_hash change while
            # still suppressed is not resent unless the clear row itself changed.
            if before is None or not before.is_suppressed or before.payload_hash != payload:
                kind = "cleared"
            else:
                kind = "resent" if full else "unchanged"
            target = clears
        else:
            reason = None
            row = [
                person.contact_id,
                *(format_value(person.values[f.key], mapping) for f in mapping.fields),
                mapping.null_value,  # an upsert resets the clear reason of a reactivated person
            ]
            payload = _payload_hash(upsert_header, row)
            if before is None:
                kind = "new"
            elif before.is_suppressed or before.record_hash != person.record_hash or before.payload_hash != payload:
                kind = "changed"
            else:
                kind = "resent" if full else "unchanged"
            target = upserts
        counts[kind] += 1
        if kind == "unchanged":
            new_state.append(before)
            continue
        target.append(row)
        new_state.append(
            StateRow(person.contact_id, person.record_hash, person.is_suppressed, reason, payload, now, batch_id)
        )

    for contact_id in sorted(set(state) - seen):
        # Deleted or merged away since the last sync: clear, then forget (a person who comes
        # back later is new again).
        clears.append([contact_id, *blanks, LEFT])
        counts["left"] += 1
        if not state[contact_id].is_suppressed:
            wiped_left += 1

    return Plan(
        upserts=upserts,
        clears=clears,
        counts=counts,
        state=new_state,
        tracked_before=len(state),
        active_before=sum(not row.is_suppressed for row in state.values()),
        wiped_suppressed=wiped_suppressed,
        wiped_left=wiped_left,
    )


def check_mass_clear(plan: Plan, max_clear_pct: float, allowance: int, published: Path) -> None:
    """Refuse a batch that would clear more than `max_clear_pct` % of the people active in
    the CRM, for any reason (newly suppressed or left), beyond `allowance` people."""
    if not plan.active_before or max_clear_pct >= 100 or plan.wiped <= allowance:
        return
    share = 100.0 * plan.wiped / plan.active_before
    if share > max_clear_pct:
        raise PublishedDataError(
            f"refusing to clear {plan.wiped:,} of {plan.active_before:,} people active in the CRM "
            f"({share:.1f}% > {max_clear_pct:g}%, sync.max_clear_share of the thresholds file or "
            f"--max-clear-pct; {plan.wiped_suppressed:,} newly suppressed, {plan.wiped_left:,} gone "
            f"from lead_routing): {published} looks broken (a bad batch, a truncated publish). If "
            "the clears are real, rerun with a higher --max-clear-pct."
        )


# --------------------------------------------------------------------------- batch files


def new_batch_id(now: dt.datetime) -> str:
    # Microseconds: ids of one state (serialised by its lock) sort in run order.
    return now.strftime("%Y%m%dT%H%M%S") + f".{now.microsecond:06d}Z"


def _write_file(path: Path, write) -> str:
    """Write via a temporary file beside `path`, fsync, rename; return the file's sha256."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8", newline="") as handle:
            private_file(tmp)  # also when it existed (a crashed run's leftover)
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
        os.replace(tmp, path)
    finally:
        _remove(tmp)
    return digest


# A cell a spreadsheet would run as a formula (CSV / formula injection, OWASP): it starts with
# one of these. Neutralised with a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.]\d*)?|[.]\d+)([eE][+-]?\d+)?")


def neutralise_formula(value: str) -> str:
    """`=HYPERLINK(...)` -> `'=HYPERLINK(...)`; a plain number (-12.5) stays a number."""
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_batch_file(path: Path, header: list[str], rows: list[list[str]]) -> str:
    """A batch CSV; every cell goes through neutralise_formula (a batch is opened in
    spreadsheets before import)."""

    def write(handle):
        writer = csv.writer(handle, lineterminator="\n")
        # Python's csv quotes a field holding "\n" (the line terminator) but not a bare "\r",
        # which readers take as a line break: a row with one is written fully quoted.
        quoted = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
        for row in [header, *rows]:
            cells = [neutralise_formula(cell) for cell in row]
            (quoted if any("\r" in cell for cell in cells) else writer).writerow(cells)

    return _write_file(path, write)


def _utc_text(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def write_batch(
    out_dir: Path,
    plan: Plan,
    mapping: Mapping,
    info: PublishedInfo,
    *,
    batch_id: str,
    now: dt.datetime,
    full: bool,
    state_path: Path,
) -> dict[str, Path]:
    """Write the batch files then the manifest. On failure removes what it wrote and raises."""
    private_dir(out_dir)
    prefix = f"{mapping.name}_{batch_id}"
    written: dict[str, Path] = {}
    files: dict[str, dict | None] = {}
    try:
        for kind, header, rows, operation in (
            ("upserts", mapping.upsert_header, plan.upserts, "upsert"),
            ("clears", mapping.clear_header, plan.clears, "update"),
        ):
            if not rows:
                files[kind] = None
                continue
            path = out_dir / f"{prefix}_{kind}.csv"
            digest = write_batch_file(path, header, rows)
            written[kind] = path
            files[kind] = {
                "name": path.name,
                "rows": len(rows),
                "sha256": digest,
                "operation": operation,
                "key_column": mapping.key_column,
                "columns": header,
            }
        manifest = {
            "batch_id": batch_id,
            "created_at": _utc_text(now),
            "mapping": {
                "name": mapping.name,
                "crm": mapping.crm,
                "object": mapping.object,
                "path": str(mapping.path),
                "sha256": mapping.sha256,
            },
            "published": {
                "path": str(info.path),
                "as_of_date": info.as_of_date,
                "scoring_version": info.scoring_version,
                "run_id": info.run_id,
            },
            "full": full,
            "counts": plan.counts,
            "files": files,
            "state": {"path": str(state_path), "people": len(plan.state)},
        }
        path = out_dir / f"{prefix}_manifest.json"
        _write_file(path, lambda h: h.write(json.dumps(manifest, indent=2) + "\n"))
        written["manifest"] = path
        _fsync_dir(out_dir)
    except BaseException:
        remove_batch(written)
        raise
    return written


def remove_batch(written: dict[str, Path]) -> None:
    # The manifest first: a batch without a manifest is never imported.
    for kind in ("manifest", "upserts", "clears"):
        if kind in written:
            _remove(written[kind])


# --------------------------------------------------------------------------- command line


def _summary(plan: Plan, mapping: Mapping, info: PublishedInfo, batch_id: str | None) -> str:
    c = plan.counts
    head = f"sync {mapping.name}"
    if batch_id:
        head += f": batch {batch_id}"
    head += f" (published as_of {info.as_of_date or '?'}, scoring {info.scoring_version or '?'})"
    line = " | ".join(f"{name} {c[name]:,}" for name in COUNT_NAMES if name != "resent" or c[name])
    return f"{head}\n  {line}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="sync_crm.py",
        description="Write CRM import batches (upserts, clears) of what changed in marts.lead_routing "
        "since the last sync.",
    )
    parser.add_argument(
        "--published", type=Path, default=DEFAULT_PUBLISHED, help="published DuckDB file (opened read-only)"
    )
    parser.add_argument("--out", type=Path, help="folder for the batch files and manifest (required unless --dry-run)")
    parser.add_argument(
        "--mapping",
        required=True,
        help=f"a shipped mapping ({', '.join(shipped_mappings())}) or the path of a mapping YAML",
    )
    parser.add_argument(
        "--state",
        type=Path,
        help="sync state (.duckdb, .parquet or .json); default warehouse/sync_state/<mapping>.duckdb",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the counts; write no batch and no state")
    parser.add_argument("--full", action="store_true", help="resend everyone, not only the changes")
    parser.add_argument(
        "--max-clear-pct",
        "--max-left-pct",
        dest="max_clear_pct",
        type=float,
        default=None,
        help="refuse when this run would clear more than this %% of the people active in the CRM, "
        "for any reason (default: sync.max_clear_share of the thresholds file; 100 = off)",
    )
    parser.add_argument(
        "--thresholds",
        type=Path,
        default=THRESHOLDS,
        help="quality thresholds file (its `sync` section; default %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.out is None and not args.dry_run:
        parser.error("--out is required (unless --dry-run)")
    if args.max_clear_pct is not None and not 0 <= args.max_clear_pct <= 100:
        parser.error("--max-clear-pct must be between 0 and 100")
    return args


def sync_limits(path: Path) -> tuple[float, int]:
    """(max clear share in %, allowance in people) from the thresholds file's `sync` section."""
    from lead_segmentation import quality_config

    try:
        limits = quality_config.load_config(path).sync
    except ConfigError as exc:
        raise ConfigError(f"thresholds file: {exc}") from exc
    return 100.0 * limits.max_clear_share, limits.clear_allowance_people


def run(args: argparse.Namespace) -> int:
    mapping = load_mapping(args.mapping)
    max_clear_pct, clear_allowance = sync_limits(args.thresholds)
    if args.max_clear_pct is not None:
        max_clear_pct = args.max_clear_pct
    state_path = args.state or default_state_path(mapping)
    _state_suffix(state_path)
    lock = contextlib.nullcontext() if args.dry_run else state_lock(state_path)
    with lock:
        state = read_state(state_path)
        people, info = read_published(args.published, mapping)  # connection closed on return
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        batch_id = new_batch_id(now)
        plan = plan_sync(people, state, mapping, full=args.full, batch_id=batch_id, now=now)
        check_mass_clear(plan, max_clear_pct, clear_allowance, args.published)

        if plan.empty:
            print(_summary(plan, mapping, info, None))
            print(f"  nothing to sync (state {state_path}: {len(state):,} people)")
            return EXIT_OK
        if args.dry_run:
            print(_summary(plan, mapping, info, None))
            print(
                f"  dry run: would write {len(plan.upserts):,} upsert(s) and {len(plan.clears):,} clear(s); "
                f"nothing written"
            )
            return EXIT_OK

        try:
            written = write_batch(
                args.out, plan, mapping, info, batch_id=batch_id, now=now, full=args.full, state_path=state_path
            )
            try:
                write_state(state_path, plan.state)
            except BaseException:
                # Neither batch nor state: the next run sends these changes again.
                remove_batch(written)
                raise
        except Exception as exc:
            raise SyncError(
                f"writing failed ({type(exc).__name__}: {exc}); nothing was committed: this run's "
                f"batch files were removed and the state {state_path} is unchanged"
            ) from exc
    print(_summary(plan, mapping, info, batch_id))
    for kind, rows in (("upserts", plan.upserts), ("clears", plan.clears)):
        if kind in written:
            print(f"  {kind:<8} {written[kind]}  {len(rows):,} row(s)")
    print(f"  manifest {written['manifest']}")
    print(f"  state    {state_path}  ({len(plan.state):,} people)")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    restrict_new_files()
    try:
        return run(args)
    except ConfigError as exc:  # arguments, mapping or state file unusable
        print(f"sync_crm: error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except SyncError as exc:
        print(f"sync_crm: error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
