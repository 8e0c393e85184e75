"""scripts/dev/compare_marts.py, the refactor proof: it finds every kind of difference."""

from __future__ import annotations

from pathlib import Path

import duckdb
from conftest import dev_script


def _load():
    return dev_script("compare_marts")


def _database(path: Path, rows: list[tuple], extra_column: bool = False) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    columns = "contact_id varchar, score integer, updated_at timestamp"
    if extra_column:
        columns += ", extra integer"
    con.execute(f"create table marts.lead_routing ({columns})")
    for row in rows:
        con.execute(
            f"insert into marts.lead_routing values ({', '.join('?' for _ in row)})", list(row)
        )
    con.close()
    return path


def test_identical_tables_pass_and_ignored_timestamps_do_not_count(tmp_path):
    compare = _load().compare
    before = _database(tmp_path / "a.duckdb", [("c1", 1, "2026-01-01"), ("c2", 2, "2026-01-01")])
    after = _database(tmp_path / "b.duckdb", [("c2", 2, "2026-02-02"), ("c1", 1, "2026-02-02")])
    assert compare(before, after) == []
    assert compare(before, after, ignored=()) != []


def test_changed_value_duplicate_row_and_column_change_are_reported(tmp_path):
    compare = _load().compare
    before = _database(tmp_path / "a.duckdb", [("c1", 1, None), ("c2", 2, None)])
    changed = _database(tmp_path / "b.duckdb", [("c1", 1, None), ("c2", 3, None)])
    doubled = _database(tmp_path / "c.duckdb", [("c1", 1, None), ("c1", 1, None), ("c2", 2, None)])
    widened = _database(tmp_path / "d.duckdb", [("c1", 1, None, 0), ("c2", 2, None, 0)], True)
    assert len(compare(before, changed)) == 2  # one row missing each way
    assert any("rows of after_db not in before_db" in p for p in compare(before, doubled))
    assert any("columns differ" in p for p in compare(before, widened))


def test_an_added_column_is_allowed_only_when_named(tmp_path):
    compare = _load().compare
    before = _database(tmp_path / "a.duckdb", [("c1", 1, None), ("c2", 2, None)])
    widened = _database(tmp_path / "b.duckdb", [("c1", 1, None, 0), ("c2", 2, None, 5)], True)
    changed = _database(tmp_path / "c.duckdb", [("c1", 1, None, 0), ("c2", 3, None, 5)], True)
    assert compare(before, widened, added=("lead_routing.extra",)) == []
    assert len(compare(before, changed, added=("lead_routing.extra",))) == 2
    assert any("not in after" in p for p in compare(before, before, added=("lead_routing.extra",)))
