-- The kept HubSpot form submissions of base_hubspot__form_submissions, one row per
-- submission_id: macro keep_form_submissions (macros/staging/). A view over the
-- (incremental) base table.
{{ config(materialized='view') }}

{{ keep_form_submissions(ref('base_hubspot__form_submissions')) }}
