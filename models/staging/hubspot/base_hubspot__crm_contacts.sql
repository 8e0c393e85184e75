{#-
    HubSpot contacts in the shape of raw crm_contacts, one row per contact row.
    Explicit merges (base_hubspot__contact_merges): a contact row whose id a survivor lists as
    merged is delivered with the survivor's email, no created_at and not deleted, so the
    contract's person rule (contacts sharing an email are one person; the earliest created
    survives) marks it `merged` into that survivor, never rejected. A merged id without a row
    of its own is re-pointed by the adapters that name contacts (deals, activities, forms).
    Values: lead_source from hs_analytics_source and lifecycle_stage through seed
    hubspot_value_map (unmapped values pass as delivered); email_status from
    hs_email_bad_address (true -> bounced, false -> valid, empty -> NULL).
-#}

with

contacts as (

    select * from {{ ref('base_hubspot__contact') }}

),

contact_merges as (

    select * from {{ ref('base_hubspot__contact_merges') }}

),

value_map as (

    select * from {{ ref('hubspot_value_map') }}

),

survivors as (

    select
        contact_merges.merged_contact_id,
        survivor.email as survivor_email
    from contact_merges
    inner join contacts as survivor
        on contact_merges.survivor_contact_id = survivor.contact_id

),

final as (

    select
        contacts.contact_id,
        contacts.company_id as account_id,
        case
            when survivors.merged_contact_id is not null then survivors.survivor_email
            else contacts.email
        end as email,
        contacts.first_name,
        contacts.last_name,
        contacts.phone,
        contacts.job_title,
        contacts.country,
        coalesce(lead_sources.canonical_value, contacts.analytics_source) as lead_source,
        coalesce(lifecycle_stages.canonical_value, contacts.lifecycle_stage) as lifecycle_stage,
        contacts.email_opt_out,
        case
            when contacts.is_email_bad_address then 'bounced'
            when not contacts.is_email_bad_address then 'valid'
        end as email_status,
        case
            when survivors.merged_contact_id is null then contacts.created_at
        end as created_at,
        coalesce(contacts.updated_at, contacts.fivetran_synced_at) as updated_at,
        survivors.merged_contact_id is null
        and coalesce(contacts.is_fivetran_deleted, false) as is_deleted,
        coalesce(
            contacts._line_number,
            row_number() over (
                order by contacts.fivetran_synced_at asc nulls first, contacts.contact_id asc
            )
        ) as _line_number,
        coalesce(
            contacts._loaded_at, contacts.fivetran_synced_at, {{ dbt.current_timestamp() }}
        ) as _loaded_at
    from contacts
    left join survivors
        on contacts.contact_id = survivors.merged_contact_id
    left join value_map as lead_sources
        on
            lead_sources.field = 'lead_source'
            and lower(contacts.analytics_source) = lead_sources.hubspot_value
    left join value_map as lifecycle_stages
        on
            lifecycle_stages.field = 'lifecycle_stage'
            and lower(contacts.lifecycle_stage) = lifecycle_stages.hubspot_value

)

select * from final
