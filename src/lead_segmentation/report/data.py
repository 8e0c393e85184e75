"""The segment report's data: the SQL over the published file (opened read-only) and the
context the page template renders (figures, charts and tables built from it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import math
from pathlib import Path

import duckdb

from lead_segmentation import run_log
from lead_segmentation.backtest import experiments as experiment_stats
from lead_segmentation.backtest import report_data as backtest_data
from lead_segmentation.contract import PUBLIC_MARTS
from lead_segmentation.paths import PROJECT_DIR, PUBLISHED_DB, WAREHOUSE_DIR
from lead_segmentation.report.charts import (
    BLUE,
    Column,
    GREEN,
    GREY,
    INK,
    INTENT_LEVELS,
    ORANGE,
    PURPLE,
    RISK_BANDS,
    data_table,
    fmt_int,
    fmt_minutes,
    fmt_pct,
    fmt_text,
    fmt_usd,
    grouped_bars_svg,
    hbars_svg,
    heatmap_svg,
    line_chart_svg,
    nice_max,
    nice_minutes,
    ratio,
    raw_value,
    sparkline_svg,
    stacked_share_svg,
)

DEFAULT_PUBLISHED = PUBLISHED_DB
DEFAULT_OUT = WAREHOUSE_DIR / "report" / "index.html"
DEFAULT_WEEKS = 26

# Per-person outcome flags the report uses when lead_scores has them (contract v1.1): on an
# older published file score-versus-outcome shows MQL / SQL / customer rates only, and says so.
OUTCOME_FLAGS = {"has_opportunity": "Opportunity rate", "has_won_opportunity": "Won rate"}

REQUIRED_TABLES = [*PUBLIC_MARTS, "dq_row_reconciliation"]
# The one MQL / SQL definition, as lead_scores publishes it (int_contacts_qualified).
QUALIFICATION_FLAGS = ("is_marketing_qualified", "is_sales_qualified")


class ReportError(Exception):
    """The published file cannot be reported on (missing, or without the public marts)."""

def _num(value):
    return float(value) if isinstance(value, decimal.Decimal) else value


# ---------------------------------------------------------------------------------------------
# Reading the published file
# ---------------------------------------------------------------------------------------------


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    out = []
    for record in cur.fetchall():
        row = {}
        for name, value in zip(names, record, strict=True):
            if isinstance(value, float) and math.isnan(value):
                value = None
            row[name] = value
        out.append(row)
    return out


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for schema, name in con.execute(
        "select table_schema, table_name from information_schema.tables"
    ).fetchall():
        found.setdefault(schema, set()).add(name)
    return found


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


# The report's two query shapes: counts summed from segment_kpis, and shares of people from
# lead_scores. Each rate is the share of people for whom its condition holds; MQL and SQL are
# the published flags (the one definition, int_contacts_qualified).
FUNNEL_COUNTS = ("leads_entered", "mqls", "sqls")
EXPERIMENT_COUNTS = (
    *FUNNEL_COUNTS, "meetings_booked", "opportunities_created", "opportunities_won", "pipeline_usd", "won_usd",
)
PEOPLE_RATES = {
    "mql_rate": "is_marketing_qualified",
    "sql_rate": "is_sales_qualified",
    "customer_rate": "lead_status = 'customer'",
}


def _sums(columns) -> str:
    """`sum(c) as c` for each column, comma-separated (a select list)."""
    return ", ".join(f"sum({column}) as {column}" for column in columns)


def _shares(rates: dict[str, str]) -> str:
    """`avg(case when <condition> then 1.0 else 0.0 end) as <rate>` for each rate: the share of
    the group's people for whom the condition holds."""
    return ", ".join(f"avg(case when {condition} then 1.0 else 0.0 end) as {rate}" for rate, condition in rates.items())


@dataclasses.dataclass
class ReportData:
    published_path: str
    generated_at: dt.datetime
    as_of_date: dt.date | None
    scoring_version: str | None
    run: dict | None  # the latest published run of ops.pipeline_runs
    runs: list[dict]  # the last runs, newest first
    headline: dict
    segments: list[str]  # matrix order
    matrix: list[dict]
    weeks: list[dt.date]
    partial_week: dt.date | None  # the week of as_of_date when it is not over yet
    kpi_by_week: list[dict]  # week x segment
    kpi_totals_by_week: list[dict]  # week (all segments)
    kpi_first_week: dt.date | None
    kpi_last_week: dt.date | None
    outcome_columns: list[tuple[str, str]]  # (field, label) of the decile charts
    fit_deciles: list[dict]
    intent_deciles: list[dict]
    experiment_kpis: list[dict]  # per experiment group, all weeks of segment_kpis
    experiment_people: list[dict]  # per experiment group, lead_scores
    experiment_by_segment: list[dict]  # segment x group, lead_scores
    reconciliation: list[dict]
    rejected_by_reason: list[dict] | None  # None: dq_rejected_rows is not published
    suppression: list[dict]
    min_people_for_rate: int  # report.min_people_for_rate of the thresholds file
    # Treatment vs holdout with intervals (issue 16): per segment and overall, from segment_kpis;
    # groups under the minimum size have no rate ("too few to tell").
    experiments: list = dataclasses.field(default_factory=list)
    experiment_min_group_size: int = experiment_stats.DEFAULT_MIN_GROUP_SIZE
    experiment_confidence: float = experiment_stats.DEFAULT_CONFIDENCE
    # "Does the score work?": marts.score_backtest and the latest proposal; None when not published.
    backtest: dict | None = None


