{#- Overrides dbt's snapshot clock (used for dbt_valid_from / dbt_valid_to of every snapshot
    row) with the run's start time, naive UTC. dbt's default is the session's
    current_timestamp, which is local time on DuckDB; and one instant per run gives every
    change a run records the same timestamp, in the order runs happen (record time, never the
    scoring date: a re-run of an older as_of_date appends to history instead of rewriting
    it). lead_routing uses the same clock for updated_at. -#}
{% macro snapshot_get_time() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}
