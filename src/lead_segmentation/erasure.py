"""Erasure: people's email and name leave every table of the work database.

Two ways a person must disappear (GDPR erasure; the users market to EU buyers):

- an erasure request that cannot wait for the CRM (`lead-segmentation-pipeline --erase-email
  ADDRESS`);
- a person deleted in the CRM: a contact whose current version is flagged `is_deleted` in the
  export, or a contact the last build held that the export no longer has (hard delete).
  With the HubSpot source (`--source hubspot`): a contact the connector flags
  `_fivetran_deleted`, or one the last build held that the connector no longer has, unless
  HubSpot merged it into another contact (the person lives on as the survivor).

Both are recorded in the erasure register `ops.erased_people` of the work database as a salted
SHA-256 of the normalised address (never the address: the salt is random per work database,
ops.erasure_salt), so that every later load removes the person again although the export still
carries them (the CRM may take days to delete; engagement exports keep old events). A deleted
person whose address is also on a live contact is not registered: the person lives on under
another record.

After the load and again after the build, `scrub` sets every personal column
(lead_segmentation.raw_schema.PERSONAL_COLUMNS: email, first_name, last_name, phone; in the
HubSpot connector tables loaded into the work database, hubspot_tables.CONNECTOR_PERSONAL_COLUMNS:
property_email, property_firstname, ..., email_event's recipient) to NULL in every table of
every schema where the row's email is registered or its contact_id belongs to an erased person:
raw tables, staging (the incremental engagement models keep old rows), rejected-row tables
(failing test rows are views of the tables: they show the cleared rows); rows keyed by a
registered address (the attributed identities, int_event_identities_attributed) are
deleted. Ids stay (history, reconciliation); the snapshots hold no personal
column. The published file holds no personal column and is replaced by the normal publish.
A HubSpot database read in place (`--source-database`) is the user's warehouse, attached
read-only: it is never written; what the build copies from it is scrubbed after the build.
Messages and the run log give counts only.
"""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path

import duckdb

from lead_segmentation.contract import OPS_SCHEMA, staged_model
from lead_segmentation.raw_schema import PERSONAL_COLUMNS
from lead_segmentation.sources.hubspot_tables import (
    CONNECTOR_EMAIL_COLUMNS,
    CONNECTOR_PERSONAL_COLUMNS,
    LOADED_SCHEMA,
)

REGISTER = f"{OPS_SCHEMA}.erased_people"
SALT = f"{OPS_SCHEMA}.erasure_salt"
# The HubSpot contacts the last build held (id and email key, never the address): a contact
# the connector no longer has on the next run was deleted in HubSpot (hard delete).
HUBSPOT_SEEN = f"{OPS_SCHEMA}.hubspot_contacts_seen"
_SKIPPED_SCHEMAS = (OPS_SCHEMA,)
_PERSONAL = tuple(PERSONAL_COLUMNS) + CONNECTOR_PERSONAL_COLUMNS
_EMAILS = ("email",) + CONNECTOR_EMAIL_COLUMNS
# The connector's contact table names its contact id `id` (as Fivetran lands it).
_CONNECTOR_CONTACTS = (LOADED_SCHEMA, "contact")
# The build's reading of the connector's contact table (models/staging/hubspot/).
_HUBSPOT_CONTACTS = ("staging", "base_hubspot__contact")
# Every row of the files export's contacts as the last build judged it (contract.staged_model).
_FILES_CONTACT_ROWS = ("staging", staged_model("base", "contacts", "files"))


@dataclasses.dataclass
class ErasureReport:
    requested: int = 0  # addresses newly registered by --erase-email
    deleted_in_crm: int = 0  # people newly registered because the CRM deleted them
    rows: int = 0  # rows whose personal columns were cleared
    tables: int = 0  # tables concerned

    def render(self) -> str:
        return (
            f"erasure: {self.requested} request(s) and {self.deleted_in_crm} person(s) deleted in "
            f"the CRM newly registered; personal data cleared from {self.rows:,} row(s) in "
            f"{self.tables} table(s)"
        )


def _key(expression: str) -> str:
    """SQL: the register key of an email expression. Normalised as staging does and more: all
    whitespace (Unicode spaces, tabs, zero-width, BOM) removed, lower case."""
    cleaned = (
        f"lower(regexp_replace({expression}, "
        r"'[\s\x{00A0}\x{1680}\x{2000}-\x{200D}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]', "
        "'', 'g'))"
    )
    return f"sha256((select salt from {SALT}) || {cleaned})"


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {OPS_SCHEMA}")
    con.execute(f"create table if not exists {SALT} (salt varchar)")
    if not con.execute(f"select count(*) from {SALT}").fetchone()[0]:
        con.execute(f"insert into {SALT} values (?)", [secrets.token_hex(16)])
    con.execute(
        f"create table if not exists {REGISTER} "
        "(email_key varchar primary key, reason varchar, registered_at timestamp)"
    )


