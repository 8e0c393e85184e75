"""contract.py names dbt models; these tests fail when a model it names is renamed or when the
project's public marts change without it."""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import PROJECT_DIR
from lead_segmentation.contract import (
    BACKTEST_MARTS,
    CONTRACT_COLUMNS,
    PUBLIC_MARTS,
    STAGING_FOLDERS,
    staged_model,
    staging_models,
)
from lead_segmentation.raw_schema import RAW_TABLES


def _documented_models() -> list[dict]:
    models = []
    for path in sorted((PROJECT_DIR / "models").rglob("*.yml")):
        models += (yaml.safe_load(path.read_text()) or {}).get("models", [])
    return models


def test_public_marts_are_the_models_with_public_access():
    public = {
        model["name"]
        for model in _documented_models()
        if (model.get("access") or model.get("config", {}).get("access")) == "public"
    }
    assert set(PUBLIC_MARTS) | set(BACKTEST_MARTS) == public
    assert list(PUBLIC_MARTS) == list(CONTRACT_COLUMNS)


def test_staging_models_are_one_clean_model_per_raw_table():
    sql_models = {path.stem for path in (PROJECT_DIR / "models" / "staging").rglob("*.sql")}
    files = staging_models("files")
    missing = [name for name in files if name not in sql_models]
    assert not missing, f"contract.staging_models names models that do not exist: {missing}"
    assert len(set(files)) == len(files) == len(RAW_TABLES)
    assert all(name.startswith("stg_") and not name.endswith("_rejected") for name in files)
    # HubSpot's chain of the CRM entities (its events and forms chain is issue 14's other half)
    crm = [staged_model(layer, entity, "hubspot") for layer in ("base", "stg") for entity in
           ("accounts", "contacts", "opportunities", "sales_activities")]
    assert [name for name in crm if name not in sql_models] == []
    assert staged_model("stg", "account_frameworks", "hubspot") in sql_models


def test_staged_model_maps_entities_as_the_dbt_switch_does():
    """contract.STAGING_FOLDERS is the Python side of macro staged_relation: same entities,
    same folders (the macro's files_folders; every other source is its own folder)."""
    macro = (PROJECT_DIR / "macros" / "sources" / "staged_relation.sql").read_text()
    block = re.search(r"files_folders = \{(.*?)\}", macro, re.S).group(1)
    assert dict(re.findall(r'"(\w+)": "(\w+)"', block)) == STAGING_FOLDERS["files"]
    assert staged_model("base", "contacts", "hubspot") == "base_hubspot__contacts"
    assert staged_model("stg", "events") == "stg_engagement__events"
    with pytest.raises(ValueError):
        staged_model("int", "contacts")
    with pytest.raises(ValueError):
        staged_model("stg", "contacts", "salesforce")
