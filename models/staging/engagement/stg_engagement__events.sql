-- The engagement events scoring may use: one row per event_id, attributed to a surviving
-- person. Future-dated events are kept and flagged (scoring excludes and counts them).
with

base_events as (

    select * from {{ ref('base_engagement__events') }}

),

kept as (

    select
        event_id,
        contact_id,
        event_type,
        occurred_at,
        is_future,
        page_url,
        campaign_id,
        source_system,
        topic,
        loaded_at,
        attributed_by
    from base_events
    where row_status = 'kept'

)

select * from kept
