{#- The connector table `engagement_email` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per connector row. -#}
{%- set disposition_column = hubspot_property('email_engagement', 'disposition') -%}
{%- set source_relation = source('hubspot', 'engagement_email') -%}

{{ read_connector_table(source_relation, [
    ['engagement_id', 'text'],
    ['property_hs_timestamp', 'timestamp', 'occurred_at'],
    ['property_hubspot_owner_id', 'text', 'owner_id'],
    [disposition_column, 'text', 'disposition'],
    ['_fivetran_deleted', 'boolean', 'is_fivetran_deleted'],
    ['_fivetran_synced', 'timestamp', 'fivetran_synced_at'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
