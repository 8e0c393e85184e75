{#- How attributed_person_id found the person: `contact_id` (the given id resolved) or `email`
    (no id given, the email resolved); NULL when neither. Same joins as attributed_person_id. -#}
{% macro attributed_by(delivered_contact_id) -%}
    case
        when by_contact_id.person_id is not null then 'contact_id'
        when
            {{ delivered_contact_id }} is null
            and by_email.person_id is not null
            then 'email'
    end
{%- endmacro %}
