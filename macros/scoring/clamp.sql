{#- The value limited to [low, high]; NULL stays NULL (unlike greatest/least, whose NULL
    handling differs between engines). -#}
{% macro clamp(expr, low, high) -%}
    case
        when {{ expr }} is null then null
        when {{ expr }} < {{ low }} then {{ low }}
        when {{ expr }} > {{ high }} then {{ high }}
        else {{ expr }}
    end
{%- endmacro %}
