-- The sales activities qualification may use: one row per activity_id (second deliveries
-- removed), attributed to a surviving person of stg_crm__contacts.
with

base_sales_activities as (

    select * from {{ ref('base_crm__sales_activities') }}

),

kept as (

    select
        activity_id,
        contact_id,
        owner_id,
        activity_type,
        occurred_at,
        disposition
    from base_sales_activities
    where row_status = 'kept'

)

select * from kept
