{#- The connector table `contact_merge_audit` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'contact_merge_audit') -%}

{{ read_connector_table(source_relation, [
    ['canonical_vid', 'text', 'canonical_contact_id'],
    ['vid_to_merge', 'text', 'merged_contact_id'],
    ['timestamp', 'timestamp', 'merged_at'],
    ['_fivetran_synced', 'timestamp', 'fivetran_synced_at'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
