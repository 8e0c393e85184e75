"""Honest experiments: treatment versus holdout with confidence intervals (issue 16).

A rate is shown with its Wilson score interval; the difference of two rates with Newcombe's
hybrid score interval (method 10 of Newcombe 1998, built from the two Wilson intervals), which
stays inside [-1, 1] and behaves at small counts and rates near 0 or 1, where the normal
approximation does not. A group smaller than the configured minimum (var
`experiment_min_group_size` of dbt_project.yml, default 30; docs/backtest.md) gets no rate:
consumers show "too few to tell" instead, because an interval on a handful of people says
little and a bare rate on them misleads.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

DEFAULT_MIN_GROUP_SIZE = 30
DEFAULT_CONFIDENCE = 0.95
TOO_FEW = "too few to tell"


def _z(confidence: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of successes / n; (nan, nan) for n = 0."""
    if n <= 0:
        return math.nan, math.nan
    if not 0 <= successes <= n:
        raise ValueError(f"successes {successes} outside 0..{n}")
    z = _z(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(
    successes_a: int, n_a: int, successes_b: int, n_b: int, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[float, float, float]:
    """(difference, low, high) of rate a - rate b, Newcombe's hybrid score interval."""
    if n_a <= 0 or n_b <= 0:
        return math.nan, math.nan, math.nan
    p_a, p_b = successes_a / n_a, successes_b / n_b
    l_a, u_a = wilson(successes_a, n_a, confidence)
    l_b, u_b = wilson(successes_b, n_b, confidence)
    d = p_a - p_b
    low = d - math.sqrt((p_a - l_a) ** 2 + (u_b - p_b) ** 2)
    high = d + math.sqrt((u_a - p_a) ** 2 + (p_b - l_b) ** 2)
    return d, low, high


@dataclasses.dataclass(frozen=True)
class GroupRate:
    people: int
    conversions: int
    rate: float | None  # None: too few to tell
    low: float | None
    high: float | None

    @property
    def label(self) -> str:
        if self.rate is None:
            return TOO_FEW
        return f"{self.rate:.1%} ({self.low:.1%}-{self.high:.1%})"


@dataclasses.dataclass(frozen=True)
class Comparison:
    segment: str
    treatment: GroupRate
    holdout: GroupRate
    difference: float | None  # treatment - holdout; None: too few to tell
    low: float | None
    high: float | None

    @property
    def verdict(self) -> str:
        if self.difference is None:
            return TOO_FEW
        if self.low > 0:
            return "treatment converts more"
        if self.high < 0:
            return "holdout converts more"
        return "no difference shown"


def group_rate(
    conversions: int,
    people: int,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    confidence: float = DEFAULT_CONFIDENCE,
) -> GroupRate:
    if people < max(1, min_group_size):
        return GroupRate(people, conversions, None, None, None)
    low, high = wilson(conversions, people, confidence)
    return GroupRate(people, conversions, conversions / people, low, high)


def compare(
    segment: str,
    treatment: tuple[int, int],
    holdout: tuple[int, int],
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Comparison:
    """(conversions, people) of each group -> rates, intervals, the difference's interval."""
    t = group_rate(*treatment, min_group_size, confidence)
    h = group_rate(*holdout, min_group_size, confidence)
    if t.rate is None or h.rate is None:
        return Comparison(segment, t, h, None, None, None)
    d, low, high = newcombe(treatment[0], treatment[1], holdout[0], holdout[1], confidence)
    return Comparison(segment, t, h, d, low, high)


def read_settings(project_dir: Path) -> tuple[int, float]:
    """(min group size, confidence) from the vars of dbt_project.yml, their one home."""
    import yaml

    try:
        doc = yaml.safe_load((Path(project_dir) / "dbt_project.yml").read_text(encoding="utf-8"))
    except OSError:
        return DEFAULT_MIN_GROUP_SIZE, DEFAULT_CONFIDENCE
    variables = (doc or {}).get("vars") or {}
    return (
        int(variables.get("experiment_min_group_size", DEFAULT_MIN_GROUP_SIZE)),
        float(variables.get("experiment_confidence", DEFAULT_CONFIDENCE)),
    )


EXPERIMENT_SQL = """
select segment, experiment_group, sum(leads_entered) as people, sum(sqls) as conversions
from marts.segment_kpis
group by 1, 2
"""


def segment_experiments(
    con, min_group_size: int = DEFAULT_MIN_GROUP_SIZE, confidence: float = DEFAULT_CONFIDENCE
) -> list[Comparison]:
    """Treatment vs holdout per segment from the published segment_kpis: the people who
    entered (leads_entered, summed over the weeks kept) and those of them now SQL (sqls), plus
    an `all segments` row. `con` is a DuckDB connection to the published file."""
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    for segment, group, people, conversions in con.execute(EXPERIMENT_SQL).fetchall():
        counts.setdefault(segment, {})[group] = (int(conversions or 0), int(people or 0))
    rows = []
    totals = {"treatment": [0, 0], "holdout": [0, 0]}
    for segment in sorted(counts):
        groups = counts[segment]
        for group in totals:
            c, p = groups.get(group, (0, 0))
            totals[group][0] += c
            totals[group][1] += p
        rows.append(
            compare(
                segment,
                groups.get("treatment", (0, 0)),
                groups.get("holdout", (0, 0)),
                min_group_size,
                confidence,
            )
        )
    rows.append(
        compare(
            "all segments",
            tuple(totals["treatment"]),
            tuple(totals["holdout"]),
            min_group_size,
            confidence,
        )
    )
    return rows