def _register(con: duckdb.DuckDBPyConnection, select_emails: str, reason: str, params=()) -> int:
    """Add the keys of the emails `select_emails` yields (column `email`); returns how many
    were new."""
    before = con.execute(f"select count(*) from {REGISTER}").fetchone()[0]
    con.execute(
        f"insert or ignore into {REGISTER} "
        f"select distinct {_key('email')}, '{reason}', now()::timestamp "
        f"from ({select_emails}) where nullif(trim(email), '') is not null",
        list(params),
    )
    return con.execute(f"select count(*) from {REGISTER}").fetchone()[0] - before


def _tables(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[str]]:
    """(schema, table) -> its columns, for every base table outside ops."""
    found: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in con.execute(
        "select c.table_schema, c.table_name, c.column_name from information_schema.columns c "
        "join information_schema.tables t using (table_catalog, table_schema, table_name) "
        "where t.table_type = 'BASE TABLE' and c.table_catalog = current_database() "
        "order by c.table_schema, c.table_name, c.ordinal_position"
    ).fetchall():
        if schema not in _SKIPPED_SCHEMAS:
            found.setdefault((schema, table), []).append(column.lower())
    return found


def _has(tables, schema: str, table: str, *columns: str) -> bool:
    return all(c in tables.get((schema, table), []) for c in columns)


def _email_column(columns: list[str]) -> str | None:
    return next((c for c in _EMAILS if c in columns), None)


def _contact_id_column(schema: str, table: str, columns: list[str]) -> str | None:
    if "contact_id" in columns:
        return "contact_id"
    if (schema, table) == _CONNECTOR_CONTACTS and "id" in columns:
        return "id"
    return None


def _hubspot_merged_ids(tables) -> str:
    """SQL: the contact ids HubSpot merged into another contact (none before a build)."""
    if _has(tables, "staging", "base_hubspot__contact_merges", "merged_contact_id"):
        return (
            "select merged_contact_id from staging.base_hubspot__contact_merges "
            "where merged_contact_id is not null"
        )
    return "select cast(null as varchar) as merged_contact_id where false"


def register_deleted_in_hubspot(con: duckdb.DuckDBPyConnection, tables) -> int:
    """Register the people HubSpot deleted; returns how many were new. Reads the build's
    staging.base_hubspot__contact (the connector's contact table as read: after the load it is
    the previous build's, after the build the current one) and the contacts the last build
    held (HUBSPOT_SEEN), then records the current ones there. A merged contact is not a
    deleted person, nor is a deleted one whose address lives on another contact."""
    if not _has(tables, *_HUBSPOT_CONTACTS, "contact_id", "email", "is_fivetran_deleted"):
        return 0
    merged = _hubspot_merged_ids(tables)
    contacts = ".".join(_HUBSPOT_CONTACTS)
    live_keys = (
        f"select {_key('email')} from {contacts} "
        "where not coalesce(is_fivetran_deleted, false) and email is not null"
    )
    before = con.execute(f"select count(*) from {REGISTER}").fetchone()[0]
    con.execute(f"create table if not exists {HUBSPOT_SEEN} (contact_id varchar, email_key varchar)")
    _register(
        con,
        f"select email from {contacts} where coalesce(is_fivetran_deleted, false) "
        f"and contact_id not in ({merged}) and {_key('email')} not in ({live_keys})",
        "deleted_in_crm",
    )
    con.execute(
        f"insert or ignore into {REGISTER} select distinct email_key, 'deleted_in_crm', "
        f"now()::timestamp from {HUBSPOT_SEEN} where email_key is not null "
        f"and contact_id not in (select contact_id from {contacts} where contact_id is not null) "
        f"and contact_id not in ({merged}) and email_key not in ({live_keys})"
    )
    con.execute(f"delete from {HUBSPOT_SEEN}")
    con.execute(
        f"insert into {HUBSPOT_SEEN} select distinct contact_id, "
        f"case when nullif(trim(email), '') is not null then {_key('email')} end "
        f"from {contacts} where contact_id is not null"
    )
    return con.execute(f"select count(*) from {REGISTER}").fetchone()[0] - before


