"""The segment report: one static HTML page over the published marts, for Revenue Operations.

    python scripts/report.py [--published warehouse/published.duckdb]
                             [--out warehouse/report/index.html] [--weeks 26]

`build_report(published_path, out_path)` is the same from Python (the pipeline calls it after a
publish). The page is one self-contained file: no JavaScript, no web fonts, no network; the
charts are inline SVG drawn here. It reads ONLY the published file (opened read-only), so it
shows exactly what BI and the CRM sync see:

  1. the run: as_of_date, scoring_version, run id and time (ops.pipeline_runs), key figures;
  2. the risk x intent matrix as two heatmaps: people per cell, and conversion per cell
     (segment_matrix);
  3. weekly KPIs per segment over the last --weeks weeks (segment_kpis): leads entered, MQLs,
     SQLs, SLA met rate, median first response;
  4. score versus outcome: fit-score and intent-score deciles against MQL / SQL / customer
     rates (lead_scores; opportunity and won rates when lead_scores carries has_opportunity /
     has_won_opportunity, see OUTCOME_FLAGS);
  5. treatment versus holdout (segment_kpis by experiment_group, lead_scores.is_holdout);
  6. data quality: every raw row's verdict (dq_row_reconciliation), rejected rows by reason
     (dq_rejected_rows when it is published), suppressions and bounces (lead_routing).

Every chart has a table of its numbers beside it (a closed <details> block) whose cells carry
the raw values in data-value attributes: tests and scripts read the figures back from there.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import decimal
import math
import os
import sys
import tempfile
from pathlib import Path

import duckdb
import jinja2
from markupsafe import Markup, escape

SCRIPTS_DIR = Path(__file__).resolve().parent
PROJECT_DIR = SCRIPTS_DIR.parent
TEMPLATES_DIR = SCRIPTS_DIR / "report_templates"

DEFAULT_PUBLISHED = PROJECT_DIR / "warehouse" / "published.duckdb"
DEFAULT_OUT = PROJECT_DIR / "warehouse" / "report" / "index.html"
DEFAULT_WEEKS = 26

# The matrix's axes (CONTRACT.md section 3), in display order: rows from the highest risk
# band down, columns from the lowest intent up.
RISK_BANDS = ["high", "medium", "low", "unknown"]
INTENT_LEVELS = ["low", "mid", "high"]

# Per-person outcome flags the report uses when lead_scores has them. The contract's
# lead_scores has no opportunity outcome per person today, so score-versus-outcome shows
# MQL / SQL / customer rates only, and says so on the page.
OUTCOME_FLAGS = {"has_opportunity": "Opportunity rate", "has_won_opportunity": "Won rate"}

# Palette: colour-blind safe (Okabe-Ito based) and readable in print.
BLUE = "#1f5fa8"
ORANGE = "#e08a0b"
GREEN = "#2a9d6f"
PURPLE = "#7b5ea7"
GREY = "#9aa5b1"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# Cells with fewer people than this are not coloured by their conversion rate (too few to read).
SMALL_CELL = 10

REQUIRED_TABLES = ["lead_scores", "segment_matrix", "lead_routing", "segment_kpis", "dq_row_reconciliation"]


class ReportError(Exception):
    """The published file cannot be reported on (missing, or without the public marts)."""


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------


def _num(value):
    return float(value) if isinstance(value, decimal.Decimal) else value


def fmt_int(value) -> str:
    return "–" if value is None else f"{int(value):,}"


def fmt_pct(value, digits: int = 1) -> str:
    return "–" if value is None else f"{float(value) * 100:.{digits}f}%"


def fmt_minutes(value) -> str:
    if value is None:
        return "–"
    minutes = float(value)
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


def fmt_usd(value) -> str:
    if value is None:
        return "–"
    amount = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= limit:
            return f"${amount / limit:.1f}{suffix}"
    return f"${amount:,.0f}"


def fmt_text(value) -> str:
    return "–" if value is None else str(value)


def raw_value(value) -> str:
    """The machine-readable form of a value for data-value attributes ('' is NULL)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _plural(count, noun: str) -> str:
    return f"{fmt_int(count)} {noun}" + ("" if count == 1 else "s")


def ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)


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


def load_data(published_path: Path, weeks: int = DEFAULT_WEEKS) -> ReportData:
    published_path = Path(published_path)
    if not published_path.is_file():
        raise ReportError(f"no published file at {published_path}: run the pipeline first")
    con = duckdb.connect(str(published_path), read_only=True)
    try:
        return _load(con, published_path, weeks)
    finally:
        con.close()


def _load(con: duckdb.DuckDBPyConnection, published_path: Path, weeks: int) -> ReportData:
    tables = _tables(con)
    missing = [t for t in REQUIRED_TABLES if t not in tables.get("marts", set())]
    if missing:
        raise ReportError(f"{published_path} lacks marts.{', marts.'.join(missing)}: not a published file")

    meta = con.execute(
        "select max(as_of_date), string_agg(distinct scoring_version, ', ' order by scoring_version) "
        "from marts.lead_scores"
    ).fetchone()
    as_of_date, scoring_version = meta
    if as_of_date is None:
        as_of_date = con.execute("select max(as_of_date) from marts.segment_matrix").fetchone()[0]

    runs: list[dict] = []
    run = None
    if "pipeline_runs" in tables.get("ops", set()):
        columns = (
            "run_id, as_of_date, status, started_at, ended_at, duration_seconds, exit_code, "
            "failed_gate, failing_check"
        )
        runs = _rows(
            con, f"select {columns} from ops.pipeline_runs order by started_at desc, run_id desc limit 8"
        )
        # The run that wrote this file: the publish step logs it last, as published.
        latest = _rows(
            con,
            f"select {columns} from ops.pipeline_runs where status = 'published' "
            "order by ended_at desc, started_at desc, run_id desc limit 1",
        )
        run = latest[0] if latest else None

    headline = _rows(
        con,
        """
        select
            (select count(*) from marts.lead_scores) as people,
            (select count(distinct account_id) from marts.lead_scores) as accounts,
            (select count(*) from marts.lead_scores where lead_status in ('mql', 'sql')) as mqls,
            (select count(*) from marts.lead_scores where lead_status = 'sql') as sqls,
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
            """
            select
                week_start,
                segment,
                sum(leads_entered) as leads_entered,
                sum(mqls) as mqls,
                sum(sqls) as sqls,
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
            """
            select week_start, sum(leads_entered) as leads_entered, sum(mqls) as mqls, sum(sqls) as sqls
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
    flag_sql = ""
    for flag, label in OUTCOME_FLAGS.items():
        if flag in score_columns:
            field = flag.replace("has_", "") + "_rate"
            outcome_columns.append((field, label))
            flag_sql += f", avg(case when {flag} then 1.0 else 0.0 end) as {field}"
    fit_deciles = _deciles(con, "fit_score", flag_sql)
    intent_deciles = _deciles(con, "contact_intent_score", flag_sql)

    experiment_kpis = _rows(
        con,
        """
        select
            experiment_group,
            sum(leads_entered) as leads_entered,
            sum(mqls) as mqls,
            sum(sqls) as sqls,
            sum(meetings_booked) as meetings_booked,
            sum(opportunities_created) as opportunities_created,
            sum(opportunities_won) as opportunities_won,
            sum(pipeline_usd) as pipeline_usd,
            sum(won_usd) as won_usd
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
        """
        select
            case when is_holdout then 'holdout' else 'treatment' end as experiment_group,
            count(*) as people,
            avg(case when lead_status in ('mql', 'sql') then 1.0 else 0.0 end) as mql_rate,
            avg(case when lead_status = 'sql' then 1.0 else 0.0 end) as sql_rate,
            avg(case when lead_status = 'customer' then 1.0 else 0.0 end) as customer_rate
        from marts.lead_scores
        group by 1
        order by experiment_group desc
        """,
    )
    experiment_by_segment = _rows(
        con,
        """
        select
            segment,
            case when is_holdout then 'holdout' else 'treatment' end as experiment_group,
            count(*) as people,
            avg(case when lead_status in ('mql', 'sql') then 1.0 else 0.0 end) as mql_rate,
            avg(case when lead_status = 'sql' then 1.0 else 0.0 end) as sql_rate
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

    return ReportData(
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
    )


def _deciles(con: duckdb.DuckDBPyConnection, score: str, flag_sql: str) -> list[dict]:
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
            avg(case when lead_status in ('mql', 'sql') then 1.0 else 0.0 end) as mql_rate,
            avg(case when lead_status = 'sql' then 1.0 else 0.0 end) as sql_rate,
            avg(case when lead_status = 'customer' then 1.0 else 0.0 end) as customer_rate
            {flag_sql}
        from ranked
        group by decile
        order by decile
        """,
    )


