{#- The relation a raw CRM table (CONTRACT.md section 1) is read from, chosen by var
    `crm_source`: `files` (default) -> the loaded table in source `crm`; `hubspot` -> the
    HubSpot adapter model `stg_hubspot__<table>`, which produces exactly the contract's
    columns (plus the loader's _line_number and _loaded_at). Only the CRM base models call it.
    The engagement tables are read by each source folder's own chain (macro staged_relation
    picks them after staging). -#}
{% macro raw_relation(table_name) -%}
    {%- set source_names = {
        "crm_accounts": "crm",
        "crm_contacts": "crm",
        "crm_opportunities": "crm",
        "sales_activities": "crm",
    } -%}
    {%- if table_name not in source_names -%}
        {{ exceptions.raise_compiler_error("raw_relation: unknown raw table " ~ table_name) }}
    {%- endif -%}
    {%- set crm_source = var("crm_source", "files") -%}
    {%- if crm_source == "files" -%}
        {{ source(source_names[table_name], table_name) }}
    {%- elif crm_source == "hubspot" -%}
        {{ ref("stg_hubspot__" ~ table_name) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var crm_source must be 'files' or 'hubspot', not '" ~ crm_source ~ "'"
        ) }}
    {%- endif -%}
{%- endmacro %}
