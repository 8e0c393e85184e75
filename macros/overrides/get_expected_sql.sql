{#- Overrides dbt's unit-test expected-rows SQL on Spark only, for the reason given in
    get_fixture_sql: one partition for all expected rows instead of one per row. Every other
    engine, and an empty expectation, get dbt's own SQL unchanged. -#}
{% macro get_expected_sql(rows, column_name_to_data_types, column_name_to_quoted) -%}
    {%- set expected_sql = dbt.get_expected_sql(
        rows, column_name_to_data_types, column_name_to_quoted) -%}
    {%- if target.type == "spark" and rows | length > 0 -%}
select /*+ COALESCE(1) */ * from (
{{ expected_sql }}
) as dbt_expected_rows
    {%- else -%}
{{ expected_sql }}
    {%- endif -%}
{%- endmacro %}
