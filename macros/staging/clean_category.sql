{#- Categorical text: trimmed, lower-cased, empty -> NULL. -#}
{% macro clean_category(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}
