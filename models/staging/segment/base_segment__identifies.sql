{#- The Segment table `identifies` as read: the columns the adapter uses, typed and cleaned by
    connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per Segment row. -#}
{%- set source_relation = source('segment', 'identifies') -%}

{{ read_connector_table(source_relation, [
    ['id', 'text', 'identify_id'],
    ['anonymous_id', 'text'],
    ['user_id', 'text'],
    ['email', 'text'],
    ['timestamp', 'timestamp', 'occurred_at'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
