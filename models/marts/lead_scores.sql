-- One row per active person: the scores, the segment, qualification, the experiment group
-- (CONTRACT.md section 3) and the person's opportunity outcomes. No logic of its own: it
-- publishes int_contacts_scored, int_contacts_segmented, int_contacts_qualified and
-- int_contacts_opportunity_outcomes with the contract's types.
with

contacts_scored as (

    select * from {{ ref('int_contacts_scored') }}

),

contacts_segmented as (

    select * from {{ ref('int_contacts_segmented') }}

),

contacts_qualified as (

    select * from {{ ref('int_contacts_qualified') }}

),

opportunity_outcomes as (

    select * from {{ ref('int_contacts_opportunity_outcomes') }}

),

published as (

    select
        cast(contacts_scored.contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(contacts_scored.account_id as {{ dbt.type_string() }}) as account_id,
        cast(contacts_scored.fit_score as integer) as fit_score,
        cast(contacts_scored.fit_grade as {{ dbt.type_string() }}) as fit_grade,
        cast(contacts_scored.persona as {{ dbt.type_string() }}) as persona,
        cast(contacts_scored.risk_score as integer) as risk_score,
        cast(contacts_scored.risk_level as {{ dbt.type_string() }}) as risk_level,
        cast(contacts_scored.primary_risk_category as {{ dbt.type_string() }})
            as primary_risk_category,
        cast(contacts_scored.contact_intent_score as decimal(12, 2)) as contact_intent_score,
        cast(contacts_scored.account_intent_score as decimal(12, 2)) as account_intent_score,
        cast(contacts_scored.intent_level as {{ dbt.type_string() }}) as intent_level,
        cast(contacts_scored.intent_topic as {{ dbt.type_string() }}) as intent_topic,
        cast(contacts_scored.buying_stage as {{ dbt.type_string() }}) as buying_stage,
        cast(contacts_segmented.segment as {{ dbt.type_string() }}) as segment,
        cast(contacts_qualified.lead_status as {{ dbt.type_string() }}) as lead_status,
        cast(contacts_qualified.qualification_outcome as {{ dbt.type_string() }})
            as qualification_outcome,
        cast(contacts_scored.reason_codes as {{ dbt.type_string() }}) as reason_codes,
        cast(contacts_segmented.is_holdout as boolean) as is_holdout,
        -- Outcomes for score-versus-outcome analysis (additive to CONTRACT.md, see CHANGELOG).
        cast(opportunity_outcomes.contact_id is not null as boolean) as has_opportunity,
        cast(coalesce(opportunity_outcomes.has_won_opportunity, 0) = 1 as boolean)
            as has_won_opportunity,
        cast('{{ var("scoring_version") }}' as {{ dbt.type_string() }}) as scoring_version,
        cast({{ as_of_date() }} as date) as as_of_date
    from contacts_scored
    inner join contacts_segmented
        on contacts_scored.contact_id = contacts_segmented.contact_id
    inner join contacts_qualified
        on contacts_scored.contact_id = contacts_qualified.contact_id
    left join opportunity_outcomes
        on contacts_scored.contact_id = opportunity_outcomes.contact_id

)

select * from published
