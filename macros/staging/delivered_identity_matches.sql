{#- The join condition of engagement rows (`rows`: a relation or CTE name with
    delivered_contact_id and email) to the identities they were delivered with (`identities`:
    int_event_identities_attributed or a filter of it, keyed by identity_type +
    identity_value). The one home of that key's join (macros delivered_identity_type /
    delivered_identity_value give its two parts). -#}
{% macro delivered_identity_matches(rows, identities) -%}
    {{ delivered_identity_type(rows ~ '.delivered_contact_id') }}
    = {{ identities }}.identity_type
    and {{ delivered_identity_value(rows ~ '.delivered_contact_id', rows ~ '.email') }}
    = {{ identities }}.identity_value
{%- endmacro %}
