{#- Aggregate: the distinct non-NULL values of `expression` in ascending order, joined by
    `delimiter` (a plain string); NULL when the group has no value. dbt.listagg cannot do this
    on every engine (dbt-spark ignores its order by). Engine-specific: DuckDB string_agg with
    distinct and order by, Spark array_join(array_sort(collect_set)). -#}
{% macro sorted_distinct_string_agg(expression, delimiter) -%}
    {{ return(adapter.dispatch("sorted_distinct_string_agg", "lead_segmentation")(expression, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_distinct_string_agg(expression, delimiter) -%}
    string_agg(distinct {{ expression }}, '{{ delimiter }}' order by {{ expression }})
{%- endmacro %}

{% macro spark__sorted_distinct_string_agg(expression, delimiter) -%}
    case
        when size(collect_set({{ expression }})) > 0
            then array_join(array_sort(collect_set({{ expression }})), '{{ delimiter }}')
    end
{%- endmacro %}
