-- A suppressed person carries motion `suppressed`, a reason, and no owner, priority, SLA or
-- next action (the CRM sync clears them); a person who is not suppressed carries an owner,
-- a priority, a real motion and no suppression reason. Returns the rows breaking either.
with

lead_routing as (

    select * from {{ ref('lead_routing') }}

),

broken as (

    select
        contact_id,
        is_suppressed,
        motion,
        owner_team,
        priority,
        sla_hours,
        sla_due_at,
        next_action,
        suppression_reason
    from lead_routing
    where
        (
            is_suppressed
            and (
                owner_team is not null
                or priority is not null
                or sla_hours is not null
                or sla_due_at is not null
                or next_action is not null
                or suppression_reason is null
                or motion != 'suppressed'
            )
        )
        or (
            not is_suppressed
            and (
                owner_team is null
                or priority is null
                or suppression_reason is not null
                or motion = 'suppressed'
            )
        )

)

select * from broken
