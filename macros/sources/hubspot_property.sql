{#- The connector column holding a HubSpot property the contract needs but HubSpot does not
    have natively (custom properties): var `hubspot_<object>_property_<field>`, default
    `property_<field>` (Fivetran lands a property `x` as column `property_x`). A column the
    table does not have reads as NULL = unknown (source_columns_or_null). The defaults are
    listed in docs/sources.md. -#}
{% macro hubspot_property(object, field) -%}
    {{ return(var("hubspot_" ~ object ~ "_property_" ~ field, "property_" ~ field) | lower) }}
{%- endmacro %}
