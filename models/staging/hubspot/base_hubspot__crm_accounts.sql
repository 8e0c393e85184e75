{#-
    HubSpot companies in the shape of raw crm_accounts (CONTRACT.md section 1), one row per
    company row. website: the website property, else the domain. The cybersecurity fields are
    company custom properties named by vars (macro hubspot_property); a property the table
    lacks is NULL = unknown. compliance_frameworks `none` (any case) means known none (''),
    as an empty string does in the files. Fivetran keeps one version per company, so
    updated_at is hs_lastmodifieddate (else the sync time) and _line_number orders rows by
    sync time when the loader did not number them.
-#}

with

companies as (

    select * from {{ ref('base_hubspot__company') }}

),

final as (

    select
        company_id as account_id,
        company_name as account_name,
        coalesce(website, company_domain) as website,
        industry,
        employee_count,
        annual_revenue as annual_revenue_usd,
        country,
        case
            when lower(trim(compliance_frameworks)) = 'none' then ''
            else compliance_frameworks
        end as compliance_frameworks,
        cloud_provider,
        identity_provider,
        has_siem,
        has_edr,
        has_mfa,
        has_24x7_soc,
        security_team_size,
        eol_software_count,
        exposed_services_count,
        last_incident_at,
        coalesce(updated_at, fivetran_synced_at) as updated_at,
        coalesce(is_company_deleted, is_fivetran_deleted, false) as is_deleted,
        coalesce(
            _line_number,
            row_number() over (order by fivetran_synced_at asc nulls first, company_id asc)
        ) as _line_number,
        coalesce(_loaded_at, fivetran_synced_at, {{ dbt.current_timestamp() }}) as _loaded_at
    from companies

)

select * from final
