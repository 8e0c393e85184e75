{#- SQL that deletes the rows of `relation` for which `condition` is true (rows where it is
    NULL stay, as with DELETE); for a post-hook: `{{ delete_rows_where(this, "x = 0") }}`.
    Engine-specific: a plain DELETE where the table format has one; Spark's Parquet tables
    have none, so there the kept rows are written to a side table that then replaces the
    table's contents (`insert overwrite`; Spark cannot overwrite a table it is reading), and
    only when some row is to go. Those statements run while the hook is rendered; the macro
    returns nothing, so dbt runs no further statement for the hook. -#}
{% macro delete_rows_where(relation, condition) -%}
    {{ return(adapter.dispatch("delete_rows_where", "lead_segmentation")(relation, condition)) }}
{%- endmacro %}

{% macro default__delete_rows_where(relation, condition) -%}
    delete from {{ relation }} where {{ condition }}
{%- endmacro %}

{% macro spark__delete_rows_where(relation, condition) -%}
    {%- set file_format = config.get("file_format") or "parquet" -%}
    {%- if file_format in ["delta", "iceberg", "hudi"] -%}
        delete from {{ relation }} where {{ condition }}
    {%- elif execute -%}
        {%- set doomed = run_query(
            "select count(*) from " ~ relation ~ " where coalesce(" ~ condition ~ ", false)"
        ).columns[0].values()[0] -%}
        {%- if doomed == 0 -%}{{ return("") }}{%- endif -%}
        {%- set kept_relation = api.Relation.create(
            identifier=relation.identifier ~ "__dbt_kept",
            schema=relation.schema,
            database=none,
            type="table") -%}
        {%- do adapter.drop_relation(kept_relation) -%}
        {%- do run_query(
            "create table " ~ kept_relation ~ " using parquet as select * from " ~ relation
            ~ " where not coalesce(" ~ condition ~ ", false)") -%}
        {%- do run_query(
            "insert overwrite table " ~ relation ~ " select * from " ~ kept_relation) -%}
        {%- do adapter.drop_relation(kept_relation) -%}
    {%- endif -%}
{%- endmacro %}
