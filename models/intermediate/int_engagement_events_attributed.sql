{#-
    Every kept engagement event of the source's stg_<folder>__events (macro staged_relation:
    with Segment, the CRM's and Segment's together), attributed to a person through the
    identity map: a given contact_id decides alone (re-pointed to its surviving person; when
    it resolves to nobody the row is `unknown_contact` and the email is not tried); without
    one, the normalised email names the person (`unattributed` when it names nobody).
    A table (issue 17): scoring reads the events as daily counts (int_contacts_signals_counted,
    keyed by the identity as delivered), but the audit (three models) and this model's tests
    read every attributed event; as a view each of them re-ran the join over all events.
-#}

{{ config(materialized='table') }}

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

attributed as (

    select
        events.event_id,
        events.event_type,
        events.occurred_at,
        events.is_future,
        events.page_url,
        events.campaign_id,
        events.source_system,
        events.topic,
        events.loaded_at,
        events.delivered_contact_id,
        events.email,
        events._line_number,
        -- A given contact_id decides alone: when it does not resolve, the email is not tried.
        {{ attributed_person_id("events.delivered_contact_id is not null") }} as contact_id,
        {{ attributed_by("events.delivered_contact_id") }} as attributed_by,
        coalesce(by_contact_id.is_merged, false) as is_repointed
    from events
    left join contact_identities as by_contact_id
        on events.delivered_contact_id = by_contact_id.contact_id
    -- A plain equi-join: a condition on delivered_contact_id inside `on` turns this into a
    -- nested-loop join (every row against every email); the cases above ignore the match
    -- when a contact_id was given.
    left join people_by_email as by_email
        on events.email = by_email.email

),

judged as (

    select
        *,
        {{ attribution_rejection_reason("contact_id", "delivered_contact_id") }}
            as rejection_reason
    from attributed

)

select * from judged
