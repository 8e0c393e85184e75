{#- The Segment table `tracks` as read: the columns the adapter uses, typed and cleaned by
    connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per Segment row. -#}
{%- set source_relation = source('segment', 'tracks') -%}

{{ read_connector_table(source_relation, [
    ['id', 'text', 'track_id'],
    ['anonymous_id', 'text'],
    ['user_id', 'text'],
    ['event', 'text', 'event_name'],
    ['timestamp', 'timestamp', 'occurred_at'],
    ['received_at', 'timestamp'],
    ['context_page_url', 'text', 'page_url'],
    ['context_campaign_name', 'text', 'campaign_name'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
