{#- The connector table `deal` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per connector row. -#}
{%- set service_line_column = hubspot_property('deal', 'service_line') -%}
{%- set source_relation = source('hubspot', 'deal') -%}

{{ read_connector_table(source_relation, [
    ['deal_id', 'text'],
    ['is_deleted', 'boolean', 'is_deal_deleted'],
    ['_fivetran_deleted', 'boolean', 'is_fivetran_deleted'],
    ['_fivetran_synced', 'timestamp', 'fivetran_synced_at'],
    ['deal_pipeline_id', 'text'],
    ['deal_pipeline_stage_id', 'text'],
    ['owner_id', 'text'],
    ['property_dealname', 'text', 'deal_name'],
    ['property_amount', 'double', 'amount'],
    ['property_closedate', 'timestamp', 'close_date'],
    ['property_createdate', 'timestamp', 'created_at'],
    ['property_hs_lastmodifieddate', 'timestamp', 'updated_at'],
    [service_line_column, 'text', 'service_line'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
