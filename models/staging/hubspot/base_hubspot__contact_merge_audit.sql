{#- The connector table `contact_merge_audit` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (select_connector_columns). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'contact_merge_audit') -%}

with

fields as (

    {{ select_connector_columns(source_relation, [
        'canonical_vid',
        'vid_to_merge',
        'timestamp',
        '_fivetran_synced',
        '_line_number',
        '_loaded_at',
    ]) }}

),

renamed as (

    select
        {{ connector_cast('canonical_vid', 'text') }} as canonical_contact_id,
        {{ connector_cast('vid_to_merge', 'text') }} as merged_contact_id,
        {{ connector_cast('timestamp', 'timestamp') }} as merged_at,
        {{ connector_cast('_fivetran_synced', 'timestamp') }} as fivetran_synced_at,
        {{ connector_cast('_line_number', 'integer') }} as _line_number,
        {{ connector_cast('_loaded_at', 'timestamp') }} as _loaded_at
    from fields

)

select * from renamed
