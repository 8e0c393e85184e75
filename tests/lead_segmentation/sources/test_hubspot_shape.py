"""The demo population in HubSpot connector shape (lead_segmentation.sources.hubspot_shape)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from lead_segmentation.demo.generate_raw import generate
from lead_segmentation.raw_schema import RAW_TABLES
from lead_segmentation.sources.hubspot_shape import convert
from lead_segmentation.sources.hubspot_tables import all_connector_tables


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory):
    out = tmp_path_factory.mktemp("raw")
    generate(scale=0.01, seed=3, out_dir=out, as_of=dt.date(2026, 6, 30), fmt="csv")
    return out


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_converter_writes_every_connector_table_and_the_travelled_raw_tables(small_raw, tmp_path):
    counts = convert(small_raw, tmp_path / "hubspot", tmp_path / "travelled")
    # Every HubSpot table the adapter reads, and the web events as Segment tables.
    assert set(counts) == set(all_connector_tables())
    for table in all_connector_tables():
        assert (tmp_path / "hubspot" / f"{table}.csv").exists()
    for table, columns in RAW_TABLES.items():
        with (tmp_path / "travelled" / f"{table}.csv").open(encoding="utf-8") as handle:
            assert handle.readline().strip().split(",") == [name for name, _ in columns]
    contacts = _rows(tmp_path / "hubspot" / "contact.csv")
    ids = [row["id"] for row in contacts]
    assert len(ids) == len(set(ids)), "HubSpot holds one row per contact"
    # Contacts sharing an email are explicit merges on the earliest-created survivor.
    merged = [row for row in contacts if row["property_hs_merged_object_ids"]]
    assert merged, "the demo's duplicate people become explicit HubSpot merges"
    by_id = {row["id"]: row for row in contacts}
    for survivor in merged:
        for merged_id in survivor["property_hs_merged_object_ids"].split(";"):
            other = by_id[merged_id]
            assert other["property_email"].strip().lower() == survivor["property_email"].strip().lower()
    types = {row["type"] for row in _rows(tmp_path / "hubspot" / "email_event.csv")}
    assert {"OPEN", "CLICK", "SENT", "DELIVERED"} <= types
    assert any(row["filtered_event"] == "true" for row in _rows(tmp_path / "hubspot" / "email_event.csv"))


def test_converter_is_deterministic(small_raw, tmp_path):
    convert(small_raw, tmp_path / "a")
    convert(small_raw, tmp_path / "b")
    for table in all_connector_tables():
        assert (tmp_path / "a" / f"{table}.csv").read_bytes() == (tmp_path / "b" / f"{table}.csv").read_bytes(), table


def test_generator_writes_the_hubspot_shape(tmp_path):
    from lead_segmentation.demo.generate_raw import main

    assert main(["--scale", "0.01", "--seed", "3", "--out", str(tmp_path), "--as-of", "2026-06-30",
                 "--shape", "hubspot"]) == 0
    written = {p.stem for p in tmp_path.glob("*.csv")}
    assert written == set(all_connector_tables())
