-- Every motion of the segment matrix seed has a next action in routing_motion_actions, so a
-- RevOps edit that adds a motion cannot publish people without one.
with

segment_matrix as (

    select * from {{ ref('scoring_segment_matrix') }}

),

motion_actions as (

    select * from {{ ref('routing_motion_actions') }}

),

missing as (

    select
        segment_matrix.segment,
        segment_matrix.motion
    from segment_matrix
    left join motion_actions
        on segment_matrix.motion = motion_actions.motion
    where motion_actions.motion is null

)

select * from missing
