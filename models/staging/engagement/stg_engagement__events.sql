-- The well-formed engagement events: one row per event_id, the contact and email as
-- delivered (int_engagement_events_attributed resolves them to a person). Future-dated
-- events are kept and flagged (scoring excludes and counts them).
-- A view: the base model is the (incremental) table; a copy of its kept rows would cost a
-- second full write of the largest table on every run for a plain filter.
{{ config(materialized='view') }}

with

base_events as (

    select * from {{ ref('base_engagement__events') }}

),

kept as (

    select
        event_id,
        delivered_contact_id,
        email,
        event_type,
        occurred_at,
        is_future,
        page_url,
        campaign_id,
        source_system,
        topic,
        loaded_at,
        _line_number
    from base_events
    where row_status = 'kept'

)

select * from kept
