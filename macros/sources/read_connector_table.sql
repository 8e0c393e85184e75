{#- A connector table as the base models read it: each listed column typed and cleaned by
    connector_cast and renamed, NULL when the table lacks the column, no rows when the table
    does not exist (select_connector_columns). Each entry is [column, type, alias] ([column,
    type] keeps the name; a fourth item `keep_empty` keeps an empty text as ''), so a
    column is named once: read, typed and renamed. -#}
{% macro read_connector_table(relation, columns) -%}
    {%- set as_text = [] -%}
    {%- for entry in columns -%}
        {%- do as_text.append([entry[0], entry[2] if entry | length > 2 else entry[0]]) -%}
    {%- endfor %}
    select
    {%- for entry in columns %}
        {%- set alias = (entry[2] if entry | length > 2 else entry[0]) | lower %}
        {{ connector_cast(alias, entry[1], keep_empty=(entry | length > 3 and entry[3] == "keep_empty")) }}
            as {{ alias }}{{ "," if not loop.last }}
    {%- endfor %}
    from (
        {{ select_connector_columns(relation, as_text) }}
    ) as connector_table
{%- endmacro %}
