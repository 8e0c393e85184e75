"""Where the project is and its default files live (the one home of these paths).

The package is installed editable from the repository (scripts/bootstrap.sh), so the project
folder is the one that holds src/: the dbt project, config/, warehouse/ and target/.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
CONFIG_DIR = PROJECT_DIR / "config"
WAREHOUSE_DIR = PROJECT_DIR / "warehouse"
TARGET_DIR = PROJECT_DIR / "target"

QUALITY_THRESHOLDS = CONFIG_DIR / "quality_thresholds.yml"
CRM_FIELD_MAPS_DIR = CONFIG_DIR / "crm_field_maps"
WORK_DB = WAREHOUSE_DIR / "work.duckdb"
PUBLISHED_DB = WAREHOUSE_DIR / "published.duckdb"
