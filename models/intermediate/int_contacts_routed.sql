{#- The fields the CRM sync publishes, in the order record_hash reads them. -#}
{%- set synced_columns = [
    "contact_id", "account_id", "segment", "motion", "owner_team", "priority", "sla_hours",
    "sla_due_at", "next_action", "routing_reason", "is_suppressed", "suppression_reason",
    "is_holdout",
] -%}
-- Who works each person, how and how fast (SCORING_MODEL.md, Routing). Steps: gather the
-- facts each rule needs (suppression, lifecycle, open opportunity on the account, holdout,
-- matrix cell, teams, latest form), pick the first rule that applies (suppression, customer,
-- open opportunity, holdout baseline, segment matrix), derive owner, motion, priority, SLA
-- and texts from it, and hash the synced fields. updated_at is added by lead_routing from
-- the snapshot of this model (lead_routing_snapshot).
with

contacts as (

    select * from {{ ref('int_contacts_enriched') }}

),

contacts_teams as (

    select * from {{ ref('int_contacts_teams_assigned') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_attributed') }}

),

form_submissions as (

    select * from {{ ref('int_form_submissions_attributed') }}
    -- submissions attributed to a person (the others are rejected)
    where rejection_reason is null

),

motion_actions as (

    select * from {{ ref('routing_motion_actions') }}

),

routing_parameters as (

    select * from {{ ref('routing_parameters') }}

),

baseline_grades as (

    select * from {{ ref('routing_baseline_grades') }}

),

owner_teams as (

    select * from {{ ref('routing_owner_teams') }}

),

-- The teams routing hands people to by rule (one row; names from routing_owner_teams).
teams as (

    select
        max(case when owner_role = 'customer' then owner_team end) as customer_team,
        max(case when owner_role = 'open_opportunity' then owner_team end)
            as open_opportunity_team,
        max(case when owner_role = 'nurture' then owner_team end) as nurture_team
    from owner_teams

),

baseline as (

    select
        cast({{ parameter_value('routing_parameters', 'holdout_sdr_sla_hours') }} as integer)
            as sdr_sla_hours,
        cast({{ parameter_value('routing_parameters', 'holdout_sdr_priority') }} as integer)
            as sdr_priority,
        cast({{ parameter_value('routing_parameters', 'holdout_nurture_priority') }} as integer)
            as nurture_priority
    from routing_parameters

),

-- Open as of as_of_date: created by then, and not closed, or closed only afterwards.
open_opportunity_accounts as (

    select distinct account_id
    from opportunities
    where
        account_id is not null
        and {{ age_in_days('created_at') }} >= 0
        and (
            not coalesce(is_closed, false)
            or (
                closed_at is not null
                and {{ age_in_days('closed_at') }} < 0
            )
        )

),

latest_forms as (

    select
        contact_id,
        max(submitted_at) as latest_form_submitted_at
    from form_submissions
    where not coalesce(is_future, false)
    group by contact_id

),

facts as (

    select
        contacts.contact_id,
        contacts.account_id,
        contacts.segment,
        contacts.risk_band,
        contacts.intent_level,
        contacts.fit_grade,
        contacts.cell_motion,
        contacts.cell_sla_hours,
        contacts.cell_priority,
        contacts.is_holdout,
        contacts.is_suppressed,
        contacts.suppression_reason,
        contacts.suppression_detail,
        contacts_teams.intent_topic,
        contacts_teams.specialist_team,
        contacts_teams.regional_sdr_team,
        latest_forms.latest_form_submitted_at,
        coalesce(contacts.lifecycle_stage = 'customer', false) as is_customer,
        open_opportunity_accounts.account_id is not null as has_open_opportunity
    from contacts
    inner join contacts_teams
        on contacts.contact_id = contacts_teams.contact_id
    left join open_opportunity_accounts
        on contacts.crm_account_id = open_opportunity_accounts.account_id
    left join latest_forms
        on contacts.contact_id = latest_forms.contact_id

),

ruled as (

    select
        facts.*,
        baseline.sdr_sla_hours as baseline_sdr_sla_hours,
        baseline.sdr_priority as baseline_sdr_priority,
        baseline.nurture_priority as baseline_nurture_priority,
        teams.customer_team,
        teams.open_opportunity_team,
        teams.nurture_team,
        case
            when facts.is_suppressed then 'suppressed'
            when facts.is_customer then 'customer'
            when facts.has_open_opportunity then 'open_opportunity'
            when facts.is_holdout then 'holdout_baseline'
            else 'segment_matrix'
        end as routing_rule,
        -- The baseline works the grades of routing_baseline_grades through the regional SDR
        -- team.
        coalesce(baseline_grades.is_baseline_sdr_lead, false) as is_baseline_sdr_lead
    from facts
    cross join baseline
    cross join teams
    left join baseline_grades
        on facts.fit_grade = baseline_grades.fit_grade

),

routed as (

    select
        contact_id,
        account_id,
        segment,
        routing_rule,
        is_suppressed,
        suppression_reason,
        suppression_detail,
        is_holdout,
        risk_band,
        intent_level,
        intent_topic,
        fit_grade,
        latest_form_submitted_at,
        case routing_rule
            when 'suppressed' then 'suppressed'
            when 'customer' then 'account_management'
            when 'open_opportunity' then 'opportunity_support'
            when 'holdout_baseline'
                then case when is_baseline_sdr_lead then 'sdr_outreach' else 'education_nurture' end
            else cell_motion
        end as motion,
        case routing_rule
            when 'suppressed' then null
            when 'customer' then customer_team
            when 'open_opportunity' then open_opportunity_team
            when 'holdout_baseline'
                then case
                    when is_baseline_sdr_lead then regional_sdr_team else nurture_team
                end
            else case
                when cell_sla_hours is null then nurture_team
                else coalesce(specialist_team, regional_sdr_team)
            end
        end as owner_team,
        -- Customers and live deals keep their cell's urgency for the owner; no new SLA.
        case routing_rule
            when 'suppressed' then null
            when 'holdout_baseline'
                then case
                    when is_baseline_sdr_lead
                        then baseline_sdr_priority
                    else baseline_nurture_priority
                end
            else cell_priority
        end as priority,
        case routing_rule
            when 'holdout_baseline'
                then case when is_baseline_sdr_lead then baseline_sdr_sla_hours end
            when 'segment_matrix' then cell_sla_hours
        end as sla_hours,
        case routing_rule
            when 'suppressed'
                then {{ dbt.concat([
                    "'Suppressed ('", 'suppression_reason', "'): '", 'suppression_detail',
                ]) }}
            when 'customer'
                then 'Customer (lifecycle stage): customer success owns the relationship'
            when 'open_opportunity'
                then 'Open opportunity on the account: the account executive leads'
            when 'holdout_baseline'
                then {{ dbt.concat([
                    "'Holdout baseline: fit grade '",
                    "coalesce(fit_grade, 'unknown')",
                    "case when is_baseline_sdr_lead then ' -> regional SDR team'"
                    ~ " else ' -> marketing nurture' end",
                ]) }}
            else {{ dbt.concat([
                "'Matrix cell '", 'segment',
                "' (risk '", 'risk_band', "', intent '", 'intent_level', "')'",
                "case"
                ~ " when cell_sla_hours is null then ': no SLA -> marketing nurture'"
                ~ " when specialist_team is not null then "
                ~ dbt.concat(["': topic '", 'intent_topic', "' -> specialist team'"])
                ~ " else ': no specialist topic -> regional SDR team' end",
            ]) }}
        end as routing_reason
    from ruled

),

scheduled as (

    select
        routed.contact_id,
        routed.account_id,
        routed.segment,
        routed.motion,
        routed.owner_team,
        cast(routed.priority as integer) as priority,
        cast(routed.sla_hours as integer) as sla_hours,
        -- NULL without an SLA or without any form: there is nothing to answer.
        {{ dbt.dateadd('hour', 'routed.sla_hours', 'routed.latest_form_submitted_at') }}
            as sla_due_at,
        case when not routed.is_suppressed then motion_actions.next_action end as next_action,
        routed.routing_reason,
        routed.is_suppressed,
        routed.suppression_reason,
        routed.is_holdout,
        routed.routing_rule,
        routed.latest_form_submitted_at,
        {{ as_of_date() }} as as_of_date
    from routed
    left join motion_actions
        on routed.motion = motion_actions.motion

),

hashed as (

    select
        contact_id,
        account_id,
        segment,
        motion,
        owner_team,
        priority,
        sla_hours,
        sla_due_at,
        next_action,
        routing_reason,
        is_suppressed,
        suppression_reason,
        is_holdout,
        {{ record_hash(synced_columns) }} as record_hash,
        routing_rule,
        latest_form_submitted_at,
        as_of_date
    from scheduled

)

select * from hashed
