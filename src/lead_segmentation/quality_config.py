"""Reads and validates config/quality_thresholds.yml (the gates' thresholds).

A typo in a threshold file must not silently disable a check, so unknown keys, unknown
tables and values of the wrong type are refused with the offending key named.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import Any

import yaml

from lead_segmentation import raw_schema
from lead_segmentation.errors import ConfigError
from lead_segmentation.paths import QUALITY_THRESHOLDS
from lead_segmentation.seeds import seed_column

DEFAULT_PATH = QUALITY_THRESHOLDS

RAW_TABLE_KEYS = {
    "freshness_column",
    "min_rows",
    "max_key_null_share",
    "max_duplicate_key_share",
    "max_future_share",
    "max_implausible_past_share",
    "max_staleness_days",
}


@dataclasses.dataclass(frozen=True)
class RawTableThresholds:
    table: str
    freshness_column: str
    min_rows: int
    max_key_null_share: float
    max_duplicate_key_share: float
    max_future_share: float
    max_implausible_past_share: float
    max_staleness_days: int
    overridden: frozenset[str] = frozenset()  # keys set under raw.tables.<table>

    def key(self, name: str) -> str:
        """The config key that sets `name` for this table (for failure messages)."""
        return f"raw.tables.{self.table}.{name}" if name in self.overridden else f"raw.defaults.{name}"


@dataclasses.dataclass(frozen=True)
class CategoricalCheck:
    table: str
    column: str
    accepted_name: str
    accepted: tuple[str, ...]
    max_unknown_share: float
    # Per distinct unknown value, judged by ShareTest (a renamed category): None = not checked.
    max_unknown_value_share: float | None = None


@dataclasses.dataclass(frozen=True)
class ShareTest:
    """How a share is judged so that a small batch is not judged like a big one (`wilson`
    in the thresholds file): a share is "above its limit" only when at least `min_rows` rows
    are concerned AND the lower bound of its Wilson score interval (one-sided, `z`) is above
    the limit, i.e. the true share is above the limit with ~95% confidence (z 1.645)."""

    z: float
    min_rows: int

    def lower_bound(self, count: int, total: int) -> float:
        return wilson_lower_bound(count, total, self.z)

    def exceeds(self, count: int, total: int, limit: float) -> bool:
        return count >= self.min_rows and self.lower_bound(count, total) > limit

    def describe(self, limit: float) -> str:
        return (
            f"at most {limit:.1%} (judged on the Wilson lower bound, z {self.z:g}, and only from "
            f"{self.min_rows} rows on; config wilson)"
        )


def wilson_lower_bound(count: int, total: int, z: float) -> float:
    """Lower end of the Wilson score interval of count/total (0 when total is 0)."""
    if total <= 0:
        return 0.0
    p = count / total
    denominator = 1 + z * z / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return max(0.0, (centre - spread) / denominator)


@dataclasses.dataclass(frozen=True)
class PopulationLimits:
    """Shares of the scored people a RevOps lead expects to be small (marts.population)."""

    max_suppressed_share: float
    max_invalid_email_share: float
    max_without_account_share: float


@dataclasses.dataclass(frozen=True)
class ScoreShiftLimits:
    """The segment distribution against the previously published run (marts.score_shift)."""

    max_segment_psi: float


@dataclasses.dataclass(frozen=True)
class ReportLimits:
    """What the segment report shows (report)."""

    min_people_for_rate: int  # a rate on fewer people is not shown, only its count


@dataclasses.dataclass(frozen=True)
class SyncLimits:
    """The CRM sync's refusal of mass clears (sync)."""

    max_clear_share: float  # of the people active in the CRM (synced, not suppressed)
    clear_allowance_people: int  # clears tolerated whatever the share (a small CRM)


@dataclasses.dataclass(frozen=True)
class QualityConfig:
    path: Path
    future_tolerance_days: int
    min_plausible_timestamp: dt.datetime
    small_table_allowance_rows: int
    min_rebuild_row_share: float  # of the rows the incremental models were built from
    tables: dict[str, RawTableThresholds]
    categoricals: list[CategoricalCheck]
    known_segments: tuple[str, ...]
    max_rejected_share: dict[str, float]  # per raw table (every table filled in)
    min_lead_scores_rows: int
    share_test: ShareTest  # wilson
    population: PopulationLimits  # marts.population
    score_shift: ScoreShiftLimits  # marts.score_shift
    sync: SyncLimits  # sync
    report: ReportLimits  # report


