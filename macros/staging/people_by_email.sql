{#- The people-by-email map attribution joins to: one row per normalised email with its
    person. Identities sharing an email are one person (they carry the same person_id); the
    grouping guarantees a join on it can never multiply the rows it attributes. -#}
{% macro people_by_email(contact_identities) -%}
    select
        email,
        min(person_id) as person_id
    from {{ contact_identities }}
    where email is not null
    group by email
{%- endmacro %}
