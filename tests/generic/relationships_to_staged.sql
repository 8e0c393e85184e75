{#- dbt's `relationships`, to the staging model of an entity for the CRM source the build
    reads (macro staged_relation: stg_crm__accounts for files, stg_hubspot__accounts for
    HubSpot): every non-NULL value of the column is a value of `field` there. A generic
    test's own SQL calls the macro, so dbt sees the ref at parse time (a `to:` argument
    computed by a macro is rendered too late for that); the check itself is dbt's
    (test_relationships). Fails with one row per orphan value. -#}
{% test relationships_to_staged(model, column_name, entity, field, layer='stg') %}
    {{ adapter.dispatch('test_relationships', 'dbt')(
        model, column_name, staged_relation(layer, entity), field
    ) }}
{% endtest %}
