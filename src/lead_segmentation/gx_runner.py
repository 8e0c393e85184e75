"""Great Expectations plumbing shared by the raw and the mart checks.

One ephemeral GX context per pipeline run (no gx/ folder in the repo: the suites are code in
raw_checks.py and mart_checks.py). Each suite validates a pandas DataFrame
read from the work DuckDB file (GX's SQL datasource cannot talk to DuckDB), and every run's
results are rendered as Data Docs into one folder (default warehouse/gx_docs/).

Each expectation carries `meta` that turns a failure into a `gates.Finding`:
  check  stable check name, e.g. "raw.engagement_events.key_null_share"
  detail what was observed against what was allowed (precomputed when the frame holds metrics)
  rows   how many rows are concerned (precomputed), else GX's unexpected_count is used
  look   where a person finds the rows: a SQL query on the work database
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import warnings
from pathlib import Path
from typing import Any

from lead_segmentation.gates import Finding

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

SITE_NAME = "pipeline"
# Columns whose values identify or describe a person: a failure never quotes them (messages
# reach the run log BI reads); the finding's `look` query shows them on the work database.
PERSONAL_COLUMN = re.compile(r"(^|_)(id|email|name|phone|first_name|last_name)$|email|phone")


class GxSession:
    """An ephemeral GX context whose validation results become one run's Data Docs."""

    def __init__(self, docs_dir: Path, run_id: str, run_time: dt.datetime):
        # Imported here: GX takes seconds to import and a refused load never needs it.
        import great_expectations as gx
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", module="great_expectations")
        self._gx = gx
        self.docs_dir = Path(docs_dir).resolve()
        self.docs_dir.mkdir(parents=True, exist_ok=True)
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.context.add_data_docs_site(
            site_name=SITE_NAME,
            site_config={
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(self.docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        self.run_identifier = RunIdentifier(run_name=run_id, run_time=run_time)
        self.datasource = self.context.data_sources.add_pandas("pipeline_frames")
        self.results: list[Any] = []

    def validate(self, name: str, frame, expectations: list, *, complete: bool = False):
        """Validate `frame` against a suite named `name` made of `expectations`."""
        gx = self._gx
        asset = self.datasource.add_dataframe_asset(name)
        batch_definition = asset.add_batch_definition_whole_dataframe("whole_frame")
        suite = self.context.suites.add(gx.ExpectationSuite(name=name))
        for expectation in expectations:
            suite.add_expectation(expectation)
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
        )
        result_format: dict[str, Any] = {
            "result_format": "COMPLETE" if complete else "SUMMARY",
            "partial_unexpected_count": 5,
        }
        result = definition.run(
            batch_parameters={"dataframe": frame},
            result_format=result_format,
            run_id=self.run_identifier,
        )
        self.results.append(result)
        return result

    def build_docs(self) -> Path:
        """Render this run's validation results; return the site's index page."""
        self.context.build_data_docs(site_names=[SITE_NAME])
        return self.docs_dir / "index.html"

    def page_of(self, result) -> Path | None:
        """The Data Docs page of one validation result (exists once build_docs ran)."""
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        identifier = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
            run_id=self.run_identifier,
            batch_identifier=result.batch_id,
        )
        urls = self.context.get_docs_sites_urls(resource_identifier=identifier, site_name=SITE_NAME)
        url = urls[0]["site_url"] if urls else None
        if not url:
            return None
        return Path(url.removeprefix("file://"))


def findings_of(result, *, docs_page: Path | None = None) -> list[Finding]:
    """Turn the failed expectations of a validation result into findings."""
    findings = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        meta = dict(config.meta or {})
        if item.exception_info and item.exception_info.get("raised_exception"):
            detail = f"the check could not run: {item.exception_info.get('exception_message')}"
            rows = None
        else:
            observed = item.result or {}
            detail = meta.get("detail") or _describe(config, observed)
            rows = meta.get("rows")
            if rows is None:
                rows = observed.get("unexpected_count")
        look = meta.get("look")
        if docs_page is not None:
            page = f"GX Data Docs (online only: CDN assets): {docs_page}"
            look = f"{look}\n({page})" if look else page
        findings.append(
            Finding(check=meta.get("check") or config.type, detail=detail, rows=rows, look=look)
        )
    return findings


def _describe(config, observed: dict) -> str:
    """A readable default detail for a failed expectation: rule + observed values."""
    rule = config.description or config.type
    parts = [rule]
    if observed.get("observed_value") is not None:
        parts.append(f"observed {_plain(observed['observed_value'])!r}")
    if observed.get("unexpected_count"):
        total = observed.get("element_count")
        parts.append(
            f"{observed['unexpected_count']:,} of {total:,} rows break it"
            if total is not None
            else f"{observed['unexpected_count']:,} rows break it"
        )
        examples = observed.get("partial_unexpected_list") or []
        columns = [config.kwargs.get("column"), *(config.kwargs.get("column_list") or [])]
        if any(c and PERSONAL_COLUMN.search(str(c)) for c in columns):
            examples = []  # ids, emails, names: see the `look` query instead
        if examples:
            parts.append("e.g. " + ", ".join(repr(_plain(v)) for v in examples[:5]))
    if observed.get("partial_missing_list"):
        parts.append("missing: " + ", ".join(repr(_plain(v)) for v in observed["partial_missing_list"]))
    return "; ".join(parts)


def _plain(value):
    """numpy/pandas scalars (also inside tuples/lists) -> plain Python for messages."""
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(v) for v in value)
    return value.item() if hasattr(value, "item") else value
