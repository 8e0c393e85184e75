-- Rejected account rows, traceable to their file line: the raw table's columns, values as
-- cleaned by base_crm__accounts except the free-text ones that base maps to canonical values
-- (website, industry, country, compliance_frameworks), shown as delivered.
with

base_accounts as (

    select * from {{ staged_relation('base', 'accounts') }}

),

rejected as (

    select
        account_id,
        account_name,
        website_raw as website,
        industry_raw as industry,
        employee_count,
        annual_revenue_usd,
        country_raw as country,
        compliance_frameworks_raw as compliance_frameworks,
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
        updated_at,
        is_deleted,
        _line_number,
        rejection_reason
    from base_accounts
    where row_status = 'rejected'

)

select * from rejected
