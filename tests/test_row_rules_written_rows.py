"""row_rules with `rows_written_at` (tests/generic/row_rules.sql, macros/quality/): on an
incremental model only the rows written since the test last passed are checked, and their keys
are compared with every row. Never less than that: the rows of a run whose check failed are
checked again by the next run, a changed rule checks every row again, and so does a first run.

A copy of the project gets one incremental model over a table the test writes (raw.planted_input):
it appends the ids it has not seen, stamping each row with the run's start (`_judged_at`, as
judge_engagement_events does). Each step is a `dbt build --select planted_written` (the model,
its row_rules test, the on-run-end hook that records a pass).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import TEST_AS_OF, dbt_bin, dbt_env
from pipeline_helpers import copy_project

MODEL_SQL = """
{{ config(materialized='incremental', unique_key='id', on_schema_change='fail') }}
select id, status, code, {{ snapshot_get_time() }} as _judged_at
from {{ source('planted', 'planted_input') }}
{% if is_incremental() %}
where id > (select max(id) from {{ this }})
{% endif %}
"""

MODEL_YML = """
version: 2
sources:
  - name: planted
    schema: raw
    tables:
      - name: planted_input
models:
  - name: planted_written
    description: An incremental model whose row_rules check the rows written since they passed.
    data_tests:
      - row_rules:
          arguments:
            rows_written_at: _judged_at
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: status
        data_tests:
          - accepted_values:
              arguments:
                values: [__VALUES__]
      - name: code
        data_tests: [unique]
      - name: _judged_at
        data_tests: [not_null]
"""


@pytest.fixture()
def planted(tmp_path):
    project = copy_project(tmp_path / "project")
    folder = project / "models" / "marts"
    (folder / "planted_written.sql").write_text(MODEL_SQL)
    (folder / "planted_written.yml").write_text(MODEL_YML.replace("__VALUES__", "a, b"))
    database = tmp_path / "work.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.planted_input (id integer, status varchar, code integer)")
    return project, database, tmp_path / "target"


def add_input(database: Path, rows: str) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute(f"insert into raw.planted_input values {rows}")


def build(planted, *extra: str) -> dict[str, tuple[str, int]]:
    """Build the model and its row_rules test; returns {rule: (status, failing rows)} from
    the test's failing-row view, plus 'row_rules' -> (the test's status, its failures)."""
    project, database, target = planted
    done = subprocess.run(
        [dbt_bin(), "build", "--select", "planted_written", "--project-dir", str(project),
         "--vars", json.dumps({"as_of_date": TEST_AS_OF.isoformat()}), *extra],
        cwd=project, env=dbt_env(database, target), capture_output=True, text=True,
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    [test] = [r for r in results if ".row_rules_planted_written" in r["unique_id"]]
    assert test["status"] in ("pass", "fail"), done.stdout[-3000:]
    found = {"row_rules": (test["status"], test["failures"])}
    with duckdb.connect(str(database), read_only=True) as con:
        view = con.execute(
            "select view_name from duckdb_views() where schema_name = 'test_failures' "
            "and view_name like 'row_rules_planted_written%'"
        ).fetchone()
        if view:
            for rule, rows in con.execute(
                f'select rule, count(*) from test_failures."{view[0]}" group by rule'
            ).fetchall():
                found[rule] = ("fail", rows)
    return found


def written(planted) -> str:
    """The compiled row_rules SQL of the last run."""
    _, _, target = planted
    [path] = (target / "compiled").rglob("row_rules_planted_written*.sql")
    return path.read_text()


def tamper(planted, sql: str) -> None:
    with duckdb.connect(str(planted[1])) as con:
        con.execute(sql)


@pytest.mark.slow
def test_only_rows_written_since_the_last_pass_are_checked_and_failed_runs_stay_to_check(planted):
    add_input(planted[1], "(1, 'a', 10), (2, 'b', 20), (3, 'a', 30)")
    assert build(planted) == {"row_rules": ("pass", 0)}
    assert "_judged_at >" not in written(planted)  # nothing verified yet: every row

    # A row no run wrote again is not read again: it was checked when it was written.
    tamper(planted, "update marts.planted_written set status = 'zzz' where id = 1")
    assert build(planted) == {"row_rules": ("pass", 0)}
    assert "_judged_at > cast(" in written(planted)

    # New rows: a value out of the list, and a key that an old row already holds.
    add_input(planted[1], "(4, 'zzz', 40), (5, 'a', 20)")
    failed = build(planted)
    assert failed["row_rules"][0] == "fail"
    assert failed["accepted_values_planted_written_status__a__b"] == ("fail", 1)  # id 4 only
    assert failed["unique_planted_written_code"] == ("fail", 1)  # id 5, against old id 2

    # The next run writes nothing new, yet the failed run's rows are checked again.
    again = build(planted)
    assert again["row_rules"][0] == "fail"
    assert again["accepted_values_planted_written_status__a__b"] == ("fail", 1)

    # A full refresh rewrites (and so checks) every row, the tampered old one included.
    tamper(planted, "delete from raw.planted_input where id in (4, 5)")
    tamper(planted, "insert into raw.planted_input values (4, 'b', 40)")
    assert build(planted, "--full-refresh") == {"row_rules": ("pass", 0)}  # id 1 rebuilt as 'a'
    tamper(planted, "update marts.planted_written set status = 'zzz' where id = 1")
    add_input(planted[1], "(6, 'a', 60)")
    assert build(planted) == {"row_rules": ("pass", 0)}  # id 1 verified by the refresh's pass


@pytest.mark.slow
def test_a_changed_rule_and_a_clock_gone_back_check_every_row(planted):
    project, database, _ = planted
    add_input(database, "(1, 'a', 10), (2, 'b', 20)")
    assert build(planted) == {"row_rules": ("pass", 0)}
    tamper(planted, "update marts.planted_written set status = 'c' where id = 1")
    assert build(planted) == {"row_rules": ("pass", 0)}  # not written since: not read

    # The clock went back past the last verification: nothing can be trusted as "before".
    tamper(planted, "update ops.row_rules_verified set verified_through = verified_through + interval 1 day")
    assert build(planted)["accepted_values_planted_written_status__a__b"] == ("fail", 1)
    tamper(planted, "update ops.row_rules_verified set verified_through = verified_through - interval 1 day")

    # Another rule set (here: another accepted list) is a new state key: every row again.
    (project / "models" / "marts" / "planted_written.yml").write_text(MODEL_YML.replace("__VALUES__", "a"))
    changed = build(planted)
    assert changed["accepted_values_planted_written_status__a"] == ("fail", 2)  # ids 1 ('c'), 2 ('b')
