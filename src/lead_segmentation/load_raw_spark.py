"""Load a folder of raw files into schema `raw` of the Spark target (DBT_TARGET=spark).

    python -m lead_segmentation.load_raw_spark --raw-dir DIR [--warehouse-dir warehouse/spark]

The same files, the same rules and the same refusals as load_raw.py, because that
loader does the reading and validation: the folder is first loaded into a throw-away DuckDB
file (strict types, `""` kept apart from an empty field, `_line_number` / `_loaded_at`), each
raw table is written to Parquet, and `dbt run-operation spark_load_raw_tables` then creates
`raw.<table>` in the spark target from those files, cast to the contract's Spark types and
row-counted. Going through dbt means the load uses exactly the profile's Spark session
(warehouse folder, metastore), with no second copy of its settings here.

A refused folder changes nothing in Spark (validation ends before Spark is touched). The Spark
side replaces the six tables one after the other: Spark's Parquet tables have no
multi-statement transactions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from lead_segmentation.load_raw import RawLoadError, load_raw
from lead_segmentation.paths import PROJECT_DIR
from lead_segmentation.raw_schema import LOADER_COLUMNS, RAW_TABLES
from lead_segmentation.sql import quote_literal

# Logical type (raw_schema.py) -> Spark SQL type.
SPARK_TYPES = {
    "text": "string",
    "integer": "bigint",
    "double": "double",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "date": "date",
}


def _dbt_bin() -> str:
    return str(Path(sys.executable).parent / "dbt")


def load_raw_spark(
    raw_dir: str | Path,
    warehouse_dir: str | Path,
    *,
    env: dict[str, str] | None = None,
    quiet: bool = False,
) -> dict[str, int]:
    """Validate and load the raw folder into the spark target; return rows per table."""
    warehouse_dir = Path(warehouse_dir).resolve()
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="load_raw_spark_", dir=warehouse_dir) as tmp:
        tmp_dir = Path(tmp)
        # Not raw.duckdb: a catalog named raw would shadow the schema raw.
        database = tmp_dir / "validated.duckdb"
        counts = load_raw(raw_dir, database, quiet=quiet)
        tables: dict[str, dict] = {}
        con = duckdb.connect(str(database), read_only=True)
        try:
            for table in RAW_TABLES:
                path = tmp_dir / f"{table}.parquet"
                con.execute(
                    f"copy (select * from raw.{table} order by _line_number) "
                    f"to {quote_literal(path)} (format parquet)"
                )
                columns = [
                    [name, SPARK_TYPES[logical]]
                    for name, logical in RAW_TABLES[table] + LOADER_COLUMNS
                ]
                tables[table] = {"path": str(path), "columns": columns, "rows": counts[table]}
        finally:
            con.close()

        run_env = dict(os.environ if env is None else env)
        run_env.update(DBT_TARGET="spark", SPARK_WAREHOUSE_DIR=str(warehouse_dir))
        run_env.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
        cmd = [
            _dbt_bin(),
            "run-operation",
            "spark_load_raw_tables",
            "--args",
            json.dumps({"tables": tables}),
            "--project-dir",
            str(PROJECT_DIR),
        ]
        result = subprocess.run(cmd, cwd=PROJECT_DIR, env=run_env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(
                f"dbt run-operation spark_load_raw_tables failed (exit {result.returncode}):\n"
                f"{result.stdout[-5000:]}\n{result.stderr[-3000:]}"
            )
        if not quiet:
            for line in result.stdout.splitlines():
                if "[load_raw_spark]" in line:
                    print(line, file=sys.stderr)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--raw-dir", required=True, type=Path, help="folder of <table>.csv|.parquet"
    )
    parser.add_argument(
        "--warehouse-dir",
        type=Path,
        default=Path(os.environ.get("SPARK_WAREHOUSE_DIR", "warehouse/spark")),
        help="the spark target's folder (tables + metastore); env SPARK_WAREHOUSE_DIR",
    )
    args = parser.parse_args(argv)
    try:
        load_raw_spark(args.raw_dir, args.warehouse_dir)
    except RawLoadError as exc:
        print(f"load refused: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"spark load failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
