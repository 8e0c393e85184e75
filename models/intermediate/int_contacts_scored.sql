-- Everything a mart needs per active person: fit, the account's risk (a person without a
-- known account has risk `unknown`), intent (own and account) and the reason codes. Steps:
-- gather every non-zero contribution (intent per signal after decay and caps, shown with one
-- decimal; fit per rule; risk per signal of the account), rank them by absolute points as
-- shown (ties: intent, fit, risk, then code), keep the top three, then join the scores.
with

fit_scored as (

    select * from {{ ref('int_contacts_fit_scored') }}

),

fit_contributions as (

    select * from {{ ref('int_contacts_fit_contributions') }}

),

risk_scored as (

    select * from {{ ref('int_accounts_risk_scored') }}

),

risk_contributions as (

    select * from {{ ref('int_accounts_risk_contributions') }}

),

risk_levels as (

    select * from {{ ref('scoring_risk_levels') }}

),

intent_scored as (

    select * from {{ ref('int_contacts_intent_scored') }}

),

intent_signals as (

    select * from {{ ref('int_contacts_intent_signals') }}

),

account_intent as (

    select * from {{ ref('int_accounts_intent_rolled_up') }}

),

contributions as (

    -- display_tenths: absolute points as shown, in tenths (an integer), so ranking and the
    -- zero test use exactly the number the user reads. The reason text is formatted for the
    -- three kept per person only (formatting every contribution cost more than ranking it).
    select
        contact_id,
        1 as source_order,
        {{ dbt.concat(["'intent:'", 'signal']) }} as reason_code,
        cast(round(abs(decayed_points) * 10, 0) as bigint) as display_tenths,
        decayed_points as points
    from intent_signals

    union all

    select
        contact_id,
        2 as source_order,
        reason_code,
        cast(abs(points) * 10 as bigint) as display_tenths,
        points
    from fit_contributions

    union all

    select
        fit_scored.contact_id,
        3 as source_order,
        risk_contributions.reason_code,
        cast(abs(risk_contributions.points) * 10 as bigint) as display_tenths,
        risk_contributions.points
    from fit_scored
    inner join risk_contributions
        on fit_scored.account_id = risk_contributions.account_id

),

ranked_reasons as (

    select
        contact_id,
        source_order,
        reason_code,
        points,
        row_number() over (
            partition by contact_id
            order by display_tenths desc, source_order asc, reason_code asc
        ) as reason_rank
    from contributions
    where display_tenths > 0

),

top_reasons as (

    -- Intent points are shown with one decimal (they decay), fit and risk points whole.
    select
        contact_id,
        reason_rank,
        case
            when source_order = 1
                then {{ format_reason_code('reason_code', 'points', 1) }}
            else {{ format_reason_code('reason_code', 'points') }}
        end as reason
    from ranked_reasons
    where reason_rank <= 3

),

reason_lists as (

    select
        contact_id,
        max(case when reason_rank = 1 then reason end) as reason_1,
        max(case when reason_rank = 2 then reason end) as reason_2,
        max(case when reason_rank = 3 then reason end) as reason_3
    from top_reasons
    group by contact_id

),

joined as (

    select
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
        {{ dbt.concat([
            'reason_lists.reason_1',
            "coalesce(" ~ dbt.concat(["'; '", 'reason_lists.reason_2']) ~ ", '')",
            "coalesce(" ~ dbt.concat(["'; '", 'reason_lists.reason_3']) ~ ", '')",
        ]) }} as reason_codes,
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
    left join reason_lists
        on fit_scored.contact_id = reason_lists.contact_id

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
