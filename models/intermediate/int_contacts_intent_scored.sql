-- Intent, per person (every active person, zeros when silent). Steps: the score (signal sums
-- after caps, floored at 0, rounded to 2 decimals) and its level; the topic with the most
-- decayed points; the buying stage (first configured stage with a qualifying signal inside
-- its window); suppression flags and the count of future-dated rows left out of scoring.
-- The score and the buying stage come from int_contacts_intent_decayed (per person and
-- signal: the stage needs only whether a signal has a row inside the stage's window, i.e.
-- the age of its latest in-window row). The events themselves are read twice, each time
-- only the rows a step needs: the in-window rows of positive-point signals with a topic
-- (topics), and unsubscribes, bounces and future-dated rows at any age (flags). Each counts
-- for the person its delivered identity is attributed to in int_event_identities_attributed
-- (the one home of that rule), joined on the identity's key.
with

contacts as (

    select * from {{ ref('int_contacts_merged') }}

),

-- Two single-use reads of the staged events, each with the columns it needs: DuckDB
-- materialises a CTE read twice (here several million rows).
events_for_topics as (

    select
        delivered_contact_id,
        email,
        event_type,
        topic,
        occurred_at
    from {{ staged_relation('stg', 'events') }}

),

events_for_flags as (

    select
        delivered_contact_id,
        email,
        event_type,
        {{ age_in_days('occurred_at') }} as age_days
    from {{ staged_relation('stg', 'events') }}

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

contact_signals as (

    select * from {{ ref('int_contacts_intent_decayed') }}

),

intent_signals as (

    select * from {{ ref('scoring_intent_signals') }}

),

intent_levels as (

    select * from {{ ref('scoring_intent_levels') }}

),

buying_stages as (

    select * from {{ ref('scoring_buying_stages') }}

),

topic_events as (

    -- Interest is shown by positive signals only: an unsubscribe or a passive open says
    -- nothing about what the person wants, so neither adds points nor dates a topic.
    select
        events_for_topics.delivered_contact_id,
        events_for_topics.email,
        events_for_topics.topic,
        events_for_topics.occurred_at,
        {{ decayed_points(
            'intent_signals.points',
            age_in_days('events_for_topics.occurred_at'),
            'intent_signals.half_life_days',
        ) }} as row_points
    from events_for_topics
    inner join intent_signals
        on
            events_for_topics.event_type = intent_signals.signal
            and intent_signals.source = 'event'
    where
        intent_signals.points > 0
        and events_for_topics.topic is not null
        and {{ age_in_days('events_for_topics.occurred_at') }}
        between 0 and {{ var('intent_window_days') }}

),

topic_activities as (

    -- Events of an identity attributed to nobody (or of no identity) have no match and
    -- count for nobody. Forms count under their primary_interest topic.
    select
        event_identities.contact_id,
        topic_events.topic,
        topic_events.occurred_at,
        topic_events.row_points
    from topic_events
    inner join event_identities
        on
            {{ delivered_identity_matches('topic_events', 'event_identities') }}

    union all

    select
        form_submissions.contact_id,
        form_submissions.primary_interest as topic,
        form_submissions.submitted_at as occurred_at,
        {{ decayed_points(
            'intent_signals.points',
            age_in_days('form_submissions.submitted_at'),
            'intent_signals.half_life_days',
        ) }} as row_points
    from form_submissions
    inner join intent_signals
        on
            form_submissions.form_name = intent_signals.signal
            and intent_signals.source = 'form'
    where
        intent_signals.points > 0
        and form_submissions.primary_interest is not null
        and {{ age_in_days('form_submissions.submitted_at') }}
        between 0 and {{ var('intent_window_days') }}

),

topic_totals as (

    select
        contact_id,
        topic,
        sum(row_points) as topic_points,
        max(occurred_at) as last_occurred_at
    from topic_activities
    group by
        contact_id,
        topic

),

ranked_topics as (

    -- Totals compared at 9 decimals, so that equal points summed in another order tie; a
    -- tie goes to the topic with the most recent (positive) event, then by name.
    select
        contact_id,
        topic,
        row_number() over (
            partition by contact_id
            order by round(topic_points, 9) desc, last_occurred_at desc, topic asc
        ) as topic_rank
    from topic_totals

),

flag_events as (

    -- Flags look at all history up to the scoring date (an unsubscribe or a bounce does not
    -- expire), not only the intent window; rows dated after it are ignored and counted.
    -- Events attributed to nobody have no match and count for nobody.
    select
        event_identities.contact_id,
        events_for_flags.event_type as signal_name,
        events_for_flags.age_days
    from events_for_flags
    inner join event_identities
        on
            {{ delivered_identity_matches('events_for_flags', 'event_identities') }}
    where
        events_for_flags.event_type in ('unsubscribe', 'email_bounce')
        or events_for_flags.age_days < 0

),

flag_activities as (

    select
        contact_id,
        signal_name,
        age_days
    from flag_events

    union all

    select
        contact_id,
        form_name as signal_name,
        {{ age_in_days('submitted_at') }} as age_days
    from form_submissions

),

activity_flags as (

    select
        contact_id,
        max(
            case when signal_name = 'unsubscribe' and age_days >= 0 then 1 else 0 end
        ) = 1 as has_unsubscribe_event,
        max(
            case when signal_name = 'email_bounce' and age_days >= 0 then 1 else 0 end
        ) = 1 as has_bounce_event,
        sum(case when age_days < 0 then 1 else 0 end) as future_events_excluded
    from flag_activities
    group by contact_id

),

stage_matches as (

    -- A signal qualifies for its own stage, and for a catch-all stage (awareness) when it
    -- has positive points, when its latest in-window row lies inside that stage's window.
    select
        contact_signals.contact_id,
        buying_stages.buying_stage,
        row_number() over (
            partition by contact_signals.contact_id
            order by buying_stages.stage_order asc
        ) as stage_rank
    from contact_signals
    inner join intent_signals
        on contact_signals.signal = intent_signals.signal
    inner join buying_stages
        on
            (
                intent_signals.buying_stage = buying_stages.buying_stage
                or (buying_stages.includes_any_positive_signal and intent_signals.points > 0)
            )
            and {{ age_in_days('contact_signals.last_occurred_at') }}
            <= buying_stages.window_days

),

signal_totals as (

    select
        contact_id,
        sum(decayed_points) as intent_points
    from contact_signals
    group by contact_id

),

scores as (

    select
        contacts.contact_id,
        ranked_topics.topic as intent_topic,
        {{ intent_score('signal_totals.intent_points') }} as contact_intent_score,
        cast(coalesce(activity_flags.future_events_excluded, 0) as integer)
            as future_events_excluded,
        coalesce(stage_matches.buying_stage, 'none') as buying_stage,
        coalesce(activity_flags.has_unsubscribe_event, false) as has_unsubscribe_event,
        coalesce(activity_flags.has_bounce_event, false) as has_bounce_event
    from contacts
    left join signal_totals
        on contacts.contact_id = signal_totals.contact_id
    left join ranked_topics
        on
            contacts.contact_id = ranked_topics.contact_id
            and ranked_topics.topic_rank = 1
    left join stage_matches
        on
            contacts.contact_id = stage_matches.contact_id
            and stage_matches.stage_rank = 1
    left join activity_flags
        on contacts.contact_id = activity_flags.contact_id

),

leveled as (

    select
        contact_id,
        contact_intent_score,
        {{ score_to_level(
            'contact_intent_score',
            'intent_levels',
            levels=['high', 'mid', 'low'],
            level_column='intent_level',
        ) }} as intent_level,
        intent_topic,
        buying_stage,
        has_unsubscribe_event,
        has_bounce_event,
        future_events_excluded
    from scores

)

select * from leveled
