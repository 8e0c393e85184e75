-- The kept Segment web events of base_segment__events, one row per event_id: macro
-- keep_engagement_events (macros/staging/). A view over the (incremental) base table; after
-- staging it joins the CRM's events (macro staged_relation).
{{ config(materialized='view') }}

{{ keep_engagement_events(ref('base_segment__events')) }}
