-- Rejected engagement events, traceable to their file line. Values as cleaned by the base
-- model, except contact_id, shown as delivered. The base model's rejections, and the kept
-- events whose identity resolves to nobody (int_engagement_events_attributed).
with

base_events as (

    select * from {{ staged_relation('base', 'events') }}

),

attributed_events as (

    select * from {{ ref('int_engagement_events_attributed') }}

),

rejected as (

    select
        event_id,
        delivered_contact_id as contact_id,
        email,
        event_type,
        occurred_at,
        page_url,
        campaign_id,
        source_system,
        topic,
        loaded_at,
        _line_number,
        rejection_reason
    from base_events
    where row_status = 'rejected'
    union all
    select
        event_id,
        delivered_contact_id as contact_id,
        email,
        event_type,
        occurred_at,
        page_url,
        campaign_id,
        source_system,
        topic,
        loaded_at,
        _line_number,
        rejection_reason
    from attributed_events
    where rejection_reason is not null

)

select * from rejected
