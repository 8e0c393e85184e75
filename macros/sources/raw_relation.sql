{#- The relation a raw-contract table (CONTRACT.md section 1) is read from, chosen by var
    `crm_source`: `files` (default) -> the loaded table in source `crm` / `engagement`;
    `hubspot` -> the HubSpot adapter model `stg_hubspot__<table>`, which produces exactly the
    contract's columns (plus the loader's _line_number and _loaded_at). With var
    segment_enabled, engagement_events is the CRM's events and the Segment web events
    (stg_segment__engagement_events) together. Only the base models call it, so everything
    after them is source-agnostic. -#}
{% macro raw_relation(table_name) -%}
    {%- set source_names = {
        "crm_accounts": "crm",
        "crm_contacts": "crm",
        "crm_opportunities": "crm",
        "sales_activities": "crm",
        "engagement_events": "engagement",
        "form_submissions": "engagement",
    } -%}
    {%- if table_name not in source_names -%}
        {{ exceptions.raise_compiler_error("raw_relation: unknown raw table " ~ table_name) }}
    {%- endif -%}
    {%- set crm_source = var("crm_source", "files") -%}
    {%- if crm_source == "files" -%}
        {%- set relation = source(source_names[table_name], table_name) -%}
    {%- elif crm_source == "hubspot" -%}
        {%- set relation = ref("stg_hubspot__" ~ table_name) -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var crm_source must be 'files' or 'hubspot', not '" ~ crm_source ~ "'"
        ) }}
    {%- endif -%}
    {%- if table_name == "engagement_events" and segment_enabled() -%}
        {%- set columns = [
            "event_id", "contact_id", "email", "event_type", "occurred_at", "page_url",
            "campaign_id", "source_system", "topic", "loaded_at", "_line_number", "_loaded_at",
        ] -%}
        (
            select {{ columns | join(", ") }} from {{ relation }}
            union all
            select {{ columns | join(", ") }} from {{ ref("stg_segment__engagement_events") }}
        ) as raw_engagement_events
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
