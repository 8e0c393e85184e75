-- Every kept sales activity of stg_crm__sales_activities, its contact resolved through the
-- identity map to the surviving person. An activity whose contact resolves to nobody (none
-- given, deleted, rejected or unknown) gets its verdict here: rejection_reason
-- `unknown_contact` (counted by audit/dq_row_reconciliation); readers keep the rows without
-- a rejection_reason.
with

sales_activities as (

    select * from {{ staged_relation('stg', 'sales_activities') }}

),

contact_identities as (

    select * from {{ ref('int_contact_identities_resolved') }}

),

attributed as (

    select
        sales_activities.activity_id,
        contact_identities.person_id as contact_id,
        sales_activities.owner_id,
        sales_activities.activity_type,
        sales_activities.occurred_at,
        sales_activities.disposition,
        sales_activities.delivered_contact_id,
        sales_activities._line_number,
        coalesce(contact_identities.is_merged, false) as is_repointed,
        case
            when contact_identities.person_id is null then 'unknown_contact'
        end as rejection_reason
    from sales_activities
    left join contact_identities
        on sales_activities.delivered_contact_id = contact_identities.contact_id

)

select * from attributed
