{#- The connector table `contact` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per connector row. -#}
{%- set primary_interest_column = hubspot_property('contact', 'primary_interest') -%}
{%- set timeline_column = hubspot_property('contact', 'timeline') -%}
{%- set compliance_deadline_column = hubspot_property('contact', 'compliance_deadline') -%}
{%- set has_budget_column = hubspot_property('contact', 'has_budget') -%}
{%- set source_relation = source('hubspot', 'contact') -%}

{{ read_connector_table(source_relation, [
    ['id', 'text', 'contact_id'],
    ['_fivetran_deleted', 'boolean', 'is_fivetran_deleted'],
    ['_fivetran_synced', 'timestamp', 'fivetran_synced_at'],
    ['property_email', 'text', 'email'],
    ['property_firstname', 'text', 'first_name'],
    ['property_lastname', 'text', 'last_name'],
    ['property_phone', 'text', 'phone'],
    ['property_jobtitle', 'text', 'job_title'],
    ['property_country', 'text', 'country'],
    ['property_hs_analytics_source', 'text', 'analytics_source'],
    ['property_lifecyclestage', 'text', 'lifecycle_stage'],
    ['property_hs_email_optout', 'boolean', 'email_opt_out'],
    ['property_hs_email_bad_address', 'boolean', 'is_email_bad_address'],
    ['property_associatedcompanyid', 'text', 'company_id'],
    ['property_createdate', 'timestamp', 'created_at'],
    ['property_lastmodifieddate', 'timestamp', 'updated_at'],
    ['property_hs_merged_object_ids', 'text', 'merged_object_ids'],
    [primary_interest_column, 'text', 'primary_interest'],
    [timeline_column, 'text', 'timeline'],
    [compliance_deadline_column, 'date', 'compliance_deadline'],
    [has_budget_column, 'text', 'has_budget'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
