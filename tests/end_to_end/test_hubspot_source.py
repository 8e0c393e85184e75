"""The main job on HubSpot (issue 14), end to end.

- differential: the demo population converted to HubSpot connector shape (with its web events
  in Segment's shape) and run with `--source hubspot` publishes the same four marts as the
  files source given the same population as HubSpot carries it (hubspot_shape's `travelled`
  tables: the documented differences). lead_routing.updated_at is left out: it is the time
  the routing was first seen (the snapshot's run time), not data.
- the Fivetran HubSpot samples (../shared/external/fivetran_hubspot: real connector schema,
  hashed values, unlinked keys) attached read-only from a DuckDB file: they load, every
  connector row is accounted for in the reconciliation, and the run publishes.
- the raw gate names the connector table it stops on.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import TEST_AS_OF, run_dbt
from pipeline_helpers import PROJECT_DIR, Warehouse, pipeline_env, run_pipeline

FIVETRAN_SAMPLES = PROJECT_DIR.parent / "shared" / "external" / "fivetran_hubspot"
MARTS = ("lead_scores", "segment_matrix", "lead_routing", "segment_kpis")
NOT_DATA = {"lead_routing": ["updated_at"]}  # the snapshot's run time


def _marts(database: Path) -> dict:
    con = duckdb.connect(str(database), read_only=True)
    try:
        out = {}
        for mart in MARTS:
            frame = con.execute(f"select * from marts.{mart}").df()
            frame = frame.drop(columns=NOT_DATA.get(mart, []))
            out[mart] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def hubspot_population(generated_raw_dir, tmp_path_factory):
    from lead_segmentation.sources.hubspot_shape import convert

    root = tmp_path_factory.mktemp("hubspot_population")
    convert(generated_raw_dir, root / "hubspot", root / "travelled")
    return root


@pytest.fixture(scope="module")
def hubspot_run(hubspot_population, tmp_path_factory):
    warehouse = Warehouse(tmp_path_factory.mktemp("hubspot_run"))
    run = run_pipeline(
        warehouse, hubspot_population / "hubspot", TEST_AS_OF, extra_args=["--source", "hubspot"]
    )
    assert run.returncode == 0, run.output[-6000:]
    return warehouse, run


@pytest.mark.slow
def test_hubspot_shape_publishes_the_same_marts_as_the_files_it_carries(hubspot_population, hubspot_run, tmp_path):
    warehouse, run = hubspot_run
    assert "ignored" not in run.output or "not read by the adapters" in run.output
    files = Warehouse(tmp_path / "files")
    files_run = run_pipeline(files, hubspot_population / "travelled", TEST_AS_OF)
    assert files_run.returncode == 0, files_run.output[-6000:]
    from_hubspot, from_files = _marts(warehouse.published_db), _marts(files.published_db)
    for mart in MARTS:
        assert len(from_hubspot[mart]) > 0, mart
        assert from_hubspot[mart].equals(from_files[mart]), f"{mart} differs between the sources"
    # The population is not trivial: web, email, form and activity signals all travelled.
    con = duckdb.connect(str(warehouse.work_db), read_only=True)
    sources = dict(con.execute(
        "select source_system, count(*) from staging.stg_engagement__events group by 1"
    ).fetchall())
    assert sources.get("hubspot", 0) > 0 and sources.get("segment", 0) > 0, sources
    reasons = dict(con.execute(
        "select rejection_reason, count(*) from audit.dq_rejected_rows "
        "where table_name = 'engagement_events' group by 1"
    ).fetchall())
    assert reasons.get("email_bookkeeping_event", 0) > 0 and reasons.get("filtered_bot_event", 0) > 0


@pytest.mark.slow
def test_hubspot_reconciliation_counts_every_connector_row(hubspot_population, hubspot_run):
    warehouse, _ = hubspot_run
    from lead_segmentation.sources.hubspot_tables import all_connector_tables

    expected: dict[str, int] = {}
    for name, table in all_connector_tables().items():
        path = hubspot_population / "hubspot" / f"{name}.csv"
        if table.feeds and path.exists():
            rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
            expected[table.feeds] = expected.get(table.feeds, 0) + rows
    con = duckdb.connect(str(warehouse.published_db), read_only=True)
    reconciled = {
        r[0]: (r[1], r[2])
        for r in con.execute(
            "select table_name, raw_rows, kept_rows + duplicate_rows + merged_rows + rejected_rows "
            "from marts.dq_row_reconciliation"
        ).fetchall()
    }
    for table, rows in expected.items():
        assert reconciled[table] == (rows, rows), table
    # Explicit merges are merged, not rejected.
    merged = con.execute(
        "select merged_rows from marts.dq_row_reconciliation where table_name = 'crm_contacts'"
    ).fetchone()[0]
    assert merged > 0


@pytest.mark.slow
def test_hubspot_adapter_unit_tests_pass(hubspot_run):
    warehouse, _ = hubspot_run
    run_dbt(
        ["test", "--select", "test_type:unit,path:models/staging/hubspot", "test_type:unit,path:models/staging/segment"],
        database=warehouse.work_db,
        target_path=warehouse.root / "unit_target",
        extra_vars={
            "crm_source": "hubspot", "hubspot_schema": "raw_hubspot",
            "segment_enabled": True, "segment_schema": "raw_segment",
        },
    )


def test_raw_gate_names_the_connector_table(hubspot_population, tmp_path):
    broken = tmp_path / "hubspot"
    shutil.copytree(hubspot_population / "hubspot", broken)
    lines = (broken / "email_event_click.csv").read_text(encoding="utf-8").splitlines()
    # Every click detail twice: each would count its click twice.
    (broken / "email_event_click.csv").write_text("\n".join(lines + lines[1:]) + "\n", encoding="utf-8")
    (broken / "ticket.csv").write_text("id\n1\n", encoding="utf-8")
    run = run_pipeline(Warehouse(tmp_path / "wh"), broken, TEST_AS_OF, extra_args=["--source", "hubspot"])
    assert run.returncode == 3, run.output[-4000:]
    assert "hubspot.email_event_click.duplicate_key_share" in run.output
    assert "ticket.csv" in run.output  # listed as not read


def _fivetran_database(target: Path) -> Path:
    """The samples as a Fivetran DuckDB destination: schema hubspot, one table per file."""
    con = duckdb.connect(str(target))
    con.execute("create schema hubspot")
    for path in sorted(FIVETRAN_SAMPLES.glob("*_data.csv")):
        table = path.name.removesuffix("_data.csv")
        if table.endswith(("_postgres", "_snowflake", "_databricks")):
            continue  # the same rows with another warehouse's quoting
        con.execute(
            f"create table hubspot.{table} as select * from read_csv('{path}', header = true, all_varchar = true)"
        )
    con.close()
    return target


@pytest.mark.slow
@pytest.mark.skipif(not FIVETRAN_SAMPLES.is_dir(), reason=f"Fivetran HubSpot samples not found at {FIVETRAN_SAMPLES}")
def test_fivetran_samples_load_reconcile_and_publish(tmp_path):
    source = _fivetran_database(tmp_path / "fivetran.duckdb")
    fingerprint = hashlib.sha256(source.read_bytes()).hexdigest()
    # The samples are years old, hashed and unlinked (no event reaches a contact): relax only
    # freshness, the rejected shares and the population shares, which such data cannot pass
    # by design.
    config = yaml.safe_load((PROJECT_DIR / "config" / "quality_thresholds.yml").read_text())
    for limits in config["raw"]["tables"].values():
        limits["max_staleness_days"] = 100000
    config["raw"]["defaults"]["max_staleness_days"] = 100000
    config["marts"]["max_rejected_share"] = {"default": 1.0}
    # Hashed emails (all invalid) and unlinked keys (no contact has a known account).
    for key in ("max_suppressed_share", "max_invalid_email_share", "max_without_account_share"):
        config["marts"]["population"][key] = 1.0
    relaxed = tmp_path / "thresholds.yml"
    relaxed.write_text(yaml.safe_dump(config))
    warehouse = Warehouse(tmp_path / "wh")
    cmd = [
        sys.executable, "-m", "lead_segmentation.pipeline", "--as-of", TEST_AS_OF.isoformat(),
        "--source", "hubspot", "--source-database", str(source), "--config", str(relaxed),
        "--work-db", str(warehouse.work_db), "--published-db", str(warehouse.published_db),
    ]
    run = subprocess.run(
        cmd, cwd=PROJECT_DIR, env=pipeline_env(warehouse), capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-6000:]
    assert hashlib.sha256(source.read_bytes()).hexdigest() == fingerprint, "the source was modified"
    src = duckdb.connect(str(source), read_only=True)
    connector_rows = {
        "crm_accounts": src.execute("select count(*) from hubspot.company").fetchone()[0],
        "crm_contacts": src.execute("select count(*) from hubspot.contact").fetchone()[0],
        "crm_opportunities": src.execute("select count(*) from hubspot.deal").fetchone()[0],
        "engagement_events": src.execute("select count(*) from hubspot.email_event").fetchone()[0],
        "form_submissions": src.execute("select count(*) from hubspot.contact_form_submission").fetchone()[0],
        "sales_activities": src.execute("select count(*) from hubspot.engagement").fetchone()[0],
    }
    con = duckdb.connect(str(warehouse.published_db), read_only=True)
    for table, raw_rows, balanced in con.execute(
        "select table_name, raw_rows, is_balanced from marts.dq_row_reconciliation"
    ).fetchall():
        assert raw_rows == connector_rows[table] and balanced, table
    assert con.execute("select count(*) from marts.lead_scores").fetchone()[0] > 0
