{#- The connector table `contact_form_submission` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (select_connector_columns). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'contact_form_submission') -%}

with

fields as (

    {{ select_connector_columns(source_relation, [
        'conversion_id',
        'contact_id',
        'form_id',
        'timestamp',
        'page_url',
        'title',
        '_fivetran_synced',
        '_line_number',
        '_loaded_at',
    ]) }}

),

renamed as (

    select
        {{ connector_cast('conversion_id', 'text') }} as conversion_id,
        {{ connector_cast('contact_id', 'text') }} as contact_id,
        {{ connector_cast('form_id', 'text') }} as form_id,
        {{ connector_cast('timestamp', 'timestamp') }} as submitted_at,
        {{ connector_cast('page_url', 'text') }} as page_url,
        {{ connector_cast('title', 'text') }} as title,
        {{ connector_cast('_fivetran_synced', 'timestamp') }} as fivetran_synced_at,
        {{ connector_cast('_line_number', 'integer') }} as _line_number,
        {{ connector_cast('_loaded_at', 'timestamp') }} as _loaded_at
    from fields

)

select * from renamed
