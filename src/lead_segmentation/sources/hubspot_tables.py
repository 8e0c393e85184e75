"""The HubSpot connector tables the adapter reads: the one list is the dbt source
(models/staging/hubspot/_hubspot__sources.yml, each table's meta `key` and `feeds`); the
loader and the raw gate read it from there."""

from __future__ import annotations

import dataclasses
from functools import cache

import yaml

from lead_segmentation.paths import PROJECT_DIR

SOURCES_YAML = PROJECT_DIR / "models" / "staging" / "hubspot" / "_hubspot__sources.yml"
# Schema of the work database the job loads connector files into (dbt var hubspot_schema).
LOADED_SCHEMA = "raw_hubspot"
# Alias under which the job attaches a user's DuckDB database read-only (var hubspot_database).
ATTACHED_ALIAS = "hubspot_source"


@dataclasses.dataclass(frozen=True)
class ConnectorTable:
    name: str
    key: tuple[str, ...]  # the connector's key columns (required in a loaded table)
    feeds: str | None  # the raw contract table it becomes; None: details joined in


@cache
def connector_tables() -> dict[str, ConnectorTable]:
    document = yaml.safe_load(SOURCES_YAML.read_text())
    (source,) = [s for s in document["sources"] if s["name"] == "hubspot"]
    tables = {}
    for table in source["tables"]:
        meta = table["config"]["meta"]
        tables[table["name"]] = ConnectorTable(table["name"], tuple(meta["key"]), meta["feeds"])
    return tables


def feeding_tables() -> dict[str, ConnectorTable]:
    """The connector tables that become raw contract tables (one raw row per row)."""
    return {name: t for name, t in connector_tables().items() if t.feeds}
