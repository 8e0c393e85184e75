{#-
    HubSpot form submissions in the shape of raw form_submissions, one row per
    contact_form_submission row. submission_id: conversion_id. contact_id: the submitting
    contact as HubSpot has it (a merged id is re-pointed by the identity model,
    int_contact_identities_resolved; the email is left empty: the contact decides). form_name: the form's name (else the submission title) through seed
    hubspot_value_map (field form_name); unmapped names pass lower-cased, so staging rejects
    them as an unknown form. Qualifying answers: Fivetran does not land form field values, so
    primary_interest, timeline, compliance_deadline and has_budget are read from the contact's
    properties (vars hubspot_contact_property_<field>) -- an approximation: every submission
    of a contact carries the contact's current answers, a merged contact's being its
    survivor's (HubSpot keeps a merge's properties on the survivor).
-#}

with

submissions as (

    select * from {{ ref('base_hubspot__contact_form_submission') }}

),

forms as (

    select * from {{ ref('base_hubspot__form') }}

),

contacts as (

    select * from {{ ref('base_hubspot__contact') }}

),

contact_merges as (

    select * from {{ ref('base_hubspot__contact_merges') }}

),

value_map as (

    select * from {{ ref('hubspot_value_map') }}

),

current_forms as (

    select
        form_id,
        form_name,
        row_number() over (
            partition by form_id
            order by fivetran_synced_at desc nulls last
        ) as form_rank
    from forms

),

resolved as (

    select
        submissions.*,
        coalesce(contact_merges.survivor_contact_id, submissions.contact_id) as answers_contact_id,
        coalesce(current_forms.form_name, submissions.title) as hubspot_form_name
    from submissions
    left join contact_merges
        on submissions.contact_id = contact_merges.merged_contact_id
    left join current_forms
        on
            submissions.form_id = current_forms.form_id
            and current_forms.form_rank = 1

),

final as (

    select
        resolved.conversion_id as submission_id,
        resolved.contact_id,
        cast(null as {{ dbt.type_string() }}) as email,
        coalesce(form_names.canonical_value, lower(resolved.hubspot_form_name)) as form_name,
        resolved.submitted_at,
        contacts.primary_interest,
        contacts.timeline,
        contacts.compliance_deadline,
        contacts.has_budget,
        coalesce(
            resolved._line_number,
            row_number() over (
                order by resolved.fivetran_synced_at asc nulls first, resolved.conversion_id asc
            )
        ) as _line_number,
        coalesce(
            resolved._loaded_at, resolved.fivetran_synced_at, {{ dbt.current_timestamp() }}
        ) as _loaded_at
    from resolved
    left join value_map as form_names
        on
            form_names.field = 'form_name'
            and lower(resolved.hubspot_form_name) = form_names.hubspot_value
    left join contacts
        on resolved.answers_contact_id = contacts.contact_id

)

select * from final
