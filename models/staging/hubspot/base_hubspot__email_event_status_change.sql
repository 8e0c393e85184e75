{#- The connector table `email_event_status_change` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'email_event_status_change') -%}

{{ read_connector_table(source_relation, [
    ['id', 'text', 'email_event_id'],
    ['portal_subscription_status', 'text'],
    ['subscriptions', 'text'],
    ['_fivetran_synced', 'timestamp', 'fivetran_synced_at'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
