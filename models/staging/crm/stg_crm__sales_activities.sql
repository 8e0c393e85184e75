-- The sales activities of a known type: one row per activity_id (second deliveries removed),
-- the contact as delivered (int_sales_activities_attributed resolves it to a person).
with

base_sales_activities as (

    select * from {{ ref('base_crm__sales_activities') }}

),

kept as (

    select
        activity_id,
        delivered_contact_id,
        owner_id,
        activity_type,
        occurred_at,
        disposition,
        _line_number
    from base_sales_activities
    where row_status = 'kept'

)

select * from kept
