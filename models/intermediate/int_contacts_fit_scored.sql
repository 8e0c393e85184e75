-- Fit, per person: the sum of the rule contributions clamped to 0..100 (0 for a competitor),
-- the grade from the configured thresholds, the persona and the two fit flags.
with

contacts as (

    select * from {{ ref('int_contacts_merged') }}

),

accounts as (

    select * from {{ staged_relation('stg', 'accounts') }}

),

fit_contributions as (

    select * from {{ ref('int_contacts_fit_itemized') }}

),

personas as (

    select * from {{ ref('scoring_fit_personas') }}

),

fit_grades as (

    select * from {{ ref('scoring_fit_grades') }}

),

contribution_totals as (

    -- fit_points: every rule but the competitor override, before clamping.
    select
        contact_id,
        cast(
            sum(case when dimension <> 'competitor' then points else 0 end) as integer
        ) as fit_points,
        sum(case when dimension = 'competitor' then points else 0 end) as competitor_points,
        max(case when dimension = 'persona' then reason_code end) as persona_reason_code,
        max(case when dimension = 'free_email' then 1 else 0 end) = 1 as is_free_email,
        max(case when dimension = 'competitor' then 1 else 0 end) = 1 as is_competitor
    from fit_contributions
    group by contact_id

),

fit_scores as (

    select
        contacts.contact_id,
        accounts.account_id,
        personas.persona,
        contribution_totals.fit_points,
        contribution_totals.is_free_email,
        contribution_totals.is_competitor,
        -- The competitor row turns the clamped sum into the forced score (0).
        {{ fit_score(
            'contribution_totals.fit_points',
            'contribution_totals.competitor_points',
        ) }} as fit_score
    from contacts
    left join accounts
        on contacts.account_id = accounts.account_id
    inner join contribution_totals
        on contacts.contact_id = contribution_totals.contact_id
    inner join personas
        on contribution_totals.persona_reason_code = personas.reason_code

),

graded as (

    select
        contact_id,
        account_id,
        persona,
        fit_points,
        fit_score,
        {{ score_to_level(
            'fit_score',
            'fit_grades',
            levels=['A', 'B', 'C', 'D'],
            level_column='fit_grade',
        ) }} as fit_grade,
        is_free_email,
        is_competitor
    from fit_scores

)

select * from graded
