"""Raw-data checks (gate `raw_checks`, exit 3): the Great Expectations suites, as code.

Run by pipeline.py after the load and before dbt, on schema `raw` of the work
database. Per raw table two suites:

  raw.<table>.schema   columns and DuckDB types exactly as raw_schema.py (+ the loader's
                       _line_number and _loaded_at). Validated on a one-row frame that holds
                       each column's type.
  raw.<table>.metrics  non-empty; key NULL share; duplicate-key share; rows with a timestamp
                       beyond as_of + tolerance; rows with an implausibly old timestamp;
                       freshness (days from the newest value to as_of); share of unknown values
                       in categorical columns. Validated on a one-row frame of metrics.

Why metrics frames: the raw tables reach 10M+ rows, which do not belong in pandas, and a
sample cannot prove a NULL rate or a duplicate share. So every metric is computed in DuckDB
on the FULL table (one scan per table), and GX validates the metrics against the thresholds
of config/quality_thresholds.yml. The checks, the thresholds and the observed values
all land in the run's Data Docs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd

from lead_segmentation import raw_schema
from lead_segmentation.gates import Finding, Gate, GateFailed
from lead_segmentation.gx_runner import GxSession, findings_of
from lead_segmentation.quality_config import QualityConfig
from lead_segmentation.sql import literal_list, quote_identifier, quote_literal

LOADER_TYPES = {name: raw_schema.DUCKDB_TYPES[kind] for name, kind in raw_schema.LOADER_COLUMNS}


@dataclasses.dataclass
class RawCheckReport:
    metrics: dict[str, dict]  # table -> metric name -> value
    checks_run: int
    docs_index: Path | None


def _quote(identifier: str) -> str:
    """Quote an identifier only when it needs it (the raw schema's names never do)."""
    return quote_identifier(identifier, only_if_needed=True)


def _timestamp_columns(table: str) -> list[str]:
    return [c for c, kind in raw_schema.RAW_TABLES[table] if kind == "timestamp"]


class _TableSql:
    """The SQL pieces for one table: predicates reused by the metrics query and the
    `look` queries shown to a person, so both always mean the same thing."""

    def __init__(self, table: str, as_of: dt.date, config: QualityConfig):
        self.table = table
        self.relation = f"raw.{_quote(table)}"
        self.key = _quote(raw_schema.RAW_KEYS[table])
        limits = config.tables[table]
        self.cutoff = as_of + dt.timedelta(days=config.future_tolerance_days)
        timestamps = _timestamp_columns(table)
        self.future = (
            " or ".join(
                f"cast({_quote(c)} as date) > date {quote_literal(self.cutoff.isoformat())}"
                for c in timestamps
            )
            or "false"
        )
        self.too_old = (
            " or ".join(
                f"{_quote(c)} < timestamp {quote_literal(config.min_plausible_timestamp.isoformat(sep=' '))}"
                for c in timestamps
            )
            or "false"
        )
        self.key_null = f"({self.key} is null or trim({self.key}) = '')"
        self.fresh_column = _quote(limits.freshness_column)

    def unknown(self, column: str, accepted) -> str:
        col = _quote(column)
        return f"({col} is not null and trim({col}) <> '' and lower(trim({col})) not in {literal_list(accepted)})"

    def present(self, column: str) -> str:
        col = _quote(column)
        return f"({col} is not null and trim({col}) <> '')"


def measure(con: duckdb.DuckDBPyConnection, as_of: dt.date, config: QualityConfig) -> dict[str, dict]:
    """Every raw metric, computed on the full tables (one aggregate query per table)."""
    metrics: dict[str, dict] = {}
    for table in raw_schema.RAW_TABLES:
        sql = _TableSql(table, as_of, config)
        select = [
            "count(*) as row_count",
            f"count(*) filter (where {sql.key_null}) as key_null_rows",
            f"count(*) filter (where not {sql.key_null}) - count(distinct case when not {sql.key_null} "
            f"then {sql.key} end) as duplicate_key_rows",
            f"count(*) filter (where {sql.future}) as future_rows",
            f"count(*) filter (where {sql.too_old}) as implausible_past_rows",
            f"max(cast({sql.fresh_column} as date)) filter (where cast({sql.fresh_column} as date) <= "
            f"date {quote_literal(sql.cutoff.isoformat())}) as newest_date",
        ]
        categoricals = [c for c in config.categoricals if c.table == table]
        for check in categoricals:
            select.append(
                f"count(*) filter (where {sql.unknown(check.column, check.accepted)}) "
                f"as {check.column}__unknown_rows"
            )
            select.append(
                f"count(*) filter (where {sql.present(check.column)}) as {check.column}__present_rows"
            )
        row = con.execute(f"select {', '.join(select)} from {sql.relation}").fetchone()
        names = [d[0] for d in con.description]
        values = dict(zip(names, row, strict=True))
        n = values["row_count"]

        def share(count, total):
            return None if not total else count / total

        out = {
            "row_count": n,
            "key_null_rows": values["key_null_rows"],
            "key_null_share": share(values["key_null_rows"], n),
            "duplicate_key_rows": values["duplicate_key_rows"],
            "duplicate_key_share": share(values["duplicate_key_rows"], n),
            "future_rows": values["future_rows"],
            "future_share": share(values["future_rows"], n),
            "implausible_past_rows": values["implausible_past_rows"],
            "implausible_past_share": share(values["implausible_past_rows"], n),
            "newest_date": values["newest_date"],
            # A newest value within the future tolerance counts as fresh today, not as negative age.
            "staleness_days": max(0, (as_of - values["newest_date"]).days)
            if values["newest_date"]
            else None,
        }
        for check in categoricals:
            unknown = values[f"{check.column}__unknown_rows"]
            out[f"{check.column}_unknown_rows"] = unknown
            out[f"{check.column}_unknown_share"] = share(
                unknown, values[f"{check.column}__present_rows"]
            )
            out[f"{check.column}_present_rows"] = values[f"{check.column}__present_rows"]
            if check.max_unknown_value_share is not None:
                # The most frequent unknown value: a category renamed upstream is one new
                # value holding all its rows, where dirt is a few scattered ones.
                top = con.execute(
                    f"select lower(trim({_quote(check.column)})) as value, count(*) as rows "
                    f"from {sql.relation} where {sql.unknown(check.column, check.accepted)} "
                    "group by all order by rows desc, value limit 1"
                ).fetchone()
                value, rows = top if top else (None, 0)
                present = values[f"{check.column}__present_rows"]
                out[f"{check.column}_top_unknown_value"] = value
                out[f"{check.column}_top_unknown_rows"] = rows
                out[f"{check.column}_top_unknown_judged_share"] = (
                    config.share_test.lower_bound(rows, present)
                    if rows >= config.share_test.min_rows
                    else 0.0
                )
        metrics[table] = out
    return metrics


def _schema_frame(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return pd.DataFrame([{name: kind for name, kind in rows}])


def _schema_expectations(table: str, frame: pd.DataFrame) -> list:
    import great_expectations.expectations as gxe

    expected = {name: raw_schema.DUCKDB_TYPES[kind] for name, kind in raw_schema.RAW_TABLES[table]}
    expected.update(LOADER_TYPES)
    present = list(frame.columns)
    look = (
        f"describe raw.{table}  -- expected columns/types: raw_schema.py RAW_TABLES[{table!r}]"
    )
    missing = [c for c in expected if c not in present]
    extra = [c for c in present if c not in expected]
    detail = "columns differ from the contract"
    if missing:
        detail += f"; missing: {', '.join(missing)}"
    if extra:
        detail += f"; unexpected: {', '.join(extra)}"
    expectations = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=list(expected),
            exact_match=True,
            description=f"raw.{table} has exactly the contract's columns (+ loader lineage columns)",
            meta={"check": f"raw.{table}.columns", "detail": detail, "look": look},
        )
    ]
    for column in present:
        if column in expected:
            expectations.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=column,
                    value_set=[expected[column]],
                    description=f"raw.{table}.{column} is stored as {expected[column]}",
                    meta={
                        "check": f"raw.{table}.{column}.type",
                        "detail": f"column {column} is {frame[column].iloc[0]}, must be {expected[column]}",
                        "look": look,
                    },
                )
            )
    return expectations


