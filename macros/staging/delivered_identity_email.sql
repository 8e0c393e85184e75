{#- The email of an engagement row's delivered identity: its normalised email only when it
    carries no contact_id (a given contact_id decides alone, its email is not tried); NULL
    otherwise. With the contact_id, the columns an identity is grouped by before
    delivered_identity_type / delivered_identity_value name it. -#}
{% macro delivered_identity_email(delivered_contact_id, email) -%}
    case when {{ delivered_contact_id }} is null then {{ email }} end
{%- endmacro %}
