{#-
    The current version of every account that is neither deleted nor keyless: one row per
    account_id, cleaned by the base model.
    `base_relation`: the base_<folder>__accounts model of the source's folder; the
    stg_<folder>__accounts model of each source folder is this macro on it.
-#}
{% macro keep_crm_accounts(base_relation) -%}
with

base_accounts as (

    select * from {{ base_relation }}

),

kept as (

    select
        account_id,
        account_name,
        website_domain,
        industry,
        employee_count,
        annual_revenue_usd,
        country_code,
        compliance_frameworks,
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
        updated_at
    from base_accounts
    where row_status = 'kept'

)

select * from kept
{%- endmacro %}
