-- The opportunities scoring and routing use: one row per kept opportunity, its primary
-- contact re-pointed through the identity map to the surviving person (NULL when empty,
-- deleted or unknown: the deal itself is kept, the contact is not a verdict input).
with

opportunities as (

    select * from {{ staged_relation('stg', 'opportunities') }}

),

contact_identities as (

    select * from {{ ref('int_contact_identities_resolved') }}

),

attributed as (

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        contact_identities.person_id as primary_contact_id,
        opportunities.service_line,
        opportunities.stage,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.amount_usd,
        opportunities.created_at,
        opportunities.closed_at,
        opportunities.updated_at,
        opportunities.delivered_primary_contact_id,
        coalesce(contact_identities.is_merged, false) as is_repointed
    from opportunities
    left join contact_identities
        on opportunities.delivered_primary_contact_id = contact_identities.contact_id

)

select * from attributed
