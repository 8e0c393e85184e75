"""The raw loader: every refusal names the file, the column and the line; nothing is dropped."""

from __future__ import annotations

import datetime as dt
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from lead_segmentation.load_raw import RawLoadError, load_continuity, load_raw, mark_built
from lead_segmentation.raw_schema import RAW_TABLES

SAMPLE = {
    "text": "x",
    "integer": "5",
    "double": "1.5",
    "boolean": "true",
    "timestamp": "2026-01-01 10:00:00",
    "date": "2026-02-01",
}


def write_table(folder: Path, table: str, rows: list[dict[str, str]], header: list[str] | None = None):
    header = header or [c for c, _ in RAW_TABLES[table]]
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(row.get(c, "") for c in header))
    (folder / f"{table}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def valid_row(table: str) -> dict[str, str]:
    return {c: SAMPLE[t] for c, t in RAW_TABLES[table]}


@pytest.fixture
def raw_dir(tmp_path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    for table in RAW_TABLES:
        write_table(folder, table, [valid_row(table), valid_row(table)])
    return folder


def raw_count(database: Path, table: str) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"select count(*) from raw.{table}").fetchone()[0]


def test_loads_every_table_typed_with_lineage(raw_dir, tmp_path):
    db = tmp_path / "w.duckdb"
    counts = load_raw(raw_dir, db, quiet=True)
    assert counts == {t: 2 for t in RAW_TABLES}
    with duckdb.connect(str(db), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = 'crm_accounts'"
            ).fetchall()
        )
        lines = [r[0] for r in con.execute("select _line_number from raw.crm_accounts order by 1").fetchall()]
    assert types["employee_count"] == "BIGINT"
    assert types["has_siem"] == "BOOLEAN"
    assert types["last_incident_at"] == "TIMESTAMP"
    assert types["_loaded_at"] == "TIMESTAMP"
    assert lines == [1, 2]


def test_the_work_database_is_owner_only(raw_dir, tmp_path):
    """It holds emails, names and phones: 0600, in a folder the loader creates 0700."""
    db = tmp_path / "new_folder" / "w.duckdb"
    load_raw(raw_dir, db, quiet=True)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_quoted_empty_string_differs_from_null(raw_dir, tmp_path):
    row_none = valid_row("crm_accounts") | {"compliance_frameworks": '""'}
    row_unknown = valid_row("crm_accounts") | {"compliance_frameworks": ""}
    write_table(raw_dir, "crm_accounts", [row_none, row_unknown])
    db = tmp_path / "w.duckdb"
    load_raw(raw_dir, db, quiet=True)
    with duckdb.connect(str(db), read_only=True) as con:
        values = con.execute(
            "select compliance_frameworks from raw.crm_accounts order by _line_number"
        ).fetchall()
    assert values == [("",), (None,)]


def test_no_row_is_dropped_even_with_quotes_and_newlines(raw_dir, tmp_path):
    tricky = valid_row("crm_contacts") | {"job_title": '"VP, Security ""Ops""\nEMEA"'}
    empty_key = {c: "" for c, _ in RAW_TABLES["crm_contacts"]}
    write_table(raw_dir, "crm_contacts", [valid_row("crm_contacts"), tricky, empty_key])
    db = tmp_path / "w.duckdb"
    load_raw(raw_dir, db, quiet=True)
    assert raw_count(db, "crm_contacts") == 3
    with duckdb.connect(str(db), read_only=True) as con:
        title = con.execute("select job_title from raw.crm_contacts where _line_number = 2").fetchone()[0]
    assert title == 'VP, Security "Ops"\nEMEA'


@pytest.mark.parametrize(
    ("column", "value", "logical_type"),
    [
        ("employee_count", "abc", "integer"),
        ("annual_revenue_usd", "12k", "double"),
        ("has_mfa", "maybe", "boolean"),
        ("updated_at", "yesterday", "timestamp"),
    ],
)
def test_unreadable_value_is_refused_naming_file_column_line(raw_dir, tmp_path, column, value, logical_type):
    bad = valid_row("crm_accounts") | {column: value}
    write_table(raw_dir, "crm_accounts", [valid_row("crm_accounts"), valid_row("crm_accounts"), bad])
    with pytest.raises(RawLoadError) as err:
        load_raw(raw_dir, tmp_path / "w.duckdb", quiet=True)
    message = str(err.value)
    assert "crm_accounts.csv" in message
    assert f"column {column}" in message
    assert "line 4" in message  # header is line 1, the bad row is the third data line
    assert logical_type in message
    # The value itself is never quoted (raw rows hold personal data), only its shape.
    assert repr(value) not in message and "shaped" in message


