-- Intent, per person and signal: events count under their event_type, forms under their
-- form_name. Only rows aged 0..intent_window_days days count (future-dated rows are left out
-- here and counted in int_contacts_intent_scored). Each row decays with its signal's
-- half-life; the signal's cap then limits the person's sum.
-- Events are read from the staged events as they are (issue 17: a daily aggregate barely
-- shrank the rows here and cost more than it saved, docs/benchmarks.md); their delivered
-- identity is resolved to today's person with the base models' rule: a given contact_id
-- decides alone, else the email. Form submissions are read already attributed.
with

events as (

    select * from {{ staged_relation('stg', 'events') }}

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

    -- Plain equi-joins (a condition on the delivered contact_id inside `on` makes a
    -- nested-loop join); attributed_person_id picks the lookup that decides.
    select
        windowed_events.event_type as signal_name,
        windowed_events.occurred_at,
        windowed_events.age_days,
        {{ attributed_person_id('windowed_events.delivered_contact_id is not null') }}
            as contact_id
    from windowed_events
    left join contact_identities as by_contact_id
        on windowed_events.delivered_contact_id = by_contact_id.contact_id
    left join people_by_email as by_email
        on windowed_events.email = by_email.email

),

activities as (

    -- A row whose identity resolves to no person counts for nobody. One row per event or
    -- submission (signal_count 1).
    select
        contact_id,
        'event' as signal_source,
        signal_name,
        1 as signal_count,
        occurred_at as last_occurred_at,
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
