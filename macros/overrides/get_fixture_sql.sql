{#- Overrides dbt's unit-test fixture SQL (an input's `given` rows) on Spark only; every other
    engine gets dbt's own SQL unchanged. dbt writes a fixture as one `select` per row joined
    by `union all`, which Spark runs as one partition (one task) per row, and every join
    downstream multiplies those tasks: most of a unit test's time on local Spark. Coalescing
    the rows into one partition keeps the rows and their types exactly as dbt wrote them. -#}
{% macro get_fixture_sql(rows, column_name_to_data_types) -%}
    {%- set fixture_sql = dbt.get_fixture_sql(rows, column_name_to_data_types) -%}
    {%- if target.type == "spark" -%}
select /*+ COALESCE(1) */ * from (
{{ fixture_sql }}
) as dbt_fixture_rows
    {%- else -%}
{{ fixture_sql }}
    {%- endif -%}
{%- endmacro %}
