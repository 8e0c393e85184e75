{#-
    Segment web events in the shape of raw engagement_events, one row per pages row and per
    tracks row; base_segment__events judges them (macro judge_engagement_events), and after
    staging they join the CRM's events (macro staged_relation, var segment_enabled).
    Identification: the email of the row's user_id (its latest identify with an email), else
    of its anonymous_id; an event no identify names keeps no email, and
    the audit rejects it as unattributed (counted, not dropped).
    event_type: a page is the first seed segment_url_patterns row with an event_type whose
    pattern its url contains (pricing_page_view, case_study_view), else page_view; a track
    is its event name through seed segment_track_events (webinar attendance), else
    `segment_track`, which base_segment__events rejects as untracked_segment_event.
    topic: the first seed segment_url_patterns row with a topic whose pattern the url (a
    track's page url) contains. _line_number: a page's is 10^12 plus its line, a track's 2 x
    10^12 plus its line (unique beside the CRM events', and stable when a table grows, which
    the incremental engagement models rely on); without the loader's line (a database read in
    place) the row's rank in its table by received_at and id.
-#}

{%- set line_offset = 1000000000000 -%}

with

pages as (

    select * from {{ ref('base_segment__pages') }}

),

tracks as (

    select * from {{ ref('base_segment__tracks') }}

),

identifies as (

    select * from {{ ref('base_segment__identifies') }}

),

url_patterns as (

    select * from {{ ref('segment_url_patterns') }}

),

track_events as (

    select * from {{ ref('segment_track_events') }}

),

identified as (

    select
        user_id,
        anonymous_id,
        email,
        occurred_at,
        _line_number
    from identifies
    where email is not null

),

user_emails as (

    select
        user_id,
        email
    from (
        select
            user_id,
            email,
            row_number() over (
                partition by user_id
                order by occurred_at desc nulls last, _line_number desc
            ) as identify_rank
        from identified
        where user_id is not null
    ) as ranked_users
    where identify_rank = 1

),

anonymous_emails as (

    select
        anonymous_id,
        email
    from (
        select
            anonymous_id,
            email,
            row_number() over (
                partition by anonymous_id
                order by occurred_at desc nulls last, _line_number desc
            ) as identify_rank
        from identified
        where anonymous_id is not null
    ) as ranked_anonymous
    where identify_rank = 1

),

web_events as (

    select
        page_id as event_id,
        user_id,
        anonymous_id,
        cast(null as {{ dbt.type_string() }}) as track_event_type,
        false as is_track,
        occurred_at,
        received_at,
        url as page_url,
        campaign_name,
        _line_number,
        _loaded_at
    from pages
    union all
    select
        tracks.track_id as event_id,
        tracks.user_id,
        tracks.anonymous_id,
        coalesce(track_events.event_type, 'segment_track') as track_event_type,
        true as is_track,
        tracks.occurred_at,
        tracks.received_at,
        tracks.page_url,
        tracks.campaign_name,
        tracks._line_number,
        tracks._loaded_at
    from tracks
    left join track_events
        on lower(tracks.event_name) = track_events.event_name

),

pattern_matches as (

    select
        web_events.event_id,
        web_events.is_track,
        url_patterns.event_type,
        url_patterns.topic,
        url_patterns.priority,
        url_patterns.pattern
    from web_events
    inner join url_patterns
        on lower(web_events.page_url) like '%' || url_patterns.pattern || '%'

),

page_types as (

    select
        event_id,
        is_track,
        event_type
    from (
        select
            event_id,
            is_track,
            event_type,
            row_number() over (
                partition by event_id, is_track
                order by priority asc, pattern asc
            ) as match_rank
        from pattern_matches
        where event_type is not null
    ) as ranked_types
    where match_rank = 1

),

url_topics as (

    select
        event_id,
        is_track,
        topic
    from (
        select
            event_id,
            is_track,
            topic,
            row_number() over (
                partition by event_id, is_track
                order by priority asc, pattern asc
            ) as match_rank
        from pattern_matches
        where topic is not null
    ) as ranked_topics
    where match_rank = 1

),

final as (

    select
        web_events.event_id,
        cast(null as {{ dbt.type_string() }}) as contact_id,
        coalesce(user_emails.email, anonymous_emails.email) as email,
        case
            when web_events.is_track then web_events.track_event_type
            else coalesce(page_types.event_type, 'page_view')
        end as event_type,
        web_events.occurred_at,
        web_events.page_url,
        web_events.campaign_name as campaign_id,
        'segment' as source_system,
        url_topics.topic,
        coalesce(web_events.received_at, web_events._loaded_at) as loaded_at,
        {{ line_offset }} * (case when web_events.is_track then 2 else 1 end)
        + coalesce(
            web_events._line_number,
            row_number() over (
                partition by web_events.is_track
                order by web_events.received_at asc nulls last, web_events.event_id asc
            )
        ) as _line_number,
        coalesce(
            web_events._loaded_at, web_events.received_at, {{ dbt.current_timestamp() }}
        ) as _loaded_at
    from web_events
    left join user_emails
        on web_events.user_id = user_emails.user_id
    left join anonymous_emails
        on web_events.anonymous_id = anonymous_emails.anonymous_id
    left join page_types
        on
            web_events.event_id = page_types.event_id
            and web_events.is_track = page_types.is_track
    left join url_topics
        on
            web_events.event_id = url_topics.event_id
            and web_events.is_track = url_topics.is_track

)

select * from final
