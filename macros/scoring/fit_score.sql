{#- A person's fit score from their fit contributions: the sum of the rule points clamped to
    0..100, plus the competitor row's points (which take a competitor to the forced score).
    Used by int_contacts_fit_scored and int_backtest_contacts_scored. -#}
{% macro fit_score(rule_points, competitor_points) -%}
    cast(
        {{ clamp(rule_points, 0, 100) }}
        + {{ competitor_points }} as integer
    )
{%- endmacro %}
