{#-
    The backtest in long form, one row per backtest date T, score, outcome and person who was
    a lead or an MQL at T (is_eligible: SQLs and customers are past what a lead score ranks):
    the person's score at T and whether the outcome followed in the horizon. Scores: fit,
    risk (no account at T ranks as 0), intent, segment (ranked by its cell's priority, 1
    best) and mql_rule (1 for an MQL at T). score_backtest aggregates it.
-#}

{#- (score_name, its value at T: higher ranks first) and the outcomes, one union branch each. -#}
{%- set scores = [
    ('fit', 'cast(fit_score as double)'),
    ('risk', 'cast(coalesce(risk_score, 0) as double)'),
    ('intent', 'cast(contact_intent_score as double)'),
    ('segment', 'cast(-1 * segment_priority as double)'),
    ('mql_rule', 'case when is_mql then 1.0 else 0.0 end'),
] -%}
{%- set outcomes = ['became_sql', 'opportunity_created', 'opportunity_won'] %}

with

contacts_scored as (

    select * from {{ ref('int_backtest_contacts_scored') }}

),

contacts_outcomes as (

    select * from {{ ref('int_backtest_contacts_outcomes') }}

),

eligible as (

    select
        contacts_scored.as_of_date,
        contacts_scored.contact_id,
        contacts_scored.fit_score,
        contacts_scored.risk_score,
        contacts_scored.contact_intent_score,
        contacts_scored.segment,
        contacts_scored.segment_priority,
        contacts_scored.is_mql,
        contacts_outcomes.became_sql,
        contacts_outcomes.opportunity_created,
        contacts_outcomes.opportunity_won,
        contacts_outcomes.pipeline_usd
    from contacts_scored
    inner join contacts_outcomes
        on
            contacts_scored.as_of_date = contacts_outcomes.as_of_date
            and contacts_scored.contact_id = contacts_outcomes.contact_id
    where contacts_scored.is_eligible

),

scores_long as (

    {%- for score_name, expression in scores %}
        select
            as_of_date,
            contact_id,
            '{{ score_name }}' as score_name,
            {{ expression }} as score_value,
            segment,
            became_sql,
            opportunity_created,
            opportunity_won,
            pipeline_usd
        from eligible
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

outcomes_long as (

    {%- for outcome in outcomes %}
        select
            as_of_date,
            contact_id,
            score_name,
            score_value,
            segment,
            pipeline_usd,
            '{{ outcome }}' as outcome,
            case when {{ outcome }} then 1 else 0 end as is_positive
        from scores_long
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

)

select * from outcomes_long
