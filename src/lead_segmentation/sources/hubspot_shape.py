"""The synthetic population in HubSpot connector shape (Fivetran table and column names),
with its web events in Segment's shape.

    lead-segmentation-generate-demo ... --shape hubspot   (or:)
    python -m lead_segmentation.sources.hubspot_shape --raw-dir RAW --out DIR [--travelled DIR]

Converts a folder of the six raw contract tables (CONTRACT.md section 1) into one CSV per
connector table the HubSpot adapter reads (`company.csv`, `contact.csv`, `email_event.csv`,
...), written as Fivetran lands them: one row per record (the latest version), soft deletes
in `is_deleted` / `_fivetran_deleted`, explicit merges in the survivor's
`property_hs_merged_object_ids`, deals with pipeline stages and associations, marketing email
events with click and status-change details, form submissions with forms, engagements with
their call / meeting / email tables. `_fivetran_synced` is the record's last change (events:
their load time), so the same raw folder always gives byte-identical connector files.

Not everything in the raw contract can travel through HubSpot (docs/sources.md). With
`--travelled DIR` the converter also writes the six raw tables *as HubSpot carries them*:
the same population reduced to what the connector tables hold, which is what the files
source must be given for the four marts to be identical (tests/end_to_end: the differential
test). What changes on the way, and why:

- versions: HubSpot keeps the current version of a company, contact or deal; rows without an
  id and second deliveries of an event, form or activity do not exist there (staging only
  counts them as duplicates or rejects them).
- web events (page views, pricing and case-study views, webinar attendance) are not HubSpot
  email events: the converter writes them in Segment's shape (`pages.csv`, `tracks.csv` for
  webinar attendance, `identifies.csv` tying a user id to the email), read with var
  segment_enabled; their type and topic are their url's (seed segment_url_patterns: a page at
  `/` has no topic), campaign_id the UTM campaign, source_system `segment`. Unknown event
  types, and events that reach nobody, are not carried.
- email events reach a person by recipient email: the event's contact's email when it names a
  contact, else its own email; one that reaches nobody is not carried. Their topic is their
  campaign's (the campaign name through seed hubspot_topic_patterns); page_url only on clicks;
  source_system `hubspot`.
- form submissions belong to a contact: one given by email is carried under the contact
  holding that email; the qualifying answers are contact properties in HubSpot, so every
  submission of a person carries the answers of the person's latest submission.
- contact email_status: HubSpot knows bounced (hs_email_bad_address true) and valid (false);
  `unknown` is carried as empty.
- opportunities: closed_at only on closed stages.
The converter also adds what real HubSpot data holds and staging must reject and count:
delivery bookkeeping events (SENT, DELIVERED) and bot-filtered opens.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import duckdb

from lead_segmentation.load_raw import load_raw
from lead_segmentation.owner_only import private_dir, private_file
from lead_segmentation.paths import PROJECT_DIR
from lead_segmentation.raw_schema import RAW_TABLES
from lead_segmentation.sql import quote_literal

# HubSpot's default call outcome ids (the adapter maps them back through seed
# hubspot_value_map); other dispositions travel as text, as custom outcomes do.
CALL_DISPOSITION_IDS = {
    "connected": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
    "no_answer": "73a0d17f-1163-4015-bdd5-ec830791da20",
    "bad_data": "17b47fee-58de-441e-a44c-c6300d46f273",
}
MEETING_OUTCOMES = {"discovery_completed": "COMPLETED", "meeting_booked": "SCHEDULED"}
WEB_EVENT_TYPES = ("page_view", "pricing_page_view", "case_study_view", "webinar_attended")
EMAIL_EVENT_TYPES = {
    "email_open": "OPEN",
    "email_click": "CLICK",
    "email_bounce": "BOUNCE",
    "unsubscribe": "STATUSCHANGE",
}
TOPIC_PATTERNS_SEED = PROJECT_DIR / "seeds" / "hubspot" / "hubspot_topic_patterns.csv"
URL_PATTERNS_SEED = PROJECT_DIR / "seeds" / "segment" / "segment_url_patterns.csv"


def _clean(expr: str) -> str:
    """Staging's clean_category: lower/trim, empty -> NULL."""
    return f"nullif(lower(trim({expr})), '')"


