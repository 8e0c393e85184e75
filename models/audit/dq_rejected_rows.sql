{#-
    Every rejected raw row of the six raw tables, for the data-quality report: which table,
    which record (its key, NULL when the key itself was missing), which file line and why.
    Rows of opportunities, activities and forms that a base model keeps are judged again by
    their attribution (int_<entity>_attributed): those whose identity resolves to nobody are
    listed from there. Engagement events are listed from dq_engagement_events_rejected (the
    base model's rejections and the events whose delivered identity resolves to nobody), so
    the events are not read again here. The full rows are in the
    dq_<raw table>_rejected models.
-#}

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

base_form_submissions as (

    select * from {{ staged_relation('base', 'form_submissions') }}

),

attributed_sales_activities as (

    select * from {{ ref('int_sales_activities_attributed') }}

),

rejected_events as (

    select * from {{ ref('dq_engagement_events_rejected') }}

),

attributed_form_submissions as (

    select * from {{ ref('int_form_submissions_attributed') }}

),

rejected_rows as (

    select
        'crm_accounts' as table_name,
        account_id as record_id,
        _line_number,
        rejection_reason
    from base_accounts
    where row_status = 'rejected'
    union all
    select
        'crm_contacts' as table_name,
        contact_id as record_id,
        _line_number,
        rejection_reason
    from base_contacts
    where row_status = 'rejected'
    union all
    select
        'crm_opportunities' as table_name,
        opportunity_id as record_id,
        _line_number,
        rejection_reason
    from base_opportunities
    where row_status = 'rejected'
    union all
    select
        'sales_activities' as table_name,
        activity_id as record_id,
        _line_number,
        rejection_reason
    from base_sales_activities
    where row_status = 'rejected'
    union all
    select
        'sales_activities' as table_name,
        activity_id as record_id,
        _line_number,
        rejection_reason
    from attributed_sales_activities
    where rejection_reason is not null
    union all
    select
        'engagement_events' as table_name,
        event_id as record_id,
        _line_number,
        rejection_reason
    from rejected_events
    union all
    select
        'form_submissions' as table_name,
        submission_id as record_id,
        _line_number,
        rejection_reason
    from base_form_submissions
    where row_status = 'rejected'
    union all
    select
        'form_submissions' as table_name,
        submission_id as record_id,
        _line_number,
        rejection_reason
    from attributed_form_submissions
    where rejection_reason is not null

)

select * from rejected_rows
