-- Everything a mart needs per active person: fit, the account's risk (a person without a
-- known account has risk `unknown`), intent (own, and the account's: the sum over its
-- people, rolled up here where it is joined) and the reason codes (int_reason_codes_ranked),
-- joined on the person.
with

fit_scored as (

    select * from {{ ref('int_contacts_fit_scored') }}

),

risk_scored as (

    select * from {{ ref('int_accounts_risk_scored') }}

),

risk_levels as (

    select * from {{ ref('scoring_risk_levels') }}

),

intent_scored as (

    select * from {{ ref('int_contacts_intent_scored') }}

),

reason_codes as (

    select * from {{ ref('int_reason_codes_ranked') }}

),

account_intent as (

    -- Intent per known account: the sum of its active people's contact_intent_score (each
    -- already rounded to 2 decimals). A person of an unknown account counts nowhere.
    select
        fit_scored.account_id,
        cast(round(sum(intent_scored.contact_intent_score), 2) as decimal(18, 2))
            as account_intent_score
    from fit_scored
    inner join intent_scored
        on fit_scored.contact_id = intent_scored.contact_id
    where fit_scored.account_id is not null
    group by fit_scored.account_id

),

joined as (

    select  -- noqa: ST06
        fit_scored.contact_id,
        fit_scored.account_id,
        fit_scored.persona,
        fit_scored.fit_score,
        fit_scored.fit_grade,
        fit_scored.is_free_email,
        fit_scored.is_competitor,
        risk_scored.risk_score,
        coalesce(risk_scored.risk_level, 'unknown') as risk_level,
        risk_scored.primary_risk_category,
        coalesce(risk_scored.risk_known_inputs, 0) as risk_known_inputs,
        intent_scored.contact_intent_score,
        account_intent.account_intent_score,
        intent_scored.intent_level,
        intent_scored.intent_topic,
        intent_scored.buying_stage,
        reason_codes.reason_codes,
        intent_scored.has_unsubscribe_event,
        intent_scored.has_bounce_event,
        intent_scored.future_events_excluded
    from fit_scored
    left join risk_scored
        on fit_scored.account_id = risk_scored.account_id
    inner join intent_scored
        on fit_scored.contact_id = intent_scored.contact_id
    left join account_intent
        on fit_scored.account_id = account_intent.account_id
    left join reason_codes
        on fit_scored.contact_id = reason_codes.contact_id

),

banded as (

    -- Columns in the interface order of docs/architecture.md.
    select  -- noqa: ST06
        joined.contact_id,
        joined.account_id,
        joined.persona,
        joined.fit_score,
        joined.fit_grade,
        joined.is_free_email,
        joined.is_competitor,
        joined.risk_score,
        joined.risk_level,
        -- `unknown` (too few inputs, or no account) is not a scored level: its own band.
        coalesce(risk_levels.risk_band, 'unknown') as risk_band,
        joined.primary_risk_category,
        joined.risk_known_inputs,
        joined.contact_intent_score,
        joined.account_intent_score,
        joined.intent_level,
        joined.intent_topic,
        joined.buying_stage,
        joined.reason_codes,
        joined.has_unsubscribe_event,
        joined.has_bounce_event,
        joined.future_events_excluded
    from joined
    left join risk_levels
        on joined.risk_level = risk_levels.risk_level

)

select * from banded
