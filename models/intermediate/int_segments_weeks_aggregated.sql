-- The weekly facts of segment_kpis: one row per week (Monday) x segment x experiment group,
-- every segment and group in every week from the first week with any fact to the week of
-- as_of_date (at most var segment_kpis_max_weeks weeks back), the weeks read from the day
-- spine (metricflow_time_spine). Everything is attributed to the person's segment and group
-- as of as_of_date (int_contacts_enriched); each fact falls in the week of its own date:
--   people created (created_at): leads_entered, and of them the MQLs / SQLs now and those
--   with a bounce; meeting_booked activities (occurred_at); opportunities created with the
--   person as primary contact (created_at) and their amount; won opportunities (closed_at)
--   and their amount; form responses (int_form_submissions_responded, the week of the form).
-- Rows dated after as_of_date are ignored. Counts without facts are NULL here; segment_kpis
-- zero-fills them and computes the rates.
{%- set max_weeks = var("segment_kpis_max_weeks", 260) %}
with

segment_matrix as (

    select * from {{ ref('scoring_segment_matrix') }}

),

experiment_groups as (

    select * from {{ ref('routing_experiment_groups') }}

),

days as (

    select * from {{ ref('metricflow_time_spine') }}

),

contacts as (

    select * from {{ ref('int_contacts_enriched') }}

),

sales_activities as (

    select * from {{ ref('int_sales_activities_attributed') }}
    -- activities attributed to a person (the others are rejected: unknown_contact)
    where rejection_reason is null

),

