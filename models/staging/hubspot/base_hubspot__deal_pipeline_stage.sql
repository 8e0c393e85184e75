{#- The connector table `deal_pipeline_stage` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (read_connector_table). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'deal_pipeline_stage') -%}

{{ read_connector_table(source_relation, [
    ['stage_id', 'text'],
    ['pipeline_id', 'text'],
    ['label', 'text', 'stage_label'],
    ['is_closed', 'boolean'],
    ['closed_won', 'boolean', 'is_closed_won'],
    ['_fivetran_deleted', 'boolean', 'is_fivetran_deleted'],
    ['_fivetran_synced', 'timestamp', 'fivetran_synced_at'],
    ['_line_number', 'integer'],
    ['_loaded_at', 'timestamp'],
]) }}
