#!/usr/bin/env bash
# The main job on a fresh machine: sets up .venv, then runs the job (lead-segmentation-pipeline) with the
# arguments given (default: the embedded demo data, as of today).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export GX_ANALYTICS_ENABLED=false DBT_SEND_ANONYMOUS_USAGE_STATS=false
exec .venv/bin/lead-segmentation-pipeline "$@"
