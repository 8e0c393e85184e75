-- Rejected engagement events, traceable to their file line. Values as cleaned by the base
-- model, except contact_id, shown as delivered. The base model's rejections, and the kept
-- events whose delivered identity resolves to nobody (int_event_identities_attributed; an
-- event with neither contact_id nor email has no identity and is unattributed).
with

base_events as (

    select * from {{ staged_relation('base', 'events') }}

),

staged_events as (

    select * from {{ staged_relation('stg', 'events') }}

),

event_identities as (

    select * from {{ ref('int_event_identities_attributed') }}

),

attribution_judged as (

    -- Plain equi-joins on the delivered identity's key; attribution_rejection_reason on the
    -- identity's person gives the identity's verdict, and `unattributed` without one.
    select
        staged_events.event_id,
        staged_events.delivered_contact_id,
        staged_events.email,
        staged_events.event_type,
        staged_events.occurred_at,
        staged_events.page_url,
        staged_events.campaign_id,
        staged_events.source_system,
        staged_events.topic,
        staged_events.loaded_at,
        staged_events._line_number,
        {{ attribution_rejection_reason(
            "event_identities.contact_id", "staged_events.delivered_contact_id"
        ) }} as rejection_reason
    from staged_events
    left join event_identities
        on
            {{ delivered_identity_type('staged_events.delivered_contact_id') }}
            = event_identities.identity_type
            and {{ delivered_identity_value(
                'staged_events.delivered_contact_id', 'staged_events.email'
            ) }} = event_identities.identity_value

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
    from attribution_judged
    where rejection_reason is not null

)

select * from rejected
