{#- The connector table `email_event` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (select_connector_columns). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'email_event') -%}

with

fields as (

    {{ select_connector_columns(source_relation, [
        'id',
        'type',
        'recipient',
        'created',
        'email_campaign_id',
        'filtered_event',
        '_fivetran_synced',
        '_line_number',
        '_loaded_at',
    ]) }}

),

renamed as (

    select
        {{ connector_cast('id', 'text') }} as email_event_id,
        {{ connector_cast('type', 'text') }} as event_type,
        {{ connector_cast('recipient', 'text') }} as recipient,
        {{ connector_cast('created', 'timestamp') }} as occurred_at,
        {{ connector_cast('email_campaign_id', 'text') }} as email_campaign_id,
        {{ connector_cast('filtered_event', 'boolean') }} as is_filtered_event,
        {{ connector_cast('_fivetran_synced', 'timestamp') }} as fivetran_synced_at,
        {{ connector_cast('_line_number', 'integer') }} as _line_number,
        {{ connector_cast('_loaded_at', 'timestamp') }} as _loaded_at
    from fields

)

select * from renamed