def test_refusals_never_quote_personal_data(raw_dir, tmp_path):
    """A refused line's email, name and phone never reach the message (it goes to the run
    log BI reads): neither for a value of the wrong type nor for a ragged line."""
    planted = {"email": "planted.person@example.org", "first_name": "Zebedee", "phone": "+44 7700 900123"}
    bad_type = valid_row("crm_contacts") | planted | {"updated_at": planted["email"]}
    write_table(raw_dir, "crm_contacts", [valid_row("crm_contacts"), bad_type])
    with pytest.raises(RawLoadError) as err:
        load_raw(raw_dir, tmp_path / "w.duckdb", quiet=True)
    message = str(err.value)
    assert "crm_contacts.csv: line 3, column updated_at" in message
    assert "aaaaaaa.aaaaaa@aaaaaaa.aaa" in message  # the shape helps find it
    for value in planted.values():
        assert value not in message and value.split()[-1] not in message

    write_table(raw_dir, "crm_contacts", [valid_row("crm_contacts")])
    path = raw_dir / "crm_contacts.csv"
    path.write_text(path.read_text() + "c9,a1,planted.person@example.org,Zebedee\n")
    with pytest.raises(RawLoadError) as err:
        load_raw(raw_dir, tmp_path / "w2.duckdb", quiet=True)
    message = str(err.value)
    assert "crm_contacts.csv" in message and "Line: 3" in message
    assert "planted.person" not in message and "Zebedee" not in message


def test_timestamps_with_an_offset_are_converted_to_utc(raw_dir, tmp_path):
    """`+05:00`, `Z`, `-0800`: converted to UTC; no offset (or `UTC`): already UTC. A zone
    name is refused naming the line (DuckDB would carry it over to the next values)."""
    given = {
        "2026-06-01 10:00:00+05:00": dt.datetime(2026, 6, 1, 5, 0),
        "2026-06-01T10:00:00Z": dt.datetime(2026, 6, 1, 10, 0),
        "2026-06-01 10:00:00-0800": dt.datetime(2026, 6, 1, 18, 0),
        "2026-06-01T23:30:00.250-02:00": dt.datetime(2026, 6, 2, 1, 30, 0, 250000),
        "2026-06-01 10:00:00 UTC": dt.datetime(2026, 6, 1, 10, 0),
        "2026-06-01 10:00:00": dt.datetime(2026, 6, 1, 10, 0),
        "2026-06-01": dt.datetime(2026, 6, 1, 0, 0),
    }
    rows = [valid_row("engagement_events") | {"event_id": f"e{i}", "occurred_at": v} for i, v in enumerate(given)]
    write_table(raw_dir, "engagement_events", rows)
    db = tmp_path / "w.duckdb"
    load_raw(raw_dir, db, quiet=True)
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = [r[0] for r in con.execute("select occurred_at from raw.engagement_events order by _line_number").fetchall()]
    assert loaded == list(given.values())

    rows.insert(2, valid_row("engagement_events") | {"occurred_at": "2026-06-01 10:00:00 Europe/Paris"})
    write_table(raw_dir, "engagement_events", rows)
    with pytest.raises(RawLoadError) as err:
        load_raw(raw_dir, db, quiet=True)
    assert "engagement_events.csv: line 4, column occurred_at" in str(err.value)
    assert "not a zone name" in str(err.value)


@pytest.mark.parametrize(
    "text",
    [
        "2026-06-01 10:00:00",
        "2026-06-01T10:00:00",
        "2026-06-01 1:05:09",
        "2026-06-01 10:00:00.5",
        "2026-06-01 10:00:00.123456",
        "2026-06-01 10:00:00.123456789",
        "2026-02-30 10:00:00",
        "2026-06-01 24:00:00",
        "2026-06-01 25:00:00",
        "2026-06-01 10:61:00",
        "0001-01-01 00:00:00",
        "9999-12-31 23:59:59.999999",
        " 2026-06-01 10:00:00 ",
        "2026-06-01 10:00:00+05:00",
        "2026-06-01 10:00:00 UTC",
        "2026-06-01 10:00:00 EST",
    ],
)
def test_the_plain_timestamp_fast_path_reads_what_the_zone_aware_path_reads(text):
    """The loader types plain timestamp texts with a plain cast (cheaper); for every text,
    the value must be the zone-aware path's (the path every text took before)."""
    from lead_segmentation.load_raw import typed_expression, zone_aware_timestamp

    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute("create table t as select ?::varchar as occurred_at", [text])
    loaded = typed_expression("occurred_at", "timestamp", is_csv=True)
    zone_aware = zone_aware_timestamp('"occurred_at"')
    fast, slow = con.execute(f"select {loaded}, {zone_aware} from t").fetchone()
    assert fast == slow


