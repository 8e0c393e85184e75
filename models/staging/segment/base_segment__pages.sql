{#- The Segment table `pages` as read: the columns the adapter uses, typed and cleaned by
    connector_cast; a column the table lacks is NULL, a missing table has no rows
    (select_connector_columns). One row per Segment row. -#}
{%- set source_relation = source('segment', 'pages') -%}

with

fields as (

    {{ select_connector_columns(source_relation, [
        'id',
        'anonymous_id',
        'user_id',
        'timestamp',
        'received_at',
        'url',
        'path',
        'context_campaign_name',
        '_line_number',
        '_loaded_at',
    ]) }}

),

renamed as (

    select
        {{ connector_cast('id', 'text') }} as page_id,
        {{ connector_cast('anonymous_id', 'text') }} as anonymous_id,
        {{ connector_cast('user_id', 'text') }} as user_id,
        {{ connector_cast('timestamp', 'timestamp') }} as occurred_at,
        {{ connector_cast('received_at', 'timestamp') }} as received_at,
        {{ connector_cast('url', 'text') }} as url,
        {{ connector_cast('path', 'text') }} as page_path,
        {{ connector_cast('context_campaign_name', 'text') }} as campaign_name,
        {{ connector_cast('_line_number', 'integer') }} as _line_number,
        {{ connector_cast('_loaded_at', 'timestamp') }} as _loaded_at
    from fields

)

select * from renamed
