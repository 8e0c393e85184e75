{#- Spark only (called by scripts/load_raw_spark.py through `dbt run-operation`, so the load
    uses the spark target's own session and metastore): (re)creates each raw table in schema
    `raw` from a Parquet file the DuckDB loader wrote after validating the raw folder, casting
    every column to its contract type, and checks that no row was lost. `tables` maps a table
    name to {"path": parquet path, "columns": [[name, spark type], ...], "rows": count}. -#}
{% macro spark_load_raw_tables(tables, schema="raw") -%}
    {%- if target.type != "spark" -%}
        {{ exceptions.raise_compiler_error(
            "spark_load_raw_tables runs on the spark target only (got " ~ target.type ~ ")") }}
    {%- endif -%}
    {%- do run_query("create database if not exists " ~ schema) -%}
    {%- for table, spec in tables.items() -%}
        {%- set relation = schema ~ "." ~ table -%}
        {%- set select_list = [] -%}
        {%- for column in spec["columns"] -%}
            {%- do select_list.append(
                "cast(`" ~ column[0] ~ "` as " ~ column[1] ~ ") as `" ~ column[0] ~ "`") -%}
        {%- endfor -%}
        {%- do run_query("drop table if exists " ~ relation) -%}
        {%- do run_query(
            "create table " ~ relation ~ " using parquet as select "
            ~ select_list | join(", ")
            ~ " from parquet.`" ~ spec["path"] ~ "`") -%}
        {%- set loaded = run_query("select count(*) from " ~ relation).columns[0].values()[0] -%}
        {%- if loaded != spec["rows"] -%}
            {{ exceptions.raise_compiler_error(
                relation ~ ": expected " ~ spec["rows"] ~ " rows, loaded " ~ loaded) }}
        {%- endif -%}
        {%- do log("[load_raw_spark] " ~ relation ~ ": " ~ loaded ~ " rows", info=true) -%}
    {%- endfor -%}
{%- endmacro %}
