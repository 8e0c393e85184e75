-- Weekly KPIs per segment and experiment group (treatment / holdout), weeks starting Monday,
-- from the first week with any fact up to the week of as_of_date (at most
-- var segment_kpis_max_weeks weeks back), every segment and group in every week (zero-filled).
-- Everything is attributed to the person's segment and group as of as_of_date: the CRM keeps
-- no history before the first snapshot, so a week is read as "the people who are in this
-- segment now". Each metric falls in the week of its own date:
--   leads_entered  people created that week (created_at); mqls / sqls: those of them whose
--                  lead_status is now mql or sql / sql (the CRM has no status dates);
--                  bounce_rate: those of them with a bounce (status or event) / leads_entered
--   meetings_booked  meeting_booked activities that week (occurred_at)
--   opportunities_created, pipeline_usd  opportunities created that week (created_at) with
--                  the person as primary contact, and their amount
--   opportunities_won, won_usd  won opportunities closed that week (closed_at), and amount
--   median_first_response_minutes, sla_met_rate  per int_form_submissions_responded, in the
--                  week of the form (the person's latest form of that week)
-- Rows dated after as_of_date are ignored. Rates and the median are NULL without a
-- denominator.
{%- set max_weeks = var("segment_kpis_max_weeks", 260) %}
with

segment_matrix as (

    select * from {{ ref('scoring_segment_matrix') }}

),

contacts_segmented as (

    select * from {{ ref('int_contacts_segmented') }}

),

contacts_qualified as (

    select * from {{ ref('int_contacts_qualified') }}

),

contacts_suppressed as (

    select * from {{ ref('int_contacts_suppressed') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

sales_activities as (

    select * from {{ ref('stg_crm__sales_activities') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

form_responses as (

    select * from {{ ref('int_form_submissions_responded') }}

),

week_numbers as (

    {{ dbt.generate_series(max_weeks) }}

),

entered_people as (

    select
        contacts_segmented.segment,
        contacts_segmented.experiment_group,
        {{ week_start('contacts.created_at') }} as week_start,
        1 as leads_entered,
        case when contacts_qualified.lead_status in ('mql', 'sql') then 1 else 0 end as mqls,
        case when contacts_qualified.lead_status = 'sql' then 1 else 0 end as sqls,
        case when contacts_suppressed.has_bounced then 1 else 0 end as bounced_leads
    from contacts_segmented
    inner join contacts
        on contacts_segmented.contact_id = contacts.contact_id
    inner join contacts_qualified
        on contacts_segmented.contact_id = contacts_qualified.contact_id
    inner join contacts_suppressed
        on contacts_segmented.contact_id = contacts_suppressed.contact_id
    where {{ age_in_days('contacts.created_at') }} >= 0

),

meeting_activities as (

    select
        contact_id,
        occurred_at
    from sales_activities
    where
        disposition = 'meeting_booked'
        and {{ age_in_days('occurred_at') }} >= 0

),

booked_meetings as (

    select
        contacts_segmented.segment,
        contacts_segmented.experiment_group,
        {{ week_start('meeting_activities.occurred_at') }} as week_start
    from meeting_activities
    inner join contacts_segmented
        on meeting_activities.contact_id = contacts_segmented.contact_id

),

person_opportunities as (

    select
        opportunities.created_at,
        opportunities.closed_at,
        opportunities.amount_usd,
        contacts_segmented.segment,
        contacts_segmented.experiment_group,
        coalesce(opportunities.is_won, false) as is_won
    from opportunities
    inner join contacts_segmented
        on opportunities.primary_contact_id = contacts_segmented.contact_id

),

created_opportunities as (

    select
        segment,
        experiment_group,
        amount_usd,
        {{ week_start('created_at') }} as week_start
    from person_opportunities
    where {{ age_in_days('created_at') }} >= 0

),

won_opportunities as (

    select
        segment,
        experiment_group,
        amount_usd,
        {{ week_start('closed_at') }} as week_start
    from person_opportunities
    where
        is_won
        and closed_at is not null
        and {{ age_in_days('closed_at') }} >= 0

),

responses as (

    select
        form_responses.week_start,
        contacts_segmented.segment,
        contacts_segmented.experiment_group,
        form_responses.first_response_minutes,
        form_responses.is_sla_met
    from form_responses
    inner join contacts_segmented
        on form_responses.contact_id = contacts_segmented.contact_id

),

facts as (

    select
        week_start,
        segment,
        experiment_group,
        leads_entered,
        mqls,
        sqls,
        bounced_leads,
        0 as meetings_booked,
        0 as opportunities_created,
        0 as opportunities_won,
        cast(null as double) as pipeline_usd,
        cast(null as double) as won_usd,
        cast(null as integer) as sla_met,
        cast(null as integer) as sla_judged
    from entered_people

    union all

    select
        week_start,
        segment,
        experiment_group,
        0 as leads_entered,
        0 as mqls,
        0 as sqls,
        0 as bounced_leads,
        1 as meetings_booked,
        0 as opportunities_created,
        0 as opportunities_won,
        cast(null as double) as pipeline_usd,
        cast(null as double) as won_usd,
        cast(null as integer) as sla_met,
        cast(null as integer) as sla_judged
    from booked_meetings

    union all

    select
        week_start,
        segment,
        experiment_group,
        0 as leads_entered,
        0 as mqls,
        0 as sqls,
        0 as bounced_leads,
        0 as meetings_booked,
        1 as opportunities_created,
        0 as opportunities_won,
        amount_usd as pipeline_usd,
        cast(null as double) as won_usd,
        cast(null as integer) as sla_met,
        cast(null as integer) as sla_judged
    from created_opportunities

    union all

    select
        week_start,
        segment,
        experiment_group,
        0 as leads_entered,
        0 as mqls,
        0 as sqls,
        0 as bounced_leads,
        0 as meetings_booked,
        0 as opportunities_created,
        1 as opportunities_won,
        cast(null as double) as pipeline_usd,
        amount_usd as won_usd,
        cast(null as integer) as sla_met,
        cast(null as integer) as sla_judged
    from won_opportunities

    union all

    select
        week_start,
        segment,
        experiment_group,
        0 as leads_entered,
        0 as mqls,
        0 as sqls,
        0 as bounced_leads,
        0 as meetings_booked,
        0 as opportunities_created,
        0 as opportunities_won,
        cast(null as double) as pipeline_usd,
        cast(null as double) as won_usd,
        case when is_sla_met then 1 when not is_sla_met then 0 end as sla_met,
        case when is_sla_met is not null then 1 end as sla_judged
    from responses

),

weekly_facts as (

    select
        week_start,
        segment,
        experiment_group,
        sum(leads_entered) as leads_entered,
        sum(mqls) as mqls,
        sum(sqls) as sqls,
        sum(bounced_leads) as bounced_leads,
        sum(meetings_booked) as meetings_booked,
        sum(opportunities_created) as opportunities_created,
        sum(opportunities_won) as opportunities_won,
        sum(pipeline_usd) as pipeline_usd,
        sum(won_usd) as won_usd,
        sum(sla_met) as sla_met,
        sum(sla_judged) as sla_judged
    from facts
    group by week_start, segment, experiment_group

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

experiment_groups as (

    select 'treatment' as experiment_group
    union all
    select 'holdout' as experiment_group

),

current_week as (

    select {{ week_start(as_of_date()) }} as week_start

),

first_week as (

    select min(week_start) as week_start
    from facts

),

weeks as (

    select
        cast(
            {{ dbt.dateadd(
                'day', '-7 * (week_numbers.generated_number - 1)', 'current_week.week_start'
            ) }} as date
        ) as week_start
    from week_numbers
    cross join current_week

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

filled as (

    select
        cast(spine.week_start as date) as week_start,
        cast(spine.segment as {{ dbt.type_string() }}) as segment,
        cast(spine.experiment_group as {{ dbt.type_string() }}) as experiment_group,
        cast(coalesce(weekly_facts.leads_entered, 0) as bigint) as leads_entered,
        cast(coalesce(weekly_facts.mqls, 0) as bigint) as mqls,
        cast(coalesce(weekly_facts.sqls, 0) as bigint) as sqls,
        cast(coalesce(weekly_facts.meetings_booked, 0) as bigint) as meetings_booked,
        cast(coalesce(weekly_facts.opportunities_created, 0) as bigint)
            as opportunities_created,
        cast(coalesce(weekly_facts.opportunities_won, 0) as bigint) as opportunities_won,
        cast(coalesce(weekly_facts.pipeline_usd, 0) as decimal(18, 2)) as pipeline_usd,
        cast(coalesce(weekly_facts.won_usd, 0) as decimal(18, 2)) as won_usd,
        cast(weekly_medians.median_first_response_minutes as double)
            as median_first_response_minutes,
        cast(
            case
                when weekly_facts.sla_judged > 0
                    then round(1.0 * weekly_facts.sla_met / weekly_facts.sla_judged, 4)
            end as double
        ) as sla_met_rate,
        cast(
            case
                when weekly_facts.leads_entered > 0
                    then round(1.0 * weekly_facts.bounced_leads / weekly_facts.leads_entered, 4)
            end as double
        ) as bounce_rate,
        cast('{{ var("scoring_version") }}' as {{ dbt.type_string() }}) as scoring_version,
        cast({{ as_of_date() }} as date) as as_of_date
    from spine
    left join weekly_facts
        on
            spine.week_start = weekly_facts.week_start
            and spine.segment = weekly_facts.segment
            and spine.experiment_group = weekly_facts.experiment_group
    left join weekly_medians
        on
            spine.week_start = weekly_medians.week_start
            and spine.segment = weekly_medians.segment
            and spine.experiment_group = weekly_medians.experiment_group

)

select * from filled
