{#- The staging model an intermediate or audit model reads for an entity, chosen by var
    `crm_source`: the source switch sits here, after staging (issue 14, "Architecture"), so
    every staging folder reads only its own source. `layer` is `base` (every row of the
    entity with its verdict, row_status) or `stg` (the rows kept); the model is
    `<layer>_<folder>__<entity>`, the folder being the source's staging folder: for `files`
    crm (CRM entities) or engagement (events, form submissions), for `hubspot` hubspot.
    With var segment_enabled, entity `events` is the CRM source's events and Segment's
    (`<layer>_segment__events`) together: one `union all` of the columns
    engagement_events_columns lists (a subquery; DuckDB reads through it, and through the
    views of the stg layer, as through one relation).
    Any other source, layer or entity is a compile error that names it. -#}
{% macro staged_relation(layer, entity) -%}
    {%- set files_folders = {
        "accounts": "crm",
        "account_frameworks": "crm",
        "contacts": "crm",
        "opportunities": "crm",
        "sales_activities": "crm",
        "events": "engagement",
        "form_submissions": "engagement",
    } -%}
    {%- if layer not in ["base", "stg"] -%}
        {{ exceptions.raise_compiler_error(
            "staged_relation: layer must be 'base' or 'stg', not '" ~ layer ~ "'"
        ) }}
    {%- endif -%}
    {%- if entity not in files_folders -%}
        {{ exceptions.raise_compiler_error("staged_relation: unknown entity " ~ entity) }}
    {%- endif -%}
    {%- set crm_source = var("crm_source", "files") -%}
    {%- if crm_source == "files" -%}
        {%- set folder = files_folders[entity] -%}
    {%- elif crm_source == "hubspot" -%}
        {%- set folder = "hubspot" -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var crm_source must be 'files' or 'hubspot', not '" ~ crm_source ~ "'"
        ) }}
    {%- endif -%}
    {%- set relation = ref(layer ~ "_" ~ folder ~ "__" ~ entity) -%}
    {%- if entity == "events" and segment_enabled() -%}
        {%- set columns = engagement_events_columns(layer) | join(", ") -%}
        {{ return(
            "(select " ~ columns ~ " from " ~ relation
            ~ " union all select " ~ columns ~ " from " ~ ref(layer ~ "_segment__events")
            ~ ") as staged_events"
        ) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
