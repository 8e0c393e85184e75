-- The day spine: MetricFlow's time spine (semantic layer) and the weeks of segment_kpis
-- (int_segments_weeks_aggregated). One row per day from ten years before as_of_date (or
-- further back when var segment_kpis_max_weeks asks for more weeks) to one year after it.
-- dbt.date_spine is dbt's own cross-database macro, so this runs on DuckDB and Spark alike.
{%- set max_weeks = var("segment_kpis_max_weeks", 260) %}
{%- if max_weeks * 7 > 3650 %}
    {%- set first_day = dbt.dateadd("day", -7 * max_weeks, as_of_date()) %}
{%- else %}
    {%- set first_day = dbt.dateadd("year", -10, as_of_date()) %}
{%- endif %}
with

days as (

    {{ dbt.date_spine(
        "day",
        first_day,
        dbt.dateadd("year", 1, as_of_date()),
    ) }}

),

spine as (

    select cast(days.date_day as date) as date_day
    from days

)

select * from spine
