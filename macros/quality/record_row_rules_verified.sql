{#- on-run-end: for every row_rules test with rows_written_at that passed in this run, append
    its state key (a comment of its compiled SQL) and the run's start to
    ops.row_rules_verified (append_to_ops). The next run's test then checks only the rows
    written after it.
    A failing test records nothing: its rows stay to check, whichever run wrote them. -#}
{% macro record_row_rules_verified(results) -%}
    {%- if not execute -%}
        {{ return("") }}
    {%- endif -%}
    {%- set keys = [] -%}
    {%- for result in results
        | selectattr("node.resource_type", "equalto", "test")
        | selectattr("status", "equalto", "pass") -%}
        {%- set found = modules.re.search(
            "row_rules state key: ([0-9a-f]{32})", result.node.compiled_code or "") -%}
        {%- if found -%}
            {%- do keys.append(found.group(1)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not keys -%}
        {{ return("") }}
    {%- endif -%}
    {%- set rows = [] -%}
    {%- for key in keys -%}
        {%- do rows.append(["'" ~ key ~ "'", snapshot_get_time(), "'" ~ invocation_id ~ "'"]) -%}
    {%- endfor -%}
    {%- do append_to_ops(
        "row_rules_verified",
        ["rules_key string", "verified_through timestamp", "invocation_id string"],
        rows) -%}
    {{ return("") }}
{%- endmacro %}
