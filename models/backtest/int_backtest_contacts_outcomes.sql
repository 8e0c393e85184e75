{#-
    What each person scored at T did in the horizon after T (one row per as_of_date x person
    who existed at T): facts dated in (T, horizon end], and never after the run's scoring
    date (later facts are not known yet; is_horizon_complete says when a horizon is cut).
    - became_sql: SQL evidence dated in the horizon: a meeting_booked or discovery_completed
      activity (the shipped SQL rule) or an opportunity created with the person as primary
      contact. A CRM version showing stage sql is not evidence: its updated_at dates the
      last edit of the record, not the stage change (docs/backtest.md).
    - opportunity_created: an opportunity created in the horizon with the person as primary
      contact; opportunity_won: one of those closed won by the horizon's end;
      pipeline_usd: their amounts (today's version of each deal).
-#}

with

as_of_dates as (

    select * from {{ ref('int_backtest_as_of_dates') }}

),

people_at_dates as (

    select * from {{ ref('int_backtest_contacts_as_of') }}

),

sales_activities as (

    select * from {{ ref('int_sales_activities_attributed') }}
    -- activities attributed to a person (the others are rejected: unknown_contact)
    where rejection_reason is null

),

dispositions as (

    select * from {{ ref('routing_dispositions') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_attributed') }}

),

horizons as (

    -- The horizon as far as it is known: cut at the run's scoring date.
    select
        as_of_date,
        case
            when horizon_end_date > run_as_of_date then run_as_of_date
            else horizon_end_date
        end as known_until_date
    from as_of_dates

),

sql_evidence as (

    select
        sales_activities.contact_id,
        cast(sales_activities.occurred_at as date) as evidence_date
    from sales_activities
    inner join dispositions
        on sales_activities.disposition = dispositions.disposition
    where dispositions.qualification_signal = 'sql_activity'

    union all

    select
        primary_contact_id as contact_id,
        cast(created_at as date) as evidence_date
    from opportunities
    where primary_contact_id is not null

),

sql_in_horizon as (

    select distinct
        people_at_dates.as_of_date,
        people_at_dates.contact_id
    from people_at_dates
    inner join horizons
        on people_at_dates.as_of_date = horizons.as_of_date
    inner join sql_evidence
        on people_at_dates.contact_id = sql_evidence.contact_id
    where
        sql_evidence.evidence_date > people_at_dates.as_of_date
        and sql_evidence.evidence_date <= horizons.known_until_date

),

opportunities_in_horizon as (

    select
        people_at_dates.as_of_date,
        people_at_dates.contact_id,
        count(*) as opportunities_created,
        sum(
            case
                when
                    opportunities.is_won
                    and cast(opportunities.closed_at as date) <= horizons.known_until_date
                    then 1
                else 0
            end
        ) as opportunities_won,
        sum(coalesce(opportunities.amount_usd, 0)) as pipeline_usd
    from people_at_dates
    inner join horizons
        on people_at_dates.as_of_date = horizons.as_of_date
    inner join opportunities
        on people_at_dates.contact_id = opportunities.primary_contact_id
    where
        cast(opportunities.created_at as date) > people_at_dates.as_of_date
        and cast(opportunities.created_at as date) <= horizons.known_until_date
    group by
        people_at_dates.as_of_date,
        people_at_dates.contact_id

),

outcomes as (

    select
        people_at_dates.as_of_date,
        people_at_dates.contact_id,
        sql_in_horizon.contact_id is not null as became_sql,
        coalesce(opportunities_in_horizon.opportunities_created, 0) > 0 as opportunity_created,
        coalesce(opportunities_in_horizon.opportunities_won, 0) > 0 as opportunity_won,
        coalesce(opportunities_in_horizon.pipeline_usd, 0.0) as pipeline_usd
    from people_at_dates
    left join sql_in_horizon
        on
            people_at_dates.as_of_date = sql_in_horizon.as_of_date
            and people_at_dates.contact_id = sql_in_horizon.contact_id
    left join opportunities_in_horizon
        on
            people_at_dates.as_of_date = opportunities_in_horizon.as_of_date
            and people_at_dates.contact_id = opportunities_in_horizon.contact_id

)

select * from outcomes
