{#- A reason as shown to users: `code(+points)` / `code(-points)`, the points rounded (half away
    from zero) to `decimals` places and always printed with exactly that many, e.g.
    `intent:demo_request(+40.0)`. Built from integers so every engine prints the same text. -#}
{% macro format_reason_code(code_expr, points_expr, decimals=0) -%}
    {%- set scale = 10 ** decimals -%}
    {%- set scaled = "cast(round(abs(" ~ points_expr ~ ") * " ~ scale ~ ", 0) as bigint)" -%}
    {%- set sign = "case when " ~ points_expr ~ " < 0 then '-' else '+' end" -%}
    {%- if decimals == 0 -%}
        {%- set number = "cast(" ~ scaled ~ " as " ~ dbt.type_string() ~ ")" -%}
    {%- else -%}
        {%- set whole = "cast(cast(floor(" ~ scaled ~ " / " ~ scale ~ ") as bigint) as "
            ~ dbt.type_string() ~ ")" -%}
        {%- set fraction = "lpad(cast(" ~ scaled ~ " % " ~ scale ~ " as " ~ dbt.type_string()
            ~ "), " ~ decimals ~ ", '0')" -%}
        {%- set number = dbt.concat([whole, "'.'", fraction]) -%}
    {%- endif -%}
    {{ dbt.concat([code_expr, "'('", sign, number, "')'"]) }}
{%- endmacro %}
