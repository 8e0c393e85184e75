{#- Intent per key and signal, as one query for the daily model (int_contacts_intent_decayed)
    and the backtest (int_backtest_intent_contributions): each activity decays with its
    signal's half-life (count x decayed points: age is whole days, so a day's rows decay
    alike), the rows are summed per signal, and the signal's cap limits the sum. Columns:
    keys..., signal, decayed_points, event_count (and last_occurred_at when asked).
    `activities` names the relation or CTE with the keys, signal_source, signal_name,
    signal_count, age_days (and last_occurred_at); only its rows in the caller's window
    count. -#}
{% macro intent_signal_points(activities, keys=['contact_id'], with_last_occurred_at=false) -%}
    with

    intent_signals as (

        select * from {{ ref('scoring_intent_signals') }}

    ),

    decayed as (

        select
            {%- for key in keys %}
            {{ activities }}.{{ key }},
            {%- endfor %}
            intent_signals.signal,
            {%- if with_last_occurred_at %}
            {{ activities }}.last_occurred_at,
            {%- endif %}
            {{ activities }}.signal_count,
            intent_signals.cap_points,
            {{ activities }}.signal_count * {{ decayed_points(
                'intent_signals.points',
                activities ~ '.age_days',
                'intent_signals.half_life_days',
            ) }} as day_points
        from {{ activities }}
        inner join intent_signals
            on
                {{ activities }}.signal_name = intent_signals.signal
                and {{ activities }}.signal_source = intent_signals.source

    ),

    signal_totals as (

        select
            {{ keys | join(',\n            ') }},
            signal,
            sum(day_points) as uncapped_points,
            max(cap_points) as cap_points,
            {%- if with_last_occurred_at %}
            max(last_occurred_at) as last_occurred_at,
            {%- endif %}
            sum(signal_count) as event_count
        from decayed
        group by
            {{ keys | join(',\n            ') }},
            signal

    ),

    capped as (

        select
            {{ keys | join(',\n            ') }},
            signal,
            case
                when cap_points is not null and uncapped_points > cap_points
                    then cast(cap_points as double)
                else uncapped_points
            end as decayed_points,
            cast(event_count as integer) as event_count
            {%- if with_last_occurred_at %},
            last_occurred_at
            {%- endif %}
        from signal_totals

    )

    select * from capped
{%- endmacro %}
