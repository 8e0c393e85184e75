{#- The scoring date as a SQL date literal: var as_of_date (YYYY-MM-DD), else the environment
    variable LEAD_SEGMENTATION_AS_OF_DATE (how the main job passes it: a daily date in --vars
    would make dbt re-parse the whole project every day), else the date the last build used
    (last_build_as_of: a by-hand partial build never mixes dates), else the run's start date
    (UTC, the first build). -#}
{% macro as_of_date() -%}
    {%- set configured = var("as_of_date", "") or env_var("LEAD_SEGMENTATION_AS_OF_DATE", "") -%}
    {%- set configured = configured or last_build_as_of() -%}
    {%- set day = configured if configured else run_started_at.strftime("%Y-%m-%d") -%}
    cast('{{ day }}' as date)
{%- endmacro %}
