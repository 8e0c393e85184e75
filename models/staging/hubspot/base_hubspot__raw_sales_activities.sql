{#-
    HubSpot engagements in the shape of raw sales_activities, one row per engagement row.
    activity_type: the engagement type through seed hubspot_value_map (CALL, MEETING, EMAIL);
    other types (NOTE, TASK, INCOMING_EMAIL, ...) pass lower-cased, so staging rejects them
    as unknown_activity_type and the reconciliation counts them. contact_id: the smallest
    associated contact (engagement_contact), as HubSpot has it (the identity map,
    int_sales_activities_attributed, re-points a merged id to its survivor).
    occurred_at, owner_id and disposition come from the type's own table
    (engagement_call / _meeting / _email), else the engagement row. disposition: the call
    disposition (HubSpot's outcome ids or labels), the meeting outcome, or for logged emails
    a custom property (var hubspot_email_engagement_property_disposition), each through
    hubspot_value_map; unmapped values pass lower-cased.
-#}

with

engagements as (

    select * from {{ ref('base_hubspot__engagement') }}

),

engagement_contacts as (

    select * from {{ ref('base_hubspot__engagement_contact') }}

),

calls as (

    select * from {{ ref('base_hubspot__engagement_call') }}

),

meetings as (

    select * from {{ ref('base_hubspot__engagement_meeting') }}

),

emails as (

    select * from {{ ref('base_hubspot__engagement_email') }}

),

value_map as (

    select * from {{ ref('hubspot_value_map') }}

),

first_contacts as (

    select
        engagement_id,
        min(contact_id) as contact_id
    from engagement_contacts
    where contact_id is not null
    group by engagement_id

),

joined as (

    select
        engagements.engagement_id,
        engagements.fivetran_synced_at,
        engagements._line_number,
        engagements._loaded_at,
        first_contacts.contact_id,
        coalesce(
            engagement_types.canonical_value, lower(engagements.engagement_type)
        ) as activity_type,
        coalesce(calls.owner_id, meetings.owner_id, emails.owner_id, engagements.owner_id)
            as owner_id,
        coalesce(
            calls.occurred_at,
            meetings.start_time,
            meetings.occurred_at_property,
            emails.occurred_at,
            engagements.occurred_at,
            engagements.created_at
        ) as occurred_at,
        coalesce(
            call_dispositions.canonical_value,
            meeting_outcomes.canonical_value,
            lower(calls.disposition),
            lower(coalesce(meetings.meeting_outcome_property, meetings.meeting_outcome_legacy)),
            lower(emails.disposition)
        ) as disposition
    from engagements
    left join first_contacts
        on engagements.engagement_id = first_contacts.engagement_id
    left join calls
        on engagements.engagement_id = calls.engagement_id
    left join meetings
        on engagements.engagement_id = meetings.engagement_id
    left join emails
        on engagements.engagement_id = emails.engagement_id
    left join value_map as engagement_types
        on
            engagement_types.field = 'engagement_type'
            and lower(engagements.engagement_type) = engagement_types.hubspot_value
    left join value_map as call_dispositions
        on
            call_dispositions.field = 'call_disposition'
            and lower(calls.disposition) = call_dispositions.hubspot_value
    left join value_map as meeting_outcomes
        on
            meeting_outcomes.field = 'meeting_outcome'
            and lower(coalesce(meetings.meeting_outcome_property, meetings.meeting_outcome_legacy))
            = meeting_outcomes.hubspot_value

),

final as (

    select
        engagement_id as activity_id,
        contact_id,
        owner_id,
        activity_type,
        occurred_at,
        disposition,
        coalesce(
            _line_number,
            row_number() over (order by fivetran_synced_at asc nulls first, engagement_id asc)
        ) as _line_number,
        coalesce(_loaded_at, fivetran_synced_at, {{ dbt.current_timestamp() }}) as _loaded_at
    from joined

)

select * from final
