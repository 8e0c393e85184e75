{#- The connector table `contact` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (select_connector_columns). One row per connector row. -#}
{%- set primary_interest_column = hubspot_property('contact', 'primary_interest') -%}
{%- set timeline_column = hubspot_property('contact', 'timeline') -%}
{%- set compliance_deadline_column = hubspot_property('contact', 'compliance_deadline') -%}
{%- set has_budget_column = hubspot_property('contact', 'has_budget') -%}
{%- set source_relation = source('hubspot', 'contact') -%}

with

fields as (

    {{ select_connector_columns(source_relation, [
        'id',
        '_fivetran_deleted',
        '_fivetran_synced',
        'property_email',
        'property_firstname',
        'property_lastname',
        'property_phone',
        'property_jobtitle',
        'property_country',
        'property_hs_analytics_source',
        'property_lifecyclestage',
        'property_hs_email_optout',
        'property_hs_email_bad_address',
        'property_associatedcompanyid',
        'property_createdate',
        'property_lastmodifieddate',
        'property_hs_merged_object_ids',
        [primary_interest_column, 'primary_interest'],
        [timeline_column, 'timeline'],
        [compliance_deadline_column, 'compliance_deadline'],
        [has_budget_column, 'has_budget'],
        '_line_number',
        '_loaded_at',
    ]) }}

),

renamed as (

    select
        {{ connector_cast('id', 'text') }} as contact_id,
        {{ connector_cast('_fivetran_deleted', 'boolean') }} as is_fivetran_deleted,
        {{ connector_cast('_fivetran_synced', 'timestamp') }} as fivetran_synced_at,
        {{ connector_cast('property_email', 'text') }} as email,
        {{ connector_cast('property_firstname', 'text') }} as first_name,
        {{ connector_cast('property_lastname', 'text') }} as last_name,
        {{ connector_cast('property_phone', 'text') }} as phone,
        {{ connector_cast('property_jobtitle', 'text') }} as job_title,
        {{ connector_cast('property_country', 'text') }} as country,
        {{ connector_cast('property_hs_analytics_source', 'text') }} as analytics_source,
        {{ connector_cast('property_lifecyclestage', 'text') }} as lifecycle_stage,
        {{ connector_cast('property_hs_email_optout', 'boolean') }} as email_opt_out,
        {{ connector_cast('property_hs_email_bad_address', 'boolean') }} as is_email_bad_address,
        {{ connector_cast('property_associatedcompanyid', 'text') }} as company_id,
        {{ connector_cast('property_createdate', 'timestamp') }} as created_at,
        {{ connector_cast('property_lastmodifieddate', 'timestamp') }} as updated_at,
        {{ connector_cast('property_hs_merged_object_ids', 'text') }} as merged_object_ids,
        {{ connector_cast('primary_interest', 'text') }} as primary_interest,
        {{ connector_cast('timeline', 'text') }} as timeline,
        {{ connector_cast('compliance_deadline', 'date') }} as compliance_deadline,
        {{ connector_cast('has_budget', 'text') }} as has_budget,
        {{ connector_cast('_line_number', 'integer') }} as _line_number,
        {{ connector_cast('_loaded_at', 'timestamp') }} as _loaded_at
    from fields

)

select * from renamed
