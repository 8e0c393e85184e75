"""dbt_build.by_rule: a failing row_rules test becomes one finding per failing rule (fast; the
real build is in tests/test_row_rules.py)."""

from __future__ import annotations

import duckdb

from lead_segmentation.dbt_build import TEST_FAILURES_SCHEMA, by_rule, failed_tests_from_store
from lead_segmentation.gates import Finding


def test_a_failing_row_rules_test_is_reported_rule_by_rule(tmp_path):
    work = tmp_path / "work.duckdb"
    with duckdb.connect(str(work)) as con:
        con.execute(f"create schema {TEST_FAILURES_SCHEMA}")
        con.execute(
            f"create table {TEST_FAILURES_SCHEMA}.row_rules_lead_scores_ as select * from (values "
            "('not_null_lead_scores_segment', 'not_null', 'lead_scores', 'segment', null, 'c1'), "
            "('not_null_lead_scores_segment', 'not_null', 'lead_scores', 'segment', null, 'c2'), "
            "('accepted_values_lead_scores_grade__a__b', 'accepted_values', 'lead_scores', 'grade', "
            "'someone@example.com', 'c3')"
            ") as t(rule, rule_kind, model_name, column_name, failing_value, row_key)"
        )
        con.execute(f"create table {TEST_FAILURES_SCHEMA}.not_null_x_id as select * from range(3)")
    checker = Finding(
        "dbt.test.row_rules_lead_scores_",
        "test fail on lead_scores: Got 3 results, configured to fail if != 0",
        rows=3,
        look=f"select * from {TEST_FAILURES_SCHEMA}.row_rules_lead_scores_",
    )
    plain = Finding("dbt.test.not_null_x_id", "test fail", rows=3, look=f"select * from {TEST_FAILURES_SCHEMA}.not_null_x_id")
    found = by_rule([checker, plain], work)
    assert [(f.check, f.rows) for f in found] == [
        ("dbt.test.accepted_values_lead_scores_grade__a__b", 1),
        ("dbt.test.not_null_lead_scores_segment", 2),
        ("dbt.test.not_null_x_id", 3),  # not a row_rules result: as it was
    ]
    first = found[0]
    assert "lead_scores" in first.detail and "grade" in first.detail and "row_rules_lead_scores_" in first.detail
    assert first.look == (
        f"select * from {TEST_FAILURES_SCHEMA}.row_rules_lead_scores_ "
        "where rule = 'accepted_values_lead_scores_grade__a__b'"
    )
    assert "example.com" not in first.render()  # counts, never the offending values
    with duckdb.connect(str(work), read_only=True) as con:
        assert con.execute(first.look.replace("*", "count(*)", 1)).fetchone()[0] == 1
    # warn-severity row_rules: reported as warnings per rule
    [warned, _] = by_rule([Finding(checker.check, "test warn on lead_scores: Got 3 results", 3, checker.look)], work)[:2]
    assert warned.detail.startswith("rule warn on lead_scores")


def test_fail_fast_store_fallback_names_the_rules_too(tmp_path):
    """With fail fast, dbt may record the failing row_rules test as skipped: its failing-row
    view names it, and by_rule (applied by run_dbt_build) splits it into rules."""
    work = tmp_path / "work.duckdb"
    with duckdb.connect(str(work)) as con:
        con.execute(f"create schema {TEST_FAILURES_SCHEMA}")
        con.execute(
            f"create view {TEST_FAILURES_SCHEMA}.row_rules_x_ as select 'unique_x_id' as rule, "
            "'unique' as rule_kind, 'x' as model_name, 'id' as column_name, '7' as failing_value, '7' as row_key "
            "from range(2)"
        )
    stored = failed_tests_from_store({}, [], work, tmp_path)
    assert [f.check for f in stored] == ["dbt.test.row_rules_x_"]
    [rule] = by_rule(stored, work)
    assert (rule.check, rule.rows) == ("dbt.test.unique_x_id", 2)


