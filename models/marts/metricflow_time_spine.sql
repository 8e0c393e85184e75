-- MetricFlow's day spine (semantic layer, _marts__semantic_models.yml): one row per day from
-- ten years before as_of_date to one year after it, which covers every week of segment_kpis
-- (at most var segment_kpis_max_weeks weeks back) with room for forward-looking windows.
-- dbt.date_spine is dbt's own cross-database macro, so this runs on DuckDB and Spark alike.
with

days as (

    {{ dbt.date_spine(
        "day",
        dbt.dateadd("year", -10, as_of_date()),
        dbt.dateadd("year", 1, as_of_date()),
    ) }}

),

spine as (

    select cast(days.date_day as date) as date_day
    from days

)

select * from spine