def hide_small_rates(rows: list[dict], count_field: str, rate_fields, minimum: int) -> None:
    """Blank the rates of rows counting fewer than `minimum` people (a holdout of 1 that
    converted is not "100%"); such a row gets `too_few_people` and keeps its count."""
    for row in rows:
        count = row.get(count_field) or 0
        row["too_few_people"] = count < minimum
        if row["too_few_people"]:
            for field in rate_fields:
                if field in row:
                    row[field] = None


def load_data(published_path: Path, weeks: int = DEFAULT_WEEKS) -> ReportData:
    from lead_segmentation.quality_config import load_config

    minimum = load_config().report.min_people_for_rate
    published_path = Path(published_path)
    if not published_path.is_file():
        raise ReportError(f"no published file at {published_path}: run the pipeline first")
    con = duckdb.connect(str(published_path), read_only=True)
    try:
        return _load(con, published_path, weeks, minimum)
    finally:
        con.close()


def _load(con: duckdb.DuckDBPyConnection, published_path: Path, weeks: int, minimum: int) -> ReportData:
    tables = _tables(con)
    missing = [t for t in REQUIRED_TABLES if t not in tables.get("marts", set())]
    if missing:
        raise ReportError(f"{published_path} lacks marts.{', marts.'.join(missing)}: not a published file")
    # MQL / SQL are read from the mart (contract v1.3), never re-derived from lead_status.
    flags = [c for c in QUALIFICATION_FLAGS if c not in _columns(con, "marts", "lead_scores")]
    if flags:
        raise ReportError(
            f"{published_path}: marts.lead_scores lacks {', '.join(flags)} (published before contract"
            " v1.3): run the pipeline again to republish it"
        )

    meta = con.execute(
        "select max(as_of_date), string_agg(distinct scoring_version, ', ' order by scoring_version) "
        "from marts.lead_scores"
    ).fetchone()
    as_of_date, scoring_version = meta
    if as_of_date is None:
        as_of_date = con.execute("select max(as_of_date) from marts.segment_matrix").fetchone()[0]

    runs: list[dict] = []
    run = None
    if run_log.TABLE in tables.get(run_log.SCHEMA, set()):
        columns = (
            "run_id, as_of_date, status, started_at, ended_at, duration_seconds, exit_code, "
            "failed_gate, failing_check"
        )
        runs = _rows(
            con, f"select {columns} from {run_log.RELATION} order by started_at desc, run_id desc limit 8"
        )
        # The run that wrote this file: the publish step logs it last, as published.
        latest = _rows(
            con,
            f"select {columns} from {run_log.RELATION} where status = 'published' "
            "order by ended_at desc, started_at desc, run_id desc limit 1",
        )
        run = latest[0] if latest else None

    headline = _rows(
        con,
        """
        select
            (select count(*) from marts.lead_scores) as people,
            (select count(distinct account_id) from marts.lead_scores) as accounts,
            (select count(*) from marts.lead_scores where is_marketing_qualified) as mqls,
            (select count(*) from marts.lead_scores where is_sales_qualified) as sqls,
            (select count(*) from marts.lead_scores where lead_status = 'customer') as customers,
            (select count(*) from marts.lead_routing where is_suppressed) as suppressed,
            (select count(*) from marts.lead_scores where is_holdout) as holdout,
            (select sum(rejected_rows) from marts.dq_row_reconciliation) as rejected_rows,
            (select sum(raw_rows) from marts.dq_row_reconciliation) as raw_rows
        """,
    )[0]
    headline["mql_rate"] = ratio(headline["mqls"], headline["people"])
    headline["sql_rate"] = ratio(headline["sqls"], headline["people"])
    headline["holdout_share"] = ratio(headline["holdout"], headline["people"])

    matrix = _rows(con, "select * from marts.segment_matrix")
    band_rank = {b: i for i, b in enumerate(RISK_BANDS)}
    intent_rank = {lvl: i for i, lvl in enumerate(reversed(INTENT_LEVELS))}
    matrix.sort(key=lambda r: (band_rank.get(r["risk_band"], 99), intent_rank.get(r["intent_level"], 99)))
    segments = [r["segment"] for r in matrix]
    # Segments of the KPIs that the matrix does not know (should not happen) still show.
    for (seg,) in con.execute("select distinct segment from marts.segment_kpis order by 1").fetchall():
        if seg not in segments:
            segments.append(seg)

    kpi_first_week, kpi_last_week = con.execute(
        "select min(week_start), max(week_start) from marts.segment_kpis"
    ).fetchone()
    week_list = [
        r[0]
        for r in con.execute(
            "select distinct week_start from marts.segment_kpis order by week_start desc limit ?",
            [max(int(weeks), 1)],
        ).fetchall()
    ]
    week_list.sort()
    partial_week = None
    if as_of_date is not None and week_list:
        last = week_list[-1]
        if last <= as_of_date < last + dt.timedelta(days=6):
            partial_week = last
    kpi_by_week: list[dict] = []
    kpi_totals_by_week: list[dict] = []
    if week_list:
        # Counts add up over both experiment groups. A rate or a median cannot be combined
        # without its denominator, which the mart does not publish: those come from the
        # treatment group (the program; the holdout has its own section).
        kpi_by_week = _rows(
            con,
            f"""
            select
                week_start,
                segment,
                {_sums(FUNNEL_COUNTS)},
                max(case when experiment_group = 'treatment' then sla_met_rate end) as sla_met_rate,
                max(case when experiment_group = 'treatment' then median_first_response_minutes end)
                    as median_first_response_minutes
            from marts.segment_kpis
            where week_start >= ?
            group by week_start, segment
            order by week_start, segment
            """,
            [week_list[0]],
        )
        kpi_totals_by_week = _rows(
            con,
            f"""
            select week_start, {_sums(FUNNEL_COUNTS)}
            from marts.segment_kpis
            where week_start >= ?
            group by week_start
            order by week_start
            """,
            [week_list[0]],
        )

    score_columns = set(_columns(con, "marts", "lead_scores"))
    outcome_columns = [
        ("mql_rate", "MQL rate (mql or sql)"),
        ("sql_rate", "SQL rate"),
        ("customer_rate", "Customer rate"),
    ]
    decile_rates = dict(PEOPLE_RATES)
    for flag, label in OUTCOME_FLAGS.items():
        if flag in score_columns:
            field = flag.replace("has_", "") + "_rate"
            outcome_columns.append((field, label))
            decile_rates[field] = flag
    fit_deciles = _deciles(con, "fit_score", decile_rates)
    intent_deciles = _deciles(con, "contact_intent_score", decile_rates)

    experiment_kpis = _rows(
        con,
        f"""
        select
            experiment_group,
            {_sums(EXPERIMENT_COUNTS)}
        from marts.segment_kpis
        group by experiment_group
        order by case experiment_group when 'treatment' then 0 else 1 end
        """,
    )
    for row in experiment_kpis:
        row["mql_rate"] = ratio(row["mqls"], row["leads_entered"])
        row["sql_rate"] = ratio(row["sqls"], row["leads_entered"])
        row["meetings_per_lead"] = ratio(row["meetings_booked"], row["leads_entered"])
        row["opportunities_per_lead"] = ratio(row["opportunities_created"], row["leads_entered"])
        row["pipeline_per_lead"] = ratio(row["pipeline_usd"], row["leads_entered"])
    experiment_people = _rows(
        con,
        f"""
        select
            case when is_holdout then 'holdout' else 'treatment' end as experiment_group,
            count(*) as people,
            {_shares(PEOPLE_RATES)}
        from marts.lead_scores
        group by 1
        order by experiment_group desc
        """,
    )
    experiment_by_segment = _rows(
        con,
        f"""
        select
            segment,
            case when is_holdout then 'holdout' else 'treatment' end as experiment_group,
            count(*) as people,
            {_shares({rate: PEOPLE_RATES[rate] for rate in ("mql_rate", "sql_rate")})}
        from marts.lead_scores
        group by 1, 2
        """,
    )
    seg_rank = {s: i for i, s in enumerate(segments)}
    experiment_by_segment.sort(key=lambda r: (seg_rank.get(r["segment"], 99), r["experiment_group"] != "treatment"))

    reconciliation = _rows(
        con,
        """
        select table_name, raw_rows, kept_rows, duplicate_rows, merged_rows, rejected_rows
        from marts.dq_row_reconciliation
        order by case table_name
            when 'crm_accounts' then 1 when 'crm_contacts' then 2 when 'crm_opportunities' then 3
            when 'sales_activities' then 4 when 'engagement_events' then 5
            when 'form_submissions' then 6 else 7 end, table_name
        """,
    )
    rejected_by_reason = None
    for schema in ("marts", "audit", "dq"):
        if "dq_rejected_rows" in tables.get(schema, set()):
            rejected_by_reason = _rows(
                con,
                f"""
                select table_name, rejection_reason, count(*) as rejected_rows
                from {schema}.dq_rejected_rows
                group by 1, 2
                order by rejected_rows desc, table_name, rejection_reason
                """,
            )
            break
    suppression = _rows(
        con,
        """
        select suppression_reason, count(*) as people
        from marts.lead_routing
        where is_suppressed
        group by 1
        order by people desc, suppression_reason
        """,
    )

    # Rates on too few people are noise: blanked (shown "–", bars not drawn), counts kept.
    outcome_fields = [field for field, _ in outcome_columns]
    hide_small_rates(matrix, "contacts", ["mql_rate", "sql_rate", "opportunity_rate", "won_rate"], minimum)
    for deciles in (fit_deciles, intent_deciles):
        hide_small_rates(deciles, "people", outcome_fields, minimum)
    hide_small_rates(
        experiment_kpis,
        "leads_entered",
        ["mql_rate", "sql_rate", "meetings_per_lead", "opportunities_per_lead", "pipeline_per_lead"],
        minimum,
    )
    hide_small_rates(experiment_people, "people", ["mql_rate", "sql_rate", "customer_rate"], minimum)
    hide_small_rates(experiment_by_segment, "people", ["mql_rate", "sql_rate"], minimum)
    min_group_size, confidence = experiment_stats.read_settings(PROJECT_DIR)
    experiments = experiment_stats.segment_experiments(con, min_group_size, confidence)
    seg_rank_all = {s: i for i, s in enumerate(segments)}
    experiments.sort(key=lambda c: seg_rank_all.get(c.segment, 99))
    backtest = backtest_data.backtest_context(con, Path(published_path))

    return ReportData(
        min_people_for_rate=minimum,
        published_path=str(published_path),
        generated_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0),
        as_of_date=as_of_date,
        scoring_version=scoring_version,
        run=run,
        runs=runs,
        headline=headline,
        segments=segments,
        matrix=matrix,
        weeks=week_list,
        partial_week=partial_week,
        kpi_by_week=kpi_by_week,
        kpi_totals_by_week=kpi_totals_by_week,
        kpi_first_week=kpi_first_week,
        kpi_last_week=kpi_last_week,
        outcome_columns=outcome_columns,
        fit_deciles=fit_deciles,
        intent_deciles=intent_deciles,
        experiment_kpis=experiment_kpis,
        experiment_people=experiment_people,
        experiment_by_segment=experiment_by_segment,
        reconciliation=reconciliation,
        rejected_by_reason=rejected_by_reason,
        suppression=suppression,
        experiments=experiments,
        experiment_min_group_size=min_group_size,
        experiment_confidence=confidence,
        backtest=backtest,
    )


