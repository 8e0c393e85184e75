{#- The scoring date as a SQL date literal: var as_of_date (YYYY-MM-DD), or the run's start
    date (UTC) when the var is empty. -#}
{% macro as_of_date() -%}
    {%- set configured = var("as_of_date", "") -%}
    {%- set day = configured if configured else run_started_at.strftime("%Y-%m-%d") -%}
    cast('{{ day }}' as date)
{%- endmacro %}
