"""The same project on Spark: builds and passes there, and publishes the same marts as DuckDB.

The test session's generated raw folder (conftest's `generated_raw_dir`, also behind the
DuckDB `built_warehouse`) is loaded into a local Spark warehouse in a temporary folder
(src/lead_segmentation/load_raw_spark.py) and built there with the unchanged project, switching only the
target (`DBT_TARGET=spark`): seeds, models, snapshots, unit tests and data tests, all of which
must pass. Then the four published marts are compared row for row with the DuckDB build:
every column, text and integers exactly, scores at 2 decimals, other doubles to 1e-9
(aggregation order may move the last bits). The only column left out is lead_routing's
updated_at, which is the snapshot clock (each run's own start time) by design.

Spark's results are read from the Parquet files of its tables (the warehouse folder), with
DuckDB, so the comparison needs no second Spark start. Needs Java (17+); without it the test
is skipped, saying so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import math
import os
import shutil
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from conftest import dbt_env, run_dbt

JAVA = os.environ.get("JAVA_HOME") or shutil.which("java")
# The tests that build on Spark (all but the comparison's own self-check).
needs_spark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not JAVA,
        reason="Java is not installed (no `java` on PATH, no JAVA_HOME): the local Spark target "
        "cannot start, so the Spark parity test cannot run. Install a JRE 17+ (e.g. "
        "apt-get install openjdk-17-jre-headless) to run it.",
    ),
]


def spark_test(function):
    for mark in needs_spark:
        function = mark(function)
    return function


# Mart -> its primary key (CONTRACT.md section 3).
MARTS = {
    "lead_scores": ["contact_id"],
    "segment_matrix": ["risk_band", "intent_level"],
    "lead_routing": ["contact_id"],
    "segment_kpis": ["week_start", "segment", "experiment_group"],
}
# Columns that differ between any two runs by design: the snapshot clock (the run's start).
RUN_CLOCK_COLUMNS = {"lead_routing": {"updated_at"}}
SHOWN_DIFFERENCES = 10


@dataclasses.dataclass(frozen=True)
class SparkBuild:
    warehouse_dir: Path  # SPARK_WAREHOUSE_DIR: tables/ (Parquet) and metastore_db/
    target_path: Path
    as_of: dt.date
    raw_counts: dict
    seconds_load: float
    seconds_build: float

    def table_files(self, schema: str, table: str) -> str:
        folder = self.warehouse_dir / "tables" / f"{schema}.db" / table
        assert (folder / "_SUCCESS").exists(), f"Spark table {schema}.{table} not found at {folder}"
        return str(folder / "*.parquet")


def spark_target_env(warehouse_dir: Path) -> dict[str, str]:
    """The environment that points the project at the local Spark warehouse in `warehouse_dir`."""
    return {"DBT_TARGET": "spark", "SPARK_WAREHOUSE_DIR": str(warehouse_dir)}


@pytest.fixture(scope="module")
def spark_build(tmp_path_factory, built_warehouse) -> SparkBuild:
    from lead_segmentation.load_raw_spark import load_raw_spark

    root = tmp_path_factory.mktemp("spark")
    warehouse_dir = root / "warehouse"
    target_path = root / "target"
    env = dbt_env(root / "unused.duckdb", target_path, spark_target_env(warehouse_dir))
    started = time.monotonic()
    counts = load_raw_spark(built_warehouse.raw_dir, warehouse_dir, env=env, quiet=True)
    loaded = time.monotonic()
    result = run_dbt(
        ["build"],
        database=root / "unused.duckdb",
        target_path=target_path,
        as_of=built_warehouse.as_of,
        extra_env=spark_target_env(warehouse_dir),
        check=False,
    )
    built = time.monotonic()
    if result.returncode != 0:
        failures = [ln for ln in result.stdout.splitlines() if "ERROR" in ln or "FAIL" in ln]
        raise AssertionError(
            f"dbt build on Spark failed (exit {result.returncode}); failing nodes:\n"
            + "\n".join(failures[:40])
            + f"\n--- dbt output (end) ---\n{result.stdout[-12000:]}\n{result.stderr[-3000:]}"
        )
    print(f"[spark parity] load {loaded - started:.0f}s, dbt build {built - loaded:.0f}s")
    return SparkBuild(
        warehouse_dir, target_path, built_warehouse.as_of, counts, loaded - started, built - loaded
    )


def _run_results(target_path: Path) -> dict[str, str]:
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    return {r["unique_id"]: r["status"] for r in results}


@spark_test
def test_spark_loads_every_raw_row(spark_build, built_warehouse):
    assert spark_build.raw_counts == built_warehouse.raw_counts


@spark_test
def test_spark_builds_and_passes_the_same_nodes(spark_build, built_warehouse):
    """Every seed, model, snapshot, unit test and data test of the DuckDB build ran on Spark
    too, and passed: nothing is skipped or disabled on the Spark target."""
    on_spark = _run_results(spark_build.target_path)
    on_duckdb = _run_results(built_warehouse.target_path)
    assert set(on_spark) == set(on_duckdb), (
        f"only on DuckDB: {sorted(set(on_duckdb) - set(on_spark))[:20]}; "
        f"only on Spark: {sorted(set(on_spark) - set(on_duckdb))[:20]}"
    )
    not_passed = {
        uid: status
        for uid, status in on_spark.items()
        if status not in ("success", "pass") and not uid.startswith("exposure.")  # exposures: no-op
    }
    assert not not_passed, f"not passed on Spark: {not_passed}"
    kinds = Counter(uid.split(".")[0] for uid in on_spark)
    for kind in ("seed", "model", "snapshot", "unit_test", "test"):
        assert kinds[kind] > 0, f"the Spark build ran no {kind}: {dict(kinds)}"


def _normalise(value, column_type: str):
    """One comparable Python value: 2-decimal scores as exact cents, doubles to 1e-9."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, decimal.Decimal) or column_type.upper().startswith("DECIMAL"):
        return decimal.Decimal(value).quantize(decimal.Decimal("0.01"))
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _rows(con: duckdb.DuckDBPyConnection, relation: str, skip: set[str]):
    described = con.execute(f"describe select * from {relation}").fetchall()
    columns = [name for name, column_type, *_ in described]
    types = {name: column_type for name, column_type, *_ in described}
    kept = [c for c in columns if c not in skip]
    rows = con.execute(f"select {', '.join(kept)} from {relation}").fetchall()
    normalised = [tuple(_normalise(v, types[c]) for v, c in zip(row, kept)) for row in rows]
    return columns, kept, normalised


