{#-
    Engagement events per delivered identity, day, event type and topic: what intent decay
    reads instead of every event (form submissions, 2% of the rows, are read as they are).
    Age is counted in whole days, so the decay of a day's rows is exactly
    signal_count x points x 0.5 ^ (age_days / half_life_days).
    Rows are keyed by the identity as delivered (the contact_id given, else the normalised
    email), not by the person: the reader resolves them through today's identity map, so a
    later merge, or a contact that becomes known, never leaves a stale person here. For the
    same reason the rows of events rejected only because their identity did not resolve
    (unattributed, unknown_contact) are counted too: resolving drops them again.
    Steps:
      1. the countable events: surviving deliveries of well-formed events that carry a
         contact_id or an email.
      2. incremental runs only: re-aggregate the days of events loaded within var
         engagement_lookback_days before the latest loaded_at held: the days the base model
         may have changed (new, late and re-ranked deliveries; verdict changes caused by the
         identity map or the scoring date do not change these rows).
      3. count per key; a day re-aggregated to nothing gets a zero-count row so the
         delete+insert (on occurred_date) clears the day, and the post-hook deletes those rows.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='occurred_date',
        on_schema_change='fail',
        post_hook=["{{ delete_rows_where(this, 'signal_count = 0') }}"],
    )
}}

{%- set lookback_days = var('engagement_lookback_days', 3) | int -%}

with

base_events as (

    select * from {{ staged_relation('base', 'events') }}

),

{% if is_incremental() %}

    -- Single-use CTEs with the columns they need: DuckDB materialises a CTE read twice
    -- whole (here: every column of every event).
    event_loads as (

        select
            occurred_at,
            loaded_at
        from {{ staged_relation('base', 'events') }}

    ),

    watermark as (

        -- NULL when nothing is held yet: then every day is aggregated.
        select
            {{ dbt.dateadd('day', -1 * lookback_days, 'max(last_loaded_at)') }} as reprocess_from
        from {{ this }}

    ),

    days_to_process as (

        select distinct cast(occurred_at as date) as occurred_date
        from event_loads
        where
            occurred_at is not null
            and (
                loaded_at is null
                or loaded_at >= (select watermark.reprocess_from from watermark)
                or (select watermark.reprocess_from from watermark) is null
            )

    ),

{% endif %}

countable as (

    select
        base_events.event_type,
        base_events.topic,
        base_events.occurred_at,
        base_events.loaded_at,
        cast(base_events.occurred_at as date) as occurred_date,
        coalesce(base_events.delivered_contact_id, base_events.email) as identity_value,
        case
            when base_events.delivered_contact_id is not null then 'contact_id'
            else 'email'
        end as identity_type
    from base_events
    {% if is_incremental() %}
        inner join days_to_process
            on cast(base_events.occurred_at as date) = days_to_process.occurred_date
    {% endif %}
    where
        (
            base_events.row_status = 'kept'
            or base_events.rejection_reason in ('unattributed', 'unknown_contact')
        )
        and coalesce(base_events.delivered_contact_id, base_events.email) is not null

),

aggregated as (

    select
        identity_type,
        identity_value,
        occurred_date,
        event_type,
        topic,
        count(*) as signal_count,
        max(occurred_at) as last_occurred_at,
        max(loaded_at) as last_loaded_at
    from countable
    group by
        identity_type,
        identity_value,
        occurred_date,
        event_type,
        topic

),

{% if is_incremental() %}

    emptied_days as (

        -- Step 3: a processed day without a countable row now (its rows became duplicates or
        -- were replaced by rows of another day).
        select
            cast(null as {{ dbt.type_string() }}) as identity_type,
            cast(null as {{ dbt.type_string() }}) as identity_value,
            days_to_process.occurred_date,
            cast(null as {{ dbt.type_string() }}) as event_type,
            cast(null as {{ dbt.type_string() }}) as topic,
            0 as signal_count,
            cast(null as {{ dbt.type_timestamp() }}) as last_occurred_at,
            cast(null as {{ dbt.type_timestamp() }}) as last_loaded_at
        from days_to_process
        where not exists (
            select 1
            from aggregated
            where aggregated.occurred_date = days_to_process.occurred_date
        )

    ),

    final as (

        select * from aggregated
        union all
        select * from emptied_days

    )

{% else %}

    final as (

        select * from aggregated

    )

{% endif %}

select * from final
