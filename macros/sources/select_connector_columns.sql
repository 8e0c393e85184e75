{#- A select statement reading each named column of a connector table as text, or NULL when
    the table does not have it (like Fivetran's fill_staging_columns): real connector tables
    drop optional columns and add others. A table that does not exist at all (a HubSpot
    account without forms, a connector that never synced engagements) reads as no rows, so
    a missing optional table is empty, not an error; the raw gate says which tables were
    missing. Names match case-insensitively and ignore a UTF-8 byte order mark glued to the
    first header. Everything is read as text so typed warehouse tables and all-text file
    loads go through the same cleaning (connector_cast). An entry is a column name or a
    [column, alias] pair (a custom property column named by a var is read under a fixed
    alias). At parse time (no database) every column reads as NULL. -#}
{% macro select_connector_columns(relation, column_names) -%}
    {%- set present = {} -%}
    {%- set existing = none -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
    {%- endif -%}
    {%- if existing is not none -%}
        {%- for column in adapter.get_columns_in_relation(existing) -%}
            {%- do present.update({column.name | lower | replace("\ufeff", "") | trim: column.name}) -%}
        {%- endfor -%}
    {%- endif %}
    select
    {%- for entry in column_names %}
        {%- set name = entry if entry is string else entry[0] -%}
        {%- set alias = entry if entry is string else entry[1] %}
        {% if name | lower in present -%}
            cast({{ adapter.quote(present[name | lower]) }} as {{ dbt.type_string() }})
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif %} as {{ adapter.quote(alias | lower) }}{{ "," if not loop.last }}
    {%- endfor %}
    {% if existing is not none -%}
        from {{ existing }}
    {%- else -%}
        from (select 1 as no_table) as missing_table
        where false
    {%- endif %}
{%- endmacro %}
