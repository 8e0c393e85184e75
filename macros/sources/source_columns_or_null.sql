{#- Select list that reads each named column of a connector table as text, or NULL when the
    table does not have it (like Fivetran's fill_staging_columns): real connector tables drop
    optional columns and add others. An entry is a column name or a [column, alias] pair (a
    custom property column named by a var is read under a fixed alias). Names match case-insensitively and ignore a UTF-8 byte
    order mark glued to the first header. Everything is read as text so typed warehouse
    tables and all-text file loads go through the same cleaning (connector_cast). At parse
    time (no database) every column reads as NULL. -#}
{% macro source_columns_or_null(relation, column_names) -%}
    {%- set present = {} -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do present.update({column.name | lower | replace("\ufeff", "") | trim: column.name}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for entry in column_names %}
        {%- set name = entry if entry is string else entry[0] -%}
        {%- set alias = entry if entry is string else entry[1] %}
        {% if name | lower in present -%}
            cast({{ adapter.quote(present[name | lower]) }} as {{ dbt.type_string() }})
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif %} as {{ adapter.quote(alias | lower) }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
