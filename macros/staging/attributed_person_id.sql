{#- The person an engagement row belongs to (docs/architecture.md, attribution): a given
    contact_id decides alone (its surviving person, NULL when unknown; the email is then not
    tried), else the normalised email. Expects the identity map joined as `by_contact_id` and
    the people-by-email map as `by_email`. -#}
{% macro attributed_person_id(contact_id_given) -%}
    case
        when {{ contact_id_given }} then by_contact_id.person_id
        else by_email.person_id
    end
{%- endmacro %}
