-- Rejected sales activity rows, traceable to their file line: the raw table's columns, values
-- as cleaned by base_crm__sales_activities, contact_id as delivered. The base model's
-- rejections, and the kept activities whose contact resolves to nobody
-- (int_sales_activities_attributed).
-- Later deliveries of a rejected activity are duplicates and do not appear here.
with

base_sales_activities as (

    select * from {{ staged_relation('base', 'sales_activities') }}

),

attributed_sales_activities as (

    select * from {{ ref('int_sales_activities_attributed') }}

),

rejected as (

    select
        activity_id,
        delivered_contact_id as contact_id,
        owner_id,
        activity_type,
        occurred_at,
        disposition,
        _line_number,
        rejection_reason
    from base_sales_activities
    where row_status = 'rejected'
    union all
    select
        activity_id,
        delivered_contact_id as contact_id,
        owner_id,
        activity_type,
        occurred_at,
        disposition,
        _line_number,
        rejection_reason
    from attributed_sales_activities
    where rejection_reason is not null

)

select * from rejected