def _id(expr: str) -> str:
    return f"nullif(trim({expr}), '')"


def _case_map(expr: str, mapping: dict[str, str]) -> str:
    whens = " ".join(f"when {quote_literal(k)} then {quote_literal(v)}" for k, v in mapping.items())
    return f"case {expr} {whens} end"


def _current_version(name: str, raw_table: str, key: str) -> str:
    """A temp table of each record's current version (staging's version rule)."""
    return f"""create temp table {name} as
select * exclude (version_rank) from (
    select *, row_number() over (
        partition by {_id(key)} order by updated_at desc nulls last, _line_number desc
    ) as version_rank
    from raw.{raw_table} where {_id(key)} is not null
) where version_rank = 1;"""


STATEMENTS = f"""
create schema hs;
create schema tr;

-- The current version of each record, as HubSpot holds it (staging's version rule).
{_current_version('accounts', 'crm_accounts', 'account_id')}

{_current_version('contacts', 'crm_contacts', 'contact_id')}

{_current_version('opportunities', 'crm_opportunities', 'opportunity_id')}

-- Active contacts sharing a normalised email are one person; HubSpot records the merge on
-- the survivor (earliest created, ties: smallest id).
create temp table person_of as
select
    {_id('contact_id')} as contact_id,
    lower(trim(email)) as email_key,
    first_value({_id('contact_id')}) over (
        partition by lower(trim(email))
        order by created_at asc nulls last, {_id('contact_id')} asc
    ) as survivor_id
from contacts
where not coalesce(is_deleted, false) and nullif(lower(trim(email)), '') is not null;

create temp table merged_lists as
select survivor_id, string_agg(contact_id, ';' order by contact_id) as merged_ids
from person_of where contact_id <> survivor_id group by survivor_id;

-- The HubSpot contact a reference lands on (a merged id counts for its survivor).
create temp table hubspot_person as
select contact_id, coalesce(survivor_id, contact_id) as person_id from (
    select {_id('contacts.contact_id')} as contact_id, person_of.survivor_id
    from contacts left join person_of on {_id('contacts.contact_id')} = person_of.contact_id
);

-- Forms: one delivery per submission; a submission given by email belongs to the contact
-- holding it. Answers: the person's latest submission's.
create temp table forms as
select
    f.*,
    coalesce({_id('f.contact_id')}, by_email.survivor_id) as carried_contact_id
from (
    select * exclude (delivery_rank) from (
        select *, row_number() over (
            partition by {_id('submission_id')} order by _line_number asc
        ) as delivery_rank
        from raw.form_submissions where {_id('submission_id')} is not null
    ) where delivery_rank = 1
) as f
left join (select distinct email_key, survivor_id from person_of) as by_email
    on {_id('f.contact_id')} is null and lower(trim(f.email)) = by_email.email_key
where coalesce({_id('f.contact_id')}, by_email.survivor_id) is not null;

create temp table person_answers as
select person_id, primary_interest, timeline, compliance_deadline, has_budget from (
    select
        coalesce(hubspot_person.person_id, forms.carried_contact_id) as person_id,
        forms.*,
        row_number() over (
            partition by coalesce(hubspot_person.person_id, forms.carried_contact_id)
            order by forms.submitted_at desc nulls last, forms._line_number desc
        ) as answer_rank
    from forms
    left join hubspot_person on forms.carried_contact_id = hubspot_person.contact_id
) where answer_rank = 1;

-- Events HubSpot carries: email events with a recipient, one delivery each.
create temp table events as
select e.*, {_clean('e.event_type')} as clean_type,
    coalesce(case when {_id('e.contact_id')} is not null then c.email end,
             case when {_id('e.contact_id')} is null then e.email end) as recipient
from (
    select * exclude (delivery_rank) from (
        select *, row_number() over (
            partition by {_id('event_id')} order by loaded_at asc nulls last, _line_number asc
        ) as delivery_rank
        from raw.engagement_events where {_id('event_id')} is not null
    ) where delivery_rank = 1
) as e
left join contacts as c on {_id('e.contact_id')} = {_id('c.contact_id')}
where {_clean('e.event_type')} in ({", ".join(quote_literal(t) for t in EMAIL_EVENT_TYPES)})
  and nullif(trim(coalesce(case when {_id('e.contact_id')} is not null then c.email end,
             case when {_id('e.contact_id')} is null then e.email end)), '') is not null;

-- Web events Segment carries (pages; tracks for webinar attendance), with a recipient
-- to identify them by, one delivery each; the url decides type and topic (seed
-- segment_url_patterns), as the Segment adapter does.
create temp table web as
select e.*, {_clean('e.event_type')} as clean_type,
    lower(trim(coalesce(case when {_id('e.contact_id')} is not null then c.email end,
             case when {_id('e.contact_id')} is null then e.email end))) as recipient
from (
    select * exclude (delivery_rank) from (
        select *, row_number() over (
            partition by {_id('event_id')} order by loaded_at asc nulls last, _line_number asc
        ) as delivery_rank
        from raw.engagement_events where {_id('event_id')} is not null
    ) where delivery_rank = 1
) as e
left join contacts as c on {_id('e.contact_id')} = {_id('c.contact_id')}
where {_clean('e.event_type')} in ({", ".join(quote_literal(t) for t in WEB_EVENT_TYPES)})
  and nullif(trim(coalesce(case when {_id('e.contact_id')} is not null then c.email end,
             case when {_id('e.contact_id')} is null then e.email end)), '') is not null;

create temp table web_classified as
select
    {_id('web.event_id')} as event_id,
    case when web.clean_type = 'webinar_attended' then 'webinar_attended'
         else coalesce((
            select p.event_type from url_patterns as p
            where p.event_type is not null and lower(web.page_url) like '%' || p.pattern || '%'
            order by p.priority, p.pattern limit 1), 'page_view') end as event_type,
    (select p.topic from url_patterns as p
     where p.topic is not null and lower(web.page_url) like '%' || p.pattern || '%'
     order by p.priority, p.pattern limit 1) as topic,
    'u_' || md5(web.recipient) as user_id
from web;

create temp table campaign_topics as
select campaign_id, topic from (
    select c.campaign_id, p.topic, row_number() over (
        partition by c.campaign_id order by p.priority, p.pattern) as match_rank
    from (select distinct trim(campaign_id) as campaign_id from events
          where nullif(trim(campaign_id), '') is not null) as c
    join topic_patterns as p on lower(c.campaign_id) like '%' || p.pattern || '%'
) where match_rank = 1;

create temp table activities as
select * exclude (delivery_rank) from (
    select *, row_number() over (
        partition by {_id('activity_id')} order by _line_number asc
    ) as delivery_rank
    from raw.sales_activities where {_id('activity_id')} is not null
) where delivery_rank = 1;

-- ---------------------------------------------------------------- connector tables
create table hs.company as select
    {_id('account_id')} as id,
    coalesce(is_deleted, false) as is_deleted,
    updated_at as _fivetran_synced,
    account_name as property_name,
    website as property_website,
    industry as property_industry,
    employee_count as property_numberofemployees,
    annual_revenue_usd as property_annualrevenue,
    country as property_country,
    case when compliance_frameworks = '' then 'none' else compliance_frameworks end
        as property_compliance_frameworks,
    cloud_provider as property_cloud_provider,
    identity_provider as property_identity_provider,
    has_siem as property_has_siem,
    has_edr as property_has_edr,
    has_mfa as property_has_mfa,
    has_24x7_soc as property_has_24x7_soc,
    security_team_size as property_security_team_size,
    eol_software_count as property_eol_software_count,
    exposed_services_count as property_exposed_services_count,
    last_incident_at as property_last_incident_at,
    updated_at as property_hs_lastmodifieddate
from accounts order by _line_number;

create table hs.contact as select
    {_id('c.contact_id')} as id,
    coalesce(c.is_deleted, false) as _fivetran_deleted,
    coalesce(c.updated_at, c.created_at) as _fivetran_synced,
    c.email as property_email,
    c.first_name as property_firstname,
    c.last_name as property_lastname,
    c.phone as property_phone,
    c.job_title as property_jobtitle,
    c.country as property_country,
    c.lead_source as property_hs_analytics_source,
    c.lifecycle_stage as property_lifecyclestage,
    c.email_opt_out as property_hs_email_optout,
    case {_clean('c.email_status')} when 'bounced' then true when 'valid' then false end
        as property_hs_email_bad_address,
    c.account_id as property_associatedcompanyid,
    c.created_at as property_createdate,
    c.updated_at as property_lastmodifieddate,
    m.merged_ids as property_hs_merged_object_ids,
    a.primary_interest as property_primary_interest,
    a.timeline as property_timeline,
    a.compliance_deadline as property_compliance_deadline,
    a.has_budget as property_has_budget
from contacts as c
left join merged_lists as m on {_id('c.contact_id')} = m.survivor_id
left join person_answers as a on {_id('c.contact_id')} = a.person_id
order by c._line_number;

create table hs.contact_merge_audit as select
    survivor_id as canonical_vid, contact_id as vid_to_merge,
    cast(null as timestamp) as timestamp, cast(null as timestamp) as _fivetran_synced
from person_of where false;

create table hs.deal_pipeline_stage as select distinct
    stage as stage_id,
    'default' as pipeline_id,
    stage as label,
    {_clean('stage')} in ('closed_won', 'closed_lost') as is_closed,
    {_clean('stage')} = 'closed_won' as closed_won,
    false as _fivetran_deleted
from opportunities where nullif(trim(stage), '') is not null order by stage_id;

create table hs.deal as select
    {_id('opportunity_id')} as deal_id,
    coalesce(is_deleted, false) as is_deleted,
    coalesce(updated_at, created_at) as _fivetran_synced,
    'default' as deal_pipeline_id,
    nullif(trim(stage), '') as deal_pipeline_stage_id,
    amount_usd as property_amount,
    closed_at as property_closedate,
    created_at as property_createdate,
    updated_at as property_hs_lastmodifieddate,
    service_line as property_service_line
from opportunities order by _line_number;

create table hs.deal_company as select
    {_id('opportunity_id')} as deal_id, {_id('account_id')} as company_id,
    coalesce(updated_at, created_at) as _fivetran_synced
from opportunities where {_id('account_id')} is not null order by _line_number;

create table hs.deal_contact as select
    {_id('opportunity_id')} as deal_id, {_id('primary_contact_id')} as contact_id,
    coalesce(updated_at, created_at) as _fivetran_synced
from opportunities where {_id('primary_contact_id')} is not null order by _line_number;

create table hs.email_event as
select id, _fivetran_synced, created, email_campaign_id, recipient, type, filtered_event
from (
    select
        {_id('event_id')} as id, loaded_at as _fivetran_synced, occurred_at as created,
        nullif(trim(campaign_id), '') as email_campaign_id, trim(recipient) as recipient,
        {_case_map('clean_type', EMAIL_EVENT_TYPES)} as type, false as filtered_event,
        _line_number as line, 0 as extra
    from events
    union all
    -- What real HubSpot data also holds and staging rejects and counts: the SENT and
    -- DELIVERED bookkeeping of every 10th open, and a bot-filtered copy of every 25th.
    select {_id('event_id')} || kind, loaded_at, occurred_at - interval 5 minute,
        nullif(trim(campaign_id), ''), trim(recipient), upper(kind), false, _line_number, kind_order
    from events, (values ('sent', 1), ('delivered', 2)) as kinds(kind, kind_order)
    where clean_type = 'email_open' and _line_number % 10 = 0
    union all
    select {_id('event_id')} || '-filtered', loaded_at, occurred_at, nullif(trim(campaign_id), ''),
        trim(recipient), 'OPEN', true, _line_number, 3
    from events where clean_type = 'email_open' and _line_number % 25 = 0
) order by line, extra;

create table hs.email_event_click as
select {_id('event_id')} as id, loaded_at as _fivetran_synced, page_url as url
from events where clean_type = 'email_click' order by _line_number;

create table hs.email_event_status_change as
select {_id('event_id')} as id, loaded_at as _fivetran_synced,
    'UNSUBSCRIBED' as portal_subscription_status, 'SOURCE_RECIPIENT' as source
from events where clean_type = 'unsubscribe' order by _line_number;

create table hs.email_campaign as
select distinct trim(campaign_id) as id, trim(campaign_id) as name
from events where nullif(trim(campaign_id), '') is not null order by id;

create table hs.form as
select distinct trim(form_name) as guid, trim(form_name) as name
from forms where nullif(trim(form_name), '') is not null order by guid;

create table hs.contact_form_submission as select
    {_id('submission_id')} as conversion_id, carried_contact_id as contact_id,
    nullif(trim(form_name), '') as form_id, submitted_at as timestamp,
    submitted_at as _fivetran_synced
from forms order by _line_number;

create table hs.engagement as select
    {_id('activity_id')} as id,
    case when {_clean('activity_type')} in ('call', 'meeting', 'email')
         then upper({_clean('activity_type')}) else activity_type end as type,
    owner_id, occurred_at as timestamp, occurred_at as _fivetran_synced
from activities order by _line_number;

create table hs.engagement_contact as select
    {_id('activity_id')} as engagement_id, {_id('contact_id')} as contact_id,
    occurred_at as _fivetran_synced
from activities where {_id('contact_id')} is not null order by _line_number;

create table hs.engagement_call as select
    {_id('activity_id')} as engagement_id, occurred_at as property_hs_timestamp,
    owner_id as property_hubspot_owner_id,
    coalesce({_case_map(_clean('disposition'), CALL_DISPOSITION_IDS)}, disposition)
        as property_hs_call_disposition,
    false as _fivetran_deleted
from activities where {_clean('activity_type')} = 'call' order by _line_number;

create table hs.engagement_meeting as select
    {_id('activity_id')} as engagement_id, occurred_at as property_hs_timestamp,
    owner_id as property_hubspot_owner_id,
    coalesce({_case_map(_clean('disposition'), MEETING_OUTCOMES)}, disposition)
        as property_hs_meeting_outcome,
    false as _fivetran_deleted
from activities where {_clean('activity_type')} = 'meeting' order by _line_number;

create table hs.engagement_email as select
    {_id('activity_id')} as engagement_id, occurred_at as property_hs_timestamp,
    owner_id as property_hubspot_owner_id, disposition as property_disposition,
    false as _fivetran_deleted
from activities where {_clean('activity_type')} = 'email' order by _line_number;

-- ---------------------------------------------------------------- Segment tables
create table hs.pages as select
    w.event_id as id, 'a_' || md5(web.recipient) as anonymous_id, w.user_id,
    web.occurred_at as timestamp, web.loaded_at as received_at, web.page_url as url,
    nullif(trim(web.campaign_id), '') as context_campaign_name
from web join web_classified as w on {_id('web.event_id')} = w.event_id
where web.clean_type <> 'webinar_attended' order by web._line_number;

create table hs.tracks as select
    w.event_id as id, 'a_' || md5(web.recipient) as anonymous_id, w.user_id,
    'Webinar Attended' as event, web.occurred_at as timestamp, web.loaded_at as received_at,
    web.page_url as context_page_url, nullif(trim(web.campaign_id), '') as context_campaign_name
from web join web_classified as w on {_id('web.event_id')} = w.event_id
where web.clean_type = 'webinar_attended' order by web._line_number;

create table hs.identifies as select
    'i_' || user_id as id, 'a_' || md5(recipient) as anonymous_id, user_id, recipient as email,
    first_seen as timestamp
from (
    select w.user_id, web.recipient, min(web.occurred_at) as first_seen
    from web join web_classified as w on {_id('web.event_id')} = w.event_id
    group by all
) order by id;

-- ---------------------------------------------------------------- as HubSpot carries it
create table tr.crm_accounts as select * exclude (_line_number, _loaded_at)
from accounts order by _line_number;

create table tr.crm_contacts as select * exclude (email_status, _line_number, _loaded_at)
    replace ({_id('contact_id')} as contact_id),
    case {_clean('email_status')} when 'bounced' then 'bounced' when 'valid' then 'valid' end
        as email_status
from contacts order by _line_number;

create table tr.crm_opportunities as select * exclude (closed_at, _line_number, _loaded_at),
    case when {_clean('stage')} in ('closed_won', 'closed_lost') then closed_at end as closed_at
from opportunities order by _line_number;

create table tr.engagement_events as select
    events.event_id, cast(null as varchar) as contact_id, events.recipient as email,
    events.event_type, events.occurred_at,
    case when events.clean_type = 'email_click' then events.page_url end as page_url,
    events.campaign_id, 'hubspot' as source_system, campaign_topics.topic, events.loaded_at
from events left join campaign_topics on trim(events.campaign_id) = campaign_topics.campaign_id
union all
select
    w.event_id, cast(null as varchar), web.recipient, w.event_type, web.occurred_at,
    web.page_url, web.campaign_id, 'segment', w.topic, web.loaded_at
from web join web_classified as w on {_id('web.event_id')} = w.event_id
order by 1;

create table tr.form_submissions as select
    forms.submission_id, forms.carried_contact_id as contact_id, cast(null as varchar) as email,
    forms.form_name, forms.submitted_at,
    a.primary_interest, a.timeline, a.compliance_deadline, a.has_budget
from forms
left join hubspot_person on forms.carried_contact_id = hubspot_person.contact_id
left join contacts on forms.carried_contact_id = {_id('contacts.contact_id')}
left join person_answers as a
    on coalesce(hubspot_person.person_id, forms.carried_contact_id) = a.person_id
    and contacts.contact_id is not null
order by forms._line_number;

create table tr.sales_activities as select * exclude (_line_number, _loaded_at)
from activities order by _line_number;
"""


