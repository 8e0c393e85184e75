-- Rejected form submissions, traceable to their file line. Values as cleaned by the base
-- model, except contact_id, shown as delivered. The base model's rejections, and the kept
-- submissions whose identity resolves to nobody (int_form_submissions_attributed).
with

base_form_submissions as (

    select * from {{ staged_relation('base', 'form_submissions') }}

),

attributed_form_submissions as (

    select * from {{ ref('int_form_submissions_attributed') }}

),

rejected as (

    select
        submission_id,
        delivered_contact_id as contact_id,
        email,
        form_name,
        submitted_at,
        primary_interest,
        timeline,
        compliance_deadline,
        has_budget,
        _line_number,
        rejection_reason
    from base_form_submissions
    where row_status = 'rejected'
    union all
    select
        submission_id,
        delivered_contact_id as contact_id,
        email,
        form_name,
        submitted_at,
        primary_interest,
        timeline,
        compliance_deadline,
        has_budget,
        _line_number,
        rejection_reason
    from attributed_form_submissions
    where rejection_reason is not null

)

select * from rejected
