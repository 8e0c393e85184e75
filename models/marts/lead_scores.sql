-- One row per active person: the scores, the segment, qualification, the experiment group
-- (CONTRACT.md section 3) and the person's opportunity outcomes. No logic of its own: it
-- publishes int_contacts_enriched with the contract's types.
with

contacts as (

    select * from {{ ref('int_contacts_enriched') }}

),

published as (

    select
        cast(contacts.contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(contacts.account_id as {{ dbt.type_string() }}) as account_id,
        cast(contacts.fit_score as integer) as fit_score,
        cast(contacts.fit_grade as {{ dbt.type_string() }}) as fit_grade,
        cast(contacts.persona as {{ dbt.type_string() }}) as persona,
        cast(contacts.risk_score as integer) as risk_score,
        cast(contacts.risk_level as {{ dbt.type_string() }}) as risk_level,
        cast(contacts.primary_risk_category as {{ dbt.type_string() }})
            as primary_risk_category,
        cast(contacts.contact_intent_score as decimal(12, 2)) as contact_intent_score,
        cast(contacts.account_intent_score as decimal(12, 2)) as account_intent_score,
        cast(contacts.intent_level as {{ dbt.type_string() }}) as intent_level,
        cast(contacts.intent_topic as {{ dbt.type_string() }}) as intent_topic,
        cast(contacts.buying_stage as {{ dbt.type_string() }}) as buying_stage,
        cast(contacts.segment as {{ dbt.type_string() }}) as segment,
        cast(contacts.lead_status as {{ dbt.type_string() }}) as lead_status,
        cast(contacts.qualification_outcome as {{ dbt.type_string() }})
            as qualification_outcome,
        cast(contacts.reason_codes as {{ dbt.type_string() }}) as reason_codes,
        cast(contacts.is_holdout as boolean) as is_holdout,
        -- Outcomes for score-versus-outcome analysis (additive to CONTRACT.md, see CHANGELOG).
        cast(contacts.has_opportunity as boolean) as has_opportunity,
        cast(contacts.has_won_opportunity as boolean) as has_won_opportunity,
        -- The one MQL / SQL definition (int_contacts_qualified) for readers of the public
        -- marts: the report and the semantic layer (contract v1.3, see CHANGELOG).
        cast(contacts.is_marketing_qualified as boolean) as is_marketing_qualified,
        cast(contacts.is_sales_qualified as boolean) as is_sales_qualified,
        cast('{{ var("scoring_version") }}' as {{ dbt.type_string() }}) as scoring_version,
        cast({{ as_of_date() }} as date) as as_of_date
    from contacts

)

select * from published
