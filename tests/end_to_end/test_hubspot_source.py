"""The main job on HubSpot (issue 14), end to end.

- differential: the demo population converted to HubSpot connector shape (with its web events
  in Segment's shape) and run with `--source hubspot` publishes the same four marts as the
  files source given the same population as HubSpot carries it (hubspot_shape's `travelled`
  tables: the documented differences). lead_routing.updated_at is left out: it is the time
  the routing was first seen (the snapshot's run time), not data.
- the Fivetran HubSpot samples (../shared/external/fivetran_hubspot: real connector schema,
  hashed values, unlinked keys) attached read-only from a DuckDB file: they load, every
  connector row is accounted for in the reconciliation, and the run publishes.
- the raw gate names the connector table it stops on.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import TEST_AS_OF, run_dbt
from lead_segmentation.contract import staged_models
from pipeline_helpers import PROJECT_DIR, Warehouse, pipeline_env, run_pipeline
from lead_segmentation.contract import staged_model

FIVETRAN_SAMPLES = PROJECT_DIR.parent / "shared" / "external" / "fivetran_hubspot"
MARTS = ("lead_scores", "segment_matrix", "lead_routing", "segment_kpis")
NOT_DATA = {"lead_routing": ["updated_at"]}  # the snapshot's run time


def _marts(database: Path) -> dict:
    con = duckdb.connect(str(database), read_only=True)
    try:
        out = {}
        for mart in MARTS:
            frame = con.execute(f"select * from marts.{mart}").df()
            frame = frame.drop(columns=NOT_DATA.get(mart, []))
            out[mart] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def hubspot_population(generated_raw_dir, tmp_path_factory):
    from lead_segmentation.sources.hubspot_shape import convert

    root = tmp_path_factory.mktemp("hubspot_population")
    convert(generated_raw_dir, root / "hubspot", root / "travelled")
    return root


@pytest.fixture(scope="module")
def hubspot_run(hubspot_population, tmp_path_factory):
    warehouse = Warehouse(tmp_path_factory.mktemp("hubspot_run"))
    run = run_pipeline(
        warehouse, hubspot_population / "hubspot", TEST_AS_OF, extra_args=["--source", "hubspot"]
    )
    assert run.returncode == 0, run.output[-6000:]
    return warehouse, run


@pytest.mark.slow
def test_hubspot_shape_publishes_the_same_marts_as_the_files_it_carries(hubspot_population, hubspot_run, tmp_path):
    warehouse, run = hubspot_run
    assert "ignored" not in run.output or "not read by the adapters" in run.output
    files = Warehouse(tmp_path / "files")
    files_run = run_pipeline(files, hubspot_population / "travelled", TEST_AS_OF)
    assert files_run.returncode == 0, files_run.output[-6000:]
    from_hubspot, from_files = _marts(warehouse.published_db), _marts(files.published_db)
    for mart in MARTS:
        assert len(from_hubspot[mart]) > 0, mart
        assert from_hubspot[mart].equals(from_files[mart]), f"{mart} differs between the sources"
    # The population is not trivial: web, email, form and activity signals all travelled.
    con = duckdb.connect(str(warehouse.work_db), read_only=True)
    sources = dict(con.execute(
        f"select source_system, count(*) from ({_union(_staged('stg', 'events'))}) group by 1"
    ).fetchall())
    assert sources.get("hubspot", 0) > 0 and sources.get("segment", 0) > 0, sources
    reasons = dict(con.execute(
        "select rejection_reason, count(*) from audit.dq_rejected_rows "
        "where table_name = 'engagement_events' group by 1"
    ).fetchall())
    assert reasons.get("email_bookkeeping_event", 0) > 0 and reasons.get("filtered_bot_event", 0) > 0


@pytest.mark.slow
def test_hubspot_reconciliation_counts_every_connector_row(hubspot_population, hubspot_run):
    warehouse, _ = hubspot_run
    from lead_segmentation.sources.hubspot_tables import all_connector_tables

    expected: dict[str, int] = {}
    for name, table in all_connector_tables().items():
        path = hubspot_population / "hubspot" / f"{name}.csv"
        if table.feeds and path.exists():
            rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
            expected[table.feeds] = expected.get(table.feeds, 0) + rows
    con = duckdb.connect(str(warehouse.published_db), read_only=True)
    reconciled = {
        r[0]: (r[1], r[2])
        for r in con.execute(
            "select table_name, raw_rows, kept_rows + duplicate_rows + merged_rows + rejected_rows "
            "from marts.dq_row_reconciliation"
        ).fetchall()
    }
    for table, rows in expected.items():
        assert reconciled[table] == (rows, rows), table
    # Explicit merges are merged, not rejected.
    merged = con.execute(
        "select merged_rows from marts.dq_row_reconciliation where table_name = 'crm_contacts'"
    ).fetchone()[0]
    assert merged > 0


@pytest.mark.slow
def test_hubspot_adapter_unit_tests_pass(hubspot_run):
    warehouse, _ = hubspot_run
    run_dbt(
        ["test", "--select", "test_type:unit,path:models/staging/hubspot", "test_type:unit,path:models/staging/segment"],
        database=warehouse.work_db,
        target_path=warehouse.root / "unit_target",
        extra_vars={
            "crm_source": "hubspot", "hubspot_schema": "raw_hubspot",
            "segment_enabled": True, "segment_schema": "raw_segment",
        },
    )


def test_raw_gate_names_the_connector_table(hubspot_population, tmp_path):
    broken = tmp_path / "hubspot"
    shutil.copytree(hubspot_population / "hubspot", broken)
    lines = (broken / "email_event_click.csv").read_text(encoding="utf-8").splitlines()
    # Every click detail twice: each would count its click twice.
    (broken / "email_event_click.csv").write_text("\n".join(lines + lines[1:]) + "\n", encoding="utf-8")
    (broken / "ticket.csv").write_text("id\n1\n", encoding="utf-8")
    run = run_pipeline(Warehouse(tmp_path / "wh"), broken, TEST_AS_OF, extra_args=["--source", "hubspot"])
    assert run.returncode == 3, run.output[-4000:]
    assert "hubspot.email_event_click.duplicate_key_share" in run.output
    assert "ticket.csv" in run.output  # listed as not read


def _fivetran_database(target: Path) -> Path:
    """The samples as a Fivetran DuckDB destination: schema hubspot, one table per file."""
    con = duckdb.connect(str(target))
    con.execute("create schema hubspot")
    for path in sorted(FIVETRAN_SAMPLES.glob("*_data.csv")):
        table = path.name.removesuffix("_data.csv")
        if table.endswith(("_postgres", "_snowflake", "_databricks")):
            continue  # the same rows with another warehouse's quoting
        con.execute(
            f"create table hubspot.{table} as select * from read_csv('{path}', header = true, all_varchar = true)"
        )
    con.close()
    return target


@pytest.mark.slow
@pytest.mark.skipif(not FIVETRAN_SAMPLES.is_dir(), reason=f"Fivetran HubSpot samples not found at {FIVETRAN_SAMPLES}")
def test_fivetran_samples_load_reconcile_and_publish(tmp_path):
    source = _fivetran_database(tmp_path / "fivetran.duckdb")
    fingerprint = hashlib.sha256(source.read_bytes()).hexdigest()
    # The samples are years old, hashed and unlinked (no event reaches a contact): relax only
    # freshness, the rejected shares and the population shares, which such data cannot pass
    # by design.
    config = yaml.safe_load((PROJECT_DIR / "config" / "quality_thresholds.yml").read_text())
    for limits in config["raw"]["tables"].values():
        limits["max_staleness_days"] = 100000
    config["raw"]["defaults"]["max_staleness_days"] = 100000
    config["marts"]["max_rejected_share"] = {"default": 1.0}
    # Hashed emails (all invalid) and unlinked keys (no contact has a known account).
    for key in ("max_suppressed_share", "max_invalid_email_share", "max_without_account_share"):
        config["marts"]["population"][key] = 1.0
    relaxed = tmp_path / "thresholds.yml"
    relaxed.write_text(yaml.safe_dump(config))
    warehouse = Warehouse(tmp_path / "wh")
    cmd = [
        sys.executable, "-m", "lead_segmentation.pipeline", "--as-of", TEST_AS_OF.isoformat(),
        "--source", "hubspot", "--source-database", str(source), "--config", str(relaxed),
        "--work-db", str(warehouse.work_db), "--published-db", str(warehouse.published_db),
    ]
    run = subprocess.run(
        cmd, cwd=PROJECT_DIR, env=pipeline_env(warehouse), capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-6000:]
    assert hashlib.sha256(source.read_bytes()).hexdigest() == fingerprint, "the source was modified"
    src = duckdb.connect(str(source), read_only=True)
    connector_rows = {
        "crm_accounts": src.execute("select count(*) from hubspot.company").fetchone()[0],
        "crm_contacts": src.execute("select count(*) from hubspot.contact").fetchone()[0],
        "crm_opportunities": src.execute("select count(*) from hubspot.deal").fetchone()[0],
        "engagement_events": src.execute("select count(*) from hubspot.email_event").fetchone()[0],
        "form_submissions": src.execute("select count(*) from hubspot.contact_form_submission").fetchone()[0],
        "sales_activities": src.execute("select count(*) from hubspot.engagement").fetchone()[0],
    }
    con = duckdb.connect(str(warehouse.published_db), read_only=True)
    for table, raw_rows, balanced in con.execute(
        "select table_name, raw_rows, is_balanced from marts.dq_row_reconciliation"
    ).fetchall():
        assert raw_rows == connector_rows[table] and balanced, table
    assert con.execute("select count(*) from marts.lead_scores").fetchone()[0] > 0


def _personal_hits(database: Path, needles: dict[str, str]) -> list[tuple]:
    """(schema.table.column, label) for every needle still found in a personal column (the
    contract's names and the connector's)."""
    from lead_segmentation.raw_schema import PERSONAL_COLUMNS
    from lead_segmentation.sources.hubspot_tables import CONNECTOR_PERSONAL_COLUMNS

    names = [*PERSONAL_COLUMNS, *CONNECTOR_PERSONAL_COLUMNS]
    hits = []
    with duckdb.connect(str(database), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            f"where lower(column_name) in ({', '.join(repr(c) for c in names)})"
        ).fetchall()
        for schema, table, column in columns:
            for label, value in needles.items():
                found = con.execute(
                    f'select count(*) from "{schema}"."{table}" where lower(trim("{column}")) = lower(?)',
                    [value],
                ).fetchone()[0]
                if found:
                    hits.append((f"{schema}.{table}.{column}", label))
    return hits


@pytest.mark.slow
def test_hubspot_erasure_requests_and_deletions_leave_no_email_or_name(hubspot_population, hubspot_run, tmp_path):
    """A HubSpot run after: an erasure request for a live contact, a contact Fivetran flags
    `_fivetran_deleted` and one gone from the connector (hard delete). None of their emails,
    names or phones is left in any table of the work database (connector tables loaded into
    it included) or the published file, the address is never shown, and the request holds on
    the next load. A merged contact the connector deletes is not a deleted person: its
    survivor lives on, so its address is not registered."""
    from pipeline_helpers import read_table, write_table

    built, _ = hubspot_run
    raw = tmp_path / "hubspot"
    shutil.copytree(hubspot_population / "hubspot", raw)
    header, rows = read_table(raw, "contact")
    col = {name: i for i, name in enumerate(header)}
    merged_ids = {m for r in rows for m in r[col["property_hs_merged_object_ids"]].split(";") if m}

    def unique(r, name):
        return sum(1 for x in rows if x[col[name]].strip().lower() == r[col[name]].strip().lower()) == 1

    candidates = [
        r for r in rows
        if r[col["_fivetran_deleted"]] == "false" and "@" in r[col["property_email"]]
        and not r[col["property_hs_merged_object_ids"]] and r[col["id"]] not in merged_ids
        and unique(r, "property_email") and r[col["property_phone"]] and unique(r, "property_phone")
    ]
    requested, soft, hard = candidates[:3]
    soft[col["_fivetran_deleted"]] = "true"
    merged = next(r for r in rows if r[col["id"]] in merged_ids)
    merged[col["_fivetran_deleted"]] = "true"
    merged[col["property_email"]] = "former.address@merged-example.org"
    rows = [r for r in rows if r is not hard]
    write_table(raw, "contact", header, rows)

    place = Warehouse(tmp_path / "wh")
    place.root.mkdir()
    shutil.copy(built.work_db, place.work_db)  # the hard-deleted contact was built
    people = (("requested", requested), ("soft", soft), ("hard", hard))
    needles = {
        f"{who}.{part}": p[col[f"property_{part}"]]
        for who, p in people for part in ("email", "phone", "lastname")
    }
    assert {label for _, label in _personal_hits(place.work_db, needles)} >= {"hard.email", "hard.phone"}
    address = " " + requested[col["property_email"]].upper() + "\t"
    run = run_pipeline(
        place, raw, TEST_AS_OF, extra_args=["--source", "hubspot", "--erase-email", address]
    )
    assert run.returncode == 0, run.output[-8000:]
    assert requested[col["property_email"]].lower() not in run.output.lower()
    assert "erasure: 1 request(s)" in run.stdout
    # Last names are shared by many people: only the three people's own rows must lose them.
    assert [h for h in _personal_hits(place.work_db, needles) if not h[1].endswith("lastname")] == []
    assert _personal_hits(place.published_db, needles) == []
    with duckdb.connect(str(place.work_db), read_only=True) as con:
        reasons = dict(con.execute(
            "select reason, count(*) from ops.erased_people group by 1"
        ).fetchall())
        assert reasons.get("request") == 1 and reasons.get("deleted_in_crm", 0) >= 2, reasons
        for who, person in people[:2]:  # their rows are there (ids stay), without personal data
            kept = con.execute(
                "select property_email, property_firstname, property_lastname, property_phone "
                "from raw_hubspot.contact where id = ?", [person[col["id"]]],
            ).fetchall()
            assert kept == [(None, None, None, None)], who
            named = con.execute(
                f"select count(*) from staging.{staged_model('base', 'contacts', 'hubspot')} where contact_id = ? "
                "and (first_name is not null or last_name is not null or email is not null)",
                [person[col["id"]]],
            ).fetchone()[0]
            assert named == 0, who
        still = con.execute(
            "select email from staging.base_hubspot__contact where contact_id = ?", [merged[col["id"]]]
        ).fetchall()
        assert still == [("former.address@merged-example.org",)]
        log = " ".join(str(v) for v in con.execute("select * from ops.pipeline_runs").fetchall())
        assert requested[col["property_email"]].lower() not in log.lower()

    # The next load brings the address back from the connector: erased again, no request needed.
    from lead_segmentation.erasure import apply
    from lead_segmentation.sources.load_hubspot import load_hubspot_folder

    load_hubspot_folder(raw, place.work_db, quiet=True)
    assert _personal_hits(place.work_db, {"requested.email": needles["requested.email"]}) != []
    apply(place.work_db, source="hubspot")
    assert _personal_hits(place.work_db, {"requested.email": needles["requested.email"]}) == []


# The HubSpot demo's staging tables of an engagement entity (with Segment: events are two).
def _staged(layer: str, entity: str) -> list[str]:
    return [f"staging.{model}" for model in staged_models(layer, entity, "hubspot", segment_enabled=True)]


def _union(tables: list[str], columns: str = "*") -> str:
    return " union all ".join(f"select {columns} from {table}" for table in tables)


def _differences(left: Path, right: Path, tables: dict[str, list[str]]) -> list[str]:
    """Tables whose rows differ between two work databases (EXCEPT ALL both ways), columns
    named in `tables` left out."""
    con = duckdb.connect()
    con.execute(f"attach '{left}' as l (read_only)")
    con.execute(f"attach '{right}' as r (read_only)")
    differing = []
    for table, ignored in tables.items():
        schema, name = table.split(".")
        columns = [
            c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_catalog = 'l' "
                "and table_schema = ? and table_name = ? order by ordinal_position",
                [schema, name],
            ).fetchall()
            if c not in ignored
        ]
        listed = ", ".join(f'"{c}"' for c in columns)
        for a, b in (("l", "r"), ("r", "l")):
            extra = con.execute(
                f"select count(*) from (select {listed} from {a}.{table} "
                f"except all select {listed} from {b}.{table})"
            ).fetchone()[0]
            if extra:
                differing.append(f"{table}: {extra} row(s) only in {a}")
    con.close()
    return differing


@pytest.mark.slow
def test_hubspot_daily_run_is_incremental_and_equals_a_full_rebuild(hubspot_population, hubspot_run, tmp_path):
    """The next day's connector folder (yesterday's tables plus appended email events, page
    views and an identify for a new visitor, and a contact whose form answers changed) is
    built incrementally from yesterday's warehouse, and gives the same warehouse as a full
    rebuild: marts, reconciliation, rejected rows and the incremental models row for row (the
    loader's _loaded_at aside). The incremental run really kept yesterday's rows."""
    from pipeline_helpers import read_table, write_table

    built, _ = hubspot_run
    day = tmp_path / "hubspot_d1"
    shutil.copytree(hubspot_population / "hubspot", day)

    header, rows = read_table(day, "email_event")
    col = {name: i for i, name in enumerate(header)}
    latest = max(r[col["_fivetran_synced"]] for r in rows)
    opens = [r for r in rows if r[col["type"]] == "OPEN" and r[col["filtered_event"]] == "false"][:5]
    for n, r in enumerate(opens):
        new = list(r)
        new[col["id"]] = f"evt_d1_{n}"
        new[col["_fivetran_synced"]] = latest
        rows.append(new)
    write_table(day, "email_event", header, rows)

    header, rows = read_table(day, "pages")
    col = {name: i for i, name in enumerate(header)}
    newest = max(r[col["received_at"]] for r in rows)
    visitor = list(rows[-1])
    visitor[col["id"]] = "evt_d1_page_new_visitor"
    visitor[col["anonymous_id"]] = "a_d1_new_visitor"
    visitor[col["user_id"]] = ""
    visitor[col["received_at"]] = newest
    known = list(rows[0])
    known[col["id"]] = "evt_d1_page_known"
    known[col["received_at"]] = newest
    write_table(day, "pages", header, rows + [visitor, known])

    header, rows = read_table(day, "identifies")
    col = {name: i for i, name in enumerate(header)}
    person = read_table(day, "contact")
    contact_col = {name: i for i, name in enumerate(person[0])}
    merged_ids = {m for r in person[1] for m in r[contact_col["property_hs_merged_object_ids"]].split(";") if m}
    address = next(
        r for r in person[1]
        if "@" in r[contact_col["property_email"]] and r[contact_col["_fivetran_deleted"]] == "false"
        and r[contact_col["id"]] not in merged_ids
    )[contact_col["property_email"]]
    new = [""] * len(header)
    new[col["id"]], new[col["anonymous_id"]], new[col["email"]] = "i_d1", "a_d1_new_visitor", address
    new[col["timestamp"]] = newest
    write_table(day, "identifies", header, rows + [new])

    # A contact with a form submission changes an answer (forms read the contact's properties).
    submitter = read_table(day, "contact_form_submission")[1][0][1]
    header, rows = read_table(day, "contact")
    col = {name: i for i, name in enumerate(header)}
    for r in rows:
        if r[col["id"]] == submitter:
            r[col["property_timeline"]] = "now" if r[col["property_timeline"]] != "now" else "12+ months"
    write_table(day, "contact", header, rows)

    incremental, full = Warehouse(tmp_path / "incremental"), Warehouse(tmp_path / "full")
    for place in (incremental, full):
        place.root.mkdir()
        shutil.copy(built.work_db, place.work_db)
    with duckdb.connect(str(built.work_db), read_only=True) as con:
        day_load = con.execute(
            f"select max(_loaded_at) from ({_union(_staged('base', 'events'))})"
        ).fetchone()[0]
    run = run_pipeline(incremental, day, TEST_AS_OF, extra_args=["--source", "hubspot"])
    assert run.returncode == 0, run.output[-6000:]
    assert "in full" not in run.output, run.output[-3000:]
    rebuilt = run_pipeline(full, day, TEST_AS_OF, extra_args=["--source", "hubspot", "--full-refresh"])
    assert rebuilt.returncode == 0, rebuilt.output[-6000:]

    assert _differences(incremental.published_db, full.published_db, {
        "marts.lead_scores": [], "marts.segment_matrix": [], "marts.segment_kpis": [],
        "marts.lead_routing": ["updated_at"], "marts.dq_row_reconciliation": [],
    }) == []
    assert _differences(incremental.work_db, full.work_db, {
        **{table: ["_loaded_at"] for table in _staged("base", "form_submissions")},
        # _judged_at: when the run that wrote the row started (row_rules' rows_written_at)
        **{table: ["_loaded_at", "_judged_at"] for table in _staged("base", "events")},
        "intermediate.int_event_identities_attributed": [],
        "intermediate.int_form_submissions_attributed": [],
        "audit.dq_row_reconciliation": [],
        "audit.dq_rejected_rows": [],
        "audit.dq_engagement_events_rejected": [],
    }) == []
    query = (
        "select count(*) filter (where _loaded_at = ?), count(*) "
        f"from ({_union(_staged('base', 'events'), '_loaded_at')})"
    )
    with duckdb.connect(str(incremental.work_db), read_only=True) as con:
        kept_from_day, total = con.execute(query, [day_load]).fetchone()
        new_events = con.execute(
            f"select count(*) from ({_union(_staged('stg', 'events'), 'event_id')}) "
            "where event_id like 'evt_d1_%'"
        ).fetchone()[0]
        # the person the visitor's event is attributed to (through its delivered identity)
        visitor_person = con.execute(
            "select identities.contact_id "
            f"from ({_union(_staged('stg', 'events'), 'event_id, delivered_contact_id, email')}) as events "
            "left join intermediate.int_event_identities_attributed as identities "
            "on identities.identity_type = case when events.delivered_contact_id is null "
            "then 'email' else 'contact_id' end "
            "and coalesce(events.delivered_contact_id, events.email) = identities.identity_value "
            "where events.event_id = 'evt_d1_page_new_visitor'"
        ).fetchone()[0]
    assert 0.5 * total < kept_from_day < total
    assert new_events == 7  # five email opens, two page views
    assert visitor_person is not None  # the new visitor's identify named a contact
    with duckdb.connect(str(full.work_db), read_only=True) as con:
        assert con.execute(query, [day_load]).fetchone()[0] == 0
