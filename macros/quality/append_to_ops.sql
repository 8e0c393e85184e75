{#- Append `rows` to the table `identifier` of schema ops (ops_relation), creating the schema
    and the table (`columns`: "name type" strings) when missing. Each row is a list of SQL
    expressions in the order of `columns`. For the on-run-end hooks' records. -#}
{% macro append_to_ops(identifier, columns, rows) -%}
    {%- set relation = ops_relation(identifier) -%}
    {%- do run_query("create schema if not exists " ~ relation.without_identifier()) -%}
    {%- do run_query("create table if not exists " ~ relation ~ " (" ~ columns | join(", ") ~ ")") -%}
    {%- set selects = [] -%}
    {%- for row in rows -%}
        {%- do selects.append("select " ~ row | join(", ")) -%}
    {%- endfor -%}
    {%- do run_query("insert into " ~ relation ~ " " ~ selects | join(" union all ")) -%}
{%- endmacro %}
