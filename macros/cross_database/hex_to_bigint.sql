{#- A string of hexadecimal digits (at most 15, so the value fits a bigint) read as a number:
    '00ff' -> 255. Engine-specific: DuckDB casts a '0x'-prefixed string, Spark has conv();
    the default is plain arithmetic over the digits, which runs anywhere. -#}
{% macro hex_to_bigint(hex_expr, digits=8) -%}
    {{ return(adapter.dispatch("hex_to_bigint", "lead_segmentation")(hex_expr, digits)) }}
{%- endmacro %}

{% macro default__hex_to_bigint(hex_expr, digits=8) -%}
    (
    {%- for position in range(1, digits + 1) %}
        (instr('0123456789abcdef', lower(substr({{ hex_expr }}, {{ position }}, 1))) - 1)
        * cast({{ 16 ** (digits - position) }} as bigint)
        {%- if not loop.last %} +{% endif %}
    {%- endfor %}
    )
{%- endmacro %}

{% macro duckdb__hex_to_bigint(hex_expr, digits=8) -%}
    cast({{ dbt.concat(["'0x'", hex_expr]) }} as bigint)
{%- endmacro %}

{% macro spark__hex_to_bigint(hex_expr, digits=8) -%}
    cast(conv({{ hex_expr }}, 16, 10) as bigint)
{%- endmacro %}
