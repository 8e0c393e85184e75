"""The segment report: one static HTML page over the published marts, for Revenue Operations.

    lead-segmentation-report [--published warehouse/published.duckdb]
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
import os
import sys
import tempfile
from pathlib import Path

import duckdb
import jinja2
from markupsafe import Markup

from lead_segmentation.report.data import (
    DEFAULT_OUT,
    DEFAULT_PUBLISHED,
    DEFAULT_WEEKS,
    ReportData,
    ReportError,
    build_context,
    load_data,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


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
    css = Markup((TEMPLATES_DIR / "report.css").read_text(encoding="utf-8"))
    return env.get_template("report.html.j2").render(**build_context(data), css=css)


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
