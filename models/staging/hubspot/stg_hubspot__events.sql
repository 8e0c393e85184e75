-- The kept HubSpot email events of base_hubspot__events, one row per event_id: macro
-- keep_engagement_events (macros/staging/). A view over the (incremental) base table.
{{ config(materialized='view') }}

{{ keep_engagement_events(ref('base_hubspot__events')) }}
