{#- The text alias seeds are matched on: lower-cased, dots removed, runs of spaces collapsed to
    one, trimmed; empty -> NULL. `U.S.` -> `us`, `  Health   Care ` -> `health care`. -#}
{% macro normalize_lookup_key(expression) -%}
    {%- set undotted = "replace(lower(" ~ expression ~ "), '.', '')" -%}
    nullif(trim({{ regex_replace_all(undotted, "[ ]+", " ") }}), '')
{%- endmacro %}
