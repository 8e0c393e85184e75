{#- Risk in long form, one query for the daily model (int_accounts_risk_itemized) and the
    backtest (int_backtest_risk_contributions): one row per key x signal that fires, columns
    keys..., risk_category, reason_code, points. The caller brings its own versions of the
    inputs; the rules (which signal fires when, with which points) live only here:
    - accounts: the keys plus industry, eol_software_count, exposed_services_count, has_edr,
      has_24x7_soc, security_team_size, has_siem, has_mfa, identity_provider,
      last_incident_at;
    - account_frameworks: the keys plus framework (one row per listed framework);
    - account_deadlines: the keys plus days_to_deadline (stated deadlines of the account's
      people, from forms submitted by the scoring date);
    - keys: ['account_id'] daily, ['as_of_date', 'account_id'] in the backtest;
    - as_of: SQL date expression the incident window counts to (none: the scoring date). -#}
{% macro risk_contributions(
    accounts, account_frameworks, account_deadlines, keys=['account_id'], as_of=none
) -%}
    {%- set account_keys = [] -%}
    {%- for key in keys -%}{%- do account_keys.append(accounts ~ '.' ~ key) -%}{%- endfor -%}
    {#- Signals that fire once per account on a condition of the account's own fields (points
        from scoring_risk_signals); regulated industry, frameworks, deadlines and exposed
        services need more than that and have their own branches below. -#}
    {%- set account_flag_signals = {
        'eol_software':
            accounts ~ '.eol_software_count >= risk_parameters.eol_software_min',
        'no_edr': 'not ' ~ accounts ~ '.has_edr',
        'no_24x7_soc': 'not ' ~ accounts ~ '.has_24x7_soc',
        'small_security_team':
            accounts ~ '.security_team_size < risk_parameters.small_security_team_below',
        'no_siem': 'not ' ~ accounts ~ '.has_siem',
        'no_mfa': 'not ' ~ accounts ~ '.has_mfa',
        'no_identity_provider': accounts ~ ".identity_provider = 'none'",
        'recent_incident':
            age_in_days(accounts ~ '.last_incident_at', as_of=as_of)
            ~ ' between 0 and risk_parameters.recent_incident_days',
    } -%}
    with

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
            {{ parameter_value('scoring_parameters', 'risk_eol_software_min') }}
                as eol_software_min,
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
        select
            {{ account_keys | join(',\n            ') }}
        from {{ accounts }}
        inner join industries
            on {{ accounts }}.industry = industries.industry
        inner join industry_tiers
            on industries.industry_tier = industry_tiers.industry_tier
        where industry_tiers.is_regulated

    ),

    framework_counts as (

        -- Only the configured frameworks count (e.g. sox does not), each once.
        select
            {%- for key in keys %}
            {{ account_frameworks }}.{{ key }},
            {%- endfor %}
            count(distinct {{ account_frameworks }}.framework) as framework_count
        from {{ account_frameworks }}
        inner join risk_frameworks
            on {{ account_frameworks }}.framework = risk_frameworks.framework
        group by
            {%- for key in keys %}
            {{ account_frameworks }}.{{ key }}{{ ',' if not loop.last }}
            {%- endfor %}

    ),

    audit_deadline_accounts as (

        -- Any stated deadline of a person at a known account 0..N days ahead.
        select distinct
            {{ account_keys | join(',\n            ') }}
        from {{ account_deadlines }}
        inner join {{ accounts }}
            on
                {%- for key in keys %}
                {% if not loop.first %}and {% endif -%}
                {{ account_deadlines }}.{{ key }} = {{ accounts }}.{{ key }}
                {%- endfor %}
        cross join risk_parameters
        where
            {{ account_deadlines }}.days_to_deadline
            between 0 and risk_parameters.audit_deadline_days

    ),

    fired_signals as (

        -- signal_units multiplies the signal's points; band_points replaces them.
        select
            {{ keys | join(',\n            ') }},
            'regulated_industry' as signal_name,
            1 as signal_units,
            cast(null as integer) as band_points
        from regulated_accounts

        union all

        select
            {%- for key in keys %}
            framework_counts.{{ key }},
            {%- endfor %}
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
            {{ keys | join(',\n            ') }},
            'audit_deadline' as signal_name,
            1 as signal_units,
            cast(null as integer) as band_points
        from audit_deadline_accounts

        union all

        -- 1..4 exposed services: the signal's points; 5 or more: the high band's points.
        select
            {{ account_keys | join(',\n            ') }},
            'exposed_services' as signal_name,
            1 as signal_units,
            case
                when
                    {{ accounts }}.exposed_services_count
                    >= risk_parameters.exposed_services_high_min
                    then cast(risk_parameters.exposed_services_high_points as integer)
            end as band_points
        from {{ accounts }}
        cross join risk_parameters
        where {{ accounts }}.exposed_services_count >= risk_parameters.exposed_services_min
        {%- for signal_name, fires_when in account_flag_signals.items() %}

        union all

        select
            {{ account_keys | join(',\n            ') }},
            '{{ signal_name }}' as signal_name,
            1 as signal_units,
            cast(null as integer) as band_points
        from {{ accounts }}
        cross join risk_parameters
        where {{ fires_when }}
        {%- endfor %}

    ),

    contributions as (

        select
            {%- for key in keys %}
            fired_signals.{{ key }},
            {%- endfor %}
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
{%- endmacro %}
