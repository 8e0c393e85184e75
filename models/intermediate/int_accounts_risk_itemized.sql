-- Risk, per account, in long form: one row per signal that fires, with its category, reason
-- code and points. Steps: the configured scalars (framework cap, windows, thresholds), the
-- account's signals, each from one rule of the spec, then their points from the signal seed
-- (exposed services >= the high minimum: the high points; frameworks = points per framework
-- x capped count).
with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

account_frameworks as (

    select * from {{ ref('stg_crm__account_frameworks') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

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

    -- The same industry map as fit: the tier flagged is_regulated.
    select accounts.account_id
    from accounts
    inner join industries
        on accounts.industry = industries.industry
    inner join industry_tiers
        on industries.industry_tier = industry_tiers.industry_tier
    where industry_tiers.is_regulated

),

framework_counts as (

    -- Only the configured frameworks count (e.g. sox does not), each once.
    select
        account_frameworks.account_id,
        count(distinct account_frameworks.framework) as framework_count
    from account_frameworks
    inner join risk_frameworks
        on account_frameworks.framework = risk_frameworks.framework
    group by account_frameworks.account_id

),

stated_deadlines as (

    -- Days from the scoring date to each stated deadline; a future-dated submission is
    -- ignored like every row dated after the scoring date.
    select
        contact_id,
        {{ dbt.datediff(as_of_date(), 'compliance_deadline', 'day') }}
            as days_to_deadline
    from form_submissions
    where {{ age_in_days('submitted_at') }} >= 0

),

audit_deadline_accounts as (

    -- Any form of an active person at the account with a deadline 0..N days ahead.
    select distinct accounts.account_id
    from stated_deadlines
    inner join contacts
        on stated_deadlines.contact_id = contacts.contact_id
    inner join accounts
        on contacts.account_id = accounts.account_id
    cross join risk_parameters
    where
        stated_deadlines.days_to_deadline
        between 0 and risk_parameters.audit_deadline_days

),

fired_signals as (

    -- signal_units multiplies the signal's points; band_points replaces them.
    select
        account_id,
        'regulated_industry' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from regulated_accounts

    union all

    select
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
        account_id,
        'audit_deadline' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from audit_deadline_accounts

    union all

    select
        accounts.account_id,
        'eol_software' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts
    cross join risk_parameters
    where accounts.eol_software_count >= risk_parameters.eol_software_min

    union all

    -- 1..4 exposed services: the signal's points; 5 or more: the high band's points.
    select
        accounts.account_id,
        'exposed_services' as signal_name,
        1 as signal_units,
        case
            when accounts.exposed_services_count >= risk_parameters.exposed_services_high_min
                then cast(risk_parameters.exposed_services_high_points as integer)
        end as band_points
    from accounts
    cross join risk_parameters
    where accounts.exposed_services_count >= risk_parameters.exposed_services_min

    union all

    select
        account_id,
        'no_edr' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts
    where not has_edr

    union all

    select
        account_id,
        'no_24x7_soc' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts
    where not has_24x7_soc

    union all

    select
        accounts.account_id,
        'small_security_team' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts
    cross join risk_parameters
    where accounts.security_team_size < risk_parameters.small_security_team_below

    union all

    select
        account_id,
        'no_siem' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts
    where not has_siem

    union all

    select
        account_id,
        'no_mfa' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts
    where not has_mfa

    union all

    select
        account_id,
        'no_identity_provider' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts
    where identity_provider = 'none'

    union all

    -- Within the N days before the scoring date; an incident dated after it is ignored.
    select
        accounts.account_id,
        'recent_incident' as signal_name,
        1 as signal_units,
        cast(null as integer) as band_points
    from accounts
    cross join risk_parameters
    where
        {{ age_in_days('accounts.last_incident_at') }}
        between 0 and risk_parameters.recent_incident_days

),

contributions as (

    select
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