def test_saved_parse_state_is_dropped_only_when_the_project_changed(tmp_path):
    from lead_segmentation.dbt_build import PARSE_STATE, forget_stale_parse_state

    project, target = tmp_path / "project", tmp_path / "target"
    (project / "tests" / "generic").mkdir(parents=True)
    generic = project / "tests" / "generic" / "row_rules.sql"
    generic.write_text("select 1")
    variables = {"as_of_date": "2026-06-30"}
    state = target / PARSE_STATE

    # first run: no state yet; dbt writes one
    assert forget_stale_parse_state(project, target, variables) is False
    state.write_bytes(b"parsed")
    # next day, same code: kept (partial parsing), whatever the scoring date
    assert forget_stale_parse_state(project, target, {"as_of_date": "2026-07-01"}) is False
    assert state.exists()
    # a generic test edited (dbt-core#10903 territory): dropped, parsed in full once
    generic.write_text("select 2")
    assert forget_stale_parse_state(project, target, variables) is True
    assert not state.exists()
    state.write_bytes(b"parsed again")
    assert forget_stale_parse_state(project, target, variables) is False
    assert state.exists()
    # a state of unknown origin (no recorded hash) is not trusted
    (target / "partial_parse.project_hash").unlink()
    assert forget_stale_parse_state(project, target, variables) is True


def test_the_incremental_models_code_is_recorded_and_its_change_seen(tmp_path):
    from lead_segmentation.dbt_build import (
        INCREMENTAL_CODE_SOURCES,
        project_hash,
        record_incremental_code,
        recorded_incremental_code,
    )

    project, work = tmp_path / "project", tmp_path / "work.duckdb"
    (project / "models").mkdir(parents=True)
    (project / "tests").mkdir()
    model = project / "models" / "base_engagement__events.sql"
    model.write_text("select 1 as event_key")
    variables = {"as_of_date": "2026-06-30"}

    def code(**changed):
        return project_hash(project, {**variables, **changed}, INCREMENTAL_CODE_SOURCES)

    assert recorded_incremental_code(work) is None  # no database: nothing recorded
    built_with = code()
    record_incremental_code(work, built_with)
    assert recorded_incremental_code(work) == built_with
    # the next day, a test edited: the held rows still fit the code
    (project / "tests" / "x.sql").write_text("select 1")
    assert code(as_of_date="2026-07-01") == built_with
    # a var that changes what is built (another source) or a model edited: they do not
    assert code(crm_source="hubspot") != built_with
    model.write_text("select 1 as event_key, 2 as record_hash")
    assert code() != built_with


def test_relations_no_node_builds_any_more_are_dropped_after_a_build(tmp_path):
    """A renamed model's old table (with the rows it held) and a switched-off source's views
    go; what the manifest builds, snapshots (history), the loader's raw tables and the job's
    own ops tables stay."""
    import json

    from lead_segmentation.dbt_build import drop_stale_relations

    def node(kind, schema, name, alias=None):
        return {"resource_type": kind, "schema": schema, "name": name, "alias": alias or name}

    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"nodes": {str(i): n for i, n in enumerate([
        node("model", "staging", "stg_hubspot__contacts"),
        node("model", "marts", "lead_scores"),
        node("seed", "config", "scoring_weights"),
        node("snapshot", "snapshots", "lead_scores_snapshot"),
        node("test", "test_failures", "not_null_x", alias="not_null_x"),
    ])}}))
    db = tmp_path / "work.duckdb"
    with duckdb.connect(str(db)) as con:
        for schema in ("staging", "marts", "config", "snapshots", "raw", "ops"):
            con.execute(f"create schema {schema}")
        for relation in (
            "staging.stg_hubspot__contacts", "staging.stg_hubspot__crm_contacts",
            "marts.lead_scores", "config.scoring_weights", "config.old_weights",
            "snapshots.lead_scores_snapshot", "snapshots.renamed_snapshot",
            "raw.crm_contacts", "ops.pipeline_runs",
        ):
            con.execute(f"create table {relation} as select 1 as x")
        con.execute("create view staging.stg_engagement__events as select 1 as x")

    dropped = drop_stale_relations(db, manifest)

    assert dropped == [
        "config.old_weights", "staging.stg_engagement__events", "staging.stg_hubspot__crm_contacts",
    ]
    with duckdb.connect(str(db), read_only=True) as con:
        left = {f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()}
    assert left == {
        "staging.stg_hubspot__contacts", "marts.lead_scores", "config.scoring_weights",
        "snapshots.lead_scores_snapshot", "snapshots.renamed_snapshot", "raw.crm_contacts",
        "ops.pipeline_runs",
    }
    assert drop_stale_relations(db, manifest) == []  # nothing left to drop
    assert drop_stale_relations(db, tmp_path / "no_manifest.json") == []
