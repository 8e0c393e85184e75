-- Each person's reason codes (SCORING_MODEL.md, Reason codes): every non-zero contribution
-- (intent per signal after decay and caps, shown with one decimal; fit per rule; risk per
-- signal of the person's account) ranked by absolute points as shown (ties: intent, fit,
-- risk, then code), the top three formatted and joined by `; `. One row per person with at
-- least one reason; int_contacts_scored joins it.
with

contacts as (

    select * from {{ ref('int_contacts_merged') }}

),

fit_contributions as (

    select * from {{ ref('int_contacts_fit_itemized') }}

),

risk_contributions as (

    select * from {{ ref('int_accounts_risk_itemized') }}

),

intent_signals as (

    select * from {{ ref('int_contacts_intent_decayed') }}

),

ranked_account_risks as (

    -- An account's contributions reach its people's top three only from its own top three
    -- (ranked_reasons orders one source by display_tenths, then code, as here): ranked once
    -- per account, not once per person, and only these three are joined to the people.
    select
        account_id,
        reason_code,
        points,
        cast(abs(points) * 10 as bigint) as display_tenths,
        row_number() over (
            partition by account_id
            order by cast(abs(points) * 10 as bigint) desc, reason_code asc
        ) as account_rank
    from risk_contributions
    where cast(abs(points) * 10 as bigint) > 0

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

    -- A risk contribution belongs to every person of the account (only known accounts have
    -- contributions, so a person with an unknown account gets none).
    select
        contacts.contact_id,
        3 as source_order,
        ranked_account_risks.reason_code,
        ranked_account_risks.display_tenths,
        ranked_account_risks.points
    from contacts
    inner join ranked_account_risks
        on contacts.account_id = ranked_account_risks.account_id
    where ranked_account_risks.account_rank <= 3

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
        contact_id,
        {{ dbt.concat([
            'reason_1',
            "coalesce(" ~ dbt.concat(["'; '", 'reason_2']) ~ ", '')",
            "coalesce(" ~ dbt.concat(["'; '", 'reason_3']) ~ ", '')",
        ]) }} as reason_codes
    from reason_lists

)

select * from joined