def _number(value: Any, key: str, *, integer: bool = False, share: bool = False) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{key}: expected a number, got {value!r}")
    if integer and not float(value).is_integer():
        raise ConfigError(f"{key}: expected a whole number, got {value!r}")
    if value < 0 or (share and value > 1):
        raise ConfigError(f"{key}: {value!r} is out of range ({'0..1' if share else '>= 0'})")
    return int(value) if integer else float(value)


def _mapping(value: Any, key: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a mapping, got {type(value).__name__}")
    return value


def _unknown(given: dict, allowed: set[str], key: str) -> None:
    extra = sorted(set(given) - allowed)
    if extra:
        raise ConfigError(f"{key}: unknown key(s) {', '.join(extra)}")


def load_config(path: str | Path = DEFAULT_PATH) -> QualityConfig:
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    doc = _mapping(doc, str(path))
    _unknown(doc, {"version", "wilson", "raw", "marts", "sync", "report"}, str(path))
    if doc.get("version") != 1:
        raise ConfigError(f"{path}: version: expected 1, got {doc.get('version')!r}")

    raw = _mapping(doc.get("raw"), "raw")
    _unknown(
        raw,
        {
            "future_tolerance_days",
            "min_plausible_timestamp",
            "small_table_allowance_rows",
            "min_rebuild_row_share",
            "defaults",
            "tables",
            "categoricals",
        },
        "raw",
    )
    defaults = _mapping(raw.get("defaults"), "raw.defaults")
    _unknown(defaults, RAW_TABLE_KEYS - {"freshness_column"}, "raw.defaults")
    tables_doc = _mapping(raw.get("tables"), "raw.tables")
    _unknown(tables_doc, set(raw_schema.RAW_TABLES), "raw.tables")

    tables: dict[str, RawTableThresholds] = {}
    for table in raw_schema.RAW_TABLES:
        entry = _mapping(tables_doc.get(table) or {}, f"raw.tables.{table}")
        _unknown(entry, RAW_TABLE_KEYS, f"raw.tables.{table}")
        merged = {**defaults, **entry}
        missing = sorted(RAW_TABLE_KEYS - set(merged))
        if missing:
            raise ConfigError(f"raw.tables.{table}: missing {', '.join(missing)} (and no default)")
        column = merged["freshness_column"]
        types = dict(raw_schema.RAW_TABLES[table])
        if types.get(column) not in ("timestamp", "date"):
            raise ConfigError(
                f"raw.tables.{table}.freshness_column: {column!r} is not a timestamp column of {table}"
            )
        k = f"raw.tables.{table}"
        tables[table] = RawTableThresholds(
            table=table,
            freshness_column=column,
            min_rows=_number(merged["min_rows"], f"{k}.min_rows", integer=True),
            max_key_null_share=_number(
                merged["max_key_null_share"], f"{k}.max_key_null_share", share=True
            ),
            max_duplicate_key_share=_number(
                merged["max_duplicate_key_share"], f"{k}.max_duplicate_key_share", share=True
            ),
            max_future_share=_number(merged["max_future_share"], f"{k}.max_future_share", share=True),
            max_implausible_past_share=_number(
                merged["max_implausible_past_share"], f"{k}.max_implausible_past_share", share=True
            ),
            max_staleness_days=_number(
                merged["max_staleness_days"], f"{k}.max_staleness_days", integer=True
            ),
            overridden=frozenset(entry),
        )

    categoricals: list[CategoricalCheck] = []
    for i, entry in enumerate(raw.get("categoricals") or []):
        key = f"raw.categoricals[{i}]"
        entry = _mapping(entry, key)
        _unknown(
            entry, {"table", "column", "accepted", "max_unknown_share", "max_unknown_value_share"}, key
        )
        table, column, accepted = entry.get("table"), entry.get("column"), entry.get("accepted")
        if table not in raw_schema.RAW_TABLES:
            raise ConfigError(f"{key}.table: unknown raw table {table!r}")
        if dict(raw_schema.RAW_TABLES[table]).get(column) != "text":
            raise ConfigError(f"{key}.column: {column!r} is not a text column of {table}")
        values = getattr(raw_schema, str(accepted), None)
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{key}.accepted: {accepted!r} is not a value list in raw_schema.py")
        categoricals.append(
            CategoricalCheck(
                table=table,
                column=column,
                accepted_name=str(accepted),
                accepted=tuple(values),
                max_unknown_share=_number(
                    entry.get("max_unknown_share"), f"{key}.max_unknown_share", share=True
                ),
                max_unknown_value_share=(
                    None
                    if entry.get("max_unknown_value_share") is None
                    else _number(
                        entry["max_unknown_value_share"], f"{key}.max_unknown_value_share", share=True
                    )
                ),
            )
        )

    try:
        min_ts = dt.datetime.fromisoformat(str(raw.get("min_plausible_timestamp")))
    except ValueError as exc:
        raise ConfigError(f"raw.min_plausible_timestamp: {exc}") from exc

    marts = _mapping(doc.get("marts"), "marts")
    # The segments are not configured here: they are the cells of the scoring model's seed
    # (one home; a leftover marts.known_segments key is rejected as unknown).
    _unknown(
        marts,
        {"max_rejected_share", "min_lead_scores_rows", "population", "score_shift"},
        "marts",
    )
    segments = seed_column("scoring/scoring_segment_matrix", "segment")
    rejected_doc = _mapping(marts.get("max_rejected_share"), "marts.max_rejected_share")
    _unknown(rejected_doc, {"default", *raw_schema.RAW_TABLES}, "marts.max_rejected_share")
    if "default" not in rejected_doc:
        raise ConfigError("marts.max_rejected_share.default: missing")
    max_rejected = {
        table: _number(
            rejected_doc.get(table, rejected_doc["default"]),
            f"marts.max_rejected_share.{table}",
            share=True,
        )
        for table in raw_schema.RAW_TABLES
    }

    wilson = _mapping(doc.get("wilson"), "wilson")
    _unknown(wilson, {"z", "min_rows"}, "wilson")
    population = _mapping(marts.get("population"), "marts.population")
    population_keys = ("max_suppressed_share", "max_invalid_email_share", "max_without_account_share")
    _unknown(population, set(population_keys), "marts.population")
    shift = _mapping(marts.get("score_shift"), "marts.score_shift")
    _unknown(shift, {"max_segment_psi"}, "marts.score_shift")
    sync = _mapping(doc.get("sync"), "sync")
    _unknown(sync, {"max_clear_share", "clear_allowance_people"}, "sync")
    report = _mapping(doc.get("report"), "report")
    _unknown(report, {"min_people_for_rate"}, "report")

    return QualityConfig(
        share_test=ShareTest(
            z=_number(wilson.get("z"), "wilson.z"),
            min_rows=_number(wilson.get("min_rows"), "wilson.min_rows", integer=True),
        ),
        population=PopulationLimits(
            *(
                _number(population.get(k), f"marts.population.{k}", share=True)
                for k in population_keys
            )
        ),
        score_shift=ScoreShiftLimits(
            max_segment_psi=_number(shift.get("max_segment_psi"), "marts.score_shift.max_segment_psi")
        ),
        sync=SyncLimits(
            max_clear_share=_number(sync.get("max_clear_share"), "sync.max_clear_share", share=True),
            clear_allowance_people=_number(
                sync.get("clear_allowance_people"), "sync.clear_allowance_people", integer=True
            ),
        ),
        report=ReportLimits(
            min_people_for_rate=_number(
                report.get("min_people_for_rate"), "report.min_people_for_rate", integer=True
            )
        ),
        path=path,
        future_tolerance_days=_number(
            raw.get("future_tolerance_days"), "raw.future_tolerance_days", integer=True
        ),
        min_plausible_timestamp=min_ts,
        small_table_allowance_rows=_number(
            raw.get("small_table_allowance_rows", 0), "raw.small_table_allowance_rows", integer=True
        ),
        min_rebuild_row_share=_number(
            raw.get("min_rebuild_row_share", 0.5), "raw.min_rebuild_row_share", share=True
        ),
        tables=tables,
        categoricals=categoricals,
        known_segments=segments,
        max_rejected_share=max_rejected,
        min_lead_scores_rows=_number(
            marts.get("min_lead_scores_rows"), "marts.min_lead_scores_rows", integer=True
        ),
    )