def _deciles(con: duckdb.DuckDBPyConnection, score: str, rates: dict[str, str]) -> list[dict]:
    """People by score decile: decile = ceil(10 x cume_dist), cume_dist being the share of
    people with a score <= one's own (computed in integers: a float 10 x 0.3 would ceil to 4).
    People with equal scores share a decile (no arbitrary split of ties), so a score held by
    many fills one decile and leaves the deciles below it empty; only non-empty deciles are
    returned."""
    return _rows(
        con,
        f"""
        with counted as (
            select
                *,
                count(*) over (order by {score} range between unbounded preceding and current row)
                    as at_or_below,
                count(*) over () as total
            from marts.lead_scores
        ),
        ranked as (
            select *, cast((10 * at_or_below + total - 1) // total as integer) as decile
            from counted
        )
        select
            decile,
            count(*) as people,
            min({score}) as min_score,
            max({score}) as max_score,
            {_shares(rates)}
        from ranked
        group by decile
        order by decile
        """,
    )


def build_context(data: ReportData) -> dict:
    h = data.headline
    key_figures = [
        ("people", "People scored", fmt_int(h["people"]), f"{fmt_int(h['accounts'])} accounts"),
        ("mqls", "MQL or SQL", fmt_int(h["mqls"]), f"{fmt_pct(h['mql_rate'])} of people"),
        ("sqls", "SQL", fmt_int(h["sqls"]), f"{fmt_pct(h['sql_rate'])} of people"),
        ("customers", "Customers", fmt_int(h["customers"]), "lead_status customer"),
        ("suppressed", "Suppressed", fmt_int(h["suppressed"]), "not worked (opt-out, bounce, competitor)"),
        ("holdout", "Holdout", fmt_int(h["holdout"]), f"{fmt_pct(h['holdout_share'])} of people"),
        ("rejected_rows", "Raw rows rejected", fmt_int(h["rejected_rows"]), f"of {fmt_int(h['raw_rows'])} raw rows"),
    ]
    key_values = {
        "people": h["people"], "mqls": h["mqls"], "sqls": h["sqls"], "customers": h["customers"],
        "suppressed": h["suppressed"], "holdout": h["holdout"], "rejected_rows": h["rejected_rows"],
    }

    matrix_columns = [
        Column("risk_band", "Risk band", numeric=False),
        Column("intent_level", "Intent", numeric=False),
        Column("segment", "Segment", numeric=False),
        Column("motion", "Motion", numeric=False),
        Column("sla_hours", "SLA h", fmt_int),
        Column("contacts", "People", fmt_int),
        Column("accounts", "Accounts", fmt_int),
        Column("share_of_contacts", "Share", fmt_pct),
        Column("mql_rate", "MQL", fmt_pct),
        Column("sql_rate", "SQL", fmt_pct),
        Column("opportunity_rate", "Opp.", fmt_pct),
        Column("won_rate", "Won", fmt_pct),
    ]

    # Weekly KPIs: one row per segment, one sparkline per KPI on a scale shared by the column.
    by_key = {(r["week_start"], r["segment"]): r for r in data.kpi_by_week}
    kpi_defs = [
        ("leads_entered", "Leads entered", "bars", BLUE, fmt_int, "all groups"),
        ("mqls", "MQLs", "bars", ORANGE, fmt_int, "all groups"),
        ("sqls", "SQLs", "bars", GREEN, fmt_int, "all groups"),
        ("sla_met_rate", "SLA met rate", "line", PURPLE, fmt_pct, "treatment"),
        ("median_first_response_minutes", "Median first response", "line", INK, fmt_minutes, "treatment"),
    ]
    kpi_headers = []
    for field, name, kind, _colour, fmt, scope in kpi_defs:
        values = sorted(float(r[field]) for r in data.kpi_by_week if r.get(field) is not None)
        if field == "sla_met_rate":
            top, scale = 1.0, "0–100%"
        elif field == "median_first_response_minutes":
            # Response times have a long tail; the scale ends at the 90th percentile of the
            # weekly medians so the typical weeks stay readable (slower weeks sit at the top).
            top = nice_minutes(values[int(0.9 * (len(values) - 1))] if values else 1.0)
            scale = f"0–{fmt(top)}, slower at top"
        else:
            top = nice_max(values[-1] if values else 1.0)
            scale = f"0–{fmt(top)}"
        kpi_headers.append({"field": field, "name": name, "scope": scope, "y_max": top, "scale": scale})
    kpi_rows = []
    partial = data.partial_week is not None
    for seg in data.segments:
        cells = []
        for (field, name, kind, colour, fmt, _scope), header in zip(kpi_defs, kpi_headers, strict=True):
            series = [(by_key.get((w, seg)) or {}).get(field) for w in data.weeks]
            present = [float(v) for v in series if v is not None]
            if kind == "bars":
                summary = f"{fmt_int(sum(present))} in {len(data.weeks)} wk"
            elif present:
                summary = f"wk median {fmt(_median(present))}"
            else:
                summary = "no data"
            cells.append({
                "svg": sparkline_svg(
                    [None if v is None else _num(v) for v in series],
                    kind=kind, y_max=header["y_max"], colour=colour, partial_last=partial,
                    label=f"{seg}: {name} per week",
                ),
                "summary": summary,
            })
        kpi_rows.append({"segment": seg, "cells": cells})
    kpi_columns = [
        Column("week_start", "Week", fmt_text, numeric=False),
        Column("segment", "Segment", numeric=False),
        Column("leads_entered", "Leads entered", fmt_int),
        Column("mqls", "MQLs", fmt_int),
        Column("sqls", "SQLs", fmt_int),
        Column("sla_met_rate", "SLA met rate (treatment)", fmt_pct),
        Column("median_first_response_minutes", "Median first response (treatment)", fmt_minutes),
    ]
    totals_chart = line_chart_svg(
        data.kpi_totals_by_week,
        "week_start",
        [("leads_entered", "Leads entered", BLUE), ("mqls", "MQLs", ORANGE), ("sqls", "SQLs", GREEN)],
        label="Leads entered, MQLs and SQLs per week, all segments",
        marker_x=data.partial_week,
        marker_label="week in progress",
    )

    def decile_chart(rows, name):
        series_colours = [BLUE, ORANGE, GREEN, PURPLE, GREY]
        return grouped_bars_svg(
            [f"D{r['decile']}" for r in rows],
            [_score_range(r) for r in rows],
            [(label, series_colours[k], [r.get(field) for r in rows])
             for k, (field, label) in enumerate(data.outcome_columns)],
            label=f"Outcome rates by {name} decile",
        )

    decile_columns = [
        Column("decile", "Decile", fmt_text),
        Column("min_score", "Lowest score", fmt_text),
        Column("max_score", "Highest score", fmt_text),
        Column("people", "People", fmt_int),
        *[Column(field, label, fmt_pct) for field, label in data.outcome_columns],
    ]

    experiment_columns = [
        Column("experiment_group", "Group", numeric=False),
        Column("leads_entered", "Leads entered", fmt_int),
        Column("mqls", "MQLs", fmt_int),
        Column("sqls", "SQLs", fmt_int),
        Column("meetings_booked", "Meetings", fmt_int),
        Column("opportunities_created", "Opps", fmt_int),
        Column("opportunities_won", "Won opps", fmt_int),
        Column("pipeline_usd", "Pipeline", fmt_usd),
        Column("won_usd", "Won $", fmt_usd),
        Column("mql_rate", "MQL rate", fmt_pct),
        Column("sql_rate", "SQL rate", fmt_pct),
        Column("meetings_per_lead", "Meet./lead", lambda v: "–" if v is None else f"{v:.2f}"),
        Column("opportunities_per_lead", "Opps/lead", lambda v: "–" if v is None else f"{v:.2f}"),
        Column("pipeline_per_lead", "Pipeline/lead", fmt_usd),
    ]
    groups = {r["experiment_group"]: r for r in data.experiment_kpis}
    per_lead = ("mql_rate", "sql_rate", "meetings_per_lead", "opportunities_per_lead")
    experiment_chart = grouped_bars_svg(
        ["MQLs / lead", "SQLs / lead", "Meetings / lead", "Opps / lead"],
        [],
        [
            (g, colour, [(groups.get(g) or {}).get(f) for f in per_lead])
            for g, colour in (("treatment", BLUE), ("holdout", GREY))
        ],
        label="Treatment versus holdout: conversion per lead entered",
    )
    people_columns = [
        Column("experiment_group", "Group", numeric=False),
        Column("people", "People", fmt_int),
        Column("mql_rate", "MQL rate", fmt_pct),
        Column("sql_rate", "SQL rate", fmt_pct),
        Column("customer_rate", "Customer rate", fmt_pct),
    ]
    seg_groups: dict[str, dict[str, dict]] = {}
    for r in data.experiment_by_segment:
        seg_groups.setdefault(r["segment"], {})[r["experiment_group"]] = r
    def shown_rate(group: dict | None):
        # A group under the minimum size shows no rate: too few to tell (docs/backtest.md).
        group = group or {}
        return group.get("sql_rate") if (group.get("people") or 0) >= data.experiment_min_group_size else None

    def too_few(g: dict) -> str:
        # Both groups need the minimum (a group without people is absent from g).
        small = len(g) < 2 or any((r.get("people") or 0) < data.experiment_min_group_size for r in g.values())
        return ", too few to tell" if small else ""

    segment_experiment_chart = hbars_svg(
        [
            (
                f"{seg} ({fmt_int((g.get('treatment') or {}).get('people') or 0)} / "
                f"{fmt_int((g.get('holdout') or {}).get('people') or 0)}{too_few(g)})",
                [
                    ("treatment", BLUE, shown_rate(g.get("treatment"))),
                    ("holdout", GREY, shown_rate(g.get("holdout"))),
                ],
            )
            for seg, g in ((s, seg_groups.get(s, {})) for s in data.segments)
            if g
        ],
        label="SQL rate per segment, treatment versus holdout",
        width=540,
        x_max=1.0,
        label_width=200,
    )
    segment_experiment_columns = [
        Column("segment", "Segment", numeric=False),
        Column("experiment_group", "Group", numeric=False),
        Column("people", "People", fmt_int),
        Column("mql_rate", "MQL rate", fmt_pct),
        Column("sql_rate", "SQL rate", fmt_pct),
    ]

    def interval(low, high) -> str:
        return experiment_stats.TOO_FEW if low is None else f"{fmt_pct(low)} to {fmt_pct(high)}"

    experiment_ci_rows = [
        {
            "segment": c.segment,
            "treatment_people": c.treatment.people,
            "treatment_rate": c.treatment.rate,
            "treatment_interval": interval(c.treatment.low, c.treatment.high),
            "holdout_people": c.holdout.people,
            "holdout_rate": c.holdout.rate,
            "holdout_interval": interval(c.holdout.low, c.holdout.high),
            "difference": c.difference,
            "difference_interval": interval(c.low, c.high),
            "verdict": c.verdict,
        }
        for c in data.experiments
    ]
    pct_or_too_few = lambda v: experiment_stats.TOO_FEW if v is None else fmt_pct(v)  # noqa: E731
    experiment_ci_columns = [
        Column("segment", "Segment", numeric=False),
        Column("treatment_people", "Treatment: leads", fmt_int),
        Column("treatment_rate", "SQL rate", pct_or_too_few),
        Column("treatment_interval", "interval", numeric=False),
        Column("holdout_people", "Holdout: leads", fmt_int),
        Column("holdout_rate", "SQL rate", pct_or_too_few),
        Column("holdout_interval", "interval", numeric=False),
        Column("difference", "Difference", pct_or_too_few),
        Column("difference_interval", "interval", numeric=False),
        Column("verdict", "Verdict", numeric=False),
    ]
    backtest_context = _backtest_context(data.backtest)

    verdicts = [
        ("kept_rows", "kept", BLUE),
        ("duplicate_rows", "duplicate", ORANGE),
        ("merged_rows", "merged", PURPLE),
        ("rejected_rows", "rejected", "#c0392b"),
    ]
    reconciliation_chart = stacked_share_svg(
        data.reconciliation, verdicts, label="Every raw row's verdict, per raw table"
    )
    reconciliation_columns = [
        Column("table_name", "Raw table", numeric=False),
        Column("raw_rows", "Raw rows", fmt_int),
        Column("kept_rows", "Kept", fmt_int),
        Column("duplicate_rows", "Duplicates", fmt_int),
        Column("merged_rows", "Merged", fmt_int),
        Column("rejected_rows", "Rejected", fmt_int),
    ]
    dq_totals = {
        f: sum((r[f] or 0) for r in data.reconciliation)
        for f in ("raw_rows", "kept_rows", "duplicate_rows", "merged_rows", "rejected_rows")
    }
    rejected_chart = None
    if data.rejected_by_reason:
        rejected_chart = hbars_svg(
            [(f"{r['table_name']}: {r['rejection_reason']}", [("rejected", "#c0392b", r["rejected_rows"])])
             for r in data.rejected_by_reason],
            label="Rejected raw rows by table and reason",
            value_format=fmt_int,
            width=540,
            label_width=260,
        )
    rejected_columns = [
        Column("table_name", "Raw table", numeric=False),
        Column("rejection_reason", "Reason", numeric=False),
        Column("rejected_rows", "Rows", fmt_int),
    ]
    suppression_chart = hbars_svg(
        [(r["suppression_reason"] or "(none)", [("people", ORANGE, r["people"])]) for r in data.suppression],
        label="Suppressed people by reason",
        value_format=fmt_int,
        width=540,
    )
    suppression_columns = [
        Column("suppression_reason", "Reason", numeric=False),
        Column("people", "People", fmt_int),
    ]
    undeliverable = sum(r["people"] for r in data.suppression if r["suppression_reason"] == "undeliverable")

    run_columns = [
        Column("run_id", "Run", numeric=False),
        Column("as_of_date", "As of", numeric=False),
        Column("status", "Status", numeric=False),
        Column("started_at", "Started (UTC)", numeric=False),
        Column("duration_seconds", "Duration (s)", lambda v: "–" if v is None else f"{float(v):,.0f}"),
        Column("failed_gate", "Stopped at", numeric=False),
        Column("failing_check", "Failing check", numeric=False),
    ]

    return {
        "d": data,
        "key_figures": key_figures,
        "key_values": {k: raw_value(v) for k, v in key_values.items()},
        "heatmap_people": heatmap_svg(data.matrix, mode="people", min_people=data.min_people_for_rate),
        "heatmap_conversion": heatmap_svg(
            data.matrix, mode="conversion", min_people=data.min_people_for_rate
        ),
        "matrix_table": data_table("segment-matrix-data", matrix_columns, data.matrix, ["segment"]),
        "kpi_headers": kpi_headers,
        "kpi_rows": kpi_rows,
        "kpi_table": data_table("kpi-trends-data", kpi_columns, data.kpi_by_week, ["week_start", "segment"]),
        "kpi_totals_table": data_table(
            "kpi-totals-data",
            [Column("week_start", "Week", numeric=False), Column("leads_entered", "Leads entered", fmt_int),
             Column("mqls", "MQLs", fmt_int), Column("sqls", "SQLs", fmt_int)],
            data.kpi_totals_by_week,
            ["week_start"],
        ),
        "totals_chart": totals_chart,
        "fit_chart": decile_chart(data.fit_deciles, "fit score"),
        "intent_chart": decile_chart(data.intent_deciles, "intent score"),
        "fit_table": data_table("fit-deciles-data", decile_columns, data.fit_deciles, ["decile"]),
        "intent_table": data_table("intent-deciles-data", decile_columns, data.intent_deciles, ["decile"]),
        "has_opportunity_outcomes": any(
            f in ("opportunity_rate", "won_opportunity_rate") for f, _ in data.outcome_columns
        ),
        "experiment_chart": experiment_chart,
        "experiment_table": data_table(
            "experiment-kpis-data", experiment_columns, data.experiment_kpis, ["experiment_group"]
        ),
        "experiment_people_table": data_table(
            "experiment-people-data", people_columns, data.experiment_people, ["experiment_group"]
        ),
        "segment_experiment_chart": segment_experiment_chart,
        "experiment_ci_table": data_table(
            "experiment-intervals-data", experiment_ci_columns, experiment_ci_rows, ["segment"]
        ),
        **backtest_context,
        "segment_experiment_table": data_table(
            "experiment-segments-data", segment_experiment_columns, data.experiment_by_segment,
            ["segment", "experiment_group"],
        ),
        "reconciliation_chart": reconciliation_chart,
        "reconciliation_table": data_table(
            "dq-reconciliation-data", reconciliation_columns, data.reconciliation, ["table_name"]
        ),
        "dq_totals": dq_totals,
        "rejected_chart": rejected_chart,
        "rejected_table": (
            data_table(
                "dq-rejected-data", rejected_columns, data.rejected_by_reason, ["table_name", "rejection_reason"]
            )
            if data.rejected_by_reason is not None
            else None
        ),
        "suppression_chart": suppression_chart,
        "suppression_table": data_table(
            "dq-suppression-data", suppression_columns, data.suppression, ["suppression_reason"]
        ),
        "undeliverable": undeliverable,
        "runs_table": data_table("runs-data", run_columns, data.runs, ["run_id"]) if data.runs else None,
        "fmt_int": fmt_int,
        "fmt_pct": fmt_pct,
        "raw_value": raw_value,
    }


