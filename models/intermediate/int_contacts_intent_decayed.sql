-- Intent, per person and signal: events count under their event_type, forms under their
-- form_name. Only rows aged 0..intent_window_days days count (future-dated rows are left out
-- here and counted in int_contacts_intent_scored). Each row decays with its signal's
-- half-life; the signal's cap then limits the person's sum.
-- Events are read from the staged events as they are (issue 17: a daily aggregate barely
-- shrank the rows here and cost more than it saved, docs/benchmarks.md); each event counts
-- for the person its delivered identity is attributed to in int_event_identities_attributed
-- (the one home of that rule: a given contact_id decides alone, else the email), joined on
-- the identity's key. Form submissions are read already attributed.
with

events as (

    select * from {{ staged_relation('stg', 'events') }}

),

form_submissions as (

    select * from {{ ref('int_form_submissions_attributed') }}
    -- submissions attributed to a person (the others are rejected)
    where rejection_reason is null

),

event_identities as (

    select * from {{ ref('int_event_identities_attributed') }}
    -- identities attributed to a person (the others are rejected: their events count for
    -- nobody)
    where rejection_reason is null

),

windowed_events as (

    select
        delivered_contact_id,
        email,
        event_type,
        occurred_at,
        {{ age_in_days('occurred_at') }} as age_days
    from events
    where
        {{ age_in_days('occurred_at') }}
        between 0 and {{ var('intent_window_days') }}

),

attributed_events as (

    -- An event whose identity resolves to no person (or that carries no identity) has no
    -- match here and counts for nobody.
    select
        windowed_events.event_type as signal_name,
        windowed_events.occurred_at,
        windowed_events.age_days,
        event_identities.contact_id
    from windowed_events
    inner join event_identities
        on
            {{ delivered_identity_matches('windowed_events', 'event_identities') }}

),

activities as (

    -- One row per event or submission (signal_count 1).
    select
        contact_id,
        'event' as signal_source,
        signal_name,
        1 as signal_count,
        occurred_at as last_occurred_at,
        age_days
    from attributed_events

    union all

    select
        contact_id,
        'form' as signal_source,
        form_name as signal_name,
        1 as signal_count,
        submitted_at as last_occurred_at,
        {{ age_in_days('submitted_at') }} as age_days
    from form_submissions
    where
        {{ age_in_days('submitted_at') }}
        between 0 and {{ var('intent_window_days') }}

),

capped as (

    -- Columns in the interface order of docs/architecture.md.
    {{ intent_signal_points('activities', ['contact_id'], with_last_occurred_at=true) }}

)

select * from capped
