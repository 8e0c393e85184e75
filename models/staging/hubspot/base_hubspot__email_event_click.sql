{#- The connector table `email_event_click` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'email_event_click') -%}

{{ read_connector_table(source_relation, [
    ['id', 'text', 'email_event_id'],
    ['url', 'text'],
    ['_fivetran_synced', 'timestamp', 'fivetran_synced_at'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
