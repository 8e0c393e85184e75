{#- The connector table `company` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (select_connector_columns). One row per connector row. -#}
{%- set compliance_frameworks_column = hubspot_property('company', 'compliance_frameworks') -%}
{%- set cloud_provider_column = hubspot_property('company', 'cloud_provider') -%}
{%- set identity_provider_column = hubspot_property('company', 'identity_provider') -%}
{%- set has_siem_column = hubspot_property('company', 'has_siem') -%}
{%- set has_edr_column = hubspot_property('company', 'has_edr') -%}
{%- set has_mfa_column = hubspot_property('company', 'has_mfa') -%}
{%- set has_24x7_soc_column = hubspot_property('company', 'has_24x7_soc') -%}
{%- set security_team_size_column = hubspot_property('company', 'security_team_size') -%}
{%- set eol_software_count_column = hubspot_property('company', 'eol_software_count') -%}
{%- set exposed_services_count_column = hubspot_property('company', 'exposed_services_count') -%}
{%- set last_incident_at_column = hubspot_property('company', 'last_incident_at') -%}
{%- set source_relation = source('hubspot', 'company') -%}

with

fields as (

    {{ select_connector_columns(source_relation, [
        'id',
        'is_deleted',
        '_fivetran_deleted',
        '_fivetran_synced',
        'property_name',
        'property_domain',
        'property_website',
        'property_industry',
        'property_numberofemployees',
        'property_annualrevenue',
        'property_country',
        'property_createdate',
        'property_hs_lastmodifieddate',
        [compliance_frameworks_column, 'compliance_frameworks'],
        [cloud_provider_column, 'cloud_provider'],
        [identity_provider_column, 'identity_provider'],
        [has_siem_column, 'has_siem'],
        [has_edr_column, 'has_edr'],
        [has_mfa_column, 'has_mfa'],
        [has_24x7_soc_column, 'has_24x7_soc'],
        [security_team_size_column, 'security_team_size'],
        [eol_software_count_column, 'eol_software_count'],
        [exposed_services_count_column, 'exposed_services_count'],
        [last_incident_at_column, 'last_incident_at'],
        '_line_number',
        '_loaded_at',
    ]) }}

),

renamed as (

    select
        {{ connector_cast('id', 'text') }} as company_id,
        {{ connector_cast('is_deleted', 'boolean') }} as is_company_deleted,
        {{ connector_cast('_fivetran_deleted', 'boolean') }} as is_fivetran_deleted,
        {{ connector_cast('_fivetran_synced', 'timestamp') }} as fivetran_synced_at,
        {{ connector_cast('property_name', 'text') }} as company_name,
        {{ connector_cast('property_domain', 'text') }} as company_domain,
        {{ connector_cast('property_website', 'text') }} as website,
        {{ connector_cast('property_industry', 'text') }} as industry,
        {{ connector_cast('property_numberofemployees', 'integer') }} as employee_count,
        {{ connector_cast('property_annualrevenue', 'double') }} as annual_revenue,
        {{ connector_cast('property_country', 'text') }} as country,
        {{ connector_cast('property_createdate', 'timestamp') }} as created_at,
        {{ connector_cast('property_hs_lastmodifieddate', 'timestamp') }} as updated_at,
        {{ connector_cast('compliance_frameworks', 'text', keep_empty=true) }}
            as compliance_frameworks,
        {{ connector_cast('cloud_provider', 'text') }} as cloud_provider,
        {{ connector_cast('identity_provider', 'text') }} as identity_provider,
        {{ connector_cast('has_siem', 'boolean') }} as has_siem,
        {{ connector_cast('has_edr', 'boolean') }} as has_edr,
        {{ connector_cast('has_mfa', 'boolean') }} as has_mfa,
        {{ connector_cast('has_24x7_soc', 'boolean') }} as has_24x7_soc,
        {{ connector_cast('security_team_size', 'integer') }} as security_team_size,
        {{ connector_cast('eol_software_count', 'integer') }} as eol_software_count,
        {{ connector_cast('exposed_services_count', 'integer') }} as exposed_services_count,
        {{ connector_cast('last_incident_at', 'timestamp') }} as last_incident_at,
        {{ connector_cast('_line_number', 'integer') }} as _line_number,
        {{ connector_cast('_loaded_at', 'timestamp') }} as _loaded_at
    from fields

)

select * from renamed
