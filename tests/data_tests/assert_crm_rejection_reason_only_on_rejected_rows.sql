-- A verdict is one of kept, duplicate, merged or rejected, and only a rejected row carries a
-- rejection_reason: a reason on a kept, duplicate or merged row would mean the verdict logic
-- let a failing check through. (not_null where row_status = 'rejected' covers the converse.)
-- Fails per CRM base model row that carries a reason without being rejected.
with

base_accounts as (

    select * from {{ staged_relation('base', 'accounts') }}

),

base_contacts as (

    select * from {{ staged_relation('base', 'contacts') }}

),

base_opportunities as (

    select * from {{ staged_relation('base', 'opportunities') }}

),

base_sales_activities as (

    select * from {{ staged_relation('base', 'sales_activities') }}

),

verdicts as (

    select
        'base_crm__accounts' as model_name,
        _line_number,
        row_status,
        rejection_reason
    from base_accounts
    union all
    select
        'base_crm__contacts' as model_name,
        _line_number,
        row_status,
        rejection_reason
    from base_contacts
    union all
    select
        'base_crm__opportunities' as model_name,
        _line_number,
        row_status,
        rejection_reason
    from base_opportunities
    union all
    select
        'base_crm__sales_activities' as model_name,
        _line_number,
        row_status,
        rejection_reason
    from base_sales_activities

),

misjudged as (

    select *
    from verdicts
    where rejection_reason is not null and row_status <> 'rejected'

)

select * from misjudged
