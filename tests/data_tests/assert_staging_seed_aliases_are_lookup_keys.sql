-- The staging alias seeds are joined on normalize_lookup_key(free text) = alias, so an alias
-- not written in that form (upper case, a dot, double spaces) could never match. Fails for
-- each such alias.
with

country_aliases as (

    select * from {{ ref('country_aliases') }}

),

industry_aliases as (

    select * from {{ ref('industry_aliases') }}

),

framework_aliases as (

    select * from {{ ref('framework_aliases') }}

),

aliases as (

    select
        'country_aliases' as seed_name,
        alias
    from country_aliases
    union all
    select
        'industry_aliases' as seed_name,
        alias
    from industry_aliases
    union all
    select
        'framework_aliases' as seed_name,
        alias
    from framework_aliases

),

not_lookup_keys as (

    select
        seed_name,
        alias,
        {{ normalize_lookup_key('alias') }} as lookup_key
    from aliases
    where
        alias is null
        or {{ normalize_lookup_key('alias') }} is null
        or alias <> {{ normalize_lookup_key('alias') }}

)

select * from not_lookup_keys
