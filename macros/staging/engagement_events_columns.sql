{#- The columns of an engagement events staging model, in order: `base` (every row with its
    verdict: macro judge_engagement_events) or `stg` (the kept rows: keep_engagement_events).
    The one list the macros select and staged_relation unions the sources' events by
    (the CRM's and Segment's), so a column added here reaches every source's chain. -#}
{% macro engagement_events_columns(layer) -%}
    {%- set columns = {
        "base": [
            "event_id", "delivered_contact_id", "email", "event_type", "occurred_at",
            "page_url", "campaign_id", "source_system", "topic", "loaded_at",
            "rejection_reason", "_line_number", "_loaded_at", "event_key", "delivery_rank",
            "is_future", "row_status", "_judged_at",
        ],
        "stg": [
            "event_id", "delivered_contact_id", "email", "event_type", "occurred_at",
            "is_future", "page_url", "campaign_id", "source_system", "topic", "loaded_at",
            "_line_number", "_judged_at",
        ],
    } -%}
    {%- if layer not in columns -%}
        {{ exceptions.raise_compiler_error(
            "engagement_events_columns: layer must be 'base' or 'stg', not '" ~ layer ~ "'"
        ) }}
    {%- endif -%}
    {{ return(columns[layer]) }}
{%- endmacro %}
