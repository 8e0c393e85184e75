#!/usr/bin/env bash
# Every lint and test: sets up .venv, lints the SQL, then runs pytest (which builds generated
# data with dbt, runs dbt's unit and data tests, and the end-to-end checks).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export GX_ANALYTICS_ENABLED=false DBT_SEND_ANONYMOUS_USAGE_STATS=false
echo "[test] sqlfluff lint (dbt templater, duckdb dialect)"
# The dbt templater opens the profile's database: give it a throw-away one, so linting never
# holds the lock of the work database a running job needs.
lint_dir="$(mktemp -d)"
trap 'rm -rf "$lint_dir"' EXIT
DBT_DUCKDB_PATH="$lint_dir/lint.duckdb" DUCKDB_TEMP_DIRECTORY="$lint_dir/tmp" \
    .venv/bin/sqlfluff lint models --processes 2
# The files source's staging folders are enabled only with crm_source files: a second pass.
DBT_DUCKDB_PATH="$lint_dir/lint.duckdb" DUCKDB_TEMP_DIRECTORY="$lint_dir/tmp" \
    .venv/bin/sqlfluff lint models/staging/crm models/staging/engagement \
    --config .sqlfluff-files-source --processes 2
# Two worker processes (pytest-xdist), each taking whole test files (--dist loadfile: a
# file's module-scoped builds and runs stay in one worker and are made once). dbt's, Great
# Expectations' and the job's Python is single-threaded, so two workers use a 2-core machine
# the second worker uses the second core (README "Testing"). TEST_WORKERS=0 runs in one process.
workers="${TEST_WORKERS:-2}"
echo "[test] pytest ($workers workers)"
.venv/bin/python -m pytest tests -n "$workers" --dist loadfile "$@"
