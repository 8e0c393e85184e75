{#-
    HubSpot's explicit contact merges: one row per merged (absorbed) contact id -> the
    surviving contact id. A survivor lists the ids merged into it in
    property_hs_merged_object_ids (`;`-separated); contact_merge_audit records each merge
    (canonical_vid <- vid_to_merge). Both are read; a survivor's own id is never a merged id.
    When two survivors claim one id (a merge of a merge), the survivor that is itself not
    merged wins (ties: the smallest id), so every merged id resolves in one step.
-#}

with

contacts as (

    select * from {{ ref('base_hubspot__contact') }}

),

merge_audit as (

    select * from {{ ref('base_hubspot__contact_merge_audit') }}

),

listed_parts as (

    select
        contact_id as survivor_contact_id,
        {{ split_to_rows('merged_object_ids', '[;,]') }} as merged_contact_id
    from contacts
    where merged_object_ids is not null

),

claims as (

    select
        survivor_contact_id,
        trim(merged_contact_id) as merged_contact_id
    from listed_parts
    union all
    select
        canonical_contact_id as survivor_contact_id,
        merged_contact_id
    from merge_audit

),

valid_claims as (

    select distinct
        survivor_contact_id,
        merged_contact_id
    from claims
    where
        survivor_contact_id is not null
        and merged_contact_id is not null
        and merged_contact_id <> ''
        and merged_contact_id <> survivor_contact_id

),

ranked as (

    select
        valid_claims.merged_contact_id,
        valid_claims.survivor_contact_id,
        row_number() over (
            partition by valid_claims.merged_contact_id
            order by
                case when absorbed.merged_contact_id is null then 0 else 1 end,
                valid_claims.survivor_contact_id
        ) as claim_rank
    from valid_claims
    left join valid_claims as absorbed
        on valid_claims.survivor_contact_id = absorbed.merged_contact_id

),

final as (

    select
        merged_contact_id,
        survivor_contact_id
    from ranked
    where claim_rank = 1

)

select * from final
