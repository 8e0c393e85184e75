"""The demo data generator: shape, size, determinism, time window, CLI, and every kind of dirt
the contract promises staging will meet.

Generation is fast (scale 0.2 takes about a second), so each test group generates what it needs
into a temporary folder; the dirt checks read the CSV files the way the loader does
(all_varchar, allow_quoted_nulls=false) so "" and NULL stay apart.
"""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR
from lead_segmentation.demo import generate_raw
from lead_segmentation.demo.generate_raw import generate
from lead_segmentation.load_raw import load_raw
from lead_segmentation.raw_schema import DUCKDB_TYPES, EVENT_TYPES, RAW_KEYS, RAW_TABLES, columns

AS_OF = dt.date(2026, 6, 30)
DIRT_SCALE = 0.2  # large enough that every spelling variety shows up, still ~1 s
SEED = 11


def _sql(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _read_csv(path: Path) -> str:
    """A CSV read the loader's way: every value text, "" kept apart from NULL, lines numbered."""
    return (
        f"(select *, row_number() over () as _line from read_csv({_sql(path)}, header = true, "
        f"all_varchar = true, allow_quoted_nulls = false, parallel = false))"
    )


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(scale=DIRT_SCALE, seed=SEED, out_dir=out, as_of=AS_OF, fmt="csv", quiet=True)
    return out


@pytest.fixture(scope="module")
def raw(raw_dir):
    """A DuckDB connection with one view per raw table over the CSV files."""
    con = duckdb.connect()
    for table in RAW_TABLES:
        con.execute(f"create view {table} as select * from {_read_csv(raw_dir / f'{table}.csv')}")
    yield con
    con.close()


def _scalar(con, sql: str):
    return con.execute(sql).fetchone()[0]


# ---------------------------------------------------------------------------------------------
# Shape and size
# ---------------------------------------------------------------------------------------------


def test_every_table_has_exactly_the_schema_columns_in_order(raw_dir):
    files = sorted(p.name for p in raw_dir.iterdir())
    assert files == sorted([f"{t}.csv" for t in RAW_TABLES] + ["_manifest.json"])
    for table in RAW_TABLES:
        with (raw_dir / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert header == columns(table), table


def test_returned_counts_match_the_files_and_the_loader(tmp_path):
    out = tmp_path / "raw"
    counts = generate(scale=0.05, seed=SEED, out_dir=out, as_of=AS_OF, quiet=True)
    con = duckdb.connect()
    for table, rows in counts.items():
        assert _scalar(con, f"select count(*) from {_read_csv(out / f'{table}.csv')}") == rows
    loaded = load_raw(out, tmp_path / "work.duckdb", quiet=True)
    assert loaded == counts


def test_row_counts_scale_linearly(tmp_path):
    small = generate(scale=0.05, seed=SEED, out_dir=tmp_path / "small", as_of=AS_OF, quiet=True)
    large = generate(scale=0.15, seed=SEED, out_dir=tmp_path / "large", as_of=AS_OF, quiet=True)
    for table in RAW_TABLES:
        ratio = large[table] / small[table]
        assert 2.7 <= ratio <= 3.3, f"{table}: {small[table]} -> {large[table]} rows (x{ratio:.2f})"
    # Scale 1 sizes: the base rows of the brief plus a few percent of dirt rows.
    sizes = generate_raw.table_sizes(1)
    assert sizes == generate_raw.BASE_ROWS
    assert large["engagement_events"] == round(400_000 * 0.15)
    assert 0.15 * 2_000 <= large["crm_accounts"] <= 0.15 * 2_000 * 1.1


# ---------------------------------------------------------------------------------------------
# Determinism and formats
# ---------------------------------------------------------------------------------------------


def _same_files(a: Path, b: Path, suffix: str) -> dict[str, bool]:
    return {
        t: filecmp.cmp(a / f"{t}.{suffix}", b / f"{t}.{suffix}", shallow=False) for t in RAW_TABLES
    }


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path):
    for name, seed in (("a", SEED), ("b", SEED), ("c", SEED + 1)):
        generate(scale=0.05, seed=seed, out_dir=tmp_path / name, as_of=AS_OF, quiet=True)
    assert all(_same_files(tmp_path / "a", tmp_path / "b", "csv").values())
    assert (tmp_path / "a" / "_manifest.json").read_bytes() == (
        tmp_path / "b" / "_manifest.json"
    ).read_bytes()
    assert not any(_same_files(tmp_path / "a", tmp_path / "c", "csv").values())


def test_chunked_event_writing_changes_nothing(tmp_path, monkeypatch):
    generate(scale=0.05, seed=SEED, out_dir=tmp_path / "one", as_of=AS_OF, quiet=True)
    generate(
        scale=0.05, seed=SEED, out_dir=tmp_path / "one_pq", as_of=AS_OF, fmt="parquet", quiet=True
    )
    monkeypatch.setattr(generate_raw, "EVENT_CHUNK_ROWS", 3_000)  # 20,000 events -> 7 chunks
    generate(scale=0.05, seed=SEED, out_dir=tmp_path / "many", as_of=AS_OF, quiet=True)
    generate(
        scale=0.05, seed=SEED, out_dir=tmp_path / "many_pq", as_of=AS_OF, fmt="parquet", quiet=True
    )
    generate(
        scale=0.05, seed=SEED, out_dir=tmp_path / "many_pq2", as_of=AS_OF, fmt="parquet", quiet=True
    )
    assert all(_same_files(tmp_path / "one", tmp_path / "many", "csv").values())
    assert all(_same_files(tmp_path / "many_pq", tmp_path / "many_pq2", "parquet").values())
    con = duckdb.connect()
    one, many = (_sql(tmp_path / d / "engagement_events.parquet") for d in ("one_pq", "many_pq"))
    rows = con.execute(f"select * from read_parquet({one})").fetchall()
    assert (
        rows == con.execute(f"select * from read_parquet({many})").fetchall()
    )  # same rows, same order


def test_parquet_has_the_schema_types_and_the_same_rows_as_csv(tmp_path):
    generate(scale=0.05, seed=SEED, out_dir=tmp_path / "csv", as_of=AS_OF, fmt="csv", quiet=True)
    generate(scale=0.05, seed=SEED, out_dir=tmp_path / "pq", as_of=AS_OF, fmt="parquet", quiet=True)
    con = duckdb.connect()
    for table, spec in RAW_TABLES.items():
        described = con.execute(
            f"describe select * from {_sql(tmp_path / 'pq' / f'{table}.parquet')}"
        ).fetchall()
        assert [(r[0], r[1]) for r in described] == [(c, DUCKDB_TYPES[t]) for c, t in spec], table
    # Loaded through the real loader, both formats give the same raw tables line for line.
    load_raw(tmp_path / "csv", tmp_path / "csv.duckdb", quiet=True)
    load_raw(tmp_path / "pq", tmp_path / "pq.duckdb", quiet=True)
    con.execute(f"attach {_sql(tmp_path / 'csv.duckdb')} as c (read_only)")
    con.execute(f"attach {_sql(tmp_path / 'pq.duckdb')} as p (read_only)")
    for table in RAW_TABLES:
        cols = ", ".join(f'"{c}"' for c in [*columns(table), "_line_number"])
        diff = _scalar(
            con,
            f"""select count(*) from (
            (select {cols} from c.raw.{table} except all select {cols} from p.raw.{table})
            union all
            (select {cols} from p.raw.{table} except all select {cols} from c.raw.{table}))""",
        )
        assert diff == 0, table


def test_a_stale_file_in_the_other_format_is_removed(tmp_path):
    (tmp_path / "crm_accounts.parquet").write_bytes(b"stale")
    generate(scale=0.02, seed=SEED, out_dir=tmp_path, as_of=AS_OF, fmt="csv", quiet=True)
    assert not (tmp_path / "crm_accounts.parquet").exists()
    assert not list(tmp_path.glob(".*"))  # no temporary parts left behind
    load_raw(tmp_path, tmp_path / "w.duckdb", quiet=True)  # the folder is loadable as is


# ---------------------------------------------------------------------------------------------
# CSV conventions
# ---------------------------------------------------------------------------------------------


def test_quoted_empty_and_null_frameworks_stay_apart(raw_dir, raw):
    known_none = _scalar(raw, "select count(*) from crm_accounts where compliance_frameworks = ''")
    unknown = _scalar(raw, "select count(*) from crm_accounts where compliance_frameworks is null")
    assert known_none > 0 and unknown > 0
    text = (raw_dir / "crm_accounts.csv").read_text(encoding="utf-8")
    assert ',"",' in text  # "" on disk, not an empty field


def test_csv_value_formats(raw):
    assert (
        _scalar(raw, "select count(*) from crm_accounts where is_deleted not in ('true', 'false')")
        == 0
    )
    ts = "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
    for table, column in (
        ("engagement_events", "occurred_at"),
        ("crm_contacts", "created_at"),
        ("crm_accounts", "last_incident_at"),
        ("sales_activities", "occurred_at"),
    ):
        bad = _scalar(
            raw,
            f"select count(*) from {table} where {column} is not null "
            f"and not regexp_full_match({column}, '{ts}')",
        )
        assert bad == 0, f"{table}.{column}"
    assert (
        _scalar(
            raw,
            "select count(*) from form_submissions where compliance_deadline is not null "
            "and not regexp_full_match(compliance_deadline, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')",
        )
        == 0
    )


# ---------------------------------------------------------------------------------------------
# Dirt: every kind the contract lists is present, at a low rate
# ---------------------------------------------------------------------------------------------

_VERSIONED = {
    "crm_accounts": "account_id",
    "crm_contacts": "contact_id",
    "crm_opportunities": "opportunity_id",
}


def _row_hash(table: str, exclude: tuple[str, ...] = ("updated_at",)) -> str:
    return "hash(" + ", ".join(c for c in columns(table) if c not in exclude) + ")"


@pytest.mark.parametrize("table", list(_VERSIONED))
def test_versions_ties_and_soft_deletes(raw, table):
    key = _VERSIONED[table]
    versioned = _scalar(
        raw,
        f"""select count(*) from (select {key} from {table} where {key} is not null
        group by 1 having count(*) > 1 and count(distinct {_row_hash(table)}) > 1)""",
    )
    ties = _scalar(
        raw,
        f"""select count(*) from (select {key} from {table} where {key} is not null
        group by {key}, updated_at
        having count(*) > 1 and count(distinct {_row_hash(table)}) > 1)""",
    )
    # An older version on a later line: only updated_at tells which version is current.
    stale_later = _scalar(
        raw,
        f"""select count(*) from {table} a join {table} b using ({key})
        where a._line < b._line
          and cast(a.updated_at as timestamp) > cast(b.updated_at as timestamp)""",
    )
    latest_deleted = _scalar(
        raw,
        f"""select count(*) from (select is_deleted, row_number() over (
        partition by {key} order by cast(updated_at as timestamp) desc nulls last, _line desc) as rn
        from {table} where {key} is not null) where rn = 1 and is_deleted = 'true'""",
    )
    rows = _scalar(raw, f"select count(*) from {table}")
    assert versioned > 0 and ties > 0 and stale_later > 0 and latest_deleted > 0
    assert versioned / rows < 0.1 and latest_deleted / rows < 0.05


@pytest.mark.parametrize("table", list(RAW_TABLES))
def test_empty_keys(raw, table):
    key = RAW_KEYS[table]
    empty = _scalar(raw, f"select count(*) from {table} where {key} is null")
    assert 0 < empty <= max(5, 0.01 * _scalar(raw, f"select count(*) from {table}"))


COMPETITORS = "('crowdstrike.com', 'paloaltonetworks.com', 'sentinelone.com', 'rapid7.com', \
'arcticwolf.com', 'secureworks.com')"
KNOWN_CONTACT = "(select contact_id from crm_contacts where contact_id is not null)"
MERGED_EMAIL = """(select lower(trim(email)) from crm_contacts where contact_id is not null
    group by 1 having count(distinct contact_id) > 1)"""
FUTURE_5_DAYS = f"between date '{AS_OF}' + 1 and date '{AS_OF}' + 5"
FAR_FUTURE = f"> date '{AS_OF}' + 100"

# kind -> (table, condition): at least one row of the table matches.
DIRTY_ROWS = {
    # contacts
    "email with surrounding spaces": ("crm_contacts", "email like ' %' or email like '% '"),
    "email in mixed case": ("crm_contacts", "email <> lower(email)"),
    "malformed email: nothing after @": ("crm_contacts", "email like '%@'"),
    "malformed email: ' at '": ("crm_contacts", "email like '% at %' and email not like '%@%'"),
    "malformed email: no dot in domain": (
        "crm_contacts",
        "regexp_full_match(email, '[a-z0-9.]+@[a-z0-9-]+')",
    ),
    "free-mail email": ("crm_contacts", "lower(trim(email)) like '%@gmail.com'"),
    "competitor email": (
        "crm_contacts",
        f"split_part(lower(trim(email)), '@', 2) in {COMPETITORS}",
    ),
    "contact without account": ("crm_contacts", "account_id is null"),
    "contact with an unknown account": (
        "crm_contacts",
        """account_id is not null and account_id
        not in (select account_id from crm_accounts where account_id is not null)""",
    ),
    "title with extra spaces": (
        "crm_contacts",
        "job_title <> trim(job_title) or job_title like '%  %'",
    ),
    "title in capitals": (
        "crm_contacts",
        """job_title = upper(job_title)
        and job_title <> lower(job_title) and length(job_title) > 4""",
    ),
    "title with punctuation": (
        "crm_contacts",
        "job_title in ('VP, Security', 'Sr. Security Engineer')",
    ),
    "bounced person": ("crm_contacts", "email_status = 'bounced'"),
    "opted-out person": ("crm_contacts", "email_opt_out = 'true'"),
    # accounts
    "website with scheme, www, capitals and path": (
        "crm_accounts",
        "website like 'https://www.%/about' and website <> lower(website)",
    ),
    "bare website domain": (
        "crm_accounts",
        "website not like '%/%' and lower(website) not like 'www.%'",
    ),
    "website in capitals": ("crm_accounts", "website like 'WWW.%' and website = upper(website)"),
    "website empty string": ("crm_accounts", "website = ''"),
    "website NULL": ("crm_accounts", "website is null"),
    "unmappable industry": (
        "crm_accounts",
        "industry in ('Widgets', 'Misc.', 'Conglomerate', 'TBD')",
    ),
    "industry empty string": ("crm_accounts", "industry = ''"),
    "industry NULL": ("crm_accounts", "industry is null"),
    "employee_count empty": ("crm_accounts", "employee_count is null"),
    "employee_count zero": ("crm_accounts", "employee_count = '0'"),
    "employee_count negative": ("crm_accounts", "employee_count like '-%'"),
    "country empty or NULL": ("crm_accounts", "country is null or country = ''"),
    "garbage country": ("crm_accounts", "country in ('N/A', '??', 'Earth', '123', '-')"),
    "frameworks ;-separated, messy case": (
        "crm_accounts",
        """compliance_frameworks like '%;%'
        and compliance_frameworks <> upper(compliance_frameworks)""",
    ),
    "frameworks with a hyphen or without space": (
        "crm_accounts",
        "regexp_matches(compliance_frameworks, 'pci-dss|PCI-DSS|ISO27001|SOC2|soc2')",
    ),
    "competitor account": (
        "crm_accounts",
        f"regexp_extract(lower(website), '([a-z0-9]+[.]com)') in {COMPETITORS}",
    ),
    # opportunities
    "opportunity without primary contact": ("crm_opportunities", "primary_contact_id is null"),
    # events
    "event with email but no contact_id": (
        "engagement_events",
        "contact_id is null and email is not null",
    ),
    "event with neither contact_id nor email": (
        "engagement_events",
        "contact_id is null and email is null",
    ),
    "event with an unknown contact_id": (
        "engagement_events",
        f"contact_id is not null and contact_id not in {KNOWN_CONTACT}",
    ),
    "unknown event type page_scroll": ("engagement_events", "event_type = 'page_scroll'"),
    "unknown event type chat_started": ("engagement_events", "event_type = 'chat_started'"),
    "event up to 5 days in the future": (
        "engagement_events",
        f"cast(occurred_at as date) {FUTURE_5_DAYS}",
    ),
    "event far in the future": ("engagement_events", f"cast(occurred_at as date) {FAR_FUTURE}"),
    "event topic empty string": ("engagement_events", "topic = ''"),
    "email_bounce event": ("engagement_events", "event_type = 'email_bounce'"),
    "unsubscribe event": ("engagement_events", "event_type = 'unsubscribe'"),
    # forms
    "form with email but no contact_id": (
        "form_submissions",
        "contact_id is null and email is not null",
    ),
    "form with neither contact_id nor email": (
        "form_submissions",
        "contact_id is null and email is null",
    ),
    "form with an unknown contact_id": (
        "form_submissions",
        f"contact_id is not null and contact_id not in {KNOWN_CONTACT}",
    ),
    "form up to 5 days in the future": (
        "form_submissions",
        f"cast(submitted_at as date) {FUTURE_5_DAYS}",
    ),
    "form far in the future": ("form_submissions", f"cast(submitted_at as date) {FAR_FUTURE}"),
}

# kind -> a query counting a pattern that spans rows or tables.
DIRTY_PATTERNS = {
    "same person under two contact ids (email case/space variant)": """
        select count(*) from (select lower(trim(email)) from crm_contacts
        where contact_id is not null
        group by 1 having count(distinct contact_id) > 1 and count(distinct email) > 1)""",
    "bounced person with a bounce event": """
        select count(*) from crm_contacts c join engagement_events e using (contact_id)
        where c.email_status = 'bounced' and e.event_type = 'email_bounce'""",
    "opted-out person with an unsubscribe event": """
        select count(*) from crm_contacts c join engagement_events e using (contact_id)
        where c.email_opt_out = 'true' and e.event_type = 'unsubscribe'""",
    "opportunity pointing at a merged contact id": f"""
        select count(*) from crm_opportunities o join crm_contacts c
        on c.contact_id = o.primary_contact_id where lower(trim(c.email)) in {MERGED_EMAIL}""",
    "event of a merged contact id": f"""
        select count(*) from engagement_events e join crm_contacts c using (contact_id)
        where lower(trim(c.email)) in {MERGED_EMAIL}""",
    "duplicate event delivery, later loaded_at": """
        select count(*) from (select event_id from engagement_events where event_id is not null
        group by 1 having count(*) = 2 and count(distinct loaded_at) = 2
        and count(distinct hash(contact_id, email, event_type, occurred_at, page_url, topic))
            = 1)""",
    "form delivered twice": """
        select count(*) from (select submission_id from form_submissions
        where submission_id is not null group by 1 having count(*) > 1)""",
    "activity delivered twice": """
        select count(*) from (select activity_id from sales_activities
        where activity_id is not null group by 1 having count(*) > 1)""",
}


@pytest.mark.parametrize("kind", list(DIRTY_ROWS))
def test_dirty_rows_are_present(raw, kind):
    table, condition = DIRTY_ROWS[kind]
    assert _scalar(raw, f"select count(*) from {table} where {condition}") > 0, kind


@pytest.mark.parametrize("kind", list(DIRTY_PATTERNS))
def test_dirty_patterns_are_present(raw, kind):
    assert _scalar(raw, DIRTY_PATTERNS[kind]) > 0, kind


def test_only_planted_duplicates_share_an_email(tmp_path, monkeypatch):
    """Contact ids sharing a normalised email are one person (same name): no accidental merge
    of two people, e.g. on a malformed `john@`. Half the emails malformed makes collisions
    between first-name-only locals near certain unless the generator prevents them."""
    monkeypatch.setitem(generate_raw.CONTACT_DIRT, "malformed_email", 0.5)
    generate(scale=0.05, seed=SEED, out_dir=tmp_path, as_of=AS_OF, quiet=True)
    con = duckdb.connect()
    groups, strangers = con.execute(f"""
        select count(*), count(*) filter (where names > 1) from (
            select count(distinct lower(first_name || last_name)) as names
            from {_read_csv(tmp_path / "crm_contacts.csv")} where contact_id is not null
            group by lower(trim(email)) having count(distinct contact_id) > 1)""").fetchone()
    assert groups > 0 and strangers == 0


def test_dirt_rates_are_low(raw):
    """Row-level dirt stays a small minority: the data is dirty, not garbage."""
    checks = {
        "crm_contacts": [
            "email <> lower(trim(email))",
            "account_id is null",
            "job_title is null",
            "email_status = 'bounced'",
            "email_opt_out = 'true'",
            "email not like '%@%.%'",
        ],
        "crm_accounts": [
            "website is null or website = ''",
            "employee_count is null",
            "industry is null or industry = ''",
        ],
        "engagement_events": [
            "contact_id is null",
            "event_type not in (" + ", ".join(f"'{e}'" for e in EVENT_TYPES) + ")",
            f"cast(occurred_at as date) > date '{AS_OF}'",
        ],
        "form_submissions": ["contact_id is null", f"cast(submitted_at as date) > date '{AS_OF}'"],
    }
    for table, conditions in checks.items():
        rows = _scalar(raw, f"select count(*) from {table}")
        for condition in conditions:
            share = _scalar(raw, f"select count(*) from {table} where {condition}") / rows
            assert share <= 0.12, f"{table}: {condition}: {share:.1%}"


@pytest.mark.parametrize(
    "column, spellings",
    [
        ("industry", ["Healthcare", "health care", "Hospitals"]),
        ("industry", ["FinServ", "Banking", "Financial Services", "Fin. Services"]),
        ("industry", ["Software", "SaaS"]),
        ("industry", ["Government", "Public Sector"]),
        ("industry", ["Utilities", "Energy"]),
        ("industry", ["Retail", "E-commerce"]),
        ("country", ["US", "USA", "United States", "u.s.", "U.S.A."]),
        ("country", ["UK", "United Kingdom", "Great Britain", "GB"]),
        ("country", ["DE", "Germany", "Deutschland"]),
    ],
)
def test_messy_spellings(raw, column, spellings):
    """Several spellings of one value appear (at least two of the listed, usually all)."""
    found = {r[0] for r in raw.execute(f"select distinct {column} from crm_accounts").fetchall()}
    assert len(found & set(spellings)) >= 2, (
        f"{column}: only {sorted(found & set(spellings))} of {spellings}"
    )


def test_every_persona_has_people(raw):
    """Titles cover every persona of the scoring model, including the whole-word traps."""
    titles = {
        r[0] for r in raw.execute("select distinct trim(job_title) from crm_contacts").fetchall()
    }
    for expected in [
        "CISO",
        "Chief Information Security Officer",
        "VP of Security",
        "IT Security Manager",
        "Director of IT",
        "CTO",
        "Security Engineer",
        "SOC Analyst",
        "Compliance Manager",
        "Risk Analyst",
        "Student",
        "Intern",
        "Marketing Director",
        "Director of Marketing",
        "Sales",
    ]:
        assert expected in titles, expected


# ---------------------------------------------------------------------------------------------
# Time: history window, as-of date, weekday and business-hour patterns
# ---------------------------------------------------------------------------------------------

_TIME_COLUMNS = [
    ("crm_accounts", "updated_at"),
    ("crm_accounts", "last_incident_at"),
    ("crm_contacts", "created_at"),
    ("crm_contacts", "updated_at"),
    ("crm_opportunities", "created_at"),
    ("crm_opportunities", "closed_at"),
    ("crm_opportunities", "updated_at"),
    ("engagement_events", "loaded_at"),
    ("sales_activities", "occurred_at"),
]


@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2024, 2, 29)])
def test_as_of_is_respected(tmp_path, as_of):
    generate(scale=0.05, seed=SEED, out_dir=tmp_path, as_of=as_of, quiet=True)
    con = duckdb.connect()
    read = {t: _read_csv(tmp_path / f"{t}.csv") for t in RAW_TABLES}
    end = f"timestamp '{as_of + dt.timedelta(days=1)}'"
    for table, column in _TIME_COLUMNS:
        late = _scalar(
            con, f"select count(*) from {read[table]} where cast({column} as timestamp) >= {end}"
        )
        assert late == 0, f"{table}.{column} after as-of"
    # Only the planted clock-skew rows lie after as-of, and few of them.
    for table, column, limit in (
        ("engagement_events", "occurred_at", 0.005),
        ("form_submissions", "submitted_at", 0.02),
    ):
        future, rows = con.execute(
            f"select count(*) filter (where cast({column} as timestamp) >= {end}), count(*)"
            f" from {read[table]}"
        ).fetchone()
        assert 0 < future <= limit * rows, f"{table}: {future} of {rows} in the future"
    # Twelve months of history ending at as-of.
    first, last = con.execute(
        f"select min(cast(occurred_at as timestamp)), max(cast(occurred_at as timestamp)) filter "
        f"(where cast(occurred_at as timestamp) < {end}) from {read['engagement_events']}"
    ).fetchone()
    assert as_of - dt.timedelta(days=366) < first.date() <= as_of - dt.timedelta(days=360)
    assert last.date() == as_of
    months = _scalar(
        con,
        f"select count(distinct date_trunc('month', cast(occurred_at as timestamp))) "
        f"from {read['engagement_events']} where cast(occurred_at as timestamp) < {end}",
    )
    assert months in (12, 13)


