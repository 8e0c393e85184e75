{#- The identity an engagement row was delivered with: its contact_id when given (the email is
    then not tried), else its normalised email; NULL when it carries neither. -#}
{% macro delivered_identity_value(delivered_contact_id, email) -%}
    coalesce({{ delivered_contact_id }}, {{ email }})
{%- endmacro %}
