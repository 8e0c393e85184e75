-- country_aliases repeats country_code and region on every spelling: each code must be two
-- upper-case letters and carry a single region, or a country's routing would depend on how
-- it was spelled. Fails per offending country_code.
with

country_aliases as (

    select * from {{ ref('country_aliases') }}

),

codes as (

    select
        country_code,
        count(distinct region) as regions
    from country_aliases
    group by country_code

),

offending as (

    select *
    from codes
    where
        regions <> 1
        or not {{ regex_matches('country_code', '^[A-Z]{2}$') }}

)

select * from offending