dispositions as (

    select * from {{ ref('routing_dispositions') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_attributed') }}

),

form_responses as (

    select * from {{ ref('int_form_submissions_responded') }}

),

entered_people as (

    select
        segment,
        experiment_group,
        {{ week_start('created_at') }} as week_start,
        count(*) as leads_entered,
        sum(case when is_marketing_qualified then 1 else 0 end) as mqls,
        sum(case when is_sales_qualified then 1 else 0 end) as sqls,
        sum(case when has_bounced then 1 else 0 end) as bounced_leads
    from contacts
    where {{ age_in_days('created_at') }} >= 0
    group by 1, 2, 3

),

dated_activities as (

    select
        contact_id,
        disposition,
        occurred_at
    from sales_activities
    where {{ age_in_days('occurred_at') }} >= 0

),

meeting_activities as (

    select
        dated_activities.contact_id,
        dated_activities.occurred_at
    from dated_activities
    inner join dispositions
        on dated_activities.disposition = dispositions.disposition
    where dispositions.is_meeting_booked

),

booked_meetings as (

    select
        contacts.segment,
        contacts.experiment_group,
        {{ week_start('meeting_activities.occurred_at') }} as week_start,
        count(*) as meetings_booked
    from meeting_activities
    inner join contacts
        on meeting_activities.contact_id = contacts.contact_id
    group by 1, 2, 3

),

person_opportunities as (

    select
        opportunities.created_at,
        opportunities.closed_at,
        opportunities.amount_usd,
        contacts.segment,
        contacts.experiment_group,
        coalesce(opportunities.is_won, false) as is_won
    from opportunities
    inner join contacts
        on opportunities.primary_contact_id = contacts.contact_id

),

created_opportunities as (

    select
        segment,
        experiment_group,
        {{ week_start('created_at') }} as week_start,
        count(*) as opportunities_created,
        sum(amount_usd) as pipeline_usd
    from person_opportunities
    where {{ age_in_days('created_at') }} >= 0
    group by 1, 2, 3

),

won_opportunities as (

    select
        segment,
        experiment_group,
        {{ week_start('closed_at') }} as week_start,
        count(*) as opportunities_won,
        sum(amount_usd) as won_usd
    from person_opportunities
    where
        is_won
        and closed_at is not null
        and {{ age_in_days('closed_at') }} >= 0
    group by 1, 2, 3

),

responses as (

    select
        form_responses.week_start,
        contacts.segment,
        contacts.experiment_group,
        form_responses.first_response_minutes,
        form_responses.is_sla_met
    from form_responses
    inner join contacts
        on form_responses.contact_id = contacts.contact_id

),

answered_forms as (

    select
        segment,
        experiment_group,
        week_start,
        sum(case when is_sla_met then 1 when not is_sla_met then 0 end) as sla_met,
        sum(case when is_sla_met is not null then 1 end) as sla_judged
    from responses
    group by 1, 2, 3

),

ranked_responses as (

    select
        week_start,
        segment,
        experiment_group,
        first_response_minutes,
        row_number() over (
            partition by week_start, segment, experiment_group
            order by first_response_minutes
        ) as response_rank,
        count(*) over (partition by week_start, segment, experiment_group) as responses
    from responses
    where first_response_minutes is not null

),

-- The median: the middle value, or the mean of the two middle values (portable SQL).
weekly_medians as (

    select
        week_start,
        segment,
        experiment_group,
        avg(cast(first_response_minutes as double)) as median_first_response_minutes
    from ranked_responses
    where response_rank * 2 in (responses, responses + 1, responses + 2)
    group by week_start, segment, experiment_group

),

fact_weeks as (

    select week_start from entered_people
    union all
    select week_start from booked_meetings
    union all
    select week_start from created_opportunities
    union all
    select week_start from won_opportunities
    union all
    select week_start from responses

),

first_week as (

    select min(week_start) as week_start
    from fact_weeks

),

current_week as (

    select {{ week_start(as_of_date()) }} as week_start

),

weeks as (

    select distinct {{ week_start('days.date_day') }} as week_start
    from days
    cross join current_week
    where
        {{ week_start('days.date_day') }} <= current_week.week_start
        and {{ week_start('days.date_day') }} >= cast(
            {{ dbt.dateadd('day', -7 * (max_weeks - 1), 'current_week.week_start') }} as date
        )

),

spine as (

    select
        weeks.week_start,
        segment_matrix.segment,
        experiment_groups.experiment_group
    from weeks
    cross join first_week
    cross join segment_matrix
    cross join experiment_groups
    where weeks.week_start >= first_week.week_start

),

aggregated as (

    select
        spine.week_start,
        spine.segment,
        spine.experiment_group,
        entered_people.leads_entered,
        entered_people.mqls,
        entered_people.sqls,
        entered_people.bounced_leads,
        booked_meetings.meetings_booked,
        created_opportunities.opportunities_created,
        created_opportunities.pipeline_usd,
        won_opportunities.opportunities_won,
        won_opportunities.won_usd,
        answered_forms.sla_met,
        answered_forms.sla_judged,
        weekly_medians.median_first_response_minutes
    from spine
    left join entered_people
        on
            spine.week_start = entered_people.week_start
            and spine.segment = entered_people.segment
            and spine.experiment_group = entered_people.experiment_group
    left join booked_meetings
        on
            spine.week_start = booked_meetings.week_start
            and spine.segment = booked_meetings.segment
            and spine.experiment_group = booked_meetings.experiment_group
    left join created_opportunities
        on
            spine.week_start = created_opportunities.week_start
            and spine.segment = created_opportunities.segment
            and spine.experiment_group = created_opportunities.experiment_group
    left join won_opportunities
        on
            spine.week_start = won_opportunities.week_start
            and spine.segment = won_opportunities.segment
            and spine.experiment_group = won_opportunities.experiment_group
    left join answered_forms
        on
            spine.week_start = answered_forms.week_start
            and spine.segment = answered_forms.segment
            and spine.experiment_group = answered_forms.experiment_group
    left join weekly_medians
        on
            spine.week_start = weekly_medians.week_start
            and spine.segment = weekly_medians.segment
            and spine.experiment_group = weekly_medians.experiment_group

)

select * from aggregated