def convert(raw_dir: Path, out_dir: Path, travelled_dir: Path | None = None) -> dict[str, int]:
    """Write the connector tables (and, when asked, the raw tables as HubSpot carries them);
    return rows written per connector table."""
    # Shaped like personal data (names, emails, phones): owner-only, as the six-file demo.
    private_dir(out_dir)
    with tempfile.TemporaryDirectory(prefix="hubspot_shape_") as tmp:
        database = Path(tmp) / "convert.duckdb"
        load_raw(raw_dir, database, quiet=True)
        con = duckdb.connect(str(database))
        try:
            con.execute(
                f"create temp table topic_patterns as select * from read_csv("
                f"{quote_literal(str(TOPIC_PATTERNS_SEED))}, header = true, "
                f"columns = {{'pattern': 'VARCHAR', 'topic': 'VARCHAR', 'priority': 'INTEGER'}})"
            )
            con.execute(
                f"create temp table url_patterns as select * from read_csv("
                f"{quote_literal(str(URL_PATTERNS_SEED))}, header = true, columns = {{'pattern': "
                f"'VARCHAR', 'event_type': 'VARCHAR', 'topic': 'VARCHAR', 'priority': 'INTEGER'}})"
            )
            for statement in STATEMENTS.split(";\n"):
                if statement.strip():
                    con.execute(statement)
            counts = {}
            tables = [r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'hs' "
                "order by table_name").fetchall()]
            for table in tables:
                _copy(con, f"hs.{table}", out_dir / f"{table}.csv")
                private_file(out_dir / f"{table}.csv")
                counts[table] = con.execute(f"select count(*) from hs.{table}").fetchone()[0]
            if travelled_dir is not None:
                private_dir(travelled_dir)
                for table, columns in RAW_TABLES.items():
                    select = ", ".join(f'"{name}"' for name, _ in columns)
                    _copy(con, f"(select {select} from tr.{table})", travelled_dir / f"{table}.csv")
                    private_file(travelled_dir / f"{table}.csv")
        finally:
            con.close()
    return counts


def _copy(con: duckdb.DuckDBPyConnection, relation: str, path: Path) -> None:
    # Empty strings are written quoted (""), NULLs as empty fields: the loaders tell them apart.
    source = relation if relation.startswith("(") else f"(select * from {relation})"
    con.execute(f"copy {source} to {quote_literal(str(path))} (header, delimiter ',')")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw-dir", type=Path, required=True, help="folder of the six raw tables")
    parser.add_argument("--out", type=Path, required=True, help="folder for the connector tables")
    parser.add_argument(
        "--travelled", type=Path, help="also write the raw tables as HubSpot carries them here"
    )
    args = parser.parse_args(argv)
    counts = convert(args.raw_dir, args.out, args.travelled)
    for table, rows in counts.items():
        print(f"[hubspot] {table:<28} {rows:>10,} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
