"""row_rules (tests/generic/row_rules.sql) reports exactly what the individual tests report.

A copy of the project gets one planted model whose rows break every rule kind row_rules
covers (not_null, accepted_values quoted and unquoted, unique, unique_combination_of_columns),
with and without `where` configs, plus warn-severity rules. `dbt build --select` of that model
runs the individual tests AND its two row_rules tests (error and warn); for every rule the
failing rows row_rules stored (schema test_failures, column `rule`) must equal the individual
test's stored failures: the same rows (not_null), the same offending values and row counts
(accepted_values, unique, composite keys). Then the pipeline's dbt gate, running only the
row_rules tests, names each failing error rule with its model, count and query, and reports
the warn rules without stopping.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from conftest import TEST_AS_OF, dbt_bin, dbt_env
from pipeline_helpers import copy_project

PLANTED_SQL = """
select * from (
    values
        (1, 'a', 1, 'g1', 1, 'x', 'k1', 'live'),
        (2, 'b', 2, 'g1', 2, 'x', 'k2', 'live'),
        (3, 'zzz', 9, 'g1', 2, null, 'k3', 'live'),
        (4, null, 7, 'g2', 1, 'x', 'k3', 'live'),
        (5, 'a', null, 'g2', 1, 'x', null, 'gone'),
        (6, 'zzz', 2, null, null, null, null, 'gone'),
        (7, 'qqq', 1, null, null, 'x', 'k7', 'gone'),
        (7, 'b', 8, 'g3', 3, 'y', 'k7', 'gone'),
        (null, 'b', 1, 'g3', 3, 'y', 'k9', 'live')
) as planted (planted_id, status, code, grp, seq, flag, ref_key, state)
"""

PLANTED_YML = """
version: 2
models:
  - name: planted_rows
    description: Rows that break every rule kind row_rules covers (tests/test_row_rules.py).
    data_tests:
      - row_rules
      - row_rules:
          name: row_rules_warn_planted_rows
          config:
            severity: warn
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [grp, seq]
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [grp, flag]
          config:
            where: "state = 'live'"
    columns:
      - name: planted_id
        data_tests:
          - unique
          - not_null
      - name: status
        data_tests:
          - not_null
          - accepted_values:
              arguments:
                values: [a, b]
          - accepted_values:
              name: planted_status_live_values
              arguments:
                values: [a]
              config:
                where: "state = 'live'"
                severity: warn
      - name: code
        data_tests:
          - accepted_values:
              arguments:
                values: [1, 2, 7]
                quote: false
              config:
                where: "state = 'live'"
          - not_null:
              config:
                where: "state = 'gone'"
      - name: flag
        data_tests:
          - not_null:
              config:
                where: "state = 'live'"
                severity: warn
      - name: ref_key
        data_tests:
          - unique:
              name: planted_ref_key_unique_while_live
              config:
                where: "state = 'live'"
          - unique
"""


def stored(con, table: str) -> list[dict]:
    cursor = con.execute(f'select * from test_failures."{table}"')
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def individual_failures(kind: str, kwargs: dict, rows: list[dict]) -> tuple[int, Counter]:
    """(failing rows, offending values -> rows) from a built-in test's stored failures."""
    if kind == "not_null":
        return len(rows), Counter()
    if kind in ("accepted_values", "unique"):
        field = "value_field" if kind == "accepted_values" else "unique_field"
        return (
            sum(r["n_records"] for r in rows),
            Counter({str(r[field]): r["n_records"] for r in rows}),
        )
    columns = kwargs["combination_of_columns"]
    return (
        sum(r["copies"] for r in rows),
        Counter({"|".join("NULL" if r[c] is None else str(r[c]) for c in columns): r["copies"] for r in rows}),
    )


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    root = tmp_path_factory.mktemp("row_rules")
    project = copy_project(root / "project")
    folder = project / "models" / "marts"
    (folder / "planted_rows.sql").write_text(PLANTED_SQL)
    (folder / "planted_rows.yml").write_text(PLANTED_YML)
    database, target = root / "work.duckdb", root / "target"
    result = subprocess.run(
        [dbt_bin(), "build", "--select", "planted_rows", "--project-dir", str(project),
         "--vars", json.dumps({"as_of_date": TEST_AS_OF.isoformat()})],
        cwd=project, env=dbt_env(database, target), capture_output=True, text=True,
    )
    assert "planted_rows" in result.stdout, result.stdout[-5000:]
    return project, database, target, result


