-- The current version of every opportunity that is neither deleted, keyless nor in an unknown
-- stage: one row per opportunity_id, its primary contact as delivered
-- (int_opportunities_attributed re-points it to the surviving person).
with

base_opportunities as (

    select * from {{ ref('base_crm__opportunities') }}

),

kept as (

    select
        opportunity_id,
        account_id,
        delivered_primary_contact_id,
        service_line,
        stage,
        is_closed,
        is_won,
        amount_usd,
        created_at,
        closed_at,
        updated_at
    from base_opportunities
    where row_status = 'kept'

)

select * from kept
