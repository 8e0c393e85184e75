{#- The connector table `email_event_status_change` as read: the columns the adapter uses, typed and
    cleaned by connector_cast; a column the table lacks is NULL, a missing table has no rows
    (select_connector_columns). One row per connector row. -#}
{%- set source_relation = source('hubspot', 'email_event_status_change') -%}

with

fields as (

    {{ select_connector_columns(source_relation, [
        'id',
        'portal_subscription_status',
        'subscriptions',
        '_fivetran_synced',
        '_line_number',
        '_loaded_at',
    ]) }}

),

renamed as (

    select
        {{ connector_cast('id', 'text') }} as email_event_id,
        {{ connector_cast('portal_subscription_status', 'text') }} as portal_subscription_status,
        {{ connector_cast('subscriptions', 'text') }} as subscriptions,
        {{ connector_cast('_fivetran_synced', 'timestamp') }} as fivetran_synced_at,
        {{ connector_cast('_line_number', 'integer') }} as _line_number,
        {{ connector_cast('_loaded_at', 'timestamp') }} as _loaded_at
    from fields

)

select * from renamed
