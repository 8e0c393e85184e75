-- Every setting the routing and qualification models look up is configured (a missing row
-- would turn its rule into NULL comparisons that silently never fire). Returns the missing
-- settings.
{%- set names = [
    "sql_activity_window_days", "mql_min_fit_score", "mql_min_intent_score",
    "mql_high_intent_min_score", "mql_high_intent_min_fit_score",
    "unqualified_not_a_fit_window_days", "disqualify_window_days",
    "disqualify_min_dispositions", "holdout_sdr_sla_hours", "holdout_sdr_priority",
    "holdout_nurture_priority",
] %}
with

routing_parameters as (

    select * from {{ ref('routing_parameters') }}

),

expected as (

    {% for name in names -%}
        select '{{ name }}' as parameter
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

missing as (

    select expected.parameter
    from expected
    left join routing_parameters
        on expected.parameter = routing_parameters.parameter
    where routing_parameters.parameter is null

)

select * from missing
