{#-
    Fit as of each backtest date T, in long form: one row per as_of_date x person x rule that
    applies, from the person's and account's versions at T. The rules, their order and their
    points are the shipped model's (the seeds of int_contacts_fit_contributions, the same
    steps): industry tier (always one row), size band, persona (always one row: first match
    in match_order, else `other`), target region, free-mail penalty, and for competitors the
    row that takes the clamped sum back to 0. tests/end_to_end/test_backtest.py checks that
    scoring as of the run's own date gives the shipped scores for every person.
-#}

with

people_at_dates as (

    select * from {{ ref('int_backtest_contacts_as_of') }}

),

accounts_at_dates as (

    select * from {{ ref('int_backtest_accounts_as_of') }}

),

industry_tiers as (

    select * from {{ ref('scoring_fit_industry_tiers') }}

),

industries as (

    select * from {{ ref('scoring_fit_industries') }}

),

size_bands as (

    select * from {{ ref('scoring_fit_size_bands') }}

),

personas as (

    select * from {{ ref('scoring_fit_personas') }}

),

persona_keywords as (

    select * from {{ ref('scoring_fit_persona_keywords') }}

),

fit_rules as (

    select * from {{ ref('scoring_fit_rules') }}

),

target_countries as (

    select * from {{ ref('scoring_fit_target_countries') }}

),

free_email_domains as (

    select * from {{ ref('scoring_fit_free_email_domains') }}

),

competitor_domains as (

    select * from {{ ref('scoring_fit_competitor_domains') }}

),

people as (

    select
        people_at_dates.as_of_date,
        people_at_dates.contact_id,
        people_at_dates.job_title_clean,
        people_at_dates.email_domain,
        accounts_at_dates.industry,
        accounts_at_dates.employee_count,
        accounts_at_dates.website_domain,
        coalesce(people_at_dates.country_code, accounts_at_dates.country_code) as country_code
    from people_at_dates
    left join accounts_at_dates
        on
            people_at_dates.as_of_date = accounts_at_dates.as_of_date
            and people_at_dates.account_id = accounts_at_dates.account_id

),

people_industry_tiers as (

    select
        people.as_of_date,
        people.contact_id,
        case
            when people.industry is null then 'unknown'
            else coalesce(industries.industry_tier, 'other')
        end as industry_tier
    from people
    left join industries
        on people.industry = industries.industry

),

industry_contributions as (

    select
        people_industry_tiers.as_of_date,
        people_industry_tiers.contact_id,
        'industry' as dimension,
        industry_tiers.reason_code,
        industry_tiers.points
    from people_industry_tiers
    inner join industry_tiers
        on people_industry_tiers.industry_tier = industry_tiers.industry_tier

),

size_matches as (

    select
        people.as_of_date,
        people.contact_id,
        size_bands.reason_code,
        size_bands.points,
        row_number() over (
            partition by people.as_of_date, people.contact_id
            order by size_bands.min_employees desc
        ) as band_rank
    from people
    inner join size_bands
        on people.employee_count >= size_bands.min_employees

),

size_contributions as (

    select
        as_of_date,
        contact_id,
        'size' as dimension,
        reason_code,
        points
    from size_matches
    where band_rank = 1

),

job_titles as (

    select distinct job_title_clean
    from people
    where job_title_clean is not null

),

persona_matches as (

    select
        job_titles.job_title_clean,
        personas.reason_code,
        personas.points,
        row_number() over (
            partition by job_titles.job_title_clean
            order by personas.match_order, personas.persona
        ) as match_rank
    from job_titles
    inner join persona_keywords
        on {{ matches_whole_word('job_titles.job_title_clean', 'persona_keywords.keyword') }}
    inner join personas
        on persona_keywords.persona = personas.persona

),

fallback_persona as (

    select
        reason_code,
        points
    from personas
    where persona = 'other'

),

persona_contributions as (

    select
        people.as_of_date,
        people.contact_id,
        'persona' as dimension,
        coalesce(persona_matches.reason_code, fallback_persona.reason_code) as reason_code,
        coalesce(persona_matches.points, fallback_persona.points) as points
    from people
    cross join fallback_persona
    left join persona_matches
        on
            people.job_title_clean = persona_matches.job_title_clean
            and persona_matches.match_rank = 1

),

region_contributions as (

    select
        people.as_of_date,
        people.contact_id,
        'region' as dimension,
        fit_rules.reason_code,
        fit_rules.points
    from people
    inner join target_countries
        on people.country_code = target_countries.country_code
    inner join fit_rules
        on fit_rules.rule = 'region_target'

),

free_email_contributions as (

    select
        people.as_of_date,
        people.contact_id,
        'free_email' as dimension,
        fit_rules.reason_code,
        fit_rules.points
    from people
    inner join free_email_domains
        on people.email_domain = free_email_domains.email_domain
    inner join fit_rules
        on fit_rules.rule = 'free_email'

),

rule_contributions as (

    select * from industry_contributions
    union all
    select * from size_contributions
    union all
    select * from persona_contributions
    union all
    select * from region_contributions
    union all
    select * from free_email_contributions

),

competitors as (

    select distinct
        people.as_of_date,
        people.contact_id
    from people
    inner join competitor_domains
        on
            people.email_domain = competitor_domains.domain
            or people.website_domain = competitor_domains.domain

),

competitor_contributions as (

    select
        competitors.as_of_date,
        competitors.contact_id,
        'competitor' as dimension,
        fit_rules.reason_code,
        cast(
            fit_rules.points - {{ clamp('sum(rule_contributions.points)', 0, 100) }} as integer
        ) as points
    from competitors
    inner join rule_contributions
        on
            competitors.as_of_date = rule_contributions.as_of_date
            and competitors.contact_id = rule_contributions.contact_id
    inner join fit_rules
        on fit_rules.rule = 'competitor'
    group by
        competitors.as_of_date,
        competitors.contact_id,
        fit_rules.reason_code,
        fit_rules.points

),

contributions as (

    select * from rule_contributions
    union all
    select * from competitor_contributions

)

select * from contributions