def _differences(columns: list[str], key: list[str], duck_rows: list, spark_rows: list) -> list:
    """Row-for-row differences by primary key: missing rows, then differing columns."""
    positions = [columns.index(k) for k in key]

    def keyed(rows):
        by_key = {tuple(row[i] for i in positions): row for row in rows}
        assert len(by_key) == len(rows), f"primary key {key} not unique"
        return by_key

    duck_by_key, spark_by_key = keyed(duck_rows), keyed(spark_rows)
    differences = []
    for k in sorted(set(duck_by_key) | set(spark_by_key), key=repr):
        duck_row, spark_row = duck_by_key.get(k), spark_by_key.get(k)
        if duck_row is None or spark_row is None:
            differences.append(f"{k}: only on {'Spark' if duck_row is None else 'DuckDB'}")
            continue
        for column, duck_value, spark_value in zip(columns, duck_row, spark_row):
            if duck_value != spark_value:
                differences.append(f"{k} {column}: duckdb={duck_value!r} spark={spark_value!r}")
    return differences


def test_comparison_sees_a_cent_and_ignores_float_noise():
    """The mart comparison itself (runs without Spark): a score one cent off and a missing
    row are differences; a double differing in its last bits is not."""
    columns = ["contact_id", "contact_intent_score", "share_of_contacts"]
    types = ("VARCHAR", "DECIMAL(12,2)", "DOUBLE")

    def row(*values):
        return tuple(_normalise(v, t) for v, t in zip(values, types))

    duck = [row("c1", decimal.Decimal("12.34"), 0.1 + 0.2), row("c2", decimal.Decimal("0.00"), 0.5)]
    same = [row("c1", decimal.Decimal("12.34"), 0.3), row("c2", decimal.Decimal("0"), 0.5)]
    assert _differences(columns, ["contact_id"], duck, same) == []
    found = _differences(columns, ["contact_id"], duck, [row("c1", decimal.Decimal("12.35"), 0.3)])
    assert found == [
        "('c1',) contact_intent_score: duckdb=Decimal('12.34') spark=Decimal('12.35')",
        "('c2',): only on DuckDB",
    ]


