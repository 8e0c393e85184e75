{#- The relation `identifier` in schema ops: the records a run leaves for later runs of the
    job (the scoring date built, the row rules verified). The Python side names the schema in
    lead_segmentation.contract.OPS_SCHEMA; test_one_home keeps the two equal. -#}
{% macro ops_relation(identifier) -%}
    {#- Spark's target has no database (undefined, which a relation refuses): none there -#}
    {%- set database = target.database if target.database is defined else none -%}
    {{ return(api.Relation.create(database=database, schema="ops", identifier=identifier)) }}
{%- endmacro %}
