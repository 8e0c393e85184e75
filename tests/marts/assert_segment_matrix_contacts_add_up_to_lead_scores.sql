-- Each matrix cell's contacts equal the lead_scores rows of its segment, so the cells add up
-- to every scored person (none lost to a missing cell, none counted twice). Returns the
-- segments where the counts differ, and a row for lead_scores segments missing from the
-- matrix.
with

segment_matrix as (

    select * from {{ ref('segment_matrix') }}

),

lead_scores as (

    select * from {{ ref('lead_scores') }}

),

scored_per_segment as (

    select
        segment,
        count(*) as lead_scores_rows
    from lead_scores
    group by segment

),

compared as (

    select
        coalesce(segment_matrix.segment, scored_per_segment.segment) as segment,
        coalesce(segment_matrix.contacts, 0) as matrix_contacts,
        coalesce(scored_per_segment.lead_scores_rows, 0) as lead_scores_rows
    from segment_matrix
    full outer join scored_per_segment
        on segment_matrix.segment = scored_per_segment.segment

),

mismatched as (

    select * from compared
    where matrix_contacts != lead_scores_rows

)

select * from mismatched
