-- Intent, per person (every active person, zeros when silent). Steps: the score (signal sums
-- after caps, floored at 0, rounded to 2 decimals) and its level; the topic with the most
-- decayed points; the buying stage (first configured stage with a qualifying signal inside
-- its window); suppression flags and the count of future-dated rows left out of scoring.
-- Events are read from the staged events as they are, like the score itself in
-- int_contacts_intent_decayed, and their delivered identity is resolved to today's person
-- with the base models' rule.
with

contacts as (

    select * from {{ ref('int_contacts_merged') }}

),

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

people_by_email as (

    {{ people_by_email('contact_identities') }}

),

attributed_events as (

    -- Plain equi-joins (a condition on the delivered contact_id inside `on` makes a
    -- nested-loop join); the macro picks the lookup that decides. Unresolved rows count for
    -- nobody.
    select
        events.event_type,
        events.topic,
        events.occurred_at,
        {{ attributed_person_id('events.delivered_contact_id is not null') }} as contact_id
    from events
    left join contact_identities as by_contact_id
        on events.delivered_contact_id = by_contact_id.contact_id
    left join people_by_email as by_email
        on events.email = by_email.email
    where
        -- Only the rows a step below reads (resolving every event of history costs more
        -- than the steps themselves): in-window rows (topics, stages), future-dated rows
        -- (counted), and unsubscribes and bounces at any age (flags).
        {{ age_in_days('events.occurred_at') }}
        <= {{ var('intent_window_days') }}
        or events.event_type in ('unsubscribe', 'email_bounce')

),

activities as (

    -- One row per event or submission (signal_count 1); forms count under their
    -- primary_interest topic.
    select
        contact_id,
        'event' as signal_source,
        event_type as signal_name,
        occurred_at,
        topic,
        1 as signal_count,
        {{ age_in_days('occurred_at') }} as age_days
    from attributed_events
    where contact_id is not null

    union all

    select
        contact_id,
        'form' as signal_source,
        form_name as signal_name,
        submitted_at as occurred_at,
        primary_interest as topic,
        1 as signal_count,
        {{ age_in_days('submitted_at') }} as age_days
    from form_submissions

),

activity_flags as (

    -- Flags look at all history up to the scoring date (an unsubscribe or a bounce does not
    -- expire), not only the intent window; rows dated after it are ignored and counted.
    select
        contact_id,
        max(
            case when signal_name = 'unsubscribe' and age_days >= 0 then 1 else 0 end
        ) = 1 as has_unsubscribe_event,
        max(
            case when signal_name = 'email_bounce' and age_days >= 0 then 1 else 0 end
        ) = 1 as has_bounce_event,
        sum(case when age_days < 0 then signal_count else 0 end) as future_events_excluded
    from activities
    group by contact_id

),

scored_activities as (

    -- In-window rows of catalogued signals with their decayed points (before caps).
    select
        activities.contact_id,
        activities.occurred_at,
        activities.topic,
        activities.age_days,
        intent_signals.points,
        intent_signals.buying_stage,
        activities.signal_count * {{ decayed_points(
            'intent_signals.points',
            'activities.age_days',
            'intent_signals.half_life_days',
        ) }} as row_points
    from activities
    inner join intent_signals
        on
            activities.signal_name = intent_signals.signal
            and activities.signal_source = intent_signals.source
    where activities.age_days between 0 and {{ var('intent_window_days') }}

),

topic_totals as (

    -- Interest is shown by positive signals only: an unsubscribe or a passive open says
    -- nothing about what the person wants, so neither adds points nor dates a topic.
    select
        contact_id,
        topic,
        sum(row_points) as topic_points,
        max(occurred_at) as last_occurred_at
    from scored_activities
    where
        points > 0
        and topic is not null
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

stage_matches as (

    -- A row qualifies for its own stage, and for a catch-all stage (awareness) when its
    -- signal has positive points, inside that stage's window.
    select
        scored_activities.contact_id,
        buying_stages.buying_stage,
        row_number() over (
            partition by scored_activities.contact_id
            order by buying_stages.stage_order asc
        ) as stage_rank
    from scored_activities
    inner join buying_stages
        on
            (
                scored_activities.buying_stage = buying_stages.buying_stage
                or (buying_stages.includes_any_positive_signal and scored_activities.points > 0)
            )
            and scored_activities.age_days <= buying_stages.window_days

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
