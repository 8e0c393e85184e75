-- The well-formed form submissions: one row per submission_id, the contact and email as
-- delivered (int_form_submissions_attributed resolves them to a person). Future-dated
-- submissions are kept and flagged (scoring excludes and counts them).
-- A view over the (incremental) base table, like stg_engagement__events.
{{ config(materialized='view') }}

with

base_form_submissions as (

    select * from {{ ref('base_engagement__form_submissions') }}

),

kept as (

    select
        submission_id,
        delivered_contact_id,
        email,
        form_name,
        submitted_at,
        is_future,
        primary_interest,
        timeline,
        compliance_deadline,
        has_budget,
        _line_number
    from base_form_submissions
    where row_status = 'kept'

)

select * from kept
