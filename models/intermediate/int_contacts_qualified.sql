-- Lead status and qualification outcome (SCORING_MODEL.md, Qualification). Steps: count each
-- person's sales dispositions inside the windows of routing_parameters (whole days from the
-- activity's date to as_of_date, 0..N; later-dated activities are ignored, like every other
-- future-dated row), then apply the rules in the spec's order.
with

contacts as (

    select * from {{ ref('int_contacts_merged') }}

),

contacts_scored as (

    select * from {{ ref('int_contacts_scored') }}

),

sales_activities as (

    select * from {{ ref('int_sales_activities_attributed') }}
    -- activities attributed to a person (the others are rejected: unknown_contact)
    where rejection_reason is null

),

routing_parameters as (

    select * from {{ ref('routing_parameters') }}

),

dispositions as (

    select * from {{ ref('routing_dispositions') }}

),

thresholds as (

    select
        {{ lead_status_thresholds() }},
        {{ parameter_value('routing_parameters', 'unqualified_not_a_fit_window_days') }}
            as not_a_fit_window_days,
        {{ parameter_value('routing_parameters', 'disqualify_window_days') }}
            as disqualify_window_days,
        {{ parameter_value('routing_parameters', 'disqualify_min_dispositions') }}
            as disqualify_min_dispositions
    from routing_parameters

),

activities_dated as (

    select
        contact_id,
        disposition,
        {{ age_in_days('occurred_at') }} as age_days
    from sales_activities

),

activities_aged as (

    select
        activities_dated.contact_id,
        activities_dated.age_days,
        dispositions.qualification_signal
    from activities_dated
    left join dispositions
        on activities_dated.disposition = dispositions.disposition

),

disposition_counts as (

    select
        activities_aged.contact_id,
        sum(
            case
                when
                    activities_aged.qualification_signal = 'sql_activity'
                    and activities_aged.age_days <= thresholds.sql_activity_window_days
                    then 1
                else 0
            end
        ) as recent_sql_activities,
        sum(
            case
                when
                    activities_aged.qualification_signal = 'not_a_fit'
                    and activities_aged.age_days <= thresholds.not_a_fit_window_days
                    then 1
                else 0
            end
        ) as recent_not_a_fit_dispositions,
        sum(
            case
                when
                    activities_aged.qualification_signal = 'unresponsive'
                    and activities_aged.age_days <= thresholds.disqualify_window_days
                    then 1
                else 0
            end
        ) as recent_unresponsive_dispositions
    from activities_aged
    cross join thresholds
    where activities_aged.age_days >= 0
    group by activities_aged.contact_id

),

joined as (

    select
        contacts_scored.contact_id,
        contacts.lifecycle_stage,
        contacts_scored.fit_score,
        contacts_scored.contact_intent_score,
        coalesce(contacts_scored.is_competitor, false) as is_competitor,
        coalesce(disposition_counts.recent_sql_activities, 0) as recent_sql_activities,
        coalesce(disposition_counts.recent_not_a_fit_dispositions, 0)
            as recent_not_a_fit_dispositions,
        coalesce(disposition_counts.recent_unresponsive_dispositions, 0)
            as recent_unresponsive_dispositions
    from contacts_scored
    inner join contacts
        on contacts_scored.contact_id = contacts.contact_id
    left join disposition_counts
        on contacts_scored.contact_id = disposition_counts.contact_id

),

statused as (

    select
        joined.contact_id,
        joined.lifecycle_stage,
        joined.is_competitor,
        joined.recent_sql_activities,
        joined.recent_not_a_fit_dispositions,
        joined.recent_unresponsive_dispositions,
        thresholds.disqualify_min_dispositions,
        {{ lead_status('joined') }} as lead_status
    from joined
    cross join thresholds

),

qualified as (

    select
        contact_id,
        lead_status,
        lifecycle_stage,
        recent_sql_activities,
        recent_not_a_fit_dispositions,
        recent_unresponsive_dispositions,
        -- The one definition of MQL and SQL the marts count: an SQL has passed MQL.
        lead_status in ('mql', 'sql') as is_marketing_qualified,
        lead_status = 'sql' as is_sales_qualified,
        case
            when is_competitor or recent_not_a_fit_dispositions > 0 then 'unqualified'
            when lead_status = 'sql' then 'qualified'
            when recent_unresponsive_dispositions >= disqualify_min_dispositions
                then 'disqualified_for_now'
            else 'nurture'
        end as qualification_outcome
    from statused

)

select * from qualified
