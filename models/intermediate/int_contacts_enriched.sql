-- One wide row per active person: scores, segment and experiment group, qualification,
-- suppression and opportunity outcomes, plus the CRM facts the marts count by (created_at,
-- lifecycle stage, the account id as given). The one four-way person join: lead_scores,
-- segment_matrix, int_segments_weeks_aggregated and int_contacts_routed read it instead of
-- rebuilding it.
with

contacts as (

    select * from {{ ref('int_contacts_merged') }}

),

contacts_scored as (

    select * from {{ ref('int_contacts_scored') }}

),

contacts_segmented as (

    select * from {{ ref('int_contacts_segmented') }}

),

contacts_qualified as (

    select * from {{ ref('int_contacts_qualified') }}

),

contacts_suppressed as (

    select * from {{ ref('int_contacts_suppressed') }}

),

opportunity_outcomes as (

    select * from {{ ref('int_contacts_opportunities_aggregated') }}

),

enriched as (

    select
        contacts_scored.contact_id,
        contacts_scored.account_id,
        contacts_scored.persona,
        contacts_scored.fit_score,
        contacts_scored.fit_grade,
        contacts_scored.risk_score,
        contacts_scored.risk_level,
        contacts_scored.risk_band,
        contacts_scored.primary_risk_category,
        contacts_scored.contact_intent_score,
        contacts_scored.account_intent_score,
        contacts_scored.intent_level,
        contacts_scored.intent_topic,
        contacts_scored.buying_stage,
        contacts_scored.reason_codes,
        contacts_segmented.segment,
        contacts_segmented.cell_motion,
        contacts_segmented.cell_sla_hours,
        contacts_segmented.cell_priority,
        contacts_segmented.is_holdout,
        contacts_segmented.experiment_group,
        contacts_qualified.lead_status,
        contacts_qualified.qualification_outcome,
        contacts_qualified.is_marketing_qualified,
        contacts_qualified.is_sales_qualified,
        contacts_suppressed.is_suppressed,
        contacts_suppressed.suppression_reason,
        contacts_suppressed.suppression_detail,
        contacts_suppressed.has_bounced,
        contacts.created_at,
        contacts.lifecycle_stage,
        -- The account as the CRM gives it, also when unknown to stg_crm__accounts (an open
        -- opportunity may name it); account_id above is NULL for an unknown account.
        contacts.account_id as crm_account_id,
        opportunity_outcomes.contact_id is not null as has_opportunity,
        coalesce(opportunity_outcomes.has_won_opportunity, false) as has_won_opportunity
    from contacts_scored
    inner join contacts
        on contacts_scored.contact_id = contacts.contact_id
    inner join contacts_segmented
        on contacts_scored.contact_id = contacts_segmented.contact_id
    inner join contacts_qualified
        on contacts_scored.contact_id = contacts_qualified.contact_id
    inner join contacts_suppressed
        on contacts_scored.contact_id = contacts_suppressed.contact_id
    left join opportunity_outcomes
        on contacts_scored.contact_id = opportunity_outcomes.contact_id

)

select * from enriched
