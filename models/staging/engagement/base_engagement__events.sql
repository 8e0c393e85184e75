{#-
    Every raw engagement event, cleaned, attributed to a person and given its verdict.
    Steps:
      1. clean: ids trimmed (empty -> NULL), email normalised, categories lower/trimmed.
      2. attribute: a given contact_id is looked up in the identity map and re-pointed to the
         surviving person; without one, the normalised email names the person.
      3. dedupe: of several deliveries of one event_id the earliest loaded_at survives (ties:
         the lower _line_number); the others are `duplicate`.
      4. judge the surviving delivery: the first failing check gives its rejection_reason.
    A duplicate of a rejected delivery is `duplicate`, not `rejected`: the verdict belongs to
    the event (its surviving delivery), so each event is rejected once and counted once.
-#}

{%- set event_types = [
    "page_view",
    "pricing_page_view",
    "case_study_view",
    "email_open",
    "email_click",
    "webinar_attended",
    "unsubscribe",
    "email_bounce",
] -%}

with

source as (

    select * from {{ source('engagement', 'engagement_events') }}

),

contact_identities as (

    select * from {{ ref('stg_crm__contact_identities') }}

),

cleaned as (

    select
        occurred_at,
        loaded_at,
        _line_number,
        _loaded_at,
        nullif(trim(event_id), '') as event_id,
        nullif(trim(contact_id), '') as delivered_contact_id,
        {{ normalize_email('email') }} as email,
        {{ clean_category('event_type') }} as event_type,
        nullif(trim(page_url), '') as page_url,
        nullif(trim(campaign_id), '') as campaign_id,
        {{ clean_category('source_system') }} as source_system,
        {{ clean_category('topic') }} as topic
    from source

),

people_by_email as (

    -- Identities sharing an email are one person (they all carry the same person_id); the
    -- grouping guarantees the join below can never multiply events.
    select
        email,
        min(person_id) as person_id
    from contact_identities
    where email is not null
    group by email

),

attributed as (

    select
        cleaned.event_id,
        cleaned.delivered_contact_id,
        cleaned.email,
        cleaned.event_type,
        cleaned.occurred_at,
        cleaned.page_url,
        cleaned.campaign_id,
        cleaned.source_system,
        cleaned.topic,
        cleaned.loaded_at,
        cleaned._line_number,
        cleaned._loaded_at,
        -- A given contact_id decides alone: when it does not resolve, the email is not tried.
        case
            when cleaned.delivered_contact_id is not null then by_contact_id.person_id
            else by_email.person_id
        end as contact_id,
        case
            when by_contact_id.person_id is not null then 'contact_id'
            when by_email.person_id is not null then 'email'
        end as attributed_by,
        coalesce(by_contact_id.is_merged, false) as is_repointed
    from cleaned
    left join contact_identities as by_contact_id
        on cleaned.delivered_contact_id = by_contact_id.contact_id
    left join people_by_email as by_email
        on
            cleaned.delivered_contact_id is null
            and cleaned.email = by_email.email

),

ranked as (

    select
        *,
        row_number() over (
            partition by event_id
            order by loaded_at asc nulls last, _line_number asc
        ) as delivery_rank
    from attributed

),

judged as (

    select
        *,
        case
            when event_id is null then 'missing_id'
            -- later deliveries are duplicates: they are not judged themselves
            when delivery_rank > 1 then null
            when
                event_type is null
                or event_type not in (
                    {%- for accepted in event_types %}
                        '{{ accepted }}'{{ "," if not loop.last }}
                    {%- endfor %}
                )
                then 'unknown_event_type'
            when occurred_at is null then 'missing_timestamp'
            when delivered_contact_id is null and contact_id is null then 'unattributed'
            when delivered_contact_id is not null and contact_id is null then 'unknown_contact'
        end as rejection_reason
    from ranked

),

final as (

    select
        event_id,
        contact_id,
        delivered_contact_id,
        email,
        event_type,
        occurred_at,
        page_url,
        campaign_id,
        source_system,
        topic,
        loaded_at,
        attributed_by,
        is_repointed,
        rejection_reason,
        _line_number,
        _loaded_at,
        cast(occurred_at as date) > {{ as_of_date() }} as is_future,
        case
            when rejection_reason is not null then 'rejected'
            when delivery_rank > 1 then 'duplicate'
            else 'kept'
        end as row_status
    from judged

)

select * from final
