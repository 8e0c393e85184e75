-- Intent, per person and signal: events count under their event_type, forms under their
-- form_name. Only rows aged 0..intent_window_days days count (future-dated rows are left out
-- here and counted in int_contacts_intent_scored). Each row decays with its signal's
-- half-life; the signal's cap then limits the person's sum.
with

events as (

    select * from {{ ref('stg_engagement__events') }}

),

form_submissions as (

    select * from {{ ref('stg_engagement__form_submissions') }}

),

intent_signals as (

    select * from {{ ref('scoring_intent_signals') }}

),

activities as (

    select
        contact_id,
        'event' as signal_source,
        event_type as signal_name,
        occurred_at
    from events

    union all

    select
        contact_id,
        'form' as signal_source,
        form_name as signal_name,
        submitted_at as occurred_at
    from form_submissions

),

windowed as (

    select
        contact_id,
        signal_source,
        signal_name,
        occurred_at,
        {{ age_in_days('occurred_at') }} as age_days
    from activities
    where
        {{ age_in_days('occurred_at') }}
        between 0 and {{ var('intent_window_days') }}

),

decayed as (

    select
        windowed.contact_id,
        intent_signals.signal,
        windowed.occurred_at,
        intent_signals.cap_points,
        {{ decayed_points(
            'intent_signals.points',
            'windowed.age_days',
            'intent_signals.half_life_days',
        ) }} as row_points
    from windowed
    inner join intent_signals
        on
            windowed.signal_name = intent_signals.signal
            and windowed.signal_source = intent_signals.source

),

signal_totals as (

    select
        contact_id,
        signal,
        sum(row_points) as uncapped_points,
        max(cap_points) as cap_points,
        count(*) as event_count,
        max(occurred_at) as last_occurred_at
    from decayed
    group by
        contact_id,
        signal

),

capped as (

    -- Columns in the interface order of docs/architecture.md.
    select  -- noqa: ST06
        contact_id,
        signal,
        case
            when cap_points is not null and uncapped_points > cap_points
                then cast(cap_points as double)
            else uncapped_points
        end as decayed_points,
        cast(event_count as integer) as event_count,
        last_occurred_at
    from signal_totals

)

select * from capped
