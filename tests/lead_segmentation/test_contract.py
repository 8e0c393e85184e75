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
    FILES_STAGING_FOLDERS,
    STAGING_MODELS,
    staged_model,
    staged_models,
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
    missing = [name for name in STAGING_MODELS if name not in sql_models]
    assert not missing, f"contract.STAGING_MODELS names models that do not exist: {missing}"
    assert len(set(STAGING_MODELS)) == len(STAGING_MODELS) == len(RAW_TABLES)
    assert all(name.startswith("stg_") and not name.endswith("_rejected") for name in STAGING_MODELS)


def test_staged_models_name_the_staging_tables_of_the_source_read():
    """The Python side of macro staged_relation: each source's own folder, and with Segment
    the events are the source's and Segment's; every name is a model of the project."""
    assert staged_models("base", "events") == ("base_engagement__events",)
    assert staged_models("stg", "contacts") == ("stg_crm__contacts",)
    assert staged_models("stg", "events", segment_enabled=True) == ("stg_engagement__events", "stg_segment__events")
    assert staged_models("base", "events", "hubspot", segment_enabled=True) == (
        "base_hubspot__events",
        "base_segment__events",
    )
    assert staged_models("stg", "form_submissions", "hubspot", segment_enabled=True) == (
        "stg_hubspot__form_submissions",
    )
    assert staged_model("base", "contacts", "hubspot") == "base_hubspot__contacts"
    sql_models = {path.stem for path in (PROJECT_DIR / "models" / "staging").rglob("*.sql")}
    for source in ("files", "hubspot"):
        for layer in ("base", "stg"):
            for entity in FILES_STAGING_FOLDERS:
                if layer == "base" and entity == "account_frameworks":
                    continue  # stg only
                named = staged_models(layer, entity, source, segment_enabled=True)
                assert set(named) <= sql_models, named


def test_staged_model_maps_entities_as_the_dbt_switch_does():
    """contract.FILES_STAGING_FOLDERS is the Python side of macro staged_relation: same
    entities, same folders (the macro's files_folders; every other source is its own folder)."""
    macro = (PROJECT_DIR / "macros" / "sources" / "staged_relation.sql").read_text()
    block = re.search(r"files_folders = \{(.*?)\}", macro, re.S).group(1)
    assert dict(re.findall(r'"(\w+)": "(\w+)"', block)) == FILES_STAGING_FOLDERS
    with pytest.raises(ValueError):
        staged_model("int", "contacts")
    with pytest.raises(ValueError):
        staged_model("stg", "contacts", "salesforce")
