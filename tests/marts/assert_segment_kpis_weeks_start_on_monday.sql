-- week_start is the Monday of its own week, and no week lies after the week of as_of_date.
with

segment_kpis as (

    select * from {{ ref('segment_kpis') }}

),

misplaced as (

    select
        week_start,
        segment,
        experiment_group
    from segment_kpis
    where
        week_start != {{ week_start('week_start') }}
        or week_start > {{ as_of_date() }}

)

select * from misplaced
