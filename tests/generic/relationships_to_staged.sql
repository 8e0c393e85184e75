{#- dbt's `relationships`, to the staging model of an entity for the CRM source the build
    reads (macro staged_relation: stg_crm__accounts for files, stg_hubspot__accounts for
    HubSpot): every non-NULL value of the column is a value of `field` there. A generic
    test's own SQL calls the macro, so dbt sees the ref at parse time (a `to:` argument
    computed by a macro is rendered too late for that). Fails with one row per orphan value. -#}
{% test relationships_to_staged(model, column_name, entity, field, layer='stg') %}

with

child as (

    select {{ column_name }} as orphan_value
    from {{ model }}
    where {{ column_name }} is not null

),

parent as (

    select {{ field }} as parent_value
    from {{ staged_relation(layer, entity) }}

),

orphans as (

    select child.orphan_value
    from child
    left join parent
        on child.orphan_value = parent.parent_value
    where parent.parent_value is null

)

select * from orphans

{% endtest %}
