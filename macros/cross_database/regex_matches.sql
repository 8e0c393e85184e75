{#- True when `expression` matches the regular expression `pattern` (anywhere, unless anchored).
    Engine-specific: DuckDB regexp_matches, Spark rlike. -#}
{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch("regex_matches", "lead_segmentation")(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern) -%}
    ({{ expression }} rlike '{{ pattern }}')
{%- endmacro %}
