-- Every kept form submission of the source's stg_<folder>__form_submissions (macro
-- staged_relation), attributed to a person through the identity map with the rules of
-- int_event_identities_attributed: a given contact_id decides alone (`unknown_contact` when
-- it resolves to nobody), else the normalised email (`unattributed` when it names nobody).
-- Readers use the rows without a rejection_reason; audit/dq_row_reconciliation counts the
-- others as rejected.
with

form_submissions as (

    select * from {{ staged_relation('stg', 'form_submissions') }}

),

contact_identities as (

    select * from {{ ref('int_contact_identities_resolved') }}

),

people_by_email as (

    {{ people_by_email('contact_identities') }}

),

attributed as (

    select
        form_submissions.submission_id,
        form_submissions.form_name,
        form_submissions.submitted_at,
        form_submissions.is_future,
        form_submissions.primary_interest,
        form_submissions.timeline,
        form_submissions.compliance_deadline,
        form_submissions.has_budget,
        form_submissions.delivered_contact_id,
        form_submissions.email,
        form_submissions._line_number,
        -- A given contact_id decides alone: when it does not resolve, the email is not tried.
        {{ attributed_person_id("form_submissions.delivered_contact_id is not null") }}
            as contact_id,
        {{ attributed_by("form_submissions.delivered_contact_id") }} as attributed_by,
        coalesce(by_contact_id.is_merged, false) as is_repointed
    from form_submissions
    left join contact_identities as by_contact_id
        on form_submissions.delivered_contact_id = by_contact_id.contact_id
    -- A plain equi-join (see int_event_identities_attributed).
    left join people_by_email as by_email
        on form_submissions.email = by_email.email

),

judged as (

    select
        *,
        {{ attribution_rejection_reason("contact_id", "delivered_contact_id") }}
            as rejection_reason
    from attributed

)

select * from judged
