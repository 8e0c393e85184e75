-- Rejected form submissions, traceable to their file line. Values as cleaned by the base
-- model, except contact_id, shown as delivered (the attribution found no person for it).
with

base_form_submissions as (

    select * from {{ ref('base_engagement__form_submissions') }}

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

)

select * from rejected
