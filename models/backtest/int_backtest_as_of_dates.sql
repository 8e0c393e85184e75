{#-
    The backtest's as-of dates T: var backtest_as_of_dates (a list, or a comma-separated
    string, of YYYY-MM-DD), else the last var backtest_months month ends strictly before the
    run's scoring date. Dates after the scoring date are dropped (nothing is known about them).
    Each T carries its outcome horizon (T, T + backtest_horizon_days]; the horizon is complete
    when it ends by the scoring date (outcomes of later days are not known yet).
-#}

{%- set explicit = var('backtest_as_of_dates', []) -%}
{%- if explicit is string -%}
    {%- set explicit = explicit.split(',') | map('trim') | reject('equalto', '') | list -%}
{%- endif -%}
{%- set months = var('backtest_months', 12) | int -%}
{%- set horizon_days = var('backtest_horizon_days', 90) | int -%}

with

candidate_dates as (

    {% if explicit %}
        {%- for day in explicit %}
            select cast('{{ day }}' as date) as as_of_date
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    {% else %}
        {%- for months_back in range(1, months + 1) %}
            select
                {%- set month = dbt.dateadd('month', -1 * months_back, as_of_date()) %}
                cast({{ dbt.last_day(month, 'month') }} as date) as as_of_date
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    {% endif %}

),

as_of_dates as (

    select distinct
        as_of_date,
        cast({{ dbt.dateadd('day', horizon_days, 'as_of_date') }} as date) as horizon_end_date,
        -- Intent counts rows aged 0..intent_window_days days (both ends).
        cast(
            {{ dbt.dateadd('day', -1 * var('intent_window_days'), 'as_of_date') }} as date
        ) as intent_window_start_date
    from candidate_dates
    where as_of_date <= {{ as_of_date() }}

),

final as (

    select
        as_of_date,
        horizon_end_date,
        intent_window_start_date,
        {{ horizon_days }} as horizon_days,
        horizon_end_date <= {{ as_of_date() }} as is_horizon_complete,
        {{ as_of_date() }} as run_as_of_date
    from as_of_dates

)

select * from final