def _category_text(value: str | None) -> str:
    """An unknown category as a message may show it: a plain code (`pricing_page_viewed`) as
    is; anything else (an email or a name that slid into the column) by its shape only. The
    check fails only from wilson.min_rows rows on, so a value it names is shared by several
    rows: a category, not a person."""
    if value is not None and re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", value):
        return repr(value)
    from lead_segmentation.load_raw import value_shape

    return f"shaped {value_shape(value)!r}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def _metric_expectations(table: str, m: dict, as_of: dt.date, config: QualityConfig) -> list:
    import great_expectations.expectations as gxe

    limits = config.tables[table]
    sql = _TableSql(table, as_of, config)
    key = raw_schema.RAW_KEYS[table]
    n = m["row_count"]
    allowance = config.small_table_allowance_rows
    out = []

    def between(column, *, check, rows, detail, look, description, min_value=None, max_value=None):
        out.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=column,
                min_value=min_value,
                max_value=max_value,
                description=description,
                meta={"check": f"raw.{table}.{check}", "rows": rows, "detail": detail, "look": look},
            )
        )

    def share(column, *, check, rows, total, limit, config_key, what, look):
        """rows/total <= limit, tolerating `allowance` rows whatever the share."""
        effective = max(limit, allowance / total) if total else limit
        allowed = f"at most {_pct(limit)}" + (f" (or {allowance} rows)" if allowance else "")
        between(
            column,
            max_value=effective,
            check=check,
            rows=rows,
            description=f"{allowed} of raw.{table} rows {what}",
            detail=(
                f"{rows:,} of {total:,} rows ({_pct(m[column])}) {what}; {allowed} allowed "
                f"(config {config_key})"
            ),
            look=look,
        )

    between(
        "row_count",
        min_value=limits.min_rows,
        check="row_count",
        rows=n,
        description=f"raw.{table} holds at least {limits.min_rows} row(s)",
        detail=(
            f"the table holds {n:,} row(s); at least {limits.min_rows:,} required "
            f"(an empty export is a broken feed; config {limits.key('min_rows')})"
        ),
        look=f"the raw file for {table} (header only?); select count(*) from {sql.relation}",
    )
    share(
        "key_null_share",
        check="key_null_share",
        rows=m["key_null_rows"],
        total=n,
        limit=limits.max_key_null_share,
        config_key=limits.key("max_key_null_share"),
        what=f"have a NULL or blank {key}",
        look=f"select * from {sql.relation} where {sql.key_null} order by _line_number",
    )
    share(
        "duplicate_key_share",
        check="duplicate_key_share",
        rows=m["duplicate_key_rows"],
        total=n,
        limit=limits.max_duplicate_key_share,
        config_key=limits.key("max_duplicate_key_share"),
        what=f"repeat a {key} already present",
        look=(
            f"select {sql.key}, count(*) as copies from {sql.relation} where not {sql.key_null} "
            f"group by all having count(*) > 1 order by copies desc"
        ),
    )
    if _timestamp_columns(table):
        share(
            "future_share",
            check="future_timestamps",
            rows=m["future_rows"],
            total=n,
            limit=limits.max_future_share,
            config_key=f"{limits.key('max_future_share')}, raw.future_tolerance_days",
            what=(
                f"have a timestamp after {sql.cutoff} (as_of {as_of} + {config.future_tolerance_days} "
                f"days tolerance)"
            ),
            look=f"select * from {sql.relation} where {sql.future} order by _line_number",
        )
        share(
            "implausible_past_share",
            check="implausible_past_timestamps",
            rows=m["implausible_past_rows"],
            total=n,
            limit=limits.max_implausible_past_share,
            config_key=f"{limits.key('max_implausible_past_share')}, raw.min_plausible_timestamp",
            what=f"have a timestamp before {config.min_plausible_timestamp.date()}",
            look=f"select * from {sql.relation} where {sql.too_old} order by _line_number",
        )
    between(
        "staleness_days",
        max_value=limits.max_staleness_days,
        check="freshness",
        rows=None,
        description=(
            f"the newest raw.{table}.{limits.freshness_column} is at most "
            f"{limits.max_staleness_days} days before as_of"
        ),
        detail=(
            f"the newest {limits.freshness_column} is {m['newest_date']}, {m['staleness_days']} days before "
            f"as_of {as_of}; at most {limits.max_staleness_days} days allowed (a stale export or a wrong "
            f"--as-of; config {limits.key('max_staleness_days')})"
        ),
        look=f"select max({sql.fresh_column}) from {sql.relation}",
    )
    for check in config.categoricals:
        if check.table != table:
            continue
        if check.max_unknown_value_share is not None:
            value = m[f"{check.column}_top_unknown_value"]
            rows, total = m[f"{check.column}_top_unknown_rows"], m[f"{check.column}_present_rows"]
            limit = check.max_unknown_value_share
            between(
                f"{check.column}_top_unknown_judged_share",
                max_value=limit,
                check=f"{check.column}.unknown_value_share",
                rows=rows,
                description=(
                    f"no single value outside raw_schema.{check.accepted_name} in raw.{table}."
                    f"{check.column} holds more than {_pct(limit)} of the rows"
                ),
                detail=(
                    f"{rows:,} of {total:,} rows ({_pct(rows / total if total else None)}) carry the "
                    f"unknown {check.column} {_category_text(value)}; "
                    f"{config.share_test.describe(limit)} per unknown value (config raw.categoricals "
                    f"({table}.{check.column}).max_unknown_value_share): a {check.column} renamed "
                    f"upstream? Map it back or add it to raw_schema.{check.accepted_name} and the "
                    "scoring seeds deliberately"
                ),
                look=(
                    f"select lower(trim({_quote(check.column)})) as value, count(*) as rows from "
                    f"{sql.relation} where {sql.unknown(check.column, check.accepted)} group by all "
                    "order by rows desc"
                ),
            )
        share(
            f"{check.column}_unknown_share",
            check=f"{check.column}.unknown_values",
            rows=m[f"{check.column}_unknown_rows"],
            total=m[f"{check.column}_present_rows"],
            limit=check.max_unknown_share,
            config_key=f"raw.categoricals ({table}.{check.column})",
            what=f"have a {check.column} outside raw_schema.{check.accepted_name} (of the non-empty values)",
            look=(
                f"select lower(trim({_quote(check.column)})) as value, count(*) as rows from {sql.relation} "
                f"where {sql.unknown(check.column, check.accepted)} group by all order by rows desc"
            ),
        )
    return out


