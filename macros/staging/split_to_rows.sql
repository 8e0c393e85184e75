{#- A select-list expression giving one output row per part of `expression` split on the
    regular expression `delimiter_pattern` (written without backslashes or single quotes);
    a NULL string gives no row, empty parts are returned as ''. Use it alone in a select list
    (not nested in another function: Spark refuses nested generators), then clean the parts in
    the next CTE. Engine-specific: DuckDB unnest(regexp_split_to_array), Spark explode(split). -#}
{% macro split_to_rows(expression, delimiter_pattern) -%}
    {{ return(adapter.dispatch("split_to_rows", "lead_segmentation")(expression, delimiter_pattern)) }}
{%- endmacro %}

{% macro default__split_to_rows(expression, delimiter_pattern) -%}
    unnest(regexp_split_to_array({{ expression }}, '{{ delimiter_pattern }}'))
{%- endmacro %}

{% macro spark__split_to_rows(expression, delimiter_pattern) -%}
    explode(split({{ expression }}, '{{ delimiter_pattern }}'))
{%- endmacro %}
