{#- The connector table `form` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'form') -%}

{{ read_connector_table(source_relation, [
    ['guid', 'text', 'form_id'],
    ['name', 'text', 'form_name'],
    ['_fivetran_synced', 'timestamp', 'fivetran_synced_at'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
