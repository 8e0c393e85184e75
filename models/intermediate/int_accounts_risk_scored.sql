-- Risk, per account: the score (sum of its contributions), how many of the ten risk inputs
-- are known, the level (`unknown` below the configured minimum of known inputs; the score is
-- still reported) and the category with the most points (configured tie order).
with

accounts as (

    select * from {{ staged_relation('stg', 'accounts') }}

),

risk_contributions as (

    select * from {{ ref('int_accounts_risk_itemized') }}

),

risk_levels as (

    select * from {{ ref('scoring_risk_levels') }}

),

risk_categories as (

    select * from {{ ref('scoring_risk_categories') }}

),

parameters as (

    select * from {{ ref('scoring_parameters') }}

),

min_known_inputs as (

    select {{ parameter_value('scoring_parameters', 'risk_min_known_inputs') }} as min_known_inputs
    from parameters

),

known_inputs as (

    -- The ten inputs of the spec (risk_known_inputs).
    select
        accounts.account_id,
        {{ risk_known_inputs('accounts') }} as risk_known_inputs
    from accounts

),

risk_totals as (

    select
        account_id,
        cast(sum(points) as integer) as risk_score
    from risk_contributions
    group by account_id

),

category_totals as (

    select
        account_id,
        risk_category,
        cast(sum(points) as integer) as category_points
    from risk_contributions
    group by
        account_id,
        risk_category

),

ranked_categories as (

    select
        category_totals.account_id,
        category_totals.risk_category,
        row_number() over (
            partition by category_totals.account_id
            order by
                category_totals.category_points desc,
                risk_categories.tie_break_order asc nulls last,
                category_totals.risk_category asc
        ) as category_rank
    from category_totals
    left join risk_categories
        on category_totals.risk_category = risk_categories.risk_category

),

scored as (

    select
        accounts.account_id,
        known_inputs.risk_known_inputs,
        coalesce(risk_totals.risk_score, 0) as risk_score,
        case
            when risk_totals.risk_score > 0 then ranked_categories.risk_category
        end as primary_risk_category
    from accounts
    inner join known_inputs
        on accounts.account_id = known_inputs.account_id
    left join risk_totals
        on accounts.account_id = risk_totals.account_id
    left join ranked_categories
        on
            accounts.account_id = ranked_categories.account_id
            and ranked_categories.category_rank = 1

),

leveled as (

    select
        scored.account_id,
        scored.risk_score,
        {{ risk_level('scored') }} as risk_level,
        scored.primary_risk_category,
        scored.risk_known_inputs
    from scored
    cross join min_known_inputs

)

select * from leveled
