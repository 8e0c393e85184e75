{#- dbt.datediff on Spark for hour / minute / second (dispatch finds the project's version
    before dbt-spark's). dbt-spark rounds the elapsed seconds up (`ceil(seconds / 60)`), so
    10:00:10 -> 10:00:50 is 1 minute there but 0 on DuckDB and Snowflake, which count the
    boundaries crossed (a minute starts at :00). This counts boundaries the same way: the
    difference of the two instants floored to the unit (epoch microseconds; the division is
    exact enough: a unit boundary never lies within one rounding step of a quotient). Other
    date parts (day and longer) are dbt-spark's own, which already count boundaries. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set unit_micros = {"hour": 3600000000, "minute": 60000000, "second": 1000000} -%}
    {%- if datepart in unit_micros -%}
        (
            floor(unix_micros(cast({{ second_date }} as timestamp)) / {{ unit_micros[datepart] }})
            - floor(unix_micros(cast({{ first_date }} as timestamp)) / {{ unit_micros[datepart] }})
        )
    {%- else -%}
        {{ return(dbt.spark__datediff(first_date, second_date, datepart)) }}
    {%- endif -%}
{%- endmacro %}
