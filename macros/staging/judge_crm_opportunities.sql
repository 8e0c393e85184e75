{#-
    Every CRM opportunity row (1:1, key _line_number), cleaned and given its verdict.
    Steps:
      1. clean: text trimmed (empty -> NULL), categories lower/trimmed. The primary contact
         stays as delivered: int_opportunities_attributed re-points it to its person.
      2. versions: per opportunity_id the latest updated_at is current (ties: the later line;
         NULL updated_at is the oldest); the other versions are `duplicate`.
      3. verdict of the current version, first failing check: no opportunity_id ->
         missing_id; soft-deleted -> soft_deleted; a stage outside the contract's six ->
         unknown_stage; else kept. Older versions stay `duplicate`, so a record is rejected
         once.
    `relation`: the rows in the shape of raw crm_opportunities (CONTRACT.md section 1), e.g.
    source('crm', 'crm_opportunities') or a connector's adapter model; the base_<folder>__opportunities
    model of each source folder is this macro on its relation.
-#}
{% macro judge_crm_opportunities(relation) -%}
{%- set stages = [
    "discovery",
    "scoping",
    "proposal",
    "negotiation",
    "closed_won",
    "closed_lost",
] -%}

with

source as (

    select * from {{ relation }}

),

cleaned as (

    select
        amount_usd,
        created_at,
        closed_at,
        updated_at,
        is_deleted,
        _line_number,
        _loaded_at,
        nullif(trim(opportunity_id), '') as opportunity_id,
        nullif(trim(account_id), '') as account_id,
        nullif(trim(primary_contact_id), '') as delivered_primary_contact_id,
        {{ clean_category('service_line') }} as service_line,
        -- `stage` is the contract's column name.
        {{ clean_category('stage') }} as stage  -- noqa: RF04
    from source

),

versioned as (

    select
        *,
        row_number() over (
            partition by opportunity_id
            order by updated_at desc nulls last, _line_number desc
        ) as version_rank
    from cleaned

),

judged as (

    select
        *,
        case
            when opportunity_id is null then 'missing_id'
            -- older versions are duplicates whatever the current version's fate
            when version_rank > 1 then null
            when coalesce(is_deleted, false) then 'soft_deleted'
            when
                stage is null
                or stage not in (
                    {%- for accepted in stages %}
                        '{{ accepted }}'{{ "," if not loop.last }}
                    {%- endfor %}
                )
                then 'unknown_stage'
        end as rejection_reason
    from versioned

),

final as (

    select
        opportunity_id,
        account_id,
        delivered_primary_contact_id,
        service_line,
        stage,
        amount_usd,
        created_at,
        closed_at,
        updated_at,
        is_deleted,
        version_rank,
        rejection_reason,
        _line_number,
        _loaded_at,
        coalesce(stage in ('closed_won', 'closed_lost'), false) as is_closed,
        coalesce(stage = 'closed_won', false) as is_won,
        case
            when rejection_reason is not null then 'rejected'
            when version_rank > 1 then 'duplicate'
            else 'kept'
        end as row_status
    from judged

)

select * from final
{%- endmacro %}
