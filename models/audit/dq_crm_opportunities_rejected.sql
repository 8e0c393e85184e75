-- Rejected opportunity rows, traceable to their file line: the raw table's columns, values as
-- cleaned by base_crm__opportunities, primary_contact_id as delivered (before re-pointing).
with

base_opportunities as (

    select * from {{ staged_relation('base', 'opportunities') }}

),

rejected as (

    select
        opportunity_id,
        account_id,
        delivered_primary_contact_id as primary_contact_id,
        service_line,
        stage,
        amount_usd,
        created_at,
        closed_at,
        updated_at,
        is_deleted,
        _line_number,
        rejection_reason
    from base_opportunities
    where row_status = 'rejected'

)

select * from rejected
