{#- Email as identity key: trimmed, lower-cased, empty -> NULL (CONTRACT.md: people sharing
    the normalised email are one person). -#}
{% macro normalize_email(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}
