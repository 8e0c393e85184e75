-- Every row of raw.engagement_events (1:1, key _line_number), cleaned, with its verdict:
-- macro judge_engagement_events (macros/staging/), incremental on event_key.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_key',
        on_schema_change='fail',
    )
}}

{{ judge_engagement_events(source('engagement', 'engagement_events')) }}
