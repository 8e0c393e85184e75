-- Speed to lead, per person and week: the person's latest form submission of the week (the
-- hand-raise the week's response answers; earlier forms that week were superseded by it),
-- its first response (the first sales activity of the person at or after that submission)
-- and whether it came within the SLA of the person's current routing
-- (int_contacts_routed.sla_hours; NULL without an SLA). An unanswered form misses the SLA
-- once its due time lies before the end of as_of_date; until then is_sla_met is NULL (open).
-- Rows dated after as_of_date are ignored.
with

form_submissions as (

    select * from {{ ref('int_form_submissions_attributed') }}
    -- submissions attributed to a person (the others are rejected)
    where rejection_reason is null

),

sales_activities as (

    select * from {{ ref('int_sales_activities_attributed') }}
    -- activities attributed to a person (the others are rejected: unknown_contact)
    where rejection_reason is null

),

dated_activities as (

    select
        contact_id,
        occurred_at
    from sales_activities
    where {{ age_in_days('occurred_at') }} >= 0

),

contacts_routed as (

    select * from {{ ref('int_contacts_routed') }}

),

weekly_forms as (

    select
        submission_id,
        contact_id,
        submitted_at,
        {{ week_start('submitted_at') }} as week_start,
        row_number() over (
            partition by contact_id, {{ week_start('submitted_at') }}
            order by submitted_at desc, submission_id desc
        ) as recency_in_week
    from form_submissions
    where
        contact_id is not null
        and {{ age_in_days('submitted_at') }} >= 0

),

latest_weekly_forms as (

    select
        submission_id,
        contact_id,
        submitted_at,
        week_start
    from weekly_forms
    where recency_in_week = 1

),

first_responses as (

    select
        latest_weekly_forms.submission_id,
        min(dated_activities.occurred_at) as first_response_at
    from latest_weekly_forms
    inner join dated_activities
        on
            latest_weekly_forms.contact_id = dated_activities.contact_id
            and latest_weekly_forms.submitted_at <= dated_activities.occurred_at
    group by latest_weekly_forms.submission_id

),

timed as (

    select
        latest_weekly_forms.submission_id,
        latest_weekly_forms.contact_id,
        latest_weekly_forms.week_start,
        latest_weekly_forms.submitted_at,
        first_responses.first_response_at,
        {{ dbt.datediff(
            'latest_weekly_forms.submitted_at', 'first_responses.first_response_at', 'minute'
        ) }} as first_response_minutes,
        contacts_routed.sla_hours,
        {{ dbt.dateadd(
            'hour', 'contacts_routed.sla_hours', 'latest_weekly_forms.submitted_at'
        ) }} as sla_due_at
    from latest_weekly_forms
    inner join contacts_routed
        on latest_weekly_forms.contact_id = contacts_routed.contact_id
    left join first_responses
        on latest_weekly_forms.submission_id = first_responses.submission_id

),

judged as (

    select
        submission_id,
        contact_id,
        week_start,
        submitted_at,
        first_response_at,
        first_response_minutes,
        sla_hours,
        sla_due_at,
        case
            when sla_due_at is null then null
            when first_response_at is not null then first_response_at <= sla_due_at
            when
                sla_due_at < {{ dbt.dateadd('day', 1, 'cast(' ~ as_of_date() ~ ' as timestamp)') }}
                then false
        end as is_sla_met
    from timed

)

select * from judged
