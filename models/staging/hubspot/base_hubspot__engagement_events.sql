{#-
    HubSpot marketing email events in the shape of raw engagement_events, one row per
    email_event row. Events reach a person by recipient email (contact_id is left empty).
    event_type: the HubSpot type through seed hubspot_value_map (OPEN -> email_open, CLICK ->
    email_click, BOUNCE -> email_bounce, SPAMREPORT -> unsubscribe; SENT, DELIVERED,
    PROCESSED, DEFERRED, DROPPED, FORWARD, PRINT -> email_<type>); a STATUSCHANGE is an
    unsubscribe when email_event_status_change says UNSUBSCRIBED, else email_status_change;
    an open or click HubSpot filtered (filtered_event: bots, link scanners) gets the suffix
    `_filtered`. Staging rejects every type that is not a contract event type, with the
    reason in seed event_type_rejection_reasons (filtered_bot_event,
    email_bookkeeping_event) or unknown_event_type, and the reconciliation counts them.
    page_url: the clicked url (email_event_click). topic: the campaign name matched against
    seed hubspot_topic_patterns (lowest priority wins; no match -> empty).
-#}

with

email_events as (

    select * from {{ ref('base_hubspot__email_event') }}

),

clicks as (

    select * from {{ ref('base_hubspot__email_event_click') }}

),

status_changes as (

    select * from {{ ref('base_hubspot__email_event_status_change') }}

),

campaigns as (

    select * from {{ ref('base_hubspot__email_campaign') }}

),

value_map as (

    select * from {{ ref('hubspot_value_map') }}

),

topic_patterns as (

    select * from {{ ref('hubspot_topic_patterns') }}

),

campaign_topic_matches as (

    select
        campaigns.email_campaign_id,
        topic_patterns.topic,
        row_number() over (
            partition by campaigns.email_campaign_id
            order by topic_patterns.priority asc, topic_patterns.pattern asc
        ) as match_rank
    from campaigns
    inner join topic_patterns
        on lower(campaigns.campaign_name) like '%' || topic_patterns.pattern || '%'

),

campaign_topics as (

    select
        email_campaign_id,
        topic
    from campaign_topic_matches
    where match_rank = 1

),

typed as (

    select
        email_events.*,
        clicks.url as page_url,
        campaign_topics.topic,
        case
            when upper(email_events.event_type) = 'STATUSCHANGE'
                then
                    case
                        when
                            upper(status_changes.portal_subscription_status) = 'UNSUBSCRIBED'
                            then 'unsubscribe'
                        else 'email_status_change'
                    end
            else coalesce(event_types.canonical_value, 'hubspot_' || lower(email_events.event_type))
        end as mapped_type
    from email_events
    left join clicks
        on email_events.email_event_id = clicks.email_event_id
    left join status_changes
        on email_events.email_event_id = status_changes.email_event_id
    left join campaign_topics
        on email_events.email_campaign_id = campaign_topics.email_campaign_id
    left join value_map as event_types
        on
            event_types.field = 'email_event_type'
            and lower(email_events.event_type) = event_types.hubspot_value

),

final as (

    select
        email_event_id as event_id,
        cast(null as {{ dbt.type_string() }}) as contact_id,
        recipient as email,
        case
            when is_filtered_event and mapped_type in ('email_open', 'email_click')
                then mapped_type || '_filtered'
            else mapped_type
        end as event_type,
        occurred_at,
        page_url,
        email_campaign_id as campaign_id,
        'hubspot' as source_system,
        topic,
        coalesce(fivetran_synced_at, _loaded_at) as loaded_at,
        coalesce(
            _line_number,
            row_number() over (order by fivetran_synced_at asc nulls first, email_event_id asc)
        ) as _line_number,
        coalesce(_loaded_at, fivetran_synced_at, {{ dbt.current_timestamp() }}) as _loaded_at
    from typed

)

select * from final
