{#- The connector table `deal_contact` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (select_connector_columns). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'deal_contact') -%}

with

fields as (

    {{ select_connector_columns(source_relation, [
        'deal_id',
        'contact_id',
        '_fivetran_synced',
        '_line_number',
        '_loaded_at',
    ]) }}

),

renamed as (

    select
        {{ connector_cast('deal_id', 'text') }} as deal_id,
        {{ connector_cast('contact_id', 'text') }} as contact_id,
        {{ connector_cast('_fivetran_synced', 'timestamp') }} as fivetran_synced_at,
        {{ connector_cast('_line_number', 'integer') }} as _line_number,
        {{ connector_cast('_loaded_at', 'timestamp') }} as _loaded_at
    from fields

)

select * from renamed
