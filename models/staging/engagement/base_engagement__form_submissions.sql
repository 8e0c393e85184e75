{#-
    Every raw form submission, cleaned, attributed to a person and given its verdict.
    Steps:
      1. clean: ids trimmed (empty -> NULL), email normalised, categories lower/trimmed.
      2. attribute: a given contact_id is looked up in the identity map and re-pointed to the
         surviving person; without one, the normalised email names the person.
      3. dedupe: of several deliveries of one submission_id the lowest _line_number survives
         (forms carry no delivery time of their own); the others are `duplicate`.
      4. judge the surviving delivery: the first failing check gives its rejection_reason.
    A duplicate of a rejected delivery is `duplicate`, not `rejected`: the verdict belongs to
    the submission (its surviving delivery), so each submission is rejected once.
-#}

{%- set form_names = [
    "demo_request",
    "contact_sales",
    "assessment_request",
    "content_download",
    "webinar_registration",
] -%}

with

source as (

    select * from {{ source('engagement', 'form_submissions') }}

),

contact_identities as (

    select * from {{ ref('stg_crm__contact_identities') }}

),

cleaned as (

    select
        submitted_at,
        compliance_deadline,
        _line_number,
        _loaded_at,
        nullif(trim(submission_id), '') as submission_id,
        nullif(trim(contact_id), '') as delivered_contact_id,
        {{ normalize_email('email') }} as email,
        {{ clean_category('form_name') }} as form_name,
        {{ clean_category('primary_interest') }} as primary_interest,
        {{ clean_category('timeline') }} as timeline,
        {{ clean_category('has_budget') }} as has_budget
    from source

),

people_by_email as (

    -- Identities sharing an email are one person (they all carry the same person_id); the
    -- grouping guarantees the join below can never multiply submissions.
    select
        email,
        min(person_id) as person_id
    from contact_identities
    where email is not null
    group by email

),

attributed as (

    select
        cleaned.submission_id,
        cleaned.delivered_contact_id,
        cleaned.email,
        cleaned.form_name,
        cleaned.submitted_at,
        cleaned.primary_interest,
        cleaned.timeline,
        cleaned.compliance_deadline,
        cleaned.has_budget,
        cleaned._line_number,
        cleaned._loaded_at,
        -- A given contact_id decides alone: when it does not resolve, the email is not tried.
        case
            when cleaned.delivered_contact_id is not null then by_contact_id.person_id
            else by_email.person_id
        end as contact_id,
        case
            when by_contact_id.person_id is not null then 'contact_id'
            when by_email.person_id is not null then 'email'
        end as attributed_by,
        coalesce(by_contact_id.is_merged, false) as is_repointed
    from cleaned
    left join contact_identities as by_contact_id
        on cleaned.delivered_contact_id = by_contact_id.contact_id
    left join people_by_email as by_email
        on
            cleaned.delivered_contact_id is null
            and cleaned.email = by_email.email

),

ranked as (

    select
        *,
        row_number() over (
            partition by submission_id
            order by _line_number asc
        ) as delivery_rank
    from attributed

),

judged as (

    select
        *,
        case
            when submission_id is null then 'missing_id'
            -- later deliveries are duplicates: they are not judged themselves
            when delivery_rank > 1 then null
            when
                form_name is null
                or form_name not in (
                    {%- for accepted in form_names %}
                        '{{ accepted }}'{{ "," if not loop.last }}
                    {%- endfor %}
                )
                then 'unknown_form_name'
            when submitted_at is null then 'missing_timestamp'
            when delivered_contact_id is null and contact_id is null then 'unattributed'
            when delivered_contact_id is not null and contact_id is null then 'unknown_contact'
        end as rejection_reason
    from ranked

),

final as (

    select
        submission_id,
        contact_id,
        delivered_contact_id,
        email,
        form_name,
        submitted_at,
        primary_interest,
        timeline,
        compliance_deadline,
        has_budget,
        attributed_by,
        is_repointed,
        rejection_reason,
        _line_number,
        _loaded_at,
        cast(submitted_at as date) > {{ as_of_date() }} as is_future,
        case
            when rejection_reason is not null then 'rejected'
            when delivery_rank > 1 then 'duplicate'
            else 'kept'
        end as row_status
    from judged

)

select * from final
