{#-
    Intent as of each backtest date T, per person and signal (one row per as_of_date x person
    x signal): the shipped model's decay and caps (macro intent_signal_points, as in
    int_contacts_intent_decayed) over what was known at T: events that occurred in the
    window 0..N days before T and whose surviving delivery was loaded by T (the raw events carry loaded_at; a
    late arrival is not known before it lands), forms submitted in the window.
    Steps:
      1. daily counts per delivered identity, day, event type and loaded day (age is whole
         days, so a day's rows decay alike), given today's person by
         int_event_identities_attributed, as the shipped model's (a given contact_id decides
         alone, else the email; an identity that names nobody counts for nobody);
      2. joined to every T whose window holds the day and that saw the delivery;
      3. decayed to T, summed per signal, capped.
-#}

with

as_of_dates as (

    select * from {{ ref('int_backtest_as_of_dates') }}

),

base_events as (

    select * from {{ staged_relation('base', 'events') }}

),

form_submissions as (

    select * from {{ ref('int_form_submissions_attributed') }}
    -- submissions attributed to a person (the others are rejected)
    where rejection_reason is null

),

event_identities as (

    select
        identity_type,
        identity_value,
        contact_id
    from {{ ref('int_event_identities_attributed') }}
    -- identities that name a person (the others count for nobody)
    where rejection_reason is null

),

countable_daily as (

    -- The kept events per delivered identity, day, event type and loaded day.
    select
        event_type,
        cast(occurred_at as date) as occurred_date,
        cast(loaded_at as date) as loaded_date,
        {{ delivered_identity_value('delivered_contact_id', 'email') }} as identity_value,
        {{ delivered_identity_type('delivered_contact_id') }} as identity_type,
        count(*) as signal_count
    from base_events
    where
        row_status = 'kept'
        and {{ delivered_identity_value('delivered_contact_id', 'email') }} is not null
    group by 1, 2, 3, 4, 5

),

attributed_daily as (

    select
        countable_daily.event_type as signal_name,
        countable_daily.occurred_date,
        countable_daily.loaded_date,
        countable_daily.signal_count,
        event_identities.contact_id
    from countable_daily
    inner join event_identities
        on
            countable_daily.identity_type = event_identities.identity_type
            and countable_daily.identity_value = event_identities.identity_value

),

activities as (

    select
        as_of_dates.as_of_date,
        attributed_daily.contact_id,
        'event' as signal_source,
        attributed_daily.signal_name,
        attributed_daily.signal_count,
        {{ age_in_days('attributed_daily.occurred_date', as_of='as_of_dates.as_of_date') }}
            as age_days
    from attributed_daily
    inner join as_of_dates
        on
            attributed_daily.occurred_date
            between as_of_dates.intent_window_start_date and as_of_dates.as_of_date
    where
        attributed_daily.contact_id is not null
        and (
            attributed_daily.loaded_date is null
            or attributed_daily.loaded_date <= as_of_dates.as_of_date
        )

    union all

    select
        as_of_dates.as_of_date,
        form_submissions.contact_id,
        'form' as signal_source,
        form_submissions.form_name as signal_name,
        1 as signal_count,
        {{ age_in_days('form_submissions.submitted_at', as_of='as_of_dates.as_of_date') }}
            as age_days
    from form_submissions
    inner join as_of_dates
        on
            cast(form_submissions.submitted_at as date)
            between as_of_dates.intent_window_start_date and as_of_dates.as_of_date

),

signal_points as (

    {{ intent_signal_points('activities', ['as_of_date', 'contact_id']) }}

),

capped as (

    select
        as_of_date,
        contact_id,
        signal,
        event_count,
        decayed_points
    from signal_points

)

select * from capped
