"""contract.py names dbt models; these tests fail when a model it names is renamed or when the
project's public marts change without it."""

from __future__ import annotations

import yaml

from conftest import PROJECT_DIR
from lead_segmentation.contract import (
    BACKTEST_MARTS,
    CONTRACT_COLUMNS,
    PUBLIC_MARTS,
    STAGING_MODELS,
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
    the events are the source's and Segment's."""
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
    sql_models = {path.stem for path in (PROJECT_DIR / "models" / "staging").rglob("*.sql")}
    for source in ("files", "hubspot"):
        for layer in ("base", "stg"):
            for entity in ("events", "form_submissions"):
                named = staged_models(layer, entity, source, segment_enabled=True)
                assert set(named) <= sql_models, named
