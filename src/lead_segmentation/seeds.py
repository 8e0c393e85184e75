"""Domain lists read from their one home, the dbt seeds (issue 13: every list has one home).

The dbt project tests its columns with `relationships` to these seeds; the Python side (raw
checks, mart checks, the demo generator) reads the same files here instead of keeping a
copy. Order is the file's row order (the generator indexes into some lists, so it matters).
"""

from __future__ import annotations

import csv
from functools import lru_cache

from lead_segmentation.paths import PROJECT_DIR

SEEDS_DIR = PROJECT_DIR / "seeds"


@lru_cache(maxsize=None)
def seed_column(seed: str, column: str) -> tuple[str, ...]:
    """The non-empty values of `column` of seeds/<seed>.csv (e.g. "staging/engagement_event_types"),
    in file order, each once."""
    with (SEEDS_DIR / f"{seed}.csv").open(newline="", encoding="utf-8") as handle:
        values = [row[column] for row in csv.DictReader(handle) if row[column]]
    return tuple(dict.fromkeys(values))
