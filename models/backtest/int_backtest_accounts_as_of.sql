{#-
    Each account as known at each backtest date T (one row per as_of_date x account): the
    export version current at T (the latest updated by T; ties: the later line; a NULL
    updated_at is the oldest), or, when every version was updated after T, the earliest one
    (accounts carry no creation date and the export holds no older state). An account whose
    version at T is deleted does not exist at T. Cleaning is staging's (base_crm__accounts).
-#}

with

as_of_dates as (

    select * from {{ ref('int_backtest_as_of_dates') }}

),

base_accounts as (

    select * from {{ staged_relation('base', 'accounts') }}

),

versions_at_dates as (

    select
        as_of_dates.as_of_date,
        base_accounts.account_id,
        base_accounts.website_domain,
        base_accounts.industry,
        base_accounts.employee_count,
        base_accounts.country_code,
        base_accounts.compliance_frameworks,
        base_accounts.identity_provider,
        base_accounts.has_siem,
        base_accounts.has_edr,
        base_accounts.has_mfa,
        base_accounts.has_24x7_soc,
        base_accounts.security_team_size,
        base_accounts.eol_software_count,
        base_accounts.exposed_services_count,
        base_accounts.last_incident_at,
        base_accounts.updated_at,
        base_accounts._line_number,
        coalesce(base_accounts.is_deleted, false) as is_deleted,
        (
            base_accounts.updated_at is null
            or cast(base_accounts.updated_at as date) <= as_of_dates.as_of_date
        ) as is_known
    from base_accounts
    cross join as_of_dates
    where base_accounts.account_id is not null

),

ranked_versions as (

    select
        *,
        row_number() over (
            partition by as_of_date, account_id
            order by
                case when is_known then 0 else 1 end asc,
                case when is_known then updated_at end desc nulls last,
                case when not is_known then updated_at end asc,
                case when is_known then _line_number end desc,
                _line_number asc
        ) as version_pick
    from versions_at_dates

),

accounts as (

    select
        as_of_date,
        account_id,
        website_domain,
        industry,
        employee_count,
        country_code,
        compliance_frameworks,
        identity_provider,
        has_siem,
        has_edr,
        has_mfa,
        has_24x7_soc,
        security_team_size,
        eol_software_count,
        exposed_services_count,
        last_incident_at
    from ranked_versions
    where
        version_pick = 1
        and not is_deleted

)

select * from accounts
