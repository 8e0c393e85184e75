{#- Use the custom schema name as is (staging, intermediate, marts, ...) instead of dbt's
    default "<target schema>_<custom>", so BI and the publish step see stable names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
