"""Raw checks on the HubSpot connector tables (gate `raw_checks`, exit 3), before dbt runs.

With `pipeline.py --source hubspot` the raw layer is the connector's tables (schema
raw_hubspot of the work database, or the attached read-only database). Per connector table
the adapter reads (hubspot_tables: the dbt source meta), computed on the full table in DuckDB
and validated with Great Expectations on a one-row metrics frame, every finding naming the
connector table (`hubspot.<table>.<check>`):

  exists        a table that feeds a raw contract table (company, contact, deal, email_event,
                contact_form_submission, engagement) is present; detail tables may be missing
                (staging reads them as empty; the load lists them)
  key_columns   the connector's key columns are present
  row_count     company and contact hold rows (an empty CRM is a broken feed)
  key_null_share, duplicate_key_share
                rows with an empty key / repeating a key, under the limits of the raw table
                the connector table feeds (config raw.tables.<raw table>); a detail table
                (joined 1:1 onto its event or engagement) allows no duplicate key, since a
                repeated detail row would count its event twice
  freshness     days from the newest _fivetran_synced to as_of, under the fed raw table's
                max_staleness_days (tables without _fivetran_synced are not checked)
With Segment web events the same checks run on pages, tracks and identifies (`segment.<table>`,
freshness from received_at; none of them is required).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import pandas as pd

from lead_segmentation.gates import Finding, Gate, GateFailed
from lead_segmentation.gx_runner import GxSession, findings_of
from lead_segmentation.quality_config import QualityConfig
from lead_segmentation.sources.hubspot_tables import connector_tables
from lead_segmentation.sql import quote_identifier

# Connector tables that must hold rows for a run to mean anything.
NON_EMPTY = ("company", "contact")


@dataclasses.dataclass
class HubspotCheckReport:
    metrics: dict[str, dict]
    checks_run: int
    docs_index: object


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[str]:
    return [
        r[0].replace("\ufeff", "").strip().lower()
        for r in con.execute(
            "select column_name from information_schema.columns where table_catalog = ? "
            "and table_schema = ? and table_name = ? order by ordinal_position",
            [catalog, schema, table],
        ).fetchall()
    ]


def measure(
    con, catalog: str, schema: str, as_of: dt.date, source: str = "hubspot"
) -> tuple[dict[str, dict], list[Finding]]:
    present = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = ? and table_schema = ?",
            [catalog, schema],
        ).fetchall()
    }
    metrics: dict[str, dict] = {}
    structural: list[Finding] = []
    for name, table in connector_tables(source).items():
        relation = f"{quote_identifier(catalog)}.{quote_identifier(schema)}.{quote_identifier(name)}"
        if name not in present:
            if table.feeds and source == "hubspot":
                structural.append(
                    Finding(
                        f"hubspot.{name}.exists",
                        f"connector table {name} is missing; it feeds raw {table.feeds}",
                        look=f"select table_name from information_schema.tables where table_schema = '{schema}'",
                    )
                )
            continue
        columns = _columns(con, catalog, schema, name)
        missing_keys = [k for k in table.key if k not in columns]
        if missing_keys:
            structural.append(
                Finding(
                    f"{source}.{name}.key_columns",
                    f"connector table {name} lacks its key column(s) {', '.join(missing_keys)}",
                    look=f"describe {relation}",
                )
            )
            continue
        key_sql = " || '|' || ".join(f"coalesce(cast({quote_identifier(k)} as varchar), '')" for k in table.key)
        null_sql = " or ".join(
            f"nullif(trim(cast({quote_identifier(k)} as varchar)), '') is null" for k in table.key
        )
        # Fivetran stamps _fivetran_synced, Segment received_at: when the row arrived.
        synced = "_fivetran_synced" if source == "hubspot" else "received_at"
        newest = (
            f"max(try_cast(regexp_replace(trim(cast({synced} as varchar)), ' ?UTC$', '') as timestamp))"
            if synced in columns
            else "cast(null as timestamp)"
        )
        row = con.execute(
            f"select count(*), count(*) filter (where {null_sql}), "
            f"count(*) filter (where not ({null_sql})) - count(distinct case when not ({null_sql}) "
            f"then {key_sql} end), {newest} from {relation}"
        ).fetchone()
        n, nulls, dups, newest_at = row
        metrics[name] = {
            "source": source,
            "synced_column": synced,
            "relation": relation,
            "key_sql": key_sql,
            "null_sql": null_sql,
            "row_count": n,
            "key_null_rows": nulls,
            "key_null_share": nulls / n if n else None,
            "duplicate_key_rows": dups,
            "duplicate_key_share": dups / n if n else None,
            "newest_synced": newest_at,
            "staleness_days": (as_of - newest_at.date()).days if newest_at else None,
        }
    return metrics, structural


def _expectations(name: str, m: dict, config: QualityConfig) -> list:
    import great_expectations.expectations as gxe

    source = m["source"]
    table = connector_tables(source)[name]
    limits = config.tables[table.feeds] if table.feeds else None
    relation, n = m["relation"], m["row_count"]
    out = []

    def between(column, check, detail, look, rows=None, min_value=None, max_value=None):
        out.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=column,
                min_value=min_value,
                max_value=max_value,
                description=f"connector table {name}: {check}",
                meta={"check": f"{source}.{name}.{check}", "rows": rows, "detail": detail, "look": look},
            )
        )

    if name in NON_EMPTY:
        between(
            "row_count", "row_count", f"connector table {name} holds {n:,} rows; at least 1 required",
            f"select count(*) from {relation}", rows=n, min_value=1,
        )
    allowance = config.small_table_allowance_rows
    null_limit = limits.max_key_null_share if limits else 0.0
    dup_limit = limits.max_duplicate_key_share if limits else 0.0
    for metric, limit, rows, what, config_key, look in (
        ("key_null_share", null_limit, m["key_null_rows"], f"an empty key ({', '.join(table.key)})",
         limits.key("max_key_null_share") if limits else "a detail table allows none",
         f"select * from {relation} where {m['null_sql']}"),
        ("duplicate_key_share", dup_limit, m["duplicate_key_rows"], f"a repeated key ({', '.join(table.key)})",
         limits.key("max_duplicate_key_share") if limits else "a detail table allows none",
         f"select {m['key_sql']} as connector_key, count(*) as copies from {relation} "
         f"group by all having count(*) > 1 order by copies desc"),
    ):
        if not n:
            continue
        effective = max(limit, allowance / n) if limits else limit
        between(
            metric, metric,
            f"connector table {name}: {rows:,} of {n:,} rows ({m[metric]:.2%}) have {what}; "
            f"at most {limit:.2%} allowed ({config_key})",
            look, rows=rows, max_value=effective,
        )
    if limits and m["staleness_days"] is not None:
        between(
            "staleness_days", "freshness",
            f"connector table {name}: the newest {m['synced_column']} is {m['newest_synced']}, "
            f"{m['staleness_days']} days before as_of; at most {limits.max_staleness_days} allowed "
            f"(a stalled connector or a wrong --as-of; config {limits.key('max_staleness_days')})",
            f"select max({m['synced_column']}) from {relation}", max_value=limits.max_staleness_days,
        )
    return out


def run_hubspot_checks(
    con: duckdb.DuckDBPyConnection,
    locations: dict[str, tuple[str, str]],
    as_of: dt.date,
    config: QualityConfig,
    session: GxSession,
) -> HubspotCheckReport:
    """Validate the connector tables of each source at its (catalog, schema); raise
    GateFailed(RAW_CHECKS) on any failure."""
    metrics: dict[str, dict] = {}
    structural: list[Finding] = []
    for source, (catalog, schema) in locations.items():
        measured, broken = measure(con, catalog, schema, as_of, source)
        metrics.update(measured)
        structural.extend(broken)
    if structural:
        raise GateFailed(Gate.RAW_CHECKS, structural)
    findings: list[Finding] = []
    pending, checks = [], 0
    for name, m in metrics.items():
        expectations = _expectations(name, m, config)
        if not expectations:
            continue
        checks += len(expectations)
        frame = pd.DataFrame([{k: v for k, v in m.items() if isinstance(v, (int, float)) or v is None}])
        pending.append(
            session.validate(f"{m['source']}.{name}.metrics", frame, expectations, complete=True)
        )
    docs_index = session.build_docs()
    for result in pending:
        if not result.success:
            findings.extend(findings_of(result, docs_page=session.page_of(result)))
    if findings:
        raise GateFailed(Gate.RAW_CHECKS, findings, where=f"Data Docs: {docs_index}")
    return HubspotCheckReport(metrics=metrics, checks_run=checks, docs_index=docs_index)
