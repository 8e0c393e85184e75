-- Segment history as events, from contact_segments_snapshot. Steps: order each person's
-- periods by valid_from; a period that starts where the previous one ended is a change of
-- segment (`changed`), any other start is an entry (`entered`: the first period, or a
-- return after leaving); a closed period with no period starting at its end is an exit
-- (`exited`). transitioned_at is on the snapshot clock: when the run that saw it started.
with

segment_periods as (

    select * from {{ ref('contact_segments_snapshot') }}

),

sequenced as (

    select
        contact_id,
        segment,
        valid_from,
        valid_to,
        lag(segment) over (partition by contact_id order by valid_from) as previous_segment,
        coalesce(
            lag(valid_to) over (partition by contact_id order by valid_from) = valid_from,
            false
        ) as continues_previous,
        lead(valid_from) over (partition by contact_id order by valid_from) as next_valid_from
    from segment_periods

),

starts as (

    select
        contact_id,
        case when continues_previous then previous_segment end as from_segment,
        segment as to_segment,
        valid_from as transitioned_at,
        case when continues_previous then 'changed' else 'entered' end as transition_type
    from sequenced
    -- a period continuing the previous one in the same segment is no transition
    where not continues_previous or coalesce(previous_segment != segment, true)

),

exits as (

    select
        contact_id,
        segment as from_segment,
        cast(null as {{ dbt.type_string() }}) as to_segment,
        valid_to as transitioned_at,
        'exited' as transition_type
    from sequenced
    where
        valid_to is not null
        and (next_valid_from is null or next_valid_from != valid_to)

),

transitions as (

    select * from starts
    union all
    select * from exits

),

identified as (

    select
        cast(
            {{ dbt.hash(dbt.concat([
                'contact_id', "'|'", 'transition_type', "'|'",
                "cast(transitioned_at as " ~ dbt.type_string() ~ ")",
            ])) }} as {{ dbt.type_string() }}
        ) as transition_id,
        cast(contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(transition_type as {{ dbt.type_string() }}) as transition_type,
        cast(from_segment as {{ dbt.type_string() }}) as from_segment,
        cast(to_segment as {{ dbt.type_string() }}) as to_segment,
        cast(transitioned_at as timestamp) as transitioned_at
    from transitions

)

select * from identified