def run_raw_checks(
    work_db: Path,
    as_of: dt.date,
    config: QualityConfig,
    session: GxSession,
) -> RawCheckReport:
    """Validate schema `raw` of `work_db`; raise GateFailed(RAW_CHECKS) on any failure."""
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        present_tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        missing = [t for t in raw_schema.RAW_TABLES if t not in present_tables]
        if missing:  # the loader guarantees them; a hand-made work DB may not
            raise GateFailed(
                Gate.RAW_CHECKS,
                [
                    Finding(
                        f"raw.{t}.exists",
                        "the raw table is missing",
                        look="select table_name from "
                        "information_schema.tables where table_schema = 'raw'",
                    )
                    for t in missing
                ],
            )
        schema_frames = {t: _schema_frame(con, t) for t in raw_schema.RAW_TABLES}
        metrics = measure(con, as_of, config)
    finally:
        con.close()

    findings: list[Finding] = []
    pending = []
    checks = 0
    for table in raw_schema.RAW_TABLES:
        frame = schema_frames[table]
        expectations = _schema_expectations(table, frame)
        checks += len(expectations)
        result = session.validate(f"raw.{table}.schema", frame, expectations, complete=True)
        pending.append(result)
        m = metrics[table]
        metric_frame = pd.DataFrame(
            [{k: v for k, v in m.items() if k != "newest_date" and not k.endswith("_top_unknown_value")}]
        )
        expectations = _metric_expectations(table, m, as_of, config)
        checks += len(expectations)
        result = session.validate(f"raw.{table}.metrics", metric_frame, expectations, complete=True)
        pending.append(result)
    docs_index = session.build_docs()
    for result in pending:
        if not result.success:
            findings.extend(findings_of(result, docs_page=session.page_of(result)))
    if findings:
        raise GateFailed(
            Gate.RAW_CHECKS,
            findings,
            where=f"queries run on the work database {work_db}; GX Data Docs (online only: "
            f"CDN assets): {docs_index}",
        )
    return RawCheckReport(metrics=metrics, checks_run=checks, docs_index=docs_index)
