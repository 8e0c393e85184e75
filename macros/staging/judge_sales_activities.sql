{#-
    Every sales activity row (1:1, key _line_number), cleaned and given its verdict.
    Steps:
      1. clean: ids trimmed (empty -> NULL), categories lower/trimmed. The contact stays as
         delivered: int_sales_activities_attributed resolves it to a person (and rejects the
         kept activities whose contact resolves to nobody: unknown_contact).
      2. dedupe: of several deliveries of one activity_id the lowest _line_number survives
         (activities carry no delivery time); the others are `duplicate`.
      3. verdict of the surviving delivery, first failing check: no activity_id -> missing_id;
         an activity type outside call/email/meeting -> unknown_activity_type; else kept.
    A later delivery of a rejected activity is `duplicate`, so each activity is rejected once.
    `relation`: the rows in the shape of raw sales_activities (CONTRACT.md section 1), e.g.
    source('crm', 'sales_activities') or a connector's adapter model; the base_<folder>__sales_activities
    model of each source folder is this macro on its relation.
-#}
{% macro judge_sales_activities(relation) -%}
{%- set activity_types = ["call", "email", "meeting"] -%}

with

source as (

    select * from {{ relation }}

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

ranked as (

    select
        *,
        row_number() over (
            partition by activity_id
            order by _line_number asc
        ) as delivery_rank
    from cleaned

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
        end as rejection_reason
    from ranked

),

final as (

    select
        activity_id,
        delivered_contact_id,
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
{%- endmacro %}
