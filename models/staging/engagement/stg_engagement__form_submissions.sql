-- The kept form submissions of base_engagement__form_submissions, one row per submission_id:
-- macro keep_form_submissions (macros/staging/). A view over the (incremental) base table.
{{ config(materialized='view') }}

{{ keep_form_submissions(ref('base_engagement__form_submissions')) }}
