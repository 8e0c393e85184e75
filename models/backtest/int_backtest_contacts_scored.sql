{#-
    Every person as scored at each backtest date T (one row per as_of_date x person who
    existed at T), from what was known at T: fit (sum of the rule contributions clamped to
    0..100; competitors 0) and grade, the account's risk at T (score, level with the minimum
    of known inputs, band; no account at T: unknown), intent (signal sums after caps, floored
    at 0, rounded to 2 decimals) and level, the matrix cell (segment, its priority), and the
    lead status at T by the shipped qualification rules (lifecycle stage at T, SQL activities
    0..N days before T, the MQL thresholds). The thresholds are the seeds the shipped models
    read (score_to_level). is_eligible: lead or mql at T, the people a lead score ranks (SQLs
    and customers are past it; docs/backtest.md).
-#}

with

people_at_dates as (

    select * from {{ ref('int_backtest_contacts_as_of') }}

),

accounts_at_dates as (

    select * from {{ ref('int_backtest_accounts_as_of') }}

),

fit_contributions as (

    select * from {{ ref('int_backtest_fit_contributions') }}

),

risk_contributions as (

    select * from {{ ref('int_backtest_risk_contributions') }}

),

intent_contributions as (

    select * from {{ ref('int_backtest_intent_contributions') }}

),

sales_activities as (

    select * from {{ ref('int_sales_activities_attributed') }}
    -- activities attributed to a person (the others are rejected: unknown_contact)
    where rejection_reason is null

),

dispositions as (

    select * from {{ ref('routing_dispositions') }}

),

fit_grades as (

    select * from {{ ref('scoring_fit_grades') }}

),

risk_levels as (

    select * from {{ ref('scoring_risk_levels') }}

),

intent_levels as (

    select * from {{ ref('scoring_intent_levels') }}

),

segment_matrix as (

    select * from {{ ref('scoring_segment_matrix') }}

),

parameters as (

    select * from {{ ref('scoring_parameters') }}

),

routing_parameters as (

    select * from {{ ref('routing_parameters') }}

),

min_known_inputs as (

    select {{ parameter_value('scoring_parameters', 'risk_min_known_inputs') }} as min_known_inputs
    from parameters

),

thresholds as (

    select
        {{ lead_status_thresholds() }}
    from routing_parameters

),

fit_totals as (

    select
        as_of_date,
        contact_id,
        {{ fit_score(
            "sum(case when dimension <> 'competitor' then points else 0 end)",
            "sum(case when dimension = 'competitor' then points else 0 end)",
        ) }} as fit_score
    from fit_contributions
    group by
        as_of_date,
        contact_id

),

risk_totals as (

    select
        as_of_date,
        account_id,
        cast(sum(points) as integer) as risk_score
    from risk_contributions
    group by
        as_of_date,
        account_id

),

account_risk as (

    -- The ten inputs of the spec, counted on the version at T.
    select
        accounts_at_dates.as_of_date,
        accounts_at_dates.account_id,
        coalesce(risk_totals.risk_score, 0) as risk_score,
        {{ risk_known_inputs('accounts_at_dates') }} as risk_known_inputs
    from accounts_at_dates
    left join risk_totals
        on
            accounts_at_dates.as_of_date = risk_totals.as_of_date
            and accounts_at_dates.account_id = risk_totals.account_id

),

account_risk_leveled as (

    select
        account_risk.as_of_date,
        account_risk.account_id,
        account_risk.risk_score,
        {{ risk_level('account_risk') }} as risk_level
    from account_risk
    cross join min_known_inputs

),

intent_totals as (

    select
        as_of_date,
        contact_id,
        sum(decayed_points) as intent_points
    from intent_contributions
    group by
        as_of_date,
        contact_id

),

sql_activity_counts as (

    select
        people_at_dates.as_of_date,
        people_at_dates.contact_id,
        count(*) as recent_sql_activities
    from sales_activities
    inner join dispositions
        on sales_activities.disposition = dispositions.disposition
    inner join people_at_dates
        on sales_activities.contact_id = people_at_dates.contact_id
    cross join thresholds
    where
        dispositions.qualification_signal = 'sql_activity'
        and {{ age_in_days('sales_activities.occurred_at', as_of='people_at_dates.as_of_date') }}
        between 0 and thresholds.sql_activity_window_days
    group by
        people_at_dates.as_of_date,
        people_at_dates.contact_id

),

scores as (

    select
        people_at_dates.as_of_date,
        people_at_dates.contact_id,
        account_risk_leveled.account_id,
        people_at_dates.lifecycle_stage,
        fit_totals.fit_score,
        account_risk_leveled.risk_score,
        {{ intent_score('intent_totals.intent_points') }} as contact_intent_score,
        coalesce(account_risk_leveled.risk_level, 'unknown') as risk_level,
        coalesce(sql_activity_counts.recent_sql_activities, 0) as recent_sql_activities
    from people_at_dates
    inner join fit_totals
        on
            people_at_dates.as_of_date = fit_totals.as_of_date
            and people_at_dates.contact_id = fit_totals.contact_id
    left join account_risk_leveled
        on
            people_at_dates.as_of_date = account_risk_leveled.as_of_date
            and people_at_dates.account_id = account_risk_leveled.account_id
    left join intent_totals
        on
            people_at_dates.as_of_date = intent_totals.as_of_date
            and people_at_dates.contact_id = intent_totals.contact_id
    left join sql_activity_counts
        on
            people_at_dates.as_of_date = sql_activity_counts.as_of_date
            and people_at_dates.contact_id = sql_activity_counts.contact_id

),

leveled as (

    select
        scores.*,
        {{ score_to_level(
            'scores.fit_score',
            'fit_grades',
            levels=['A', 'B', 'C', 'D'],
            level_column='fit_grade',
        ) }} as fit_grade,
        {{ score_to_level(
            'scores.contact_intent_score',
            'intent_levels',
            levels=['high', 'mid', 'low'],
            level_column='intent_level',
        ) }} as intent_level,
        coalesce(risk_levels.risk_band, 'unknown') as risk_band,
        {{ lead_status('scores') }} as lead_status
    from scores
    cross join thresholds
    left join risk_levels
        on scores.risk_level = risk_levels.risk_level

),

segmented as (

    select
        leveled.as_of_date,
        leveled.contact_id,
        leveled.account_id,
        leveled.fit_score,
        leveled.fit_grade,
        leveled.risk_score,
        leveled.risk_level,
        leveled.risk_band,
        leveled.contact_intent_score,
        leveled.intent_level,
        segment_matrix.segment,
        segment_matrix.priority as segment_priority,
        leveled.lifecycle_stage,
        leveled.lead_status,
        leveled.lead_status = 'mql' as is_mql,
        -- Leads and MQLs: SQLs and customers are past what a lead score ranks.
        leveled.lead_status not in ('sql', 'customer') as is_eligible,
        {{ holdout_bucket('leveled.contact_id') }} < {{ var('holdout_pct') }} as is_holdout
    from leveled
    left join segment_matrix
        on
            leveled.risk_band = segment_matrix.risk_band
            and leveled.intent_level = segment_matrix.intent_level

)

select * from segmented
