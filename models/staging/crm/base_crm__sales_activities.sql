{#-
    Every raw sales activity row (1:1, key _line_number), cleaned, attributed to a surviving
    person and given its verdict.
    Steps:
      1. clean: ids trimmed (empty -> NULL), categories lower/trimmed.
      2. attribute: contact_id is looked up in stg_crm__contact_identities and re-pointed to
         the surviving person; a deleted, rejected or unknown contact resolves to nobody.
      3. dedupe: of several deliveries of one activity_id the lowest _line_number survives
         (activities carry no delivery time); the others are `duplicate`.
      4. verdict of the surviving delivery, first failing check: no activity_id -> missing_id;
         an activity type outside call/email/meeting -> unknown_activity_type; no active
         person for the contact_id (or none given) -> unknown_contact; else kept.
    A later delivery of a rejected activity is `duplicate`, so each activity is rejected once.
-#}

{%- set activity_types = ["call", "email", "meeting"] -%}

with

source as (

    select * from {{ raw_relation('sales_activities') }}

),

contact_identities as (

    select * from {{ ref('stg_crm__contact_identities') }}

),

cleaned as (

    select
        occurred_at,
        _line_number,
        _loaded_at,
        nullif(trim(activity_id), '') as activity_id,
        nullif(trim(contact_id), '') as delivered_contact_id,
        nullif(trim(owner_id), '') as owner_id,
        {{ clean_category('activity_type') }} as activity_type,
        {{ clean_category('disposition') }} as disposition
    from source

),

attributed as (

    select
        cleaned.*,
        contact_identities.person_id as contact_id,
        coalesce(contact_identities.is_merged, false) as is_repointed
    from cleaned
    left join contact_identities
        on cleaned.delivered_contact_id = contact_identities.contact_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by activity_id
            order by _line_number asc
        ) as delivery_rank
    from attributed

),

judged as (

    select
        *,
        case
            when activity_id is null then 'missing_id'
            -- later deliveries are duplicates: they are not judged themselves
            when delivery_rank > 1 then null
            when
                activity_type is null
                or activity_type not in (
                    {%- for accepted in activity_types %}
                        '{{ accepted }}'{{ "," if not loop.last }}
                    {%- endfor %}
                )
                then 'unknown_activity_type'
            when contact_id is null then 'unknown_contact'
        end as rejection_reason
    from ranked

),

final as (

    select
        activity_id,
        contact_id,
        delivered_contact_id,
        is_repointed,
        owner_id,
        activity_type,
        occurred_at,
        disposition,
        delivery_rank,
        rejection_reason,
        _line_number,
        _loaded_at,
        case
            when rejection_reason is not null then 'rejected'
            when delivery_rank > 1 then 'duplicate'
            else 'kept'
        end as row_status
    from judged

)

select * from final
