-- Intent, per person and signal: events count under their event_type, forms under their
-- form_name. Only rows aged 0..intent_window_days days count (future-dated rows are left out
-- here and counted in int_contacts_intent_scored). Each row decays with its signal's
-- half-life; the signal's cap then limits the person's sum.
-- Events are read as daily counts, not one by one: age is whole days, so a day's rows decay
-- alike (count x decayed points). Their delivered identity is resolved here to today's
-- person, with the rules of the base models: a given contact_id decides alone, else the
-- email. Form submissions (few) are read as they are, already attributed.
with

events_daily as (

    select * from {{ ref('int_contacts_signals_counted') }}

),

form_submissions as (

    select * from {{ ref('int_form_submissions_attributed') }}
    -- submissions attributed to a person (the others are rejected)
    where rejection_reason is null

),

contact_identities as (

    select * from {{ ref('int_contact_identities_resolved') }}

),

people_by_email as (

    {{ people_by_email('contact_identities') }}

),

windowed_events as (

    select
        identity_type,
        identity_value,
        event_type,
        signal_count,
        last_occurred_at,
        {{ age_in_days('occurred_date') }} as age_days
    from events_daily
    where
        signal_count > 0
        and {{ age_in_days('occurred_date') }}
        between 0 and {{ var('intent_window_days') }}

),

attributed_events as (

    -- Plain equi-joins (a condition on identity_type inside `on` makes a nested-loop join);
    -- attributed_person_id picks the lookup the identity_type names.
    select
        windowed_events.event_type as signal_name,
        windowed_events.signal_count,
        windowed_events.last_occurred_at,
        windowed_events.age_days,
        'event' as signal_source,
        {{ attributed_person_id("windowed_events.identity_type = 'contact_id'") }} as contact_id
    from windowed_events
    left join contact_identities as by_contact_id
        on windowed_events.identity_value = by_contact_id.contact_id
    left join people_by_email as by_email
        on windowed_events.identity_value = by_email.email

),

activities as (

    -- A row whose identity resolves to no person counts for nobody.
    select
        contact_id,
        signal_source,
        signal_name,
        signal_count,
        last_occurred_at,
        age_days
    from attributed_events
    where contact_id is not null

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
