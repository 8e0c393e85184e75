{#- The Segment table `tracks` as read: the columns the adapter uses, typed and cleaned by
    connector_cast; a column the table lacks is NULL, a missing table has no rows
    (select_connector_columns). One row per Segment row. -#}
{%- set source_relation = source('segment', 'tracks') -%}

with

fields as (

    {{ select_connector_columns(source_relation, [
        'id',
        'anonymous_id',
        'user_id',
        'event',
        'timestamp',
        'received_at',
        'context_page_url',
        'context_campaign_name',
        '_line_number',
        '_loaded_at',
    ]) }}

),

renamed as (

    select
        {{ connector_cast('id', 'text') }} as track_id,
        {{ connector_cast('anonymous_id', 'text') }} as anonymous_id,
        {{ connector_cast('user_id', 'text') }} as user_id,
        {{ connector_cast('event', 'text') }} as event_name,
        {{ connector_cast('timestamp', 'timestamp') }} as occurred_at,
        {{ connector_cast('received_at', 'timestamp') }} as received_at,
        {{ connector_cast('context_page_url', 'text') }} as page_url,
        {{ connector_cast('context_campaign_name', 'text') }} as campaign_name,
        {{ connector_cast('_line_number', 'integer') }} as _line_number,
        {{ connector_cast('_loaded_at', 'timestamp') }} as _loaded_at
    from fields

)

select * from renamed
