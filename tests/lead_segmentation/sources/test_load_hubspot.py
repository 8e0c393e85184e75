"""The HubSpot connector loader and its table list (lead_segmentation.sources)."""

from __future__ import annotations

import duckdb
import pytest

from lead_segmentation.raw_schema import RAW_TABLES
from lead_segmentation.sources.hubspot_tables import LOADED_SCHEMA, connector_tables, feeding_tables
from lead_segmentation.sources.load_hubspot import HubspotLoadError, load_hubspot_folder


def test_every_raw_table_is_fed_by_exactly_one_hubspot_table_and_segment_feeds_events():
    fed = [t.feeds for t in feeding_tables().values()]
    assert sorted(fed) == sorted(RAW_TABLES)
    assert all(t.key for t in connector_tables().values())
    assert {t.feeds for t in feeding_tables("segment").values()} == {"engagement_events"}


def _write(path, text):
    path.write_bytes(text.encode("utf-8"))


def test_load_normalises_headers_lists_ignored_and_missing_tables(tmp_path):
    folder = tmp_path / "hubspot"
    folder.mkdir()
    # A UTF-8 byte order mark and upper-case, padded header names, as exports come.
    _write(folder / "contact.csv", "\ufeffID, Property_Email ,_fivetran_synced\n1,a@x.com,2026-06-01 3:15:52\n2,,\n")
    _write(folder / "company.csv", "id,property_name\n10,Acme\n")
    _write(folder / "ticket.csv", "id\n1\n")  # a table the adapter does not read
    _write(folder / "pages.csv", "id,url\np1,https://x.com/pricing\n")  # Segment
    database = tmp_path / "work.duckdb"
    result = load_hubspot_folder(folder, database, quiet=True)
    assert result.rows == {"company": 1, "contact": 2, "pages": 1}
    assert result.has_segment
    assert result.ignored == ["ticket.csv"]
    assert "email_event" in result.missing and "contact" not in result.missing
    con = duckdb.connect(str(database), read_only=True)
    columns = [r[0] for r in con.execute(f"describe {LOADED_SCHEMA}.contact").fetchall()]
    assert columns == ["id", "property_email", "_fivetran_synced", "_line_number", "_loaded_at"]
    rows = con.execute(f"select id, property_email, _line_number from {LOADED_SCHEMA}.contact order by 3").fetchall()
    assert rows == [("1", "a@x.com", 1), ("2", None, 2)]
    assert con.execute("select count(*) from raw_segment.pages").fetchone()[0] == 1


def test_load_refuses_a_table_without_its_key_naming_table_and_column(tmp_path):
    folder = tmp_path / "hubspot"
    folder.mkdir()
    _write(folder / "email_event.csv", "event_id,type\n1,OPEN\n")
    with pytest.raises(HubspotLoadError, match=r"email_event lacks its key column\(s\) id"):
        load_hubspot_folder(folder, tmp_path / "work.duckdb", quiet=True)


def test_a_refused_load_leaves_the_previous_load(tmp_path):
    folder = tmp_path / "hubspot"
    folder.mkdir()
    _write(folder / "contact.csv", "id\n1\n")
    database = tmp_path / "work.duckdb"
    load_hubspot_folder(folder, database, quiet=True)
    _write(folder / "deal.csv", "name\nx\n")  # no deal_id
    with pytest.raises(HubspotLoadError):
        load_hubspot_folder(folder, database, quiet=True)
    con = duckdb.connect(str(database), read_only=True)
    assert con.execute(f"select count(*) from {LOADED_SCHEMA}.contact").fetchone()[0] == 1
