{#-
    Risk as of each backtest date T, in long form: one row per as_of_date x account x signal
    that fires, from the account's version at T, with the shipped model's rules and seeds
    (int_accounts_risk_contributions): frameworks listed then (capped), an audit deadline
    stated by T in a form of a person of the account at T and falling 0..N days after T, an
    incident within the N days before T, and the posture signals of the version at T.
-#}

with

accounts_at_dates as (

    select * from {{ ref('int_backtest_accounts_as_of') }}

),

people_at_dates as (

    select * from {{ ref('int_backtest_contacts_as_of') }}

),

form_submissions as (

    select * from {{ ref('stg_engagement__form_submissions') }}

),

risk_signals as (

    select * from {{ ref('scoring_risk_signals') }}

),

risk_frameworks as (

    select * from {{ ref('scoring_risk_frameworks') }}

),

industries as (

    select * from {{ ref('scoring_fit_industries') }}

),

industry_tiers as (

    select * from {{ ref('scoring_fit_industry_tiers') }}

),

parameters as (

    select * from {{ ref('scoring_parameters') }}

),

risk_parameters as (

    select
        {{ parameter_value('scoring_parameters', 'risk_framework_cap') }} as framework_cap,
        {{ parameter_value('scoring_parameters', 'risk_audit_deadline_days') }}
            as audit_deadline_days,
        {{ parameter_value('scoring_parameters', 'risk_recent_incident_days') }}
            as recent_incident_days,
        {{ parameter_value('scoring_parameters', 'risk_small_security_team_below') }}
            as small_security_team_below,
        {{ parameter_value('scoring_parameters', 'risk_eol_software_min') }} as eol_software_min,
        {{ parameter_value('scoring_parameters', 'risk_exposed_services_min') }}
            as exposed_services_min,
        {{ parameter_value('scoring_parameters', 'risk_exposed_services_high_min') }}
            as exposed_services_high_min,
        {{ parameter_value('scoring_parameters', 'risk_exposed_services_high_points') }}
            as exposed_services_high_points
    from parameters

),

regulated_accounts as (

    select
        accounts_at_dates.as_of_date,
        accounts_at_dates.account_id
    from accounts_at_dates
    inner join industries
        on accounts_at_dates.industry = industries.industry
    inner join industry_tiers
        on industries.industry_tier = industry_tiers.industry_tier
    where industry_tiers.is_regulated

),

framework_parts as (

    -- The version's list is already cleaned, mapped and joined by `; ` (base_crm__accounts).
    select
        as_of_date,
        account_id,
        {{ split_to_rows('compliance_frameworks', ';') }} as framework_text
    from accounts_at_dates

),

framework_counts as (

    select
        framework_parts.as_of_date,
        framework_parts.account_id,
        count(distinct risk_frameworks.framework) as framework_count
    from framework_parts
    inner join risk_frameworks
        on trim(framework_parts.framework_text) = risk_frameworks.framework
    group by
        framework_parts.as_of_date,
        framework_parts.account_id

),

stated_deadlines as (

    -- Forms submitted by T, by a person of the account at T.
    select
        people_at_dates.as_of_date,
        people_at_dates.account_id,
        {{ dbt.datediff(
            'people_at_dates.as_of_date', 'form_submissions.compliance_deadline', 'day'
        ) }} as days_to_deadline
    from form_submissions
    inner join people_at_dates
        on form_submissions.contact_id = people_at_dates.contact_id
    where
        {{ age_in_days('form_submissions.submitted_at', as_of='people_at_dates.as_of_date') }}
        >= 0
        and people_at_dates.account_id is not null

),

audit_deadline_accounts as (

    select distinct
        accounts_at_dates.as_of_date,
        accounts_at_dates.account_id
    from stated_deadlines
    inner join accounts_at_dates
        on
            stated_deadlines.as_of_date = accounts_at_dates.as_of_date
            and stated_deadlines.account_id = accounts_at_dates.account_id
    cross join risk_parameters
    where
        stated_deadlines.days_to_deadline
        between 0 and risk_parameters.audit_deadline_days

),

fired_signals as (

    select
        as_of_date,
        account_id,
        'regulated_industry' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from regulated_accounts

    union all

    select
        framework_counts.as_of_date,
        framework_counts.account_id,
        'compliance_frameworks' as signal_name,
        case
            when framework_counts.framework_count > risk_parameters.framework_cap
                then cast(risk_parameters.framework_cap as integer)
            else framework_counts.framework_count
        end as signal_units,
        cast(null as integer) as band_points
    from framework_counts
    cross join risk_parameters

    union all

    select
        as_of_date,
        account_id,
        'audit_deadline' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from audit_deadline_accounts

    union all

    select
        accounts_at_dates.as_of_date,
        accounts_at_dates.account_id,
        'eol_software' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts_at_dates
    cross join risk_parameters
    where accounts_at_dates.eol_software_count >= risk_parameters.eol_software_min

    union all

    select
        accounts_at_dates.as_of_date,
        accounts_at_dates.account_id,
        'exposed_services' as signal_name,
        1 as signal_units,
        case
            when
                accounts_at_dates.exposed_services_count
                >= risk_parameters.exposed_services_high_min
                then cast(risk_parameters.exposed_services_high_points as integer)
        end as band_points
    from accounts_at_dates
    cross join risk_parameters
    where accounts_at_dates.exposed_services_count >= risk_parameters.exposed_services_min

    union all

    select
        as_of_date,
        account_id,
        'no_edr' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts_at_dates
    where not has_edr

    union all

    select
        as_of_date,
        account_id,
        'no_24x7_soc' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts_at_dates
    where not has_24x7_soc

    union all

    select
        accounts_at_dates.as_of_date,
        accounts_at_dates.account_id,
        'small_security_team' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts_at_dates
    cross join risk_parameters
    where accounts_at_dates.security_team_size < risk_parameters.small_security_team_below

    union all

    select
        as_of_date,
        account_id,
        'no_siem' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts_at_dates
    where not has_siem

    union all

    select
        as_of_date,
        account_id,
        'no_mfa' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts_at_dates
    where not has_mfa

    union all

    select
        as_of_date,
        account_id,
        'no_identity_provider' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts_at_dates
    where identity_provider = 'none'

    union all

    select
        accounts_at_dates.as_of_date,
        accounts_at_dates.account_id,
        'recent_incident' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts_at_dates
    cross join risk_parameters
    where
        {{ age_in_days(
            'accounts_at_dates.last_incident_at', as_of='accounts_at_dates.as_of_date'
        ) }} between 0 and risk_parameters.recent_incident_days

),

contributions as (

    select
        fired_signals.as_of_date,
        fired_signals.account_id,
        risk_signals.risk_category,
        risk_signals.reason_code,
        cast(
            coalesce(
                fired_signals.band_points,
                risk_signals.points * fired_signals.signal_units
            ) as integer
        ) as points
    from fired_signals
    inner join risk_signals
        on fired_signals.signal_name = risk_signals.signal

)

select * from contributions
