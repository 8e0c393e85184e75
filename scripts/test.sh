#!/usr/bin/env bash
# Every lint and test: sets up .venv, lints the SQL, then runs pytest (which builds generated
# data with dbt, runs dbt's unit and data tests, and the end-to-end checks).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export GX_ANALYTICS_ENABLED=false DBT_SEND_ANONYMOUS_USAGE_STATS=false
echo "[test] sqlfluff lint (dbt templater, duckdb dialect)"
.venv/bin/sqlfluff lint models --processes 2
echo "[test] pytest"
exec .venv/bin/python -m pytest tests "$@"
