{#-
    Every CRM contact row (1:1, key _line_number), cleaned, given its verdict and, when it
    stands for a person, that person's id.
    Steps:
      1. clean: text trimmed (empty -> NULL), email normalised and validated, job title
         cleaned, country mapped through country_aliases, categories lower/trimmed.
      2. versions: per contact_id the latest updated_at is current (ties: the later line;
         NULL updated_at is the oldest); the other versions are `duplicate`.
      3. reject: no contact_id -> missing_id; a soft-deleted current version -> soft_deleted.
      4. merge: the remaining current versions sharing a normalised email are one person. The
         survivor is the earliest created_at (NULL created_at last; ties: the smallest
         contact_id); the others are `merged` into it. person_id is the survivor's
         contact_id for kept and merged rows, NULL otherwise.
    A contact without a usable email is kept (it is one person on its own): routing suppresses
    it later as undeliverable.
    `relation`: the rows in the shape of raw crm_contacts (CONTRACT.md section 1), e.g.
    source('crm', 'crm_contacts') or a connector's adapter model; the base_<folder>__contacts
    model of each source folder is this macro on its relation.
-#}
{% macro judge_crm_contacts(relation) -%}
with

source as (

    select * from {{ relation }}

),

country_aliases as (

    select * from {{ ref('country_aliases') }}

),

cleaned as (

    select
        source.email_opt_out,
        source.created_at,
        source.updated_at,
        source.is_deleted,
        source._line_number,
        source._loaded_at,
        country_aliases.country_code,
        nullif(trim(source.contact_id), '') as contact_id,
        nullif(trim(source.account_id), '') as account_id,
        {{ normalize_email('source.email') }} as email,
        nullif(trim(source.first_name), '') as first_name,
        nullif(trim(source.last_name), '') as last_name,
        nullif(trim(source.phone), '') as phone,
        -- For display: trimmed, inner runs of spaces collapsed.
        nullif(
            trim({{ regex_replace_all('source.job_title', '[ ]+', ' ') }}), ''
        ) as job_title,
        {{ clean_job_title('source.job_title') }} as job_title_clean,
        {{ clean_category('source.lead_source') }} as lead_source,
        {{ clean_category('source.lifecycle_stage') }} as lifecycle_stage,
        {{ clean_category('source.email_status') }} as email_status,
        -- The text as delivered, for dq_crm_contacts_rejected and for tracing what did not
        -- map.
        source.country as country_raw
    from source
    left join country_aliases
        on {{ normalize_lookup_key('source.country') }} = country_aliases.alias

),

validated as (

    select
        *,
        {{ is_valid_email('email') }} as is_email_valid,
        {{ email_domain('email') }} as email_domain
    from cleaned

),

versioned as (

    select
        *,
        row_number() over (
            partition by contact_id
            order by updated_at desc nulls last, _line_number desc
        ) as version_rank
    from validated

),

judged as (

    select
        *,
        case
            when contact_id is null then 'missing_id'
            -- older versions are duplicates whatever the current version's fate
            when version_rank > 1 then null
            when coalesce(is_deleted, false) then 'soft_deleted'
        end as rejection_reason
    from versioned

),

active_contacts as (

    select
        _line_number,
        contact_id,
        email,
        created_at
    from judged
    where version_rank = 1 and rejection_reason is null

),

people as (

    -- Without an email a contact is a person on its own.
    select
        _line_number,
        case
            when email is null then contact_id
            else first_value(contact_id) over (
                partition by email
                order by created_at asc nulls last, contact_id asc
            )
        end as person_id
    from active_contacts

),

final as (

    select
        judged.contact_id,
        people.person_id,
        judged.account_id,
        judged.email,
        judged.email_domain,
        judged.is_email_valid,
        judged.first_name,
        judged.last_name,
        judged.phone,
        judged.job_title,
        judged.job_title_clean,
        judged.country_code,
        judged.lead_source,
        judged.lifecycle_stage,
        judged.email_opt_out,
        judged.email_status,
        judged.created_at,
        judged.updated_at,
        judged.is_deleted,
        judged.country_raw,
        judged.version_rank,
        judged.rejection_reason,
        judged._line_number,
        judged._loaded_at,
        case
            when judged.rejection_reason is not null then 'rejected'
            when judged.version_rank > 1 then 'duplicate'
            when people.person_id <> judged.contact_id then 'merged'
            else 'kept'
        end as row_status
    from judged
    left join people
        on judged._line_number = people._line_number

)

select * from final
{%- endmacro %}
