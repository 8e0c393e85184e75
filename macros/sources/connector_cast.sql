{#- A connector's text value as a typed value, tolerating what real connector tables hold:
    surrounding spaces; empty text and the MD5 of an empty string (hex or base64, Fivetran's
    placeholder for "no value" in hashed exports) -> NULL; timestamps with unpadded hours, a
    `T`, fractional seconds or a ` UTC` suffix; numbers written as decimals; booleans as
    true/false/t/f/1/0 in any case. A value the type cannot hold is NULL (try_cast, which
    DuckDB and Spark 3.2+ both have), never an error. `keep_empty=true` keeps an empty
    string as '' (text only). -#}
{% macro connector_cast(expression, type, keep_empty=false) -%}
    {%- set trimmed -%}
        case
            when trim({{ expression }}) in (
                'd41d8cd98f00b204e9800998ecf8427e', '1B2M2Y8AsgTpgAmY7PhCfg=='
            ) then {{ "''" if keep_empty else "null" }}
            else {{ "trim(" ~ expression ~ ")" if keep_empty else "nullif(trim(" ~ expression ~ "), '')" }}
        end
    {%- endset -%}
    {%- if type == "text" -%}
        {{ trimmed }}
    {%- elif type == "timestamp" -%}
        try_cast({{ regex_replace_all(trimmed, "[ ]*(UTC|utc|Z)$", "") }} as timestamp)
    {%- elif type == "date" -%}
        cast(try_cast({{ regex_replace_all(trimmed, "[ ]*(UTC|utc|Z)$", "") }} as timestamp) as date)
    {%- elif type == "boolean" -%}
        case
            when lower({{ trimmed }}) in ('true', 't', '1', 'yes', 'y') then true
            when lower({{ trimmed }}) in ('false', 'f', '0', 'no', 'n') then false
        end
    {%- elif type == "double" -%}
        try_cast({{ trimmed }} as double)
    {%- elif type == "integer" -%}
        cast(try_cast({{ trimmed }} as double) as bigint)
    {%- else -%}
        {{ exceptions.raise_compiler_error("connector_cast: unknown type " ~ type) }}
    {%- endif -%}
{%- endmacro %}
