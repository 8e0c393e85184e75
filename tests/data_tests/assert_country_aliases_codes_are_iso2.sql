-- country_aliases maps every spelling to an ISO 3166-1 alpha-2 code: two upper-case letters,
-- or routing's region teams (matched on the code) would miss the country. Fails per
-- offending alias.
with

country_aliases as (

    select * from {{ ref('country_aliases') }}

),

offending as (

    select *
    from country_aliases
    where not {{ regex_matches('country_code', '^[A-Z]{2}$') }}

)

select * from offending
