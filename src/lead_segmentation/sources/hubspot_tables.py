"""The connector tables the adapters read: HubSpot (Fivetran schema) and Segment (web
events). The one list is each dbt source (models/staging/<source>/_<source>__sources.yml,
each table's meta `key` and `feeds`); the loader and the raw gate read it from there."""

from __future__ import annotations

import dataclasses
from functools import cache

import yaml

from lead_segmentation.paths import PROJECT_DIR

# source -> (its dbt sources YAML, the work-database schema the job loads its files into:
# dbt vars hubspot_schema / segment_schema)
SOURCES = {
    "hubspot": (PROJECT_DIR / "models/staging/hubspot/_hubspot__sources.yml", "raw_hubspot"),
    "segment": (PROJECT_DIR / "models/staging/segment/_segment__sources.yml", "raw_segment"),
}
LOADED_SCHEMA = SOURCES["hubspot"][1]
# Alias under which the job attaches a user's DuckDB database read-only (var hubspot_database).
ATTACHED_ALIAS = "hubspot_source"

# The connector's columns that hold a person's personal data (GDPR), the counterpart of
# raw_schema.PERSONAL_COLUMNS (which the staging models' own names already are): the erasure
# (erasure.py) clears them in the connector tables loaded into the work database. `recipient`
# is email_event's address (also in staging.base_hubspot__email_event).
CONNECTOR_PERSONAL_COLUMNS: tuple[str, ...] = (
    "property_email",
    "property_firstname",
    "property_lastname",
    "property_phone",
    "property_mobilephone",
    "recipient",
)
# The connector tables the engagement events are made from (base_hubspot__engagement_events,
# base_segment__engagement_events): a HubSpot run is incremental while each continues the
# load the models were built from (hubspot_continuity.py).
INCREMENTAL_CONNECTOR_TABLES: tuple[str, ...] = (
    "email_event",
    "email_event_click",
    "email_event_status_change",
    "email_campaign",
    "pages",
    "tracks",
    "identifies",
)
# Columns of a connector table that name a person's address (the erasure matches rows by them).
CONNECTOR_EMAIL_COLUMNS: tuple[str, ...] = ("property_email", "recipient")


@dataclasses.dataclass(frozen=True)
class ConnectorTable:
    source: str  # hubspot | segment
    name: str
    key: tuple[str, ...]  # the connector's key columns (required in a loaded table)
    feeds: str | None  # the raw contract table it becomes; None: details joined in

    @property
    def loaded_schema(self) -> str:
        return SOURCES[self.source][1]


@cache
def connector_tables(source: str = "hubspot") -> dict[str, ConnectorTable]:
    path = SOURCES[source][0]
    document = yaml.safe_load(path.read_text())
    (definition,) = [s for s in document["sources"] if s["name"] == source]
    tables = {}
    for table in definition["tables"]:
        meta = table["config"]["meta"]
        tables[table["name"]] = ConnectorTable(source, table["name"], tuple(meta["key"]), meta["feeds"])
    return tables


def all_connector_tables() -> dict[str, ConnectorTable]:
    """Every table of every connector source, by table name (the names do not overlap)."""
    tables: dict[str, ConnectorTable] = {}
    for source in SOURCES:
        tables.update(connector_tables(source))
    return tables


def feeding_tables(source: str = "hubspot") -> dict[str, ConnectorTable]:
    """The connector tables that become raw contract tables (one raw row per row)."""
    return {name: t for name, t in connector_tables(source).items() if t.feeds}