BACKTEST_SERIES = (("fit", "fit", BLUE), ("risk", "risk", ORANGE), ("intent", "intent", GREEN),
                   ("segment", "segment", PURPLE))


def _backtest_context(backtest: dict | None) -> dict:
    """Charts and tables of the "Does the score work?" section (empty without a backtest)."""
    if not backtest:
        return {"backtest": None}
    dates = sorted({r["as_of_date"] for rows in backtest["trends"].values() for r in rows})
    points = []
    for day in dates:
        point: dict = {"as_of_date": day}
        for score, _, _ in BACKTEST_SERIES:
            row = next((r for r in backtest["trends"][score] if r["as_of_date"] == day), {})
            point[f"auc_{score}"] = row.get("auc")
            point[f"lift_{score}"] = row.get("top_decile_lift")
        points.append(point)
    auc_chart = line_chart_svg(
        points, "as_of_date", [(f"auc_{s}", n, c) for s, n, c in BACKTEST_SERIES],
        label="AUC per as-of date and score (0.5 = chance)", width=540,
        value_format=lambda v: f"{float(v):.3f}", point_noun="as of",
    )
    lift_chart = line_chart_svg(
        points, "as_of_date", [(f"lift_{s}", n, c) for s, n, c in BACKTEST_SERIES],
        label="Top-decile lift per as-of date and score (1 = random)", width=540,
        value_format=lambda v: f"{float(v):.2f}", point_noun="as of",
    )
    deciles = list(range(1, 11))
    calibration_chart = grouped_bars_svg(
        [f"D{d}" for d in deciles],
        ["" for _ in deciles],
        [
            (name, colour, [
                next((r["rate"] for r in backtest["calibration"][score] if r["decile"] == d), None)
                for d in deciles
            ])
            for score, name, colour in BACKTEST_SERIES
        ],
        label="SQL rate within the horizon by score decile at T",
        width=1080,
    )
    trend_rows = [
        {"as_of_date": p["as_of_date"], **{k: v for k, v in p.items() if k != "as_of_date"}} for p in points
    ]
    trend_columns = [Column("as_of_date", "As of", numeric=False)] + [
        Column(f"auc_{s}", f"AUC {n}", lambda v: "–" if v is None else f"{float(v):.3f}") for s, n, _ in BACKTEST_SERIES
    ] + [
        Column(f"lift_{s}", f"Lift {n}", lambda v: "–" if v is None else f"{float(v):.2f}") for s, n, _ in BACKTEST_SERIES
    ]
    mql_columns = [
        Column("as_of_date", "As of", numeric=False),
        Column("people", "Leads and MQLs", fmt_int),
        Column("positives", "Became SQL", fmt_int),
        Column("mql_precision", "MQL precision", fmt_pct),
        Column("mql_recall", "MQL recall", fmt_pct),
    ]
    three = lambda v: "–" if v is None else f"{float(v):.3f}"  # noqa: E731
    proposal_columns = [
        Column("score", "Score", numeric=False),
        Column("auc_current", "AUC current", three),
        Column("auc_suggested", "AUC suggested", three),
        Column("top_decile_lift_current", "Lift current", three),
        Column("top_decile_lift_suggested", "Lift suggested", three),
        Column("mql_precision_current", "MQL precision current", three),
        Column("mql_precision_suggested", "suggested", three),
        Column("mql_recall_current", "MQL recall current", three),
        Column("mql_recall_suggested", "suggested", three),
    ]
    return {
        "backtest": backtest,
        "backtest_auc_chart": auc_chart,
        "backtest_lift_chart": lift_chart,
        "backtest_calibration_chart": calibration_chart,
        "backtest_trend_table": data_table("backtest-trends-data", trend_columns, trend_rows, ["as_of_date"]),
        "backtest_mql_table": data_table("backtest-mql-data", mql_columns, backtest["mql"], ["as_of_date"]),
        "backtest_proposal_table": (
            data_table("backtest-proposal-data", proposal_columns, backtest["proposal"], ["score"])
            if backtest["proposal"]
            else None
        ),
    }


def _score_range(row: dict) -> str:
    def fmt(value) -> str:
        value = float(value)
        if value.is_integer() or value >= 100:
            return f"{value:.0f}"
        return f"{value:.2f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.1f}"

    low, high = fmt(row["min_score"]), fmt(row["max_score"])
    return low if low == high else f"{low}–{high}"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
