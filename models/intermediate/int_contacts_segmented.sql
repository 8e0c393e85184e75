-- Each active person's cell of the segment matrix (risk band x intent level) and experiment
-- group. The segment is the matrix cell for everyone, suppressed people included: routing
-- decides what is done with it, the segment says where the person stands.
with

contacts_scored as (

    select * from {{ ref('int_contacts_scored') }}

),

segment_matrix as (

    select * from {{ ref('scoring_segment_matrix') }}

),

experiment_groups as (

    select * from {{ ref('routing_experiment_groups') }}

),

segmented as (

    select
        contacts_scored.contact_id,
        contacts_scored.account_id,
        contacts_scored.risk_band,
        contacts_scored.intent_level,
        contacts_scored.intent_topic,
        contacts_scored.fit_grade,
        segment_matrix.segment,
        segment_matrix.motion as cell_motion,
        segment_matrix.sla_hours as cell_sla_hours,
        segment_matrix.priority as cell_priority,
        -- md5 buckets are stable across runs and engines: nobody switches group.
        {{ holdout_bucket('contacts_scored.contact_id') }} < {{ var('holdout_pct') }}
            as is_holdout
    from contacts_scored
    left join segment_matrix
        on
            contacts_scored.risk_band = segment_matrix.risk_band
            and contacts_scored.intent_level = segment_matrix.intent_level

),

grouped as (

    select
        segmented.contact_id,
        segmented.account_id,
        segmented.risk_band,
        segmented.intent_level,
        segmented.intent_topic,
        segmented.fit_grade,
        segmented.segment,
        segmented.cell_motion,
        segmented.cell_sla_hours,
        segmented.cell_priority,
        segmented.is_holdout,
        experiment_groups.experiment_group,
        {{ as_of_date() }} as as_of_date
    from segmented
    left join experiment_groups
        on segmented.is_holdout = experiment_groups.is_holdout

)

select * from grouped
