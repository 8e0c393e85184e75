-- The no-dbt lower bound of the largest staging step, for scripts/dev/bench.py: raw engagement
-- events -> the events scoring reads (one row per event_id, attributed to today's person),
-- the rules of base_engagement__events / int_event_identities_attributed
-- (docs/architecture.md) written by hand in one DuckDB statement. bench.py runs it, then
-- bare_sql_scores.sql reading bare_events (in place of bare_sql_events_from_staging.sql's
-- view of dbt's staged events): "bare SQL from
-- raw". The CRM identity map and the form submissions (5% of the rows) are still read from
-- dbt's tables, so this bound leaves out work the dbt build does (a lower bound, in its favour).
--
-- Kept: the earliest delivery of each event_id (loaded_at, then file line), with a known
-- event type, a timestamp and a person (a given contact_id decides alone, else the email).
-- Nothing is written for the rows left out (the dbt models keep and count every raw row).

create or replace temp table bare_events as

with

people_by_email as (
    select email, min(person_id) as person_id
    from intermediate.int_contact_identities_resolved
    where email is not null
    group by email
),

first_deliveries as (
    select
        nullif(trim(event_id), '') as event_id,
        nullif(trim(contact_id), '') as delivered_contact_id,
        -- normalize_email: invisible format characters removed, Unicode blanks trimmed.
        nullif(lower(regexp_replace(
            regexp_replace(email, '[\x{00ad}\x{200b}-\x{200d}\x{2060}\x{feff}]', '', 'g'),
            '^[\t\n\x{000b}\f\r \x{0085}\x{00a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+|[\t\n\x{000b}\f\r \x{0085}\x{00a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+$',
            '', 'g'
        )), '') as email,
        nullif(lower(trim(event_type)), '') as event_type,
        occurred_at,
        nullif(lower(trim(topic)), '') as topic
    from raw.engagement_events
    where nullif(trim(event_id), '') is not null
    qualify row_number() over (
        partition by nullif(trim(event_id), '') order by loaded_at asc nulls last, _line_number asc
    ) = 1
),

attributed as (
    select
        case
            when f.delivered_contact_id is not null then i.person_id
            else e.person_id
        end as contact_id,
        f.event_type,
        f.occurred_at,
        f.topic
    from first_deliveries as f
    left join intermediate.int_contact_identities_resolved as i on f.delivered_contact_id = i.contact_id
    left join people_by_email as e on f.email = e.email
    where
        f.event_type in (
            'page_view', 'pricing_page_view', 'case_study_view', 'email_open', 'email_click',
            'webinar_attended', 'unsubscribe', 'email_bounce'
        )
        and f.occurred_at is not null
)

select * from attributed where contact_id is not null;
