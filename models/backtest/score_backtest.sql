{#-
    Does the score predict pipeline? Per backtest date T, score and outcome: how the people
    who were leads or MQLs at T did in the horizon after T (int_backtest_outcomes_scored),
    overall, by decile of the score at T and, for the segment, by matrix cell; with the
    rank-based AUC and the top decile's lift, and for the shipped MQL rule its precision and
    recall.
    Steps:
      1. deciles: ntile(10) over the score (ties split by contact_id, so the split is
         reproducible), decile 10 the highest scores;
      2. AUC = P(score of a random positive > score of a random negative), ties counting 1/2:
         per distinct score value, the negatives below it plus half the tied ones;
      3. rows per bucket, rates and lift against the overall rate of (T, score, outcome).
-#}

with

as_of_dates as (

    select * from {{ ref('int_backtest_as_of_dates') }}

),

outcomes_long as (

    select * from {{ ref('int_backtest_outcomes_scored') }}

),

deciled as (

    select
        *,
        ntile(10) over (
            partition by as_of_date, score_name, outcome
            order by score_value asc, contact_id asc
        ) as decile
    from outcomes_long

),

value_groups as (

    select
        as_of_date,
        score_name,
        outcome,
        score_value,
        count(*) as people,
        sum(is_positive) as positives
    from outcomes_long
    group by 1, 2, 3, 4

),

value_groups_ranked as (

    select
        *,
        coalesce(
            sum(people - positives) over (
                partition by as_of_date, score_name, outcome
                order by score_value asc
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as negatives_below
    from value_groups

),

overall as (

    select
        as_of_date,
        score_name,
        outcome,
        sum(people) as people,
        sum(positives) as positives,
        case
            when sum(positives) > 0 and sum(people - positives) > 0
                then
                    sum(positives * (negatives_below + 0.5 * (people - positives)))
                    / (cast(sum(positives) as double) * sum(people - positives))
        end as auc
    from value_groups_ranked
    group by 1, 2, 3

),

pipeline_totals as (

    select
        as_of_date,
        score_name,
        outcome,
        sum(pipeline_usd) as pipeline_usd
    from outcomes_long
    group by 1, 2, 3

),

decile_buckets as (

    select
        as_of_date,
        score_name,
        outcome,
        'decile' as bucket_type,
        lpad(cast(decile as {{ dbt.type_string() }}), 2, '0') as bucket,
        count(*) as people,
        sum(is_positive) as positives,
        sum(pipeline_usd) as pipeline_usd
    from deciled
    where score_name <> 'mql_rule'
    group by 1, 2, 3, 4, 5

),

cell_buckets as (

    select
        as_of_date,
        score_name,
        outcome,
        'cell' as bucket_type,
        coalesce(segment, 'unknown') as bucket,
        count(*) as people,
        sum(is_positive) as positives,
        sum(pipeline_usd) as pipeline_usd
    from outcomes_long
    where score_name = 'segment'
    group by 1, 2, 3, 4, 5

),

flag_buckets as (

    select
        as_of_date,
        score_name,
        outcome,
        'flag' as bucket_type,
        case when score_value = 1 then 'mql' else 'not_mql' end as bucket,
        count(*) as people,
        sum(is_positive) as positives,
        sum(pipeline_usd) as pipeline_usd
    from outcomes_long
    where score_name = 'mql_rule'
    group by 1, 2, 3, 4, 5

),

overall_buckets as (

    select
        overall.as_of_date,
        overall.score_name,
        overall.outcome,
        'overall' as bucket_type,
        'all' as bucket,
        overall.people,
        overall.positives,
        pipeline_totals.pipeline_usd
    from overall
    inner join pipeline_totals
        on
            overall.as_of_date = pipeline_totals.as_of_date
            and overall.score_name = pipeline_totals.score_name
            and overall.outcome = pipeline_totals.outcome

),

buckets as (

    select * from overall_buckets
    union all
    select * from decile_buckets
    union all
    select * from cell_buckets
    union all
    select * from flag_buckets

),

top_deciles as (

    select
        as_of_date,
        score_name,
        outcome,
        positives,
        people
    from decile_buckets
    where bucket = '10'

),

mql_flags as (

    select
        as_of_date,
        outcome,
        positives as mql_positives,
        people as mqls
    from flag_buckets
    where bucket = 'mql'

),

final as (

    select
        buckets.as_of_date,
        as_of_dates.horizon_days,
        as_of_dates.is_horizon_complete,
        buckets.score_name,
        buckets.outcome,
        buckets.bucket_type,
        buckets.bucket,
        cast(buckets.people as bigint) as people,
        cast(buckets.positives as bigint) as positives,
        cast(buckets.positives as double) / buckets.people as rate,
        case
            when overall.positives > 0
                then
                    (cast(buckets.positives as double) / buckets.people)
                    / (cast(overall.positives as double) / overall.people)
        end as lift,
        cast(buckets.pipeline_usd as double) as pipeline_usd,
        case when buckets.bucket_type = 'overall' then overall.auc end as auc,
        case
            when buckets.bucket_type = 'overall' and overall.positives > 0
                then
                    (cast(top_deciles.positives as double) / top_deciles.people)
                    / (cast(overall.positives as double) / overall.people)
        end as top_decile_lift,
        case
            when buckets.bucket_type = 'overall' and buckets.score_name = 'mql_rule'
                then
                    cast(coalesce(mql_flags.mql_positives, 0) as double)
                    / nullif(mql_flags.mqls, 0)
        end as mql_precision,
        case
            when buckets.bucket_type = 'overall' and buckets.score_name = 'mql_rule'
                then
                    cast(coalesce(mql_flags.mql_positives, 0) as double)
                    / nullif(overall.positives, 0)
        end as mql_recall,
        '{{ var("scoring_version") }}' as scoring_version,
        as_of_dates.run_as_of_date
    from buckets
    inner join as_of_dates
        on buckets.as_of_date = as_of_dates.as_of_date
    inner join overall
        on
            buckets.as_of_date = overall.as_of_date
            and buckets.score_name = overall.score_name
            and buckets.outcome = overall.outcome
    left join top_deciles
        on
            buckets.as_of_date = top_deciles.as_of_date
            and buckets.score_name = top_deciles.score_name
            and buckets.outcome = top_deciles.outcome
    left join mql_flags
        on
            buckets.as_of_date = mql_flags.as_of_date
            and buckets.outcome = mql_flags.outcome

)

select * from final
