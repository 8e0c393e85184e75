-- Every active person (int_contacts_merged) has exactly one lead_scores row and exactly one
-- lead_routing row, and neither mart holds anyone else. Returns each person whose row
-- counts differ from 1 / 1 / 1.
with

contacts as (

    select * from {{ ref('int_contacts_merged') }}

),

lead_scores as (

    select * from {{ ref('lead_scores') }}

),

lead_routing as (

    select * from {{ ref('lead_routing') }}

),

rows_per_person as (

    select
        contact_id,
        1 as person_rows,
        0 as score_rows,
        0 as routing_rows
    from contacts
    union all
    select
        contact_id,
        0 as person_rows,
        1 as score_rows,
        0 as routing_rows
    from lead_scores
    union all
    select
        contact_id,
        0 as person_rows,
        0 as score_rows,
        1 as routing_rows
    from lead_routing

),

counted as (

    select
        contact_id,
        sum(person_rows) as person_rows,
        sum(score_rows) as score_rows,
        sum(routing_rows) as routing_rows
    from rows_per_person
    group by contact_id

),

mismatched as (

    select * from counted
    where person_rows != 1 or score_rows != 1 or routing_rows != 1

)

select * from mismatched
