{#- The attribution's verdict on a row: NULL when a person was found, else `unattributed` (no
    contact_id given and the email resolved to nobody) or `unknown_contact` (the given
    contact_id is not in the identity map). -#}
{% macro attribution_rejection_reason(contact_id, delivered_contact_id) -%}
    case
        when {{ contact_id }} is not null then null
        when {{ delivered_contact_id }} is null then 'unattributed'
        else 'unknown_contact'
    end
{%- endmacro %}
