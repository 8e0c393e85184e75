{#- The Segment table `pages` as read: the columns the adapter uses, typed and cleaned by
    connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per Segment row. -#}
{%- set source_relation = source('segment', 'pages') -%}

{{ read_connector_table(source_relation, [
    ['id', 'text', 'page_id'],
    ['anonymous_id', 'text'],
    ['user_id', 'text'],
    ['timestamp', 'timestamp', 'occurred_at'],
    ['received_at', 'timestamp'],
    ['url', 'text'],
    ['path', 'text', 'page_path'],
    ['context_campaign_name', 'text', 'campaign_name'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
