-- Rejected engagement events, traceable to their file line. Values as cleaned by the base
-- model, except contact_id, shown as delivered (the attribution found no person for it).
with

base_events as (

    select * from {{ ref('base_engagement__events') }}

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

)

select * from rejected
