{#-
    Every identity the kept engagement events were delivered with (the source's
    stg_<folder>__events, macro staged_relation: with Segment, the CRM's and Segment's
    together), attributed to a person through the identity map once, not once per event:
    attribution depends on nothing else. A given contact_id decides alone (re-pointed to its
    surviving person; `unknown_contact` when it resolves to nobody, the email not tried);
    without one, the normalised email names the person (`unattributed` when it names nobody).
    Keyed by macros delivered_identity_type / delivered_identity_value. The audit
    joins the events to it; an event with neither contact_id nor email has no row here and is
    `unattributed` (attribution_rejection_reason on its NULL contact_id).
-#}

with

events as (

    select * from {{ staged_relation('stg', 'events') }}

),

contact_identities as (

    select * from {{ ref('int_contact_identities_resolved') }}

),

people_by_email as (

    {{ people_by_email('contact_identities') }}

),

delivered_identities as (

    -- The email is part of the identity only when no contact_id was given.
    select distinct
        delivered_contact_id,
        {{ delivered_identity_email('delivered_contact_id', 'email') }} as email
    from events
    where {{ delivered_identity_value('delivered_contact_id', 'email') }} is not null

),

attributed as (

    select
        {{ delivered_identity_type('delivered_identities.delivered_contact_id') }}
            as identity_type,
        {{ delivered_identity_value(
            'delivered_identities.delivered_contact_id', 'delivered_identities.email'
        ) }} as identity_value,
        delivered_identities.delivered_contact_id,
        -- A given contact_id decides alone: when it does not resolve, the email is not tried.
        {{ attributed_person_id("delivered_identities.delivered_contact_id is not null") }}
            as contact_id,
        {{ attributed_by("delivered_identities.delivered_contact_id") }} as attributed_by,
        coalesce(by_contact_id.is_merged, false) as is_repointed
    from delivered_identities
    left join contact_identities as by_contact_id
        on delivered_identities.delivered_contact_id = by_contact_id.contact_id
    -- Plain equi-joins: a condition on delivered_contact_id inside `on` turns this into a
    -- nested-loop join (every row against every email).
    left join people_by_email as by_email
        on delivered_identities.email = by_email.email

),

judged as (

    select
        identity_type,
        identity_value,
        contact_id,
        attributed_by,
        is_repointed,
        {{ attribution_rejection_reason("contact_id", "delivered_contact_id") }}
            as rejection_reason
    from attributed

)

select * from judged
