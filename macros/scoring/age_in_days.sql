{#- Whole days from the date of a timestamp (or date) to the scoring date (as_of_date()):
    0 the same day, 1 the day before, negative when it lies after the scoring date.
    `as_of` (a SQL date expression, e.g. a column) replaces the scoring date: the backtest
    scores many as-of dates in one pass with the same rule. -#}
{% macro age_in_days(timestamp_expr, as_of=none) -%}
    {{ dbt.datediff("cast(" ~ timestamp_expr ~ " as date)", as_of or as_of_date(), "day") }}
{%- endmacro %}
