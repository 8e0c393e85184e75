{#- Whole days from the date of a timestamp (or date) to the scoring date (as_of_date()):
    0 the same day, 1 the day before, negative when it lies after the scoring date. -#}
{% macro age_in_days(timestamp_expr) -%}
    {{ dbt.datediff("cast(" ~ timestamp_expr ~ " as date)", as_of_date(), "day") }}
{%- endmacro %}
