{#-
    HubSpot contacts in the shape of raw crm_contacts, one row per contact row.
    Ids, emails and created_at as HubSpot has them. Explicit merges
    (base_hubspot__contact_merges): a contact row whose id a survivor lists as merged is not
    deleted (HubSpot, and Fivetran after it, delete the merged-away record; a merge is not a
    deletion of the person), so it stays an active record that the identity map
    (int_contact_identities_resolved, through stg_hubspot__contact_merges) marks `merged`
    into its survivor, never rejected.
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

    -- merged ids whose survivor has a contact row (as the identity map re-points them)
    select contact_merges.merged_contact_id
    from contact_merges
    inner join contacts as survivor
        on contact_merges.survivor_contact_id = survivor.contact_id

),

final as (

    select
        contacts.contact_id,
        contacts.company_id as account_id,
        contacts.email,
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
        contacts.created_at,
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
