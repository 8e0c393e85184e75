{#- The connector table `deal_pipeline_stage` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (select_connector_columns). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'deal_pipeline_stage') -%}

with

fields as (

    {{ select_connector_columns(source_relation, [
        'stage_id',
        'pipeline_id',
        'label',
        'is_closed',
        'closed_won',
        '_fivetran_deleted',
        '_fivetran_synced',
        '_line_number',
        '_loaded_at',
    ]) }}

),

renamed as (

    select
        {{ connector_cast('stage_id', 'text') }} as stage_id,
        {{ connector_cast('pipeline_id', 'text') }} as pipeline_id,
        {{ connector_cast('label', 'text') }} as stage_label,
        {{ connector_cast('is_closed', 'boolean') }} as is_closed,
        {{ connector_cast('closed_won', 'boolean') }} as is_closed_won,
        {{ connector_cast('_fivetran_deleted', 'boolean') }} as is_fivetran_deleted,
        {{ connector_cast('_fivetran_synced', 'timestamp') }} as fivetran_synced_at,
        {{ connector_cast('_line_number', 'integer') }} as _line_number,
        {{ connector_cast('_loaded_at', 'timestamp') }} as _loaded_at
    from fields

)

select * from renamed