def test_weekday_and_business_hour_patterns(raw):
    weekend, office, rows = raw.execute("""
        select count(*) filter (where dayofweek(ts) in (0, 6)),
               count(*) filter (where hour(ts) between 8 and 18), count(*)
        from (select cast(occurred_at as timestamp) as ts from engagement_events)""").fetchone()
    assert 0.03 < weekend / rows < 0.15  # 2/7 = 29% without the pattern
    assert office / rows > 0.8
    activity_weekend = _scalar(
        raw,
        """select avg(case when dayofweek(cast(occurred_at as timestamp)) in (0, 6)
        then 1 else 0 end) from sales_activities""",
    )
    assert activity_weekend < 0.01  # reps work on weekdays


# ---------------------------------------------------------------------------------------------
# The story the marts should be able to tell
# ---------------------------------------------------------------------------------------------


def test_intent_and_deals_concentrate_at_high_risk_accounts(raw):
    """Active evaluations and won deals are more common at accounts with visible risk."""
    risky = """(select account_id, (case when last_incident_at is not null
            and cast(last_incident_at as timestamp) > timestamp '2025-07-01' then 1 else 0 end
            + case when has_mfa = 'false' then 1 else 0 end
            + case when has_edr = 'false' then 1 else 0 end
            + case when exposed_services_count not in ('0') then 1 else 0 end) >= 2 as is_risky
        from crm_accounts where account_id is not null and not is_deleted = 'true')"""
    high_intent_forms = ", ".join(f"'{form}'" for form in generate_raw.HIGH_INTENT_FORMS)
    evaluating = raw.execute(f"""
        with hot as (select distinct contact_id from form_submissions
                     where form_name in ({high_intent_forms}))
        select r.is_risky, avg(case when h.contact_id is not null then 1.0 else 0 end)
        from crm_contacts c join {risky} r using (account_id) left join hot h using (contact_id)
        group by 1""").fetchall()
    share = dict(evaluating)
    assert share[True] > 1.3 * share[False], share
    deals = dict(
        raw.execute(f"""
        select r.is_risky, count(o.opportunity_id) / count(distinct r.account_id)
        from {risky} r left join crm_opportunities o using (account_id) group by 1""").fetchall()
    )
    assert deals[True] > 1.3 * deals[False], deals


