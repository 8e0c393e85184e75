{#- The connector table `contact_form_submission` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'contact_form_submission') -%}

{{ read_connector_table(source_relation, [
    ['conversion_id', 'text'],
    ['contact_id', 'text'],
    ['form_id', 'text'],
    ['timestamp', 'timestamp', 'submitted_at'],
    ['page_url', 'text'],
    ['title', 'text'],
    ['_fivetran_synced', 'timestamp', 'fivetran_synced_at'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
