{#- The relation `identifier` in schema ops: the records a run leaves for later runs of the
    job (the scoring date built, the row rules verified; the Python side's are named from
    lead_segmentation.run_log.SCHEMA, which test_one_home keeps equal to this one). -#}
{% macro ops_relation(identifier) -%}
    {{ return(api.Relation.create(database=target.database, schema="ops", identifier=identifier)) }}
{%- endmacro %}
