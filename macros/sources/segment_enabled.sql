{#- Whether var segment_enabled is on (true, or the text `true` as --vars may pass it). -#}
{% macro segment_enabled() -%}
    {{ return(var("segment_enabled", false) | string | lower == "true") }}
{%- endmacro %}
