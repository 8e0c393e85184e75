{#-
    The active contact records of a base contacts model: one row per contact_id, its current
    version when it has an id and is not soft-deleted, cleaned by the judge_crm_contacts
    macro. Identities as delivered: which records are one person (a shared normalised email,
    a merge the CRM made) is decided in int_contact_identities_resolved, and the person
    record (what merged records add) is int_contacts_merged.
    `base_relation`: the base_<folder>__contacts model of the source's folder; the
    stg_<folder>__contacts model of each source folder is this macro on it.
-#}
{% macro keep_crm_contacts(base_relation) -%}
with

base_contacts as (

    select * from {{ base_relation }}

),

kept as (

    select
        contact_id,
        account_id,
        email,
        email_domain,
        is_email_valid,
        first_name,
        last_name,
        phone,
        job_title,
        job_title_clean,
        country_code,
        lead_source,
        lifecycle_stage,
        email_opt_out,
        email_status,
        created_at,
        updated_at,
        _line_number
    from base_contacts
    where row_status = 'kept'

)

select * from kept
{%- endmacro %}