def register_deleted_in_crm(con: duckdb.DuckDBPyConnection, tables) -> int:
    """Register the people the CRM deleted (see the module's docstring); returns how many were
    new. Reads the freshly loaded raw.crm_contacts and, for hard deletes, the previous build's
    staging.base_crm__contacts (_FILES_CONTACT_ROWS, still there: the build comes after)."""
    if not _has(tables, "raw", "crm_contacts", "contact_id", "email", "is_deleted", "updated_at"):
        return 0
    live = (
        "select email from raw.crm_contacts where contact_id in ("
        "select contact_id from raw.crm_contacts group by contact_id "
        "having not coalesce(arg_max(is_deleted, updated_at), false))"
    )
    soft = (
        "select email from raw.crm_contacts where contact_id in ("
        "select contact_id from raw.crm_contacts group by contact_id "
        "having coalesce(arg_max(is_deleted, updated_at), false))"
    )
    sources = [soft]
    if _has(tables, *_FILES_CONTACT_ROWS, "contact_id", "email"):
        sources.append(
            f"select email from {'.'.join(_FILES_CONTACT_ROWS)} where contact_id is not null "
            "and contact_id not in (select contact_id from raw.crm_contacts where contact_id is not null)"
        )
    gone = " union ".join(sources)
    return _register(
        con,
        f"select email from ({gone}) as gone where {_key('email')} not in "
        f"(select {_key('email')} from ({live}) as live where email is not null)",
        "deleted_in_crm",
    )


def scrub(con: duckdb.DuckDBPyConnection, tables=None, source: str = "files") -> tuple[int, int]:
    """Clear the personal columns of every registered person in every table; returns (rows,
    tables) changed."""
    tables = tables if tables is not None else _tables(con)
    con.execute("create or replace temp table erased_ids (contact_id varchar)")
    for (schema, table), columns in tables.items():
        email = _email_column(columns)
        contact_id = _contact_id_column(schema, table, columns)
        if email and contact_id:
            con.execute(
                f'insert into erased_ids select distinct cast("{contact_id}" as varchar) '
                f'from "{schema}"."{table}" where "{contact_id}" is not null '
                f"and {_key(email)} in (select email_key from {REGISTER})"
            )
    if source == "files" and _has(tables, "raw", "crm_contacts", "contact_id", "is_deleted", "updated_at"):
        con.execute(  # soft-deleted contacts, whichever version carries the name
            "insert into erased_ids select contact_id from raw.crm_contacts group by contact_id "
            "having coalesce(arg_max(is_deleted, updated_at), false)"
        )
    if source == "hubspot" and _has(tables, *_HUBSPOT_CONTACTS, "contact_id", "is_fivetran_deleted"):
        con.execute(  # contacts HubSpot deleted (not merged), whatever address they carried
            f"insert into erased_ids select contact_id from {'.'.join(_HUBSPOT_CONTACTS)} "
            f"where coalesce(is_fivetran_deleted, false) and contact_id not in ({_hubspot_merged_ids(tables)})"
        )
    rows = changed_tables = 0
    for (schema, table), columns in tables.items():
        personal = [c for c in _PERSONAL if c in columns]
        if not personal:
            continue
        matches = []
        email = _email_column(columns)
        contact_id = _contact_id_column(schema, table, columns)
        if email:
            matches.append(f"{_key(email)} in (select email_key from {REGISTER})")
        if contact_id:
            matches.append(f'cast("{contact_id}" as varchar) in (select contact_id from erased_ids)')
        if not matches:
            continue
        still = " or ".join(f"{c} is not null" for c in personal)
        count = con.execute(
            f'update "{schema}"."{table}" set {", ".join(f"{c} = null" for c in personal)} '
            f"where ({' or '.join(matches)}) and ({still})"
        ).fetchone()[0]
        if count:
            rows += count
            changed_tables += 1
    for (schema, table), columns in tables.items():
        # Rows keyed by a person's address (identity_type + identity_value: the identity as
        # delivered, int_event_identities_attributed) hold nothing but that key and what was
        # derived from it: they go, as a rebuild from the cleared rows would not have them.
        if "identity_type" in columns and "identity_value" in columns:
            count = con.execute(
                f'delete from "{schema}"."{table}" where identity_type = \'email\' '
                f"and {_key('identity_value')} in (select email_key from {REGISTER})"
            ).fetchone()[0]
            if count:
                rows += count
                changed_tables += 1
    return rows, changed_tables


def apply(work_db: Path, erase_emails: list[str] | None = None, source: str = "files") -> ErasureReport:
    """Register the requested addresses and the people the CRM deleted, then clear their
    personal data everywhere in the work database (one transaction). `source` is the run's
    (pipeline --source): where the CRM's deletions are read from."""
    report = ErasureReport()
    con = duckdb.connect(str(work_db))
    try:
        con.execute("begin transaction")
        _ensure(con)
        tables = _tables(con)
        for address in erase_emails or []:
            report.requested += _register(con, "select ? as email", "request", [address])
        if source == "hubspot":
            report.deleted_in_crm = register_deleted_in_hubspot(con, tables)
        else:
            report.deleted_in_crm = register_deleted_in_crm(con, tables)
        report.rows, report.tables = scrub(con, tables, source)
        con.execute("commit")
    finally:
        con.close()
    return report
