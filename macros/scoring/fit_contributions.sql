{#- Fit in long form, one query for the daily model (int_contacts_fit_itemized) and the
    backtest (int_backtest_fit_contributions): one row per key x rule that applies, columns
    keys..., dimension, reason_code, points. `people` names a relation or CTE with the keys
    and job_title_clean, email_domain, industry, employee_count, website_domain,
    country_code (the person's, else the account's). `keys` are the row keys: contact_id for
    the daily model, as_of_date and contact_id for the backtest. Steps: the industry tier
    (always one row: unknown industry is a 0-point rule); the size band; the persona (always
    one row: the first match in match_order, else `other`); the target region; the free-mail
    penalty; and for competitors a row that takes away whatever the other rules gave,
    because the spec forces a competitor's fit to 0. -#}
{% macro fit_contributions(people, keys=['contact_id']) -%}
    {%- set people_keys = [] -%}
    {%- for key in keys -%}{%- do people_keys.append(people ~ '.' ~ key) -%}{%- endfor -%}
    with

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

    people_industry_tiers as (

        -- A known industry missing from the tier map counts as `other` (spec: any other known
        -- industry); no industry at all is `unknown`.
        select
            {{ people_keys | join(',\n            ') }},
            case
                when {{ people }}.industry is null then 'unknown'
                else coalesce(industries.industry_tier, 'other')
            end as industry_tier
        from {{ people }}
        left join industries
            on {{ people }}.industry = industries.industry

    ),

    industry_contributions as (

        select
            {%- for key in keys %}
            people_industry_tiers.{{ key }},
            {%- endfor %}
            'industry' as dimension,
            industry_tiers.reason_code,
            industry_tiers.points
        from people_industry_tiers
        inner join industry_tiers
            on people_industry_tiers.industry_tier = industry_tiers.industry_tier

    ),

    size_matches as (

        -- A band runs from its min_employees to the next band's; below the smallest band, and
        -- for unknown or invalid counts (NULL in staging), no band applies (0 points). Matched
        -- per distinct employee count, not per person: the `>=` join is a nested loop and
        -- people share their account's count.
        select
            employee_counts.employee_count,
            size_bands.reason_code,
            size_bands.points,
            row_number() over (
                partition by employee_counts.employee_count
                order by size_bands.min_employees desc
            ) as band_rank
        from (
            select distinct employee_count
            from {{ people }}
            where employee_count is not null
        ) as employee_counts
        inner join size_bands
            on employee_counts.employee_count >= size_bands.min_employees

    ),

    size_contributions as (

        select
            {{ people_keys | join(',\n            ') }},
            'size' as dimension,
            size_matches.reason_code,
            size_matches.points
        from {{ people }}
        inner join size_matches
            on
                {{ people }}.employee_count = size_matches.employee_count
                and size_matches.band_rank = 1

    ),

    job_titles as (

        select distinct job_title_clean
        from {{ people }}
        where job_title_clean is not null

    ),

    persona_matches as (

        -- Whole-word keyword matches; the persona earliest in match_order wins. Matched per
        -- distinct title, not per person: a `like` of every title against every keyword is a
        -- nested loop, and titles repeat (102 titles for 500,000 people at scale 25).
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
            {{ people_keys | join(',\n            ') }},
            'persona' as dimension,
            coalesce(persona_matches.reason_code, fallback_persona.reason_code) as reason_code,
            coalesce(persona_matches.points, fallback_persona.points) as points
        from {{ people }}
        cross join fallback_persona
        left join persona_matches
            on
                {{ people }}.job_title_clean = persona_matches.job_title_clean
                and persona_matches.match_rank = 1

    ),

    region_contributions as (

        select
            {{ people_keys | join(',\n            ') }},
            'region' as dimension,
            fit_rules.reason_code,
            fit_rules.points
        from {{ people }}
        inner join target_countries
            on {{ people }}.country_code = target_countries.country_code
        inner join fit_rules
            on fit_rules.rule = 'region_target'

    ),

    free_email_contributions as (

        -- email_domain is NULL for an invalid email: no penalty can apply then.
        select
            {{ people_keys | join(',\n            ') }},
            'free_email' as dimension,
            fit_rules.reason_code,
            fit_rules.points
        from {{ people }}
        inner join free_email_domains
            on {{ people }}.email_domain = free_email_domains.email_domain
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
            {{ people_keys | join(',\n            ') }}
        from {{ people }}
        inner join competitor_domains
            on
                {{ people }}.email_domain = competitor_domains.domain
                or {{ people }}.website_domain = competitor_domains.domain

    ),

    competitor_contributions as (

        -- The competitor rule's points are the fit score a competitor is forced to (0). Its
        -- row carries that minus the clamped sum of the other rules, so the clamped sum plus
        -- this row is the forced score, and the reason reads e.g. `fit:competitor(-55)`.
        select
            {%- for key in keys %}
            competitors.{{ key }},
            {%- endfor %}
            'competitor' as dimension,
            fit_rules.reason_code,
            cast(
                fit_rules.points - {{ clamp('sum(rule_contributions.points)', 0, 100) }}
                as integer
            ) as points
        from competitors
        inner join rule_contributions
            on
                {%- for key in keys %}
                {% if not loop.first %}and {% endif -%}
                competitors.{{ key }} = rule_contributions.{{ key }}
                {%- endfor %}
        inner join fit_rules
            on fit_rules.rule = 'competitor'
        group by
            {%- for key in keys %}
            competitors.{{ key }},
            {%- endfor %}
            fit_rules.reason_code,
            fit_rules.points

    ),

    contributions as (

        select * from rule_contributions
        union all
        select * from competitor_contributions

    )

    select * from contributions
{%- endmacro %}