@spark_test
@pytest.mark.parametrize("mart", sorted(MARTS))
def test_mart_matches_duckdb_row_for_row(spark_build, built_warehouse, mart):
    skip = RUN_CLOCK_COLUMNS.get(mart, set())
    with built_warehouse.connect() as con:
        duck_columns, kept, duck_rows = _rows(con, f"marts.{mart}", skip)
    spark_relation = f"read_parquet('{spark_build.table_files('marts', mart)}')"
    with duckdb.connect() as con:
        spark_columns, spark_kept, spark_rows = _rows(con, spark_relation, skip)
        clock_nulls = [
            con.execute(f"select count(*) from {spark_relation} where {c} is null").fetchone()[0]
            for c in sorted(skip)
        ]

    assert spark_columns == duck_columns, f"{mart}: columns differ"
    assert all(n == 0 for n in clock_nulls), f"{mart}: {sorted(skip)} NULL on Spark"
    assert len(duck_rows) > 0, f"{mart}: the DuckDB build published no rows to compare"
    assert len(spark_rows) == len(duck_rows), (
        f"{mart}: {len(spark_rows)} rows on Spark, {len(duck_rows)} on DuckDB"
    )

    differences = _differences(kept, MARTS[mart], duck_rows, spark_rows)
    assert not differences, (
        f"{mart}: {len(differences)} difference(s) between DuckDB and Spark, first "
        f"{SHOWN_DIFFERENCES}:\n" + "\n".join(differences[:SHOWN_DIFFERENCES])
    )


# The backtest (models/backtest, built only when asked): two as-of dates whose 90-day horizon
# is complete by the session's scoring date, and the tables compared with their keys.
BACKTEST_VARS = {"backtest_as_of_dates": "2026-02-28,2026-03-31"}
BACKTEST_TABLES = {
    "int_backtest_contacts_scored": ["as_of_date", "contact_id"],
    "score_backtest": ["as_of_date", "score_name", "outcome", "bucket_type", "bucket"],
}