# ---------------------------------------------------------------------------------------------
# SVG
# ---------------------------------------------------------------------------------------------


def _e(value) -> str:
    return str(escape(str(value)))


def _svg(width: float, height: float, body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{_e(label)}" '
        f'font-family="{FONT}" font-size="12" fill="{INK}">'
        f"<title>{_e(label)}</title>" + "".join(body) + "</svg>"
    )


def _text(x, y, content, *, size=12, anchor="start", weight="normal", fill=INK, extra="") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}"{extra}>{_e(content)}</text>'
    )


def _mix(low: str, high: str, t: float) -> str:
    t = min(max(t, 0.0), 1.0)
    a = [int(low[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(high[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def _luminance(colour: str) -> float:
    """WCAG relative luminance."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _text_colours(background: str) -> tuple[str, str]:
    """(main, secondary) text colours with the better contrast on the background."""
    # White wins from a contrast of 3.5 up: on mid-tone cells it reads better than dark ink.
    on_white = 1.05 / (_luminance(background) + 0.05)
    return ("#ffffff", "#e3ebf5") if on_white >= 3.5 else (INK, "#3e4c59")


def nice_max(value: float) -> float:
    """A round axis maximum >= value (1, 2, 2.5, 5 x 10^n)."""
    if value is None or value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-12:
            return candidate
    return 10 ** (exponent + 1)


def nice_minutes(value: float) -> float:
    """A round axis maximum for a duration in minutes: whole minutes, hours or days."""
    if value <= 90:
        return nice_max(value)
    if value <= 48 * 60:
        return nice_max(value / 60) * 60
    return nice_max(value / 1440) * 1440


def heatmap_svg(matrix: list[dict], *, mode: str) -> Markup:
    """The risk x intent matrix. mode 'people': colour = people (square-root scale);
    mode 'conversion': colour = SQL rate."""
    cell_w, cell_h, left, top = 158, 94, 86, 44
    width, height = left + cell_w * len(INTENT_LEVELS) + 4, top + cell_h * len(RISK_BANDS) + 26
    by_cell = {(r["risk_band"], r["intent_level"]): r for r in matrix}
    max_people = max([r["contacts"] or 0 for r in matrix] + [1])
    low, high = ("#eef4fb", "#0b3d78") if mode == "people" else ("#f1f8f4", "#0f5c3d")
    body = [
        _text(left + cell_w * len(INTENT_LEVELS) / 2, 14, "Intent level →", size=12, anchor="middle", fill=MUTED),
    ]
    for j, level in enumerate(INTENT_LEVELS):
        body.append(_text(left + cell_w * (j + 0.5), 34, level, size=13, anchor="middle", weight="600"))
    for i, band in enumerate(RISK_BANDS):
        y = top + i * cell_h
        body.append(_text(left - 10, y + cell_h / 2 + 4, band, size=13, anchor="end", weight="600"))
        for j, level in enumerate(INTENT_LEVELS):
            x = left + j * cell_w
            row = by_cell.get((band, level))
            people = (row or {}).get("contacts") or 0
            if mode == "people":
                t = math.sqrt(people / max_people) if people else 0.0
            else:
                t = float(row["sql_rate"]) if row and row.get("sql_rate") is not None else 0.0
            # A conversion rate of a handful of people says little: such cells stay uncoloured.
            small = mode == "conversion" and 0 < people < SMALL_CELL
            colour = _mix(low, high, t) if people and not small else "#f5f7fa"
            ink, sub = _text_colours(colour)
            seg = row["segment"] if row else "(no segment)"
            cell = row or {}
            tip = (
                f"{seg} (risk {band}, intent {level}): {fmt_int(people)} people, "
                f"{fmt_int(cell.get('accounts'))} accounts, MQL {fmt_pct(cell.get('mql_rate'))}, "
                f"SQL {fmt_pct(cell.get('sql_rate'))}, opportunity {fmt_pct(cell.get('opportunity_rate'))}, "
                f"won {fmt_pct(cell.get('won_rate'))}"
            )
            body.append(
                f'<g data-segment="{_e(seg)}"><title>{_e(tip)}</title>'
                f'<rect x="{x + 2:.1f}" y="{y + 2:.1f}" width="{cell_w - 4}" height="{cell_h - 4}" rx="6" '
                f'fill="{colour}" stroke="{"#cbd2d9" if not people or small else colour}"'
                + (' stroke-dasharray="4 3"' if small else "")
                + "/>"
            )
            body.append(_text(x + 12, y + 22, seg, size=12.5, weight="700", fill=ink))
            if not people:
                body.append(_text(x + 12, y + 44, "no people", size=11.5, fill=MUTED))
            elif mode == "people":
                body.append(_text(x + 12, y + 46, fmt_int(people), size=20, weight="700", fill=ink))
                body.append(
                    _text(x + 12, y + 67, f"{fmt_pct(row.get('share_of_contacts'))} of people", size=11, fill=sub)
                )
                sla = row.get("sla_hours")
                body.append(
                    _text(
                        x + 12,
                        y + 82,
                        f"{_plural(row.get('accounts'), 'account')} · "
                        + (f"SLA {sla} h" if sla is not None else "no SLA"),
                        size=10.5,
                        fill=sub,
                    )
                )
            else:
                body.append(
                    _text(x + 12, y + 46, f"SQL {fmt_pct(row.get('sql_rate'))}", size=17, weight="700", fill=ink)
                )
                body.append(
                    _text(
                        x + 12, y + 66, f"MQL {fmt_pct(row.get('mql_rate'))} · n {fmt_int(people)}", size=11, fill=sub
                    )
                )
                body.append(
                    _text(
                        x + 12,
                        y + 82,
                        f"Opp {fmt_pct(row.get('opportunity_rate'))} · Won {fmt_pct(row.get('won_rate'))}",
                        size=11,
                        fill=sub,
                    )
                )
            body.append("</g>")
    # Legend: the colour ramp.
    ly = height - 14
    for k in range(10):
        body.append(
            f'<rect x="{left + k * 16:.0f}" y="{ly - 9}" width="16" height="9" fill="{_mix(low, high, k / 9)}"/>'
        )
    legend = (
        f"people: 0 → {fmt_int(max_people)} (square-root scale)"
        if mode == "people"
        else f"SQL rate: 0% → 100% (dashed: fewer than {SMALL_CELL} people)"
    )
    body.append(_text(left + 168, ly, legend, size=11, fill=MUTED))
    label = "Segment matrix: people per cell" if mode == "people" else "Segment matrix: conversion per cell"
    return _svg(width, height, body, label)


def line_chart_svg(
    points: list[dict],
    x_field: str,
    series: list[tuple[str, str, str]],
    *,
    label: str,
    width: int = 1080,
    height: int = 250,
    marker_x=None,
    marker_label: str = "",
) -> Markup:
    """A line chart over weeks. series: (field, label, colour)."""
    left, right, top, bottom = 52, 16, 30, 38
    plot_w, plot_h = width - left - right, height - top - bottom
    if not points:
        return _svg(width, 60, [_text(10, 30, "No weeks to show.", fill=MUTED)], label)
    values = [float(p[f]) for p in points for f, _, _ in series if p.get(f) is not None]
    y_max = nice_max(max(values) if values else 1.0)
    n = len(points)

    def px(i):
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def py(v):
        return top + plot_h - plot_h * float(v) / y_max

    body = []
    for k in range(5):
        v = y_max * k / 4
        y = py(v)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        tick = f"{v:,.0f}" if y_max >= 4 else f"{v:,.1f}"
        body.append(_text(left - 6, y + 4, tick, size=11, anchor="end", fill=MUTED))
    step = max(1, math.ceil(n / 13))
    for i, p in enumerate(points):
        if (n - 1 - i) % step == 0:  # counted from the latest week, which is always labelled
            x = px(i)
            day = p[x_field].strftime("%b %d")
            body.append(_text(x, height - bottom + 16, day, size=10.5, anchor="middle", fill=MUTED))
    if marker_x is not None:
        idx = next((i for i, p in enumerate(points) if p[x_field] == marker_x), None)
        if idx is not None:
            x = px(idx)
            body.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" '
                f'stroke="{GREY}" stroke-dasharray="3 3"/>'
            )
            body.append(_text(x - 4, top - 4, marker_label, size=10.5, anchor="end", fill=MUTED))
    for field, name, colour in series:
        coords = [(px(i), py(p[field])) for i, p in enumerate(points) if p.get(field) is not None]
        if coords:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.2"/>')
            for (x, y), p in zip(coords, [p for p in points if p.get(field) is not None], strict=True):
                body.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{colour}">'
                    f"<title>{_e(name)}, week of {p[x_field].isoformat()}: {fmt_int(p[field])}</title></circle>"
                )
    lx = left
    for _field, name, colour in series:
        body.append(f'<rect x="{lx}" y="8" width="14" height="4" rx="2" fill="{colour}"/>')
        body.append(_text(lx + 19, 14, name, size=11.5))
        lx += 28 + 7 * len(name)
    return _svg(width, height, body, label)


def sparkline_svg(values: list, *, kind: str, y_max: float, colour: str, label: str, partial_last: bool) -> Markup:
    """A small chart of one segment's weekly values: bars for counts, a line for rates."""
    width, height, pad = 150, 34, 2
    n = len(values)
    body = [f'<line x1="0" y1="{height - pad}" x2="{width}" y2="{height - pad}" stroke="{GRID}"/>']
    if n == 0:
        return _svg(width, height, body, label)
    slot = width / n
    scale = (height - 2 * pad) / (y_max or 1)
    # Values above the column's scale are drawn at its top (the scale is set to ignore outliers).
    values = [None if v is None else min(float(v), y_max) for v in values]
    if kind == "bars":
        for i, v in enumerate(values):
            if v:
                h = max(float(v) * scale, 1.0)
                fill = GREY if partial_last and i == n - 1 else colour
                body.append(
                    f'<rect x="{i * slot + 0.5:.1f}" y="{height - pad - h:.1f}" width="{max(slot - 1, 0.8):.1f}" '
                    f'height="{h:.1f}" fill="{fill}"/>'
                )
    else:
        segments_: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                if segments_[-1]:
                    segments_.append([])
                continue
            segments_[-1].append((i * slot + slot / 2, height - pad - float(v) * scale))
        for run in segments_:
            if len(run) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
            for x, y in run:
                body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.8" fill="{colour}"/>')
    return _svg(width, height, body, label)


def grouped_bars_svg(
    categories: list[str],
    sublabels: list[str],
    series: list[tuple[str, str, list]],
    *,
    label: str,
    width: int = 530,
    height: int = 250,
    percent: bool = True,
) -> Markup:
    """Vertical grouped bars. series: (label, colour, values per category)."""
    left, right, top, bottom = 44, 8, 30, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    if not categories:
        return _svg(width, 60, [_text(10, 30, "No data.", fill=MUTED)], label)
    values = [float(v) for _, _, vs in series for v in vs if v is not None]
    y_max = nice_max(max(values) if values else 1.0)
    body = []
    for k in range(5):
        v = y_max * k / 4
        y = top + plot_h - plot_h * v / y_max
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        tick = fmt_pct(v, 0) if percent else f"{v:,.1f}"
        body.append(_text(left - 6, y + 4, tick, size=10.5, anchor="end", fill=MUTED))
    group_w = plot_w / len(categories)
    bar_w = min(22.0, (group_w - 8) / max(len(series), 1))
    for c, category in enumerate(categories):
        gx = left + c * group_w + (group_w - bar_w * len(series)) / 2
        for s, (name, colour, vs) in enumerate(series):
            v = vs[c]
            if v is None:
                continue
            h = plot_h * float(v) / y_max
            body.append(
                f'<rect x="{gx + s * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1.5:.1f}" '
                f'height="{max(h, 0.0):.1f}" fill="{colour}" rx="1.5">'
                f"<title>{_e(category)}: {_e(name)} {fmt_pct(v) if percent else f'{float(v):,.2f}'}</title></rect>"
            )
        cx = left + c * group_w + group_w / 2
        body.append(_text(cx, top + plot_h + 15, category, size=11, anchor="middle", weight="600"))
        if sublabels:
            body.append(_text(cx, top + plot_h + 29, sublabels[c], size=9.5, anchor="middle", fill=MUTED))
    lx = left
    for name, colour, _ in series:
        body.append(f'<rect x="{lx}" y="6" width="11" height="11" rx="2" fill="{colour}"/>')
        body.append(_text(lx + 15, 15, name, size=11.5))
        lx += 26 + 6.6 * len(name)
    return _svg(width, height, body, label)


def hbars_svg(
    rows: list[tuple[str, list[tuple[str, str, float | None]]]],
    *,
    label: str,
    width: int = 530,
    value_format=fmt_pct,
    x_max: float | None = None,
    label_width: int = 150,
) -> Markup:
    """Horizontal bars, one group per row: rows = (row label, [(series label, colour, value)])."""
    bar_h, gap, top = 14, 10, 26
    n_series = max((len(items) for _, items in rows), default=1)
    group_h = n_series * bar_h + gap
    height = top + group_h * len(rows) + 6
    left, right = label_width, 70
    plot_w = width - left - right
    if not rows:
        return _svg(width, 60, [_text(10, 30, "Nothing to show.", fill=MUTED)], label)
    values = [float(v) for _, items in rows for _, _, v in items if v is not None]
    # No axis is drawn (each bar is labelled), so the longest bar spans the plot.
    top_value = x_max if x_max is not None else (max(values) if values and max(values) > 0 else 1.0)
    body = []
    seen = []
    for i, (row_label, items) in enumerate(rows):
        y0 = top + i * group_h
        body.append(_text(left - 8, y0 + n_series * bar_h / 2 + 4, row_label, size=11.5, anchor="end"))
        for s, (name, colour, v) in enumerate(items):
            if name not in [x[0] for x in seen]:
                seen.append((name, colour))
            y = y0 + s * bar_h
            w = 0 if v is None else plot_w * float(v) / (top_value or 1)
            body.append(
                f'<rect x="{left}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{bar_h - 2}" fill="{colour}" rx="1.5">'
                f"<title>{_e(row_label)}: {_e(name)} {value_format(v)}</title></rect>"
            )
            body.append(_text(left + max(w, 0) + 5, y + bar_h - 4, value_format(v), size=10.5, fill=MUTED))
    if len(seen) > 1:
        lx = left
        for name, colour in seen:
            body.append(f'<rect x="{lx}" y="6" width="11" height="11" rx="2" fill="{colour}"/>')
            body.append(_text(lx + 15, 15, name, size=11.5))
            lx += 26 + 6.6 * len(name)
    return _svg(width, height, body, label)


def stacked_share_svg(rows: list[dict], parts: list[tuple[str, str, str]], *, label: str, width: int = 1080) -> Markup:
    """100 % stacked horizontal bars: each raw table's rows by verdict. parts: (field, label, colour)."""
    bar_h, gap, top, left, right = 18, 10, 30, 140, 120
    plot_w = width - left - right
    height = top + (bar_h + gap) * len(rows) + 4
    body = []
    lx = left
    for _, name, colour in parts:
        body.append(f'<rect x="{lx}" y="6" width="11" height="11" rx="2" fill="{colour}"/>')
        body.append(_text(lx + 15, 15, name, size=11.5))
        lx += 30 + 6.6 * len(name)
    for i, row in enumerate(rows):
        y = top + i * (bar_h + gap)
        total = row["raw_rows"] or 0
        body.append(_text(left - 8, y + bar_h - 5, row["table_name"], size=11.5, anchor="end"))
        x = float(left)
        for field, name, colour in parts:
            value = row[field] or 0
            if total and value:
                w = plot_w * value / total
                body.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{max(w, 1.0):.1f}" height="{bar_h}" fill="{colour}">'
                    f"<title>{_e(row['table_name'])}: {_e(name)} {fmt_int(value)} "
                    f"({fmt_pct(value / total, 2)})</title></rect>"
                )
                x += w
        body.append(_text(left + plot_w + 8, y + bar_h - 5, f"{fmt_int(total)} rows", size=11, fill=MUTED))
    return _svg(width, height, body, label)


# ---------------------------------------------------------------------------------------------
# Tables with machine-readable values
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Column:
    field: str
    label: str
    fmt: object = fmt_text
    numeric: bool = True


def data_table(table_id: str, columns: list[Column], rows: list[dict], keys: list[str], caption: str = "") -> Markup:
    """An HTML table whose rows carry their key (data-<key>) and whose cells carry the raw
    value (data-field, data-value; '' is NULL) next to the formatted one."""
    out = [f'<table class="data" id="{_e(table_id)}">']
    if caption:
        out.append(f"<caption>{_e(caption)}</caption>")
    out.append("<thead><tr>" + "".join(
        f'<th class="{"num" if c.numeric else "txt"}" scope="col">{_e(c.label)}</th>' for c in columns
    ) + "</tr></thead><tbody>")
    for row in rows:
        attrs = "".join(f' data-{_e(k.replace("_", "-"))}="{_e(raw_value(row.get(k)))}"' for k in keys)
        out.append(f"<tr{attrs}>")
        for c in columns:
            value = row.get(c.field)
            out.append(
                f'<td class="{"num" if c.numeric else "txt"}" data-field="{_e(c.field)}" '
                f'data-value="{_e(raw_value(value))}">{_e(c.fmt(value))}</td>'
            )
        out.append("</tr>")
    out.append("</tbody></table>")
    return Markup("".join(out))


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def render(data: ReportData) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2").render(**_context(data))


def _context(data: ReportData) -> dict:
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
    segment_experiment_chart = hbars_svg(
        [
            (
                f"{seg} ({fmt_int((g.get('treatment') or {}).get('people') or 0)} / "
                f"{fmt_int((g.get('holdout') or {}).get('people') or 0)})",
                [
                    ("treatment", BLUE, (g.get("treatment") or {}).get("sql_rate")),
                    ("holdout", GREY, (g.get("holdout") or {}).get("sql_rate")),
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
        "css": Markup((TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")),
        "key_figures": key_figures,
        "key_values": {k: raw_value(v) for k, v in key_values.items()},
        "heatmap_people": heatmap_svg(data.matrix, mode="people"),
        "heatmap_conversion": heatmap_svg(data.matrix, mode="conversion"),
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


def build_report(published_path: Path | str, out_path: Path | str, weeks: int = DEFAULT_WEEKS) -> Path:
    """Write the report of the published file to out_path (atomically) and return out_path."""
    data = load_data(Path(published_path), weeks=weeks)
    page = render(data)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # A reader (a browser, a web server) sees the old page or the new one, never half of one.
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--published", type=Path, default=DEFAULT_PUBLISHED, help="the published DuckDB file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the HTML file to write")
    parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS, help="weeks of KPI trends to show (default 26)")
    args = parser.parse_args(argv)
    if args.weeks < 1:
        parser.error("--weeks must be at least 1")
    try:
        out = build_report(args.published, args.out, weeks=args.weeks)
    except (ReportError, duckdb.Error) as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 1
    print(f"report: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
