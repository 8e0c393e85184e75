{#-
    The sales activities of a known type: one row per activity_id (second deliveries removed),
    the contact as delivered (int_sales_activities_attributed resolves it to a person).
    `base_relation`: the base_<folder>__sales_activities model of the source's folder; the
    stg_<folder>__sales_activities model of each source folder is this macro on it.
-#}
{% macro keep_sales_activities(base_relation) -%}
with

base_sales_activities as (

    select * from {{ base_relation }}

),

kept as (

    select
        activity_id,
        delivered_contact_id,
        owner_id,
        activity_type,
        occurred_at,
        disposition,
        _line_number
    from base_sales_activities
    where row_status = 'kept'

)

select * from kept
{%- endmacro %}