@spark_test
def test_backtest_on_spark_passes_and_matches_duckdb(spark_build, built_warehouse, tmp_path):
    """The backtest builds on Spark with its unit and data tests passing, and scores the same
    people the same way as on DuckDB: the point-in-time scores and the evaluation row for row.
    (It writes only the backtest schema, never the marts compared above.)"""
    database = tmp_path / "work.duckdb"
    shutil.copy(built_warehouse.database, database)
    duck_target = tmp_path / "duckdb_target"
    run_dbt(
        ["build", "--select", "tag:backtest"],
        database=database,
        target_path=duck_target,
        as_of=spark_build.as_of,
        extra_vars=BACKTEST_VARS,
    )

    spark_target = tmp_path / "spark_target"
    result = run_dbt(
        ["build", "--select", "tag:backtest"],
        database=tmp_path / "unused.duckdb",
        target_path=spark_target,
        as_of=spark_build.as_of,
        extra_vars=BACKTEST_VARS,
        extra_env=spark_target_env(spark_build.warehouse_dir),
        check=False,
    )
    assert result.returncode == 0, (
        f"the backtest failed on Spark:\n{result.stdout[-8000:]}\n{result.stderr[-2000:]}"
    )
    on_spark, on_duckdb = _run_results(spark_target), _run_results(duck_target)
    assert set(on_spark) == set(on_duckdb)
    assert {s for uid, s in on_spark.items() if not uid.startswith("operation.")} <= {"success", "pass"}
    assert any(uid.startswith("unit_test.") for uid in on_spark), "no backtest unit test ran"

    for table, key in BACKTEST_TABLES.items():
        with duckdb.connect(str(database), read_only=True) as con:
            duck_columns, kept, duck_rows = _rows(con, f"backtest.{table}", set())
        with duckdb.connect() as con:
            spark_relation = f"read_parquet('{spark_build.table_files('backtest', table)}')"
            spark_columns, _, spark_rows = _rows(con, spark_relation, set())
        assert spark_columns == duck_columns, f"{table}: columns differ"
        assert len(duck_rows) > 0, f"{table}: the DuckDB backtest has no rows to compare"
        differences = _differences(kept, key, duck_rows, spark_rows)
        assert not differences, (
            f"{table}: {len(differences)} difference(s) between DuckDB and Spark, first "
            f"{SHOWN_DIFFERENCES}:\n" + "\n".join(differences[:SHOWN_DIFFERENCES])
        )


# Columns a rewrite sets anew by design: when the run that wrote the row started (row_rules'
# rows_written_at, macro judge_engagement_events).
RUN_STAMPS = ("_judged_at",)


def _table_rows(relation: str) -> Counter:
    with duckdb.connect() as con:
        columns = [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()]
        kept = ", ".join(f'"{c}"' for c in columns if c not in RUN_STAMPS)
        rows = con.execute(f"select {kept} from {relation}").fetchall()
    return Counter(tuple(_normalise(v, "") for v in row) for row in rows)


@spark_test
def test_second_spark_run_keeps_incremental_tables_and_snapshots(spark_build):
    """Incremental models (delete+insert) and snapshots run on Spark Parquet through the
    project's own materializations, as a rewrite of the table, from their second run on. A
    second run on unchanged data must leave every row as it was: the same deliveries, daily
    aggregates and snapshot versions, none lost, none doubled. (Runs last: it rebuilds only
    those tables, never the marts compared above.)"""
    manifest = json.loads((spark_build.target_path / "manifest.json").read_text())
    rewritten = sorted(
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "snapshot"
        or (node["resource_type"] == "model" and node["config"]["materialized"] == "incremental")
    )
    assert len(rewritten) >= 4, f"expected the incremental models and snapshots, found {rewritten}"
    before = {t: _table_rows(f"read_parquet('{spark_build.table_files(*t)}')") for t in rewritten}

    target_path = spark_build.target_path.parent / "target_second_run"
    result = run_dbt(
        [
            "build",
            "--select", "config.materialized:incremental", "resource_type:snapshot",
            "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
        ],
        database=target_path / "unused.duckdb",
        target_path=target_path,
        as_of=spark_build.as_of,
        extra_env=spark_target_env(spark_build.warehouse_dir),
        check=False,
    )
    assert result.returncode == 0, (
        f"second run failed:\n{result.stdout[-8000:]}\n{result.stderr[-2000:]}"
    )
    # the nodes selected; the on-run-end hook (record_build_as_of) is an extra operation result
    ran = {uid: s for uid, s in _run_results(target_path).items() if not uid.startswith("operation.")}
    assert len(ran) == len(rewritten) and set(ran.values()) == {"success"}, ran

    changed = []
    for table in rewritten:
        after = _table_rows(f"read_parquet('{spark_build.table_files(*table)}')")
        if after != before[table]:
            lost, new = before[table] - after, after - before[table]
            changed.append(
                f"{'.'.join(table)}: {sum(before[table].values())} rows before, "
                f"{sum(after.values())} after; {sum(lost.values())} lost, {sum(new.values())} new"
            )
    assert not changed, "a second run on the same data changed:\n" + "\n".join(changed)
