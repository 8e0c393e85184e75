{#- on-run-start: with var hubspot_attach_path set (pipeline.py --source hubspot
    --source-database PATH), attaches that DuckDB database READ_ONLY under the name var
    hubspot_database gives, so the HubSpot sources read a user's Fivetran or dlt destination
    in place, without copying it. Nothing otherwise (and never on other engines). -#}
{% macro attach_hubspot_database() -%}
    {%- set path = var("hubspot_attach_path", "") -%}
    {%- if path and target.type == "duckdb" and var("crm_source", "files") == "hubspot" -%}
        {%- set alias = var("hubspot_database", "hubspot_source") -%}
        {%- set attached = run_query(
            "select count(*) from duckdb_databases() where database_name = '" ~ alias ~ "'"
        ) if execute else none -%}
        {%- if attached is not none and attached.columns[0].values()[0] == 0 -%}
            attach '{{ path | replace("'", "''") }}' as {{ alias }} (read_only)
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