def test_sales_follow_up_after_forms(raw):
    """High-intent forms get a first touch minutes to days later, with meeting outcomes."""
    minutes = raw.execute("""
        with f as (select contact_id, cast(submitted_at as timestamp) as at from form_submissions
                   where form_name = 'demo_request' and contact_id is not null)
        select quantile_cont(m, [0.1, 0.5, 0.9]) from (
            select f.contact_id, f.at,
                min(date_diff('minute', f.at, cast(a.occurred_at as timestamp))) as m
            from f join sales_activities a on a.contact_id = f.contact_id
             and cast(a.occurred_at as timestamp) between f.at and f.at + interval 7 day
            group by 1, 2)""").fetchone()[0]
    assert minutes[0] < 60 and 30 < minutes[1] < 24 * 60 and minutes[2] > 12 * 60, minutes
    dispositions = {
        r[0] for r in raw.execute("select distinct disposition from sales_activities").fetchall()
    }
    assert {
        "meeting_booked",
        "discovery_completed",
        "not_a_fit",
        "unresponsive",
        "bad_data",
    } <= dispositions
    deadlines = _scalar(
        raw,
        f"""select count(*) from form_submissions where cast(compliance_deadline as date)
        between date '{AS_OF}' and date '{AS_OF}' + 180""",
    )
    assert deadlines > 0


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lead_segmentation.demo.generate_raw", *args], capture_output=True, text=True, cwd=PROJECT_DIR
    )


