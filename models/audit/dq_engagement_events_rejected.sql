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

rejected_identities as (

    select
        identity_type,
        identity_value,
        rejection_reason
    from event_identities
    where rejection_reason is not null

),

attribution_rejected as (

    -- The kept events of a rejected identity: an inner join with the few rejected identities
    -- (plain equi-joins on the identity's key) rather than judging every event and keeping
    -- the rejected ones (half the time at 10M events: only the matches carry their columns).
    select
        staged_events.*,
        rejected_identities.rejection_reason
    from staged_events
    inner join rejected_identities
        on
            {{ delivered_identity_matches('staged_events', 'rejected_identities') }}
    union all
    -- The kept events with no identity at all: nobody, and no contact_id given.
    select
        staged_events.*,
        {{ attribution_rejection_reason("null", "staged_events.delivered_contact_id") }}
            as rejection_reason
    from staged_events
    where
        {{ delivered_identity_value(
            'staged_events.delivered_contact_id', 'staged_events.email'
        ) }} is null

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
    from attribution_rejected

)

select * from rejected
