{#- The connector table `deal` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (select_connector_columns). One row per connector row. -#}
{%- set service_line_column = hubspot_property('deal', 'service_line') -%}
{%- set source_relation = source('hubspot', 'deal') -%}

with

fields as (

    {{ select_connector_columns(source_relation, [
        'deal_id',
        'is_deleted',
        '_fivetran_deleted',
        '_fivetran_synced',
        'deal_pipeline_id',
        'deal_pipeline_stage_id',
        'owner_id',
        'property_dealname',
        'property_amount',
        'property_closedate',
        'property_createdate',
        'property_hs_lastmodifieddate',
        [service_line_column, 'service_line'],
        '_line_number',
        '_loaded_at',
    ]) }}

),

renamed as (

    select
        {{ connector_cast('deal_id', 'text') }} as deal_id,
        {{ connector_cast('is_deleted', 'boolean') }} as is_deal_deleted,
        {{ connector_cast('_fivetran_deleted', 'boolean') }} as is_fivetran_deleted,
        {{ connector_cast('_fivetran_synced', 'timestamp') }} as fivetran_synced_at,
        {{ connector_cast('deal_pipeline_id', 'text') }} as deal_pipeline_id,
        {{ connector_cast('deal_pipeline_stage_id', 'text') }} as deal_pipeline_stage_id,
        {{ connector_cast('owner_id', 'text') }} as owner_id,
        {{ connector_cast('property_dealname', 'text') }} as deal_name,
        {{ connector_cast('property_amount', 'double') }} as amount,
        {{ connector_cast('property_closedate', 'timestamp') }} as close_date,
        {{ connector_cast('property_createdate', 'timestamp') }} as created_at,
        {{ connector_cast('property_hs_lastmodifieddate', 'timestamp') }} as updated_at,
        {{ connector_cast('service_line', 'text') }} as service_line,
        {{ connector_cast('_line_number', 'integer') }} as _line_number,
        {{ connector_cast('_loaded_at', 'timestamp') }} as _loaded_at
    from fields

)

select * from renamed
