-- The engine's hex_to_bigint (dispatched) and the portable default agree with known values
-- and with each other on every person's md5 prefix, so holdout buckets are the same on any
-- engine. Returns the disagreeing inputs.
{%- set prefix = "substr(" ~ dbt.hash("contact_id") ~ ", 1, 8)" %}
with

contacts_segmented as (

    select * from {{ ref('int_contacts_segmented') }}

),

known_values as (

    select
        '00000000' as hex_text,
        cast(0 as bigint) as expected_value
    union all
    select
        '000000ff' as hex_text,
        cast(255 as bigint) as expected_value
    union all
    select
        'ABCDEF12' as hex_text,
        cast(2882400018 as bigint) as expected_value
    union all
    select
        'ffffffff' as hex_text,
        cast(4294967295 as bigint) as expected_value

),

known_checked as (

    select
        hex_text,
        expected_value,
        {{ hex_to_bigint('hex_text') }} as engine_value,
        {{ lead_segmentation.default__hex_to_bigint('hex_text') }} as portable_value
    from known_values

),

-- The md5 prefix once per person, then read both ways: spelled inline, the portable sum
-- computed md5 once per digit (nine md5s per person, ~1.7 s at scale 25).
people_prefixes as (

    select {{ prefix }} as hex_text
    from contacts_segmented

),

people_checked as (

    select
        hex_text,
        {{ hex_to_bigint('hex_text') }} as expected_value,
        {{ hex_to_bigint('hex_text') }} as engine_value,
        {{ lead_segmentation.default__hex_to_bigint('hex_text') }} as portable_value
    from people_prefixes

),

disagreeing as (

    select * from known_checked
    where engine_value != expected_value or portable_value != expected_value
    union all
    select * from people_checked
    where engine_value != portable_value

)

select * from disagreeing
