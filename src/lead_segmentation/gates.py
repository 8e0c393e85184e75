"""The pipeline's gates, their exit codes, and the failure a gate raises.

Every gate that stops a run raises `GateFailed` with one or more `Finding`s. A finding says
which check failed, what was observed against what was allowed, how many rows are concerned
and where a person can look (a SQL query on the work database, a dbt log, a Data Docs page).
`pipeline.py` turns the exception into the exit code and the run-log row.
"""

from __future__ import annotations

import dataclasses
import enum
import re

# A single-quoted literal in a database or dbt error message: a value from a row.
_QUOTED_LITERAL = re.compile(r"'(?:[^']|'')*'")


def without_values(text: str) -> str:
    """An error text with its quoted literals replaced by '...': database errors quote the
    value that failed (`Could not convert string 'jane@acme.com' to INT64`), and messages
    reach the run log that every BI reader sees. Identifiers are double-quoted and stay."""
    return _QUOTED_LITERAL.sub("'...'", text)


class Gate(enum.Enum):
    """A step that can stop the run, with the exit code the pipeline returns for it."""

    RAW_LOAD = ("raw_load", 2)
    RAW_CHECKS = ("raw_checks", 3)
    DBT_BUILD = ("dbt_build", 4)
    MART_CHECKS = ("mart_checks", 5)
    PUBLISH = ("publish", 6)

    def __init__(self, label: str, exit_code: int):
        self.label = label
        self.exit_code = exit_code


@dataclasses.dataclass(frozen=True)
class Finding:
    """One failed check."""

    check: str  # stable name, e.g. "raw.engagement_events.key_null_share"
    detail: str  # observed vs allowed, in words
    rows: int | None = None  # rows concerned (None when not row-based)
    look: str | None = None  # where to look: a query, a file, a page

    def render(self) -> str:
        rows = f" [{self.rows:,} row(s)]" if self.rows is not None else ""
        text = f"- {self.check}{rows}: {self.detail}"
        if self.look:
            text += "\n    look: " + self.look.replace("\n", "\n          ")
        return text


class GateFailed(Exception):
    """A gate stopped the run; nothing was published."""

    def __init__(self, gate: Gate, findings: list[Finding], *, where: str | None = None):
        if not findings:
            raise ValueError("a failed gate needs at least one finding")
        self.gate = gate
        self.findings = findings
        self.where = where  # the gate's overall place to look (Data Docs, dbt log, ...)
        super().__init__(self.report())

    @property
    def exit_code(self) -> int:
        return self.gate.exit_code

    @property
    def first(self) -> Finding:
        return self.findings[0]

    def report(self) -> str:
        head = (
            f"GATE FAILED: {self.gate.label} (exit {self.gate.exit_code}); "
            f"{len(self.findings)} check(s) failed; nothing was published"
        )
        lines = [head, *(f.render() for f in self.findings)]
        if self.where:
            lines.append(f"more: {self.where}")
        return "\n".join(lines)


# Test hook: LEAD_SEGMENTATION_FAULT=<point>[:SIGINT|SIGTERM|SIGKILL] makes the job signal
# itself when it reaches <point> (default SIGINT, as Ctrl-C does), so tests interrupt each
# step exactly there instead of guessing with sleeps. Points: demo, load, raw_checks,
# dbt_build (once the dbt child runs), mart_checks, publish (before the rename),
# publish.renamed (right after it), report, docs. Unset in production: does nothing.
FAULT_ENV = "LEAD_SEGMENTATION_FAULT"


def fault_point(point: str) -> None:
    import os
    import signal

    wanted = os.environ.get(FAULT_ENV, "")
    if not wanted:
        return
    name, _, sig = wanted.partition(":")
    if name == point:
        os.kill(os.getpid(), getattr(signal, sig or "SIGINT"))
