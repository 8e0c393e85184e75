-- The kept engagement events of base_engagement__events, one row per event_id: macro
-- keep_engagement_events (macros/staging/). A view: the base model is the (incremental)
-- table; a copy of its kept rows would rewrite the largest table on every run.
{{ config(materialized='view') }}

{{ keep_engagement_events(ref('base_engagement__events')) }}
