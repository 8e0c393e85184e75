{#-
    HubSpot deals in the shape of raw crm_opportunities, one row per deal row.
    stage: the deal's pipeline stage decides first (is_closed and closed_won -> closed_won,
    is_closed -> closed_lost); an open stage's label (else its id) goes through seed
    hubspot_value_map (field deal_stage); an unmapped one passes as delivered, so staging
    rejects it as unknown_stage rather than guessing. closed_at: the closedate only when the
    stage is closed (HubSpot's closedate is an expected date while a deal is open).
    account_id / primary_contact_id: HubSpot associates deals with any number of companies
    and contacts and has no primary; the smallest associated id is taken, as HubSpot has it
    (a merged id is re-pointed to its survivor by the identity map, int_opportunities_attributed).
    service_line: a deal custom property (var).
-#}

with

deals as (

    select * from {{ ref('base_hubspot__deal') }}

),

stages as (

    select * from {{ ref('base_hubspot__deal_pipeline_stage') }}

),

deal_companies as (

    select * from {{ ref('base_hubspot__deal_company') }}

),

deal_contacts as (

    select * from {{ ref('base_hubspot__deal_contact') }}

),

value_map as (

    select * from {{ ref('hubspot_value_map') }}

),

current_stages as (

    -- A stage id appears once per pipeline in HubSpot; of repeated rows the latest sync wins.
    select
        stage_id,
        stage_label,
        is_closed,
        is_closed_won,
        row_number() over (
            partition by stage_id
            order by fivetran_synced_at desc nulls last, pipeline_id asc
        ) as stage_rank
    from stages

),

deal_accounts as (

    select
        deal_id,
        min(company_id) as account_id
    from deal_companies
    where company_id is not null
    group by deal_id

),

deal_primary_contacts as (

    select
        deal_id,
        min(contact_id) as contact_id
    from deal_contacts
    where contact_id is not null
    group by deal_id

),

staged as (

    select
        deals.*,
        deal_accounts.account_id,
        deal_primary_contacts.contact_id as primary_contact_id,
        case
            when current_stages.is_closed and current_stages.is_closed_won then 'closed_won'
            when current_stages.is_closed then 'closed_lost'
            else coalesce(
                by_label.canonical_value,
                by_id.canonical_value,
                current_stages.stage_label,
                deals.deal_pipeline_stage_id
            )
        end as stage  -- noqa: RF04
    from deals
    left join current_stages
        on
            deals.deal_pipeline_stage_id = current_stages.stage_id
            and current_stages.stage_rank = 1
    left join value_map as by_label
        on
            by_label.field = 'deal_stage'
            and lower(current_stages.stage_label) = by_label.hubspot_value
    left join value_map as by_id
        on
            by_id.field = 'deal_stage'
            and lower(deals.deal_pipeline_stage_id) = by_id.hubspot_value
    left join deal_accounts
        on deals.deal_id = deal_accounts.deal_id
    left join deal_primary_contacts
        on deals.deal_id = deal_primary_contacts.deal_id

),

final as (

    select
        deal_id as opportunity_id,
        account_id,
        primary_contact_id,
        service_line,
        stage,
        amount as amount_usd,
        created_at,
        case when stage in ('closed_won', 'closed_lost') then close_date end as closed_at,
        coalesce(updated_at, fivetran_synced_at) as updated_at,
        coalesce(is_deal_deleted, is_fivetran_deleted, false) as is_deleted,
        coalesce(
            _line_number,
            row_number() over (order by fivetran_synced_at asc nulls first, deal_id asc)
        ) as _line_number,
        coalesce(_loaded_at, fivetran_synced_at, {{ dbt.current_timestamp() }}) as _loaded_at
    from staged

)

select * from final
