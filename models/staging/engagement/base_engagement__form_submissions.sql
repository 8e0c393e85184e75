-- Every row of raw.form_submissions (1:1, key _line_number), cleaned, with its verdict:
-- macro judge_form_submissions (macros/staging/), incremental on submission_key.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='submission_key',
        on_schema_change='fail',
    )
}}

{{ judge_form_submissions(source('engagement', 'form_submissions')) }}