def test_parquet_timestamps_with_a_zone_are_converted_to_utc(raw_dir, tmp_path):
    """A Parquet TIMESTAMP WITH TIME ZONE column, and text timestamps in Parquet, end in UTC."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet_dir = tmp_path / "parquet"
    parquet_dir.mkdir()
    db = tmp_path / "w.duckdb"
    load_raw(raw_dir, db, quiet=True)
    with duckdb.connect(str(db)) as con:
        for table in RAW_TABLES:
            columns = ", ".join(f'"{c}"' for c, _ in RAW_TABLES[table])
            con.execute(f"copy (select {columns} from raw.{table}) to '{parquet_dir / table}.parquet' (format parquet)")
    events = pq.read_table(parquet_dir / "engagement_events.parquet")
    plus5 = dt.timezone(dt.timedelta(hours=5))
    aware = pa.array([dt.datetime(2026, 6, 1, 10, tzinfo=plus5)] * 2, type=pa.timestamp("us", tz="+05:00"))
    text = pa.array(["2026-06-01 10:00:00-0800", "2026-06-01 10:00:00"])
    events = events.set_column(events.schema.get_field_index("occurred_at"), "occurred_at", aware)
    events = events.set_column(events.schema.get_field_index("loaded_at"), "loaded_at", text)
    pq.write_table(events, parquet_dir / "engagement_events.parquet")
    out = tmp_path / "p.duckdb"
    load_raw(parquet_dir, out, quiet=True)
    with duckdb.connect(str(out), read_only=True) as con:
        rows = con.execute(
            "select occurred_at, loaded_at, typeof(occurred_at) from raw.engagement_events order by _line_number"
        ).fetchall()
    assert rows == [
        (dt.datetime(2026, 6, 1, 5, 0), dt.datetime(2026, 6, 1, 18, 0), "TIMESTAMP"),
        (dt.datetime(2026, 6, 1, 5, 0), dt.datetime(2026, 6, 1, 10, 0), "TIMESTAMP"),
    ]


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(raw_dir, tmp_path):
    path = raw_dir / "crm_contacts.csv"
    write_table(raw_dir, "crm_contacts", [valid_row("crm_contacts")] * 3)
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"x", b"Jos\xe9", 1)  # Latin-1, as an old export writes it
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(RawLoadError) as err:
        load_raw(raw_dir, tmp_path / "w.duckdb", quiet=True)
    message = str(err.value)
    assert "crm_contacts.csv: line 3, byte " in message and "not UTF-8" in message
    assert "\n" not in message and "Jos" not in message

    # ... also in the header, and from the command line: one line, exit 2, no traceback
    path.write_bytes(b"contact_id,\xe9mail\n")
    result = subprocess.run(
        [sys.executable, "-m", "lead_segmentation.load_raw",
         "--raw-dir", str(raw_dir), "--database", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [refusal] = [ln for ln in result.stderr.splitlines() if not ln.startswith("[load]")]
    assert refusal.startswith("load refused: ") and "crm_contacts.csv: line 1, byte 12: not UTF-8" in refusal


def test_a_utf8_byte_order_mark_is_accepted(raw_dir, tmp_path):
    write_table(raw_dir, "crm_contacts", [valid_row("crm_contacts") | {"first_name": "Zoë"}])
    path = raw_dir / "crm_contacts.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    db = tmp_path / "w.duckdb"
    load_raw(raw_dir, db, quiet=True)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select contact_id, first_name from raw.crm_contacts").fetchall() == [("x", "Zoë")]


def test_bad_date_in_forms_is_refused(raw_dir, tmp_path):
    bad = valid_row("form_submissions") | {"compliance_deadline": "2026-02-30"}
    write_table(raw_dir, "form_submissions", [bad])
    with pytest.raises(RawLoadError, match=r"form_submissions.csv: line 2, column compliance_deadline"):
        load_raw(raw_dir, tmp_path / "w.duckdb", quiet=True)


def test_missing_required_column_is_refused(raw_dir, tmp_path):
    header = [c for c, _ in RAW_TABLES["engagement_events"] if c != "occurred_at"]
    write_table(raw_dir, "engagement_events", [valid_row("engagement_events")], header=header)
    with pytest.raises(RawLoadError, match=r"engagement_events.csv: line 1 \(header\): missing required column\(s\) occurred_at"):
        load_raw(raw_dir, tmp_path / "w.duckdb", quiet=True)


def test_renamed_column_is_refused_with_hint(raw_dir, tmp_path):
    header = ["e_mail" if c == "email" else c for c, _ in RAW_TABLES["crm_contacts"]]
    write_table(raw_dir, "crm_contacts", [], header=header)
    with pytest.raises(RawLoadError) as err:
        load_raw(raw_dir, tmp_path / "w.duckdb", quiet=True)
    assert "missing required column(s) email" in str(err.value)
    assert "unexpected column(s) e_mail (renamed?)" in str(err.value)


def test_unknown_file_is_refused(raw_dir, tmp_path):
    (raw_dir / "crm_leads.csv").write_text("id\n1\n")
    with pytest.raises(RawLoadError, match=r"unknown file\(s\) crm_leads.csv"):
        load_raw(raw_dir, tmp_path / "w.duckdb", quiet=True)


def test_missing_table_file_is_refused(raw_dir, tmp_path):
    (raw_dir / "sales_activities.csv").unlink()
    with pytest.raises(RawLoadError, match="missing file\\(s\\) for table\\(s\\) sales_activities"):
        load_raw(raw_dir, tmp_path / "w.duckdb", quiet=True)


def test_ragged_line_is_refused_not_skipped(raw_dir, tmp_path):
    path = raw_dir / "sales_activities.csv"
    path.write_text(path.read_text() + "a1,c1\n")
    with pytest.raises(RawLoadError, match=r"sales_activities.csv: cannot be read as CSV: .*Line: 4"):
        load_raw(raw_dir, tmp_path / "w.duckdb", quiet=True)


def test_refused_load_leaves_previous_raw_tables_untouched(raw_dir, tmp_path):
    db = tmp_path / "w.duckdb"
    load_raw(raw_dir, db, quiet=True)
    write_table(raw_dir, "crm_accounts", [valid_row("crm_accounts")] * 5)
    bad = valid_row("sales_activities") | {"occurred_at": "not a time"}
    write_table(raw_dir, "sales_activities", [bad])
    with pytest.raises(RawLoadError):
        load_raw(raw_dir, db, quiet=True)
    # crm_accounts was loaded before the refusal in the same run: rolled back.
    assert raw_count(db, "crm_accounts") == 2


def test_parquet_files_load(raw_dir, tmp_path):
    parquet_dir = tmp_path / "parquet"
    parquet_dir.mkdir()
    db = tmp_path / "w.duckdb"
    load_raw(raw_dir, db, quiet=True)
    with duckdb.connect(str(db)) as con:
        for table in RAW_TABLES:
            columns = ", ".join(f'"{c}"' for c, _ in RAW_TABLES[table])
            con.execute(f"copy (select {columns} from raw.{table}) to '{parquet_dir / table}.parquet' (format parquet)")
    counts = load_raw(parquet_dir, tmp_path / "p.duckdb", quiet=True)
    assert counts == {t: 2 for t in RAW_TABLES}


def test_cli_exit_code_and_message(raw_dir, tmp_path):
    (raw_dir / "notes.txt").write_text("hello")
    result = subprocess.run(
        [sys.executable, "-m", "lead_segmentation.load_raw",
         "--raw-dir", str(raw_dir), "--database", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "load refused" in result.stderr and "notes.txt" in result.stderr


def test_continuity_says_whether_a_load_continues_the_built_one(raw_dir, tmp_path):
    """Incremental models may keep their rows only when each new file repeats the lines they
    were built from and adds lines after them (load_raw.py, "Continuity")."""
    db = tmp_path / "w.duckdb"

    def load_continues(database):
        return {table: state.continues for table, state in load_continuity(database).items()}

    load_raw(raw_dir, db, quiet=True)
    # no build recorded yet: nothing may be kept
    assert load_continues(db) == {"engagement_events": False, "form_submissions": False}
    mark_built(db)
    load_raw(raw_dir, db, quiet=True)  # the same export again
    assert load_continues(db) == {"engagement_events": True, "form_submissions": True}

    events = valid_row("engagement_events")
    forms = valid_row("form_submissions")
    write_table(raw_dir, "engagement_events", [events, events, {**events, "event_id": "new"}])
    write_table(raw_dir, "form_submissions", [{**forms, "form_name": "changed"}, forms])
    load_raw(raw_dir, db, quiet=True)
    # events: appended (continues); forms: its first line changed (does not)
    assert load_continues(db) == {"engagement_events": True, "form_submissions": False}

    # Only a recorded build moves the reference: without mark_built the next load is still
    # compared with the first export, which the changed forms file does not continue.
    load_raw(raw_dir, db, quiet=True)
    assert load_continues(db)["form_submissions"] is False
    mark_built(db)
    write_table(raw_dir, "engagement_events", [events, events])  # a line disappeared
    load_raw(raw_dir, db, quiet=True)
    assert load_continues(db) == {"engagement_events": False, "form_submissions": True}
    assert load_continuity(db)["engagement_events"].rows == 2
    assert load_continuity(db)["engagement_events"].built_rows == 3
