-- The events bare_sql_scores.sql reads in the "bare SQL (staging)" bound, for
-- scripts/dev/bench.py: dbt's staged events attributed to today's person by a join to the
-- identity map intermediate.int_contact_identities_resolved (a given contact_id decides alone,
-- else the email). A temp view, so DuckDB plans it inside the scoring statement as the inline
-- subquery it replaces; "bare SQL from raw" creates bare_events from the raw events instead
-- (bare_sql_events_from_raw.sql).

create or replace temp view bare_events as

select
    events.contact_id,
    events.event_type,
    events.occurred_at,
    events.topic
from (
    select
        case when e.delivered_contact_id is not null then i.person_id else p.person_id end as contact_id,
        e.event_type,
        e.occurred_at,
        e.topic
    from staging.stg_engagement__events as e
    left join intermediate.int_contact_identities_resolved as i
        on e.delivered_contact_id = i.contact_id
    left join (
        select email, min(person_id) as person_id
        from intermediate.int_contact_identities_resolved
        where email is not null
        group by email
    ) as p
        on e.email = p.email
) as events
where events.contact_id is not null;
