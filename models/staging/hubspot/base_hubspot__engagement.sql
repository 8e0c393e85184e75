{#- The connector table `engagement` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'engagement') -%}

{{ read_connector_table(source_relation, [
    ['id', 'text', 'engagement_id'],
    ['type', 'text', 'engagement_type'],
    ['owner_id', 'text'],
    ['timestamp', 'timestamp', 'occurred_at'],
    ['created_at', 'timestamp'],
    ['_fivetran_synced', 'timestamp', 'fivetran_synced_at'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
