{#- The connector table `engagement_meeting` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (select_connector_columns). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'engagement_meeting') -%}

with

fields as (

    {{ select_connector_columns(source_relation, [
        'engagement_id',
        'property_hs_timestamp',
        'start_time',
        'property_hubspot_owner_id',
        'property_hs_meeting_outcome',
        'meeting_outcome',
        '_fivetran_deleted',
        '_fivetran_synced',
        '_line_number',
        '_loaded_at',
    ]) }}

),

renamed as (

    select
        {{ connector_cast('engagement_id', 'text') }} as engagement_id,
        {{ connector_cast('property_hs_timestamp', 'timestamp') }} as occurred_at_property,
        {{ connector_cast('start_time', 'timestamp') }} as start_time,
        {{ connector_cast('property_hubspot_owner_id', 'text') }} as owner_id,
        {{ connector_cast('property_hs_meeting_outcome', 'text') }} as meeting_outcome_property,
        {{ connector_cast('meeting_outcome', 'text') }} as meeting_outcome_legacy,
        {{ connector_cast('_fivetran_deleted', 'boolean') }} as is_fivetran_deleted,
        {{ connector_cast('_fivetran_synced', 'timestamp') }} as fivetran_synced_at,
        {{ connector_cast('_line_number', 'integer') }} as _line_number,
        {{ connector_cast('_loaded_at', 'timestamp') }} as _loaded_at
    from fields

)

select * from renamed
