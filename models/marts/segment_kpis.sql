-- Weekly KPIs per segment and experiment group (treatment / holdout), weeks starting Monday
-- (CONTRACT.md section 3): the facts of int_segments_weeks_aggregated (which says what each
-- counts and in which week) zero-filled, with the rates. bounce_rate: people with a bounce
-- / leads_entered; sla_met_rate: forms answered within the SLA / forms judged. Rates and
-- the median are NULL without a denominator.
with

weekly_facts as (

    select * from {{ ref('int_segments_weeks_aggregated') }}

),

filled as (

    select
        cast(weekly_facts.week_start as date) as week_start,
        cast(weekly_facts.segment as {{ dbt.type_string() }}) as segment,
        cast(weekly_facts.experiment_group as {{ dbt.type_string() }}) as experiment_group,
        cast(coalesce(weekly_facts.leads_entered, 0) as bigint) as leads_entered,
        cast(coalesce(weekly_facts.mqls, 0) as bigint) as mqls,
        cast(coalesce(weekly_facts.sqls, 0) as bigint) as sqls,
        cast(coalesce(weekly_facts.meetings_booked, 0) as bigint) as meetings_booked,
        cast(coalesce(weekly_facts.opportunities_created, 0) as bigint)
            as opportunities_created,
        cast(coalesce(weekly_facts.opportunities_won, 0) as bigint) as opportunities_won,
        cast(coalesce(weekly_facts.pipeline_usd, 0) as decimal(18, 2)) as pipeline_usd,
        cast(coalesce(weekly_facts.won_usd, 0) as decimal(18, 2)) as won_usd,
        cast(weekly_facts.median_first_response_minutes as double)
            as median_first_response_minutes,
        cast(
            case
                when weekly_facts.sla_judged > 0
                    then round(1.0 * weekly_facts.sla_met / weekly_facts.sla_judged, 4)
            end as double
        ) as sla_met_rate,
        cast(
            case
                when weekly_facts.leads_entered > 0
                    then round(1.0 * weekly_facts.bounced_leads / weekly_facts.leads_entered, 4)
            end as double
        ) as bounce_rate,
        cast('{{ var("scoring_version") }}' as {{ dbt.type_string() }}) as scoring_version,
        cast({{ as_of_date() }} as date) as as_of_date
    from weekly_facts

)

select * from filled
