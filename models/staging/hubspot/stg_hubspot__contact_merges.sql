-- HubSpot's explicit contact merges as the identity map reads them: one row per merged
-- (absorbed) contact id -> its survivor, resolved in one step by base_hubspot__contact_merges.
-- int_contact_identities_resolved maps each merged id (with or without a contact row of its
-- own) to the survivor's person; nothing in staging re-points ids.
with

resolved_merges as (

    select * from {{ ref('base_hubspot__contact_merges') }}

),

explicit_merges as (

    select
        merged_contact_id,
        survivor_contact_id
    from resolved_merges

)

select * from explicit_merges