def test_cli_writes_the_tables_and_reports_progress(tmp_path):
    result = _cli("--scale", "0.02", "--seed", "3", "--out", str(tmp_path), "--as-of", "2026-01-15")
    assert result.returncode == 0, result.stderr
    for table in RAW_TABLES:
        assert (tmp_path / f"{table}.csv").is_file()
        assert f"[generate] {table}" in result.stderr
    result = _cli(
        "--scale", "0.02", "--seed", "3", "--out", str(tmp_path / "pq"), "--format", "parquet"
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "pq").glob("*.parquet")) == sorted(
        f"{t}.parquet" for t in RAW_TABLES
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--scale", "0"], "--scale"),
        (["--scale", "-1"], "--scale"),
        (["--scale", "abc"], "--scale"),
        (["--scale", "nan"], "--scale"),
        (["--scale", "1000"], "--scale"),
        (["--seed", "-3"], "--seed"),
        (["--as-of", "2026-02-30"], "--as-of"),
        (["--format", "xlsx"], "--format"),
    ],
)
def test_cli_refuses_bad_arguments(tmp_path, args, message):
    base = {"--scale": "0.02", "--seed": "1", "--out": str(tmp_path / "out")}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    result = _cli(*[x for kv in base.items() for x in kv])
    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / "out").exists()  # nothing written


def test_cli_requires_out_and_seed():
    result = _cli("--scale", "1")
    assert result.returncode != 0 and "--seed" in result.stderr and "--out" in result.stderr


def test_generate_refuses_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="scale"):
        generate(scale=0, seed=1, out_dir=tmp_path, as_of=AS_OF)
    with pytest.raises(ValueError, match="seed"):
        generate(scale=0.1, seed=-1, out_dir=tmp_path, as_of=AS_OF)
    with pytest.raises(ValueError, match="format"):
        generate(scale=0.1, seed=1, out_dir=tmp_path, as_of=AS_OF, fmt="json")
    assert not list(tmp_path.iterdir())


def test_the_generated_forms_are_the_contracts():
    """The generator's form mix names exactly the contract's forms (seed
    engagement_form_names, read by raw_schema): a form added to the seed gets a share here."""
    from lead_segmentation.raw_schema import FORM_NAMES

    assert sorted({**generate_raw.HIGH_INTENT_FORMS, **generate_raw.LOW_INTENT_FORMS}) == sorted(FORM_NAMES)
