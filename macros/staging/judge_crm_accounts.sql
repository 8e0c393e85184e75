{#-
    Every CRM account row (1:1, key _line_number), cleaned and given its verdict.
    Steps:
      1. frameworks: the list is split on `;` or `,`, each part cleaned and mapped through
         framework_aliases (unmapped parts kept cleaned), and the distinct names re-joined in
         order by `; `. A list with no part (`""`, spaces) is `''` (known none); NULL stays NULL.
      2. clean: text trimmed (empty -> NULL), website -> its domain, industry and country mapped
         through their alias seeds, impossible numbers (headcount <= 0, negative counts) ->
         NULL.
      3. versions: per account_id the latest updated_at is current (ties: the later line;
         NULL updated_at is the oldest); the other versions are `duplicate`.
      4. verdict: no account_id -> rejected (missing_id); a soft-deleted current version ->
         rejected (soft_deleted), its older versions staying `duplicate`; else kept.
    `relation`: the rows in the shape of raw crm_accounts (CONTRACT.md section 1), e.g.
    source('crm', 'crm_accounts') or a connector's adapter model; the base_<folder>__accounts
    model of each source folder is this macro on its relation.
-#}
{% macro judge_crm_accounts(relation) -%}
with

source as (

    select * from {{ relation }}

),

country_aliases as (

    select * from {{ ref('country_aliases') }}

),

industry_aliases as (

    select * from {{ ref('industry_aliases') }}

),

framework_aliases as (

    select * from {{ ref('framework_aliases') }}

),

framework_parts as (

    select
        _line_number,
        {{ split_to_rows('compliance_frameworks', '[;,]') }} as framework_text
    from source

),

framework_keys as (

    select
        _line_number,
        {{ normalize_lookup_key('framework_text') }} as framework_key
    from framework_parts

),

frameworks_mapped as (

    select
        framework_keys._line_number,
        coalesce(framework_aliases.framework, framework_keys.framework_key) as framework
    from framework_keys
    left join framework_aliases
        on framework_keys.framework_key = framework_aliases.alias
    where framework_keys.framework_key is not null

),

frameworks_listed as (

    select
        _line_number,
        {{ sorted_distinct_string_agg('framework', '; ') }} as compliance_frameworks
    from frameworks_mapped
    group by _line_number

),

cleaned as (

    select
        source.annual_revenue_usd,
        source.has_siem,
        source.has_edr,
        source.has_mfa,
        source.has_24x7_soc,
        source.last_incident_at,
        source.updated_at,
        source.is_deleted,
        source._line_number,
        source._loaded_at,
        country_aliases.country_code,
        nullif(trim(source.account_id), '') as account_id,
        nullif(trim(source.account_name), '') as account_name,
        {{ website_domain('source.website') }} as website_domain,
        -- Text that maps to no canonical industry is still a known industry: `other`.
        case
            when {{ normalize_lookup_key('source.industry') }} is not null
                then coalesce(industry_aliases.industry, 'other')
        end as industry,
        case when source.employee_count > 0 then source.employee_count end as employee_count,
        -- '' (known none) and NULL (unknown) must stay apart.
        case
            when source.compliance_frameworks is not null
                then coalesce(frameworks_listed.compliance_frameworks, '')
        end as compliance_frameworks,
        {{ clean_category('source.cloud_provider') }} as cloud_provider,
        {{ clean_category('source.identity_provider') }} as identity_provider,
        case
            when source.security_team_size >= 0 then source.security_team_size
        end as security_team_size,
        case
            when source.eol_software_count >= 0 then source.eol_software_count
        end as eol_software_count,
        case
            when source.exposed_services_count >= 0 then source.exposed_services_count
        end as exposed_services_count,
        -- The texts as delivered, for dq_crm_accounts_rejected and for tracing what
        -- did not map.
        source.website as website_raw,
        source.industry as industry_raw,
        source.country as country_raw,
        source.compliance_frameworks as compliance_frameworks_raw
    from source
    left join country_aliases
        on {{ normalize_lookup_key('source.country') }} = country_aliases.alias
    left join industry_aliases
        on {{ normalize_lookup_key('source.industry') }} = industry_aliases.alias
    left join frameworks_listed
        on source._line_number = frameworks_listed._line_number

),

versioned as (

    select
        *,
        row_number() over (
            partition by account_id
            order by updated_at desc nulls last, _line_number desc
        ) as version_rank
    from cleaned

),

judged as (

    select
        *,
        case
            when account_id is null then 'missing_id'
            -- older versions are duplicates whatever the current version's fate
            when version_rank > 1 then null
            when coalesce(is_deleted, false) then 'soft_deleted'
        end as rejection_reason
    from versioned

),

final as (

    select
        account_id,
        account_name,
        website_domain,
        industry,
        employee_count,
        annual_revenue_usd,
        country_code,
        compliance_frameworks,
        cloud_provider,
        identity_provider,
        has_siem,
        has_edr,
        has_mfa,
        has_24x7_soc,
        security_team_size,
        eol_software_count,
        exposed_services_count,
        last_incident_at,
        updated_at,
        is_deleted,
        website_raw,
        industry_raw,
        country_raw,
        compliance_frameworks_raw,
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
