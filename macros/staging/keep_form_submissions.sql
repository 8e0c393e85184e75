{#-
    The well-formed form submissions: one row per submission_id, the contact and email as
    delivered (int_form_submissions_attributed resolves them to a person). Future-dated
    submissions are kept and flagged (scoring excludes and counts them).
    `base_relation`: the base_<folder>__form_submissions model of the source's folder (macro
    judge_form_submissions); the stg_<folder>__form_submissions model of each source folder
    is this macro on it, a view over the (incremental) base table.
-#}
{% macro keep_form_submissions(base_relation) -%}
with

base_form_submissions as (

    select * from {{ base_relation }}

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
{%- endmacro %}
