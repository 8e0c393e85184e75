{#- The Monday (as a date) of the ISO week holding a date or timestamp. date_trunc('week')
    starts weeks on Monday in both DuckDB and Spark. -#}
{% macro week_start(expr) -%}
    cast({{ dbt.date_trunc("week", expr) }} as date)
{%- endmacro %}
