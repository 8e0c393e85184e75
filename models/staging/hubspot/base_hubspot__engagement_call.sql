{#- The connector table `engagement_call` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'engagement_call') -%}

{{ read_connector_table(source_relation, [
    ['engagement_id', 'text'],
    ['property_hs_timestamp', 'timestamp', 'occurred_at'],
    ['property_hubspot_owner_id', 'text', 'owner_id'],
    ['property_hs_call_disposition', 'text', 'disposition'],
    ['_fivetran_deleted', 'boolean', 'is_fivetran_deleted'],
    ['_fivetran_synced', 'timestamp', 'fivetran_synced_at'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
