{#- The kind of identity an engagement row was delivered with: `contact_id` when it carries a
    contact_id (which then decides alone), else `email`. With delivered_identity_value, the
    key of the identity as delivered (int_event_identities_attributed). -#}
{% macro delivered_identity_type(delivered_contact_id) -%}
    case
        when {{ delivered_contact_id }} is not null then 'contact_id'
        else 'email'
    end
{%- endmacro %}
