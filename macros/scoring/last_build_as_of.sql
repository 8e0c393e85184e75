{#- The scoring date the last dbt build or run used ('' when none is recorded, or at parse
    time), from the relation record_build_as_of writes. as_of_date() falls back to it when no
    date is given, so a by-hand partial build (`dbt build --select lead_scores+`) uses the
    date its upstream models were built for instead of stamping today on them. -#}
{% macro last_build_as_of() -%}
    {%- if not execute -%}
        {{ return("") }}
    {%- endif -%}
    {%- set relation = load_cached_relation(ops_relation("dbt_build_as_of")) -%}
    {%- if relation is none -%}
        {{ return("") }}
    {%- endif -%}
    {%- set found = run_query(
        "select cast(max_by(as_of_date, recorded_at) as " ~ dbt.type_string() ~ ") from " ~ relation) -%}
    {%- set day = found.columns[0].values()[0] if found and found.rows | length else none -%}
    {{ return(day or "") }}
{%- endmacro %}