@pytest.mark.slow
def test_row_rules_report_exactly_the_individual_tests_failures(planted):
    project, database, target, _ = planted
    manifest = json.loads((target / "manifest.json").read_text())
    results = {r["unique_id"]: r for r in json.loads((target / "run_results.json").read_text())["results"]}
    tests = [
        n for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and n.get("attached_node") == "model.lead_segmentation.planted_rows"
    ]
    row_rules = {n["config"]["severity"].lower(): n for n in tests if n["test_metadata"]["name"] == "row_rules"}
    individual = [n for n in tests if n["test_metadata"]["name"] != "row_rules"]
    assert set(row_rules) == {"error", "warn"} and len(individual) == 12
    # the planted rows break every rule but one: each rule kind fails somewhere
    with duckdb.connect(str(database), read_only=True) as con:
        reported = {sev: stored(con, node["alias"]) for sev, node in row_rules.items()}
        failing_kinds = set()
        for node in individual:
            kind, kwargs = node["test_metadata"]["name"], node["test_metadata"]["kwargs"]
            severity = node["config"]["severity"].lower()
            expected_rows, expected_values = individual_failures(kind, kwargs, stored(con, node["alias"]))
            assert results[node["unique_id"]]["failures"] == (
                len(stored(con, node["alias"]))
            ), node["name"]
            mine = [r for r in reported[severity] if r["rule"] == node["name"]]
            other = [r for r in reported[{"error": "warn", "warn": "error"}[severity]] if r["rule"] == node["name"]]
            assert not other, f"{node['name']} reported at the wrong severity"
            assert len(mine) == expected_rows, (node["name"], mine, expected_rows)
            assert {r["rule_kind"] for r in mine} <= {kind}
            assert all(r["model_name"] == "planted_rows" for r in mine)
            if kind != "not_null":
                assert Counter(r["failing_value"] for r in mine) == expected_values, node["name"]
            if expected_rows:
                failing_kinds.add((kind, bool(node["config"].get("where"))))
        # nothing reported that is not an individual test of the same model
        assert {r["rule"] for rows in reported.values() for r in rows} <= {n["name"] for n in individual}
        # row keys: the model's unwhere'd composite key (grp|seq), NULLs spelled NULL
        keys = {r["row_key"] for r in reported["error"] if r["rule"].startswith("not_null_planted_rows_planted_id")}
        assert keys == {"g3|3"}
    assert failing_kinds == {
        (kind, where)
        for kind in ("not_null", "accepted_values", "unique", "unique_combination_of_columns")
        for where in (False, True)
    }, failing_kinds


@pytest.mark.slow
def test_dbt_gate_names_each_failing_rule(planted, tmp_path, monkeypatch):
    from lead_segmentation.dbt_build import run_dbt_build
    from lead_segmentation.gates import GateFailed

    project, database, target, _ = planted
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "target" / "logs"))
    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads((target / "run_results.json").read_text())["results"]
    failing_error_rules = {
        "dbt.test." + manifest["nodes"][r["unique_id"]]["name"]
        for r in results
        if r["unique_id"].startswith("test.") and r["failures"]
        and manifest["nodes"][r["unique_id"]]["config"]["severity"].lower() == "error"
        and manifest["nodes"][r["unique_id"]]["test_metadata"]["name"] != "row_rules"
    }
    assert len(failing_error_rules) == 10, failing_error_rules
    work = tmp_path / "work.duckdb"  # the gate empties schema test_failures: work on a copy
    shutil.copy(database, work)
    with pytest.raises(GateFailed) as failed:
        run_dbt_build(
            project, work, {"as_of_date": TEST_AS_OF.isoformat()}, say=lambda _: None,
            select=["test_name:row_rules,planted_rows"],
        )
    assert failed.value.exit_code == 4
    findings = {f.check: f for f in failed.value.findings}
    assert set(findings) == failing_error_rules
    finding = findings["dbt.test.accepted_values_planted_rows_status__a__b"]
    assert finding.rows == 3 and "planted_rows" in finding.detail and "row_rules_planted_rows" in finding.detail
    assert finding.look.endswith("where rule = 'accepted_values_planted_rows_status__a__b'")
    with duckdb.connect(str(work), read_only=True) as con:
        assert con.execute(finding.look.replace("*", "count(*)", 1)).fetchone()[0] == 3
    # counts only: no offending value (possibly personal data) in the message
    assert "zzz" not in failed.value.report() and "qqq" not in failed.value.report()
