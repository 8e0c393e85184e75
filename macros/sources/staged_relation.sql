{#- The staging model an intermediate or audit model reads for an entity, chosen by var
    `crm_source`: the source switch sits here, after staging (issue 14, "Architecture"), so
    every staging folder reads only its own source. `layer` is `base` (every row of the
    entity with its verdict, row_status) or `stg` (the rows kept); the model is
    `<layer>_<folder>__<entity>`, the folder being the source's staging folder: for `files`
    crm (CRM entities) or engagement (events, form submissions), for `hubspot` hubspot.
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
    {{ return(ref(layer ~ "_" ~ folder ~ "__" ~ entity)) }}
{%- endmacro %}
