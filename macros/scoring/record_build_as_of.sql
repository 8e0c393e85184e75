{#- on-run-end: when a `dbt build` / `dbt run` built at least one model, record the scoring
    date it used in ops.dbt_build_as_of (last_build_as_of reads it back). -#}
{% macro record_build_as_of(results) -%}
    {%- if not execute or flags.WHICH not in ["build", "run"] -%}
        {{ return("") }}
    {%- endif -%}
    {%- set built = results | selectattr("node.resource_type", "equalto", "model")
        | selectattr("status", "equalto", "success") | list -%}
    {%- if not built -%}
        {{ return("") }}
    {%- endif -%}
    {%- do append_to_ops(
        "dbt_build_as_of",
        ["as_of_date date", "invocation_id string", "recorded_at timestamp"],
        [[as_of_date(), "'" ~ invocation_id ~ "'", snapshot_get_time()]]) -%}
    {{ return("") }}
{%- endmacro %}
