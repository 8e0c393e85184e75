{#-
    Every engagement event of `relation`, cleaned and given its verdict.
    Steps:
      1. clean: ids trimmed (empty -> NULL), email normalised, categories lower/trimmed.
         event_key names the event (its id; a missing id gets a stand-in from loaded_at).
         The contact and email stay as delivered: int_event_identities_attributed
         resolves each delivered identity to a person, and the kept events whose identity
         names nobody are rejected there (unattributed / unknown_contact).
      2. incremental runs only: choose the events to (re)judge, all deliveries of each:
         a. every event with a delivery loaded within var engagement_lookback_days (default 3)
            before the latest loaded_at held: new and late deliveries;
         b. every event held whose is_future flag changed with the scoring date.
         Deliveries inside the lookback are read again from the source, older ones are taken
         from the rows held. Events not chosen keep their rows, so the result equals a full
         rebuild as long as the source keeps every row it delivered (a full re-export, or
         batches appended); a delivery loaded before the lookback window arrives unseen.
      3. dedupe: of several deliveries of one event_id the earliest loaded_at survives (ties:
         the lower _line_number); the others are `duplicate`.
      4. judge the surviving delivery: the first failing check gives its rejection_reason.
      5. stamp every row written with the run's start (_judged_at): the rows a run rewrites
         are new to the row-level rules (row_rules, argument rows_written_at), the others
         were checked when they were written.
    A duplicate of a rejected delivery is `duplicate`, not `rejected`: the verdict belongs to
    the event (its surviving delivery), so each event is rejected once and counted once.
    `relation`: the rows in the shape of raw engagement_events (CONTRACT.md section 1), e.g.
    source('engagement', 'engagement_events') or a connector's adapter model; the
    base_<folder>__events model of each source folder is this macro on its relation, and
    holds the incremental config (delete+insert on event_key): `this`, the lookback and the
    rows held are that model's.
-#}
{% macro judge_engagement_events(relation) -%}
{%- set lookback_days = var('engagement_lookback_days', 3) | int -%}

with

source as (

    select * from {{ relation }}

),

-- The contract's event types (the one list); any other type is rejected.
event_types as (

    select * from {{ ref('engagement_event_types') }}

),

-- Types a source delivers that are not intent signals (email bookkeeping, bot opens) are
-- rejected with their own reason.
rejected_types as (

    select * from {{ ref('event_type_rejection_reasons') }}

),

{% if is_incremental() %}

    -- The rows held are read by three single-use CTEs, each with the columns it needs: a
    -- CTE referenced more than once is materialised whole by DuckDB (every column of every
    -- held row, spilled to disk at scale 25).
    watermark as (

        -- NULL when nothing is held yet: then every row is processed.
        select
            {{ dbt.dateadd('day', -1 * lookback_days, 'max(loaded_at)') }} as reprocess_from
        from {{ this }}

    ),

    held_future_flags as (

        select
            event_key,
            occurred_at,
            is_future
        from {{ this }}

    ),

    held_deliveries as (

        select
            occurred_at,
            loaded_at,
            _line_number,
            _loaded_at,
            event_id,
            delivered_contact_id,
            email,
            event_type,
            page_url,
            campaign_id,
            source_system,
            topic,
            event_key
        from {{ this }}

    ),

{% endif %}

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
        {{ clean_category('topic') }} as topic,
        coalesce(
            nullif(trim(event_id), ''),
            {{ dbt.concat([
                "'missing_id|'",
                "coalesce(cast(loaded_at as " ~ dbt.type_string() ~ "), '')",
            ]) }}
        ) as event_key
    from source
    {% if is_incremental() %}
        where
            loaded_at is null
            or loaded_at >= (select watermark.reprocess_from from watermark)
            or (select watermark.reprocess_from from watermark) is null
    {% endif %}

),

{% if is_incremental() %}

    held_with_changed_inputs as (

        -- Held rows whose future flag would differ today (step 2b).
        select event_key
        from held_future_flags
        where
            is_future is distinct from (cast(occurred_at as date) > {{ as_of_date() }})

    ),

    keys_to_process as (

        select event_key from cleaned
        union
        select event_key from held_with_changed_inputs

    ),

    carried_over as (

        -- Earlier deliveries of the chosen events, loaded before the lookback window (the
        -- window's deliveries come from the source again).
        select held_deliveries.*
        from held_deliveries
        inner join keys_to_process
            on held_deliveries.event_key = keys_to_process.event_key
        where held_deliveries.loaded_at < (select watermark.reprocess_from from watermark)

    ),

    to_process as (

        select * from cleaned
        union all
        select * from carried_over

    ),

{% else %}

    to_process as (

        select * from cleaned

    ),

{% endif %}

ranked as (

    -- One window, over a CTE read once (grouping first to rank only repeated events needs
    -- the rows twice, and DuckDB then materialises them: slower at 10M rows).
    select
        *,
        row_number() over (
            partition by event_key
            order by loaded_at asc nulls last, _line_number asc
        ) as delivery_rank
    from to_process

),

judged as (

    select
        ranked.*,
        case
            when ranked.event_id is null then 'missing_id'
            -- later deliveries are duplicates: they are not judged themselves
            when ranked.delivery_rank > 1 then null
            -- a NULL event_type matches no known type either
            when event_types.event_type is null
                then coalesce(rejected_types.rejection_reason, 'unknown_event_type')
            when ranked.occurred_at is null then 'missing_timestamp'
        end as rejection_reason
    from ranked
    left join event_types
        on ranked.event_type = event_types.event_type
    left join rejected_types
        on ranked.event_type = rejected_types.event_type

),

final as (

    select
        event_id,
        delivered_contact_id,
        email,
        event_type,
        occurred_at,
        page_url,
        campaign_id,
        source_system,
        topic,
        loaded_at,
        rejection_reason,
        _line_number,
        _loaded_at,
        event_key,
        delivery_rank,
        cast(occurred_at as date) > {{ as_of_date() }} as is_future,
        case
            when rejection_reason is not null then 'rejected'
            when delivery_rank > 1 then 'duplicate'
            else 'kept'
        end as row_status,
        -- the run that wrote this verdict (its start): row_rules checks only the rows written
        -- since its last passing run (argument rows_written_at)
        {{ snapshot_get_time() }} as _judged_at
    from judged

)

select
    {{ engagement_events_columns('base') | join(',\n    ') }}
from final
{%- endmacro %}
