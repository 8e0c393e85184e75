{#- The connector table `company` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per connector row. -#}
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

{{ read_connector_table(source_relation, [
    ['id', 'text', 'company_id'],
    ['is_deleted', 'boolean', 'is_company_deleted'],
    ['_fivetran_deleted', 'boolean', 'is_fivetran_deleted'],
    ['_fivetran_synced', 'timestamp', 'fivetran_synced_at'],
    ['property_name', 'text', 'company_name'],
    ['property_domain', 'text', 'company_domain'],
    ['property_website', 'text', 'website'],
    ['property_industry', 'text', 'industry'],
    ['property_numberofemployees', 'integer', 'employee_count'],
    ['property_annualrevenue', 'double', 'annual_revenue'],
    ['property_country', 'text', 'country'],
    ['property_createdate', 'timestamp', 'created_at'],
    ['property_hs_lastmodifieddate', 'timestamp', 'updated_at'],
    [compliance_frameworks_column, 'text', 'compliance_frameworks', 'keep_empty'],
    [cloud_provider_column, 'text', 'cloud_provider'],
    [identity_provider_column, 'text', 'identity_provider'],
    [has_siem_column, 'boolean', 'has_siem'],
    [has_edr_column, 'boolean', 'has_edr'],
    [has_mfa_column, 'boolean', 'has_mfa'],
    [has_24x7_soc_column, 'boolean', 'has_24x7_soc'],
    [security_team_size_column, 'integer', 'security_team_size'],
    [eol_software_count_column, 'integer', 'eol_software_count'],
    [exposed_services_count_column, 'integer', 'exposed_services_count'],
    [last_incident_at_column, 'timestamp', 'last_incident_at'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
