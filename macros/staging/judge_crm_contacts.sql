{#-
    Every CRM contact row (1:1, key _line_number), cleaned and given its verdict.
    Steps:
      1. clean: text trimmed (empty -> NULL), email normalised and validated, job title
         cleaned, country mapped through country_aliases, categories lower/trimmed.
      2. versions: per contact_id the latest updated_at is current (ties: the later line;
         NULL updated_at is the oldest); the other versions are `duplicate`.
      3. reject: no contact_id -> missing_id; a soft-deleted current version -> soft_deleted;
         the remaining current versions are `kept`: the active contact records.
    Which records are one person (the same normalised email, or a merge the CRM made) is
    identity resolution, decided once in the intermediate layer
    (int_contact_identities_resolved), not here. A contact without a usable email is kept:
    routing suppresses it later as undeliverable.
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

-- The regular expressions on job titles and countries run once per distinct text (about
-- 900 titles and 50 country spellings for 536,000 rows at scale 25), not once per row.
job_titles as (

    select
        job_title as job_title_raw,
        -- For display: trimmed, inner runs of spaces collapsed.
        nullif(trim({{ regex_replace_all('job_title', '[ ]+', ' ') }}), '') as job_title,
        {{ clean_job_title('job_title') }} as job_title_clean
    from (select distinct job_title from source) as distinct_job_titles

),

countries as (

    select
        distinct_countries.country as country_raw,
        country_aliases.country_code
    from (select distinct country from source) as distinct_countries
    left join country_aliases
        on {{ normalize_lookup_key('distinct_countries.country') }} = country_aliases.alias

),

cleaned as (

    select
        source.email_opt_out,
        source.created_at,
        source.updated_at,
        source.is_deleted,
        source._line_number,
        source._loaded_at,
        countries.country_code,
        nullif(trim(source.contact_id), '') as contact_id,
        nullif(trim(source.account_id), '') as account_id,
        {{ normalize_email('source.email') }} as email,
        nullif(trim(source.first_name), '') as first_name,
        nullif(trim(source.last_name), '') as last_name,
        nullif(trim(source.phone), '') as phone,
        job_titles.job_title,
        job_titles.job_title_clean,
        {{ clean_category('source.lead_source') }} as lead_source,
        {{ clean_category('source.lifecycle_stage') }} as lifecycle_stage,
        {{ clean_category('source.email_status') }} as email_status,
        -- The text as delivered, for dq_crm_contacts_rejected and for tracing what did not
        -- map.
        source.country as country_raw
    from source
    left join job_titles
        on source.job_title = job_titles.job_title_raw
    left join countries
        on source.country = countries.country_raw

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

final as (

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
        is_deleted,
        country_raw,
        version_rank,
        rejection_reason,
        _line_number,
        _loaded_at,
        case
            when rejection_reason is not null then 'rejected'
            when version_rank > 1 then 'duplicate'
            else 'kept'
        end as row_status
    from judged

)

select * from final
{%- endmacro %}
