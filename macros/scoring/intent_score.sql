{#- A person's intent score from the sum of their capped signal points: no points is 0, a
    negative sum (penalty signals) is floored at 0, rounded to 2 decimals as decimal(18, 2).
    Used by int_contacts_intent_scored and int_backtest_contacts_scored. -#}
{% macro intent_score(points) -%}
    cast(
        round(
            case
                when coalesce({{ points }}, 0) < 0 then 0
                else coalesce({{ points }}, 0)
            end,
            2
        ) as decimal(18, 2)
    )
{%- endmacro %}
