{#-
    Row reconciliation: one row per raw table proving that every raw row ends in exactly one
    of kept, duplicate, merged or rejected (CONTRACT.md section 3).
    Steps:
      1. stack the verdicts of every raw row: the six base models (each 1:1 with its raw
         table; a singular test compares their row counts with the sources') give the
         verdict of every row they do not keep; the contact records they keep are kept or
         merged by the identity map (int_contact_identities_resolved, 1:1 with them); the
         rows they keep that name a person (opportunities, activities, forms) take their
         verdict from the attribution of the intermediate layer (int_<entity>_attributed,
         1:1 with those kept rows): kept, re-pointed, or rejected because their identity
         resolves to nobody. Kept events are attributed per delivered identity
         (int_event_identities_attributed): they are counted per identity, and each count
         takes its identity's verdict (`unattributed` for events with no identity).
      2. count each verdict per table (row_count: 1 per row, an identity's events at once),
         starting from the list of raw tables so a table with no rows still gets its (zero)
         row.
      3. is_balanced: raw_rows = kept + duplicate + merged + rejected; a verdict outside the
         four (or NULL) leaves the table unbalanced.
-#}

with

base_accounts as (

    select * from {{ staged_relation('base', 'accounts') }}

),

base_contacts as (

    select * from {{ staged_relation('base', 'contacts') }}

),

base_opportunities as (

    select * from {{ staged_relation('base', 'opportunities') }}

),

base_sales_activities as (

    select * from {{ staged_relation('base', 'sales_activities') }}

),

base_events as (

    select * from {{ staged_relation('base', 'events') }}

),

base_form_submissions as (

    select * from {{ staged_relation('base', 'form_submissions') }}

),

contact_identities as (

    select * from {{ ref('int_contact_identities_resolved') }}

),

attributed_opportunities as (

    select * from {{ ref('int_opportunities_attributed') }}

),

attributed_sales_activities as (

    select * from {{ ref('int_sales_activities_attributed') }}

),

staged_events as (

    select * from {{ staged_relation('stg', 'events') }}

),

event_identities as (

    select * from {{ ref('int_event_identities_attributed') }}

),

attributed_form_submissions as (

    select * from {{ ref('int_form_submissions_attributed') }}

),

raw_tables as (

    select 'crm_accounts' as table_name
    union all
    select 'crm_contacts' as table_name
    union all
    select 'crm_opportunities' as table_name
    union all
    select 'sales_activities' as table_name
    union all
    select 'engagement_events' as table_name
    union all
    select 'form_submissions' as table_name

),

event_counts as (

    -- The kept events per delivered identity (the email counts only without a contact_id).
    select
        delivered_contact_id,
        {{ delivered_identity_email('delivered_contact_id', 'email') }} as email,
        count(*) as event_count
    from staged_events
    group by
        delivered_contact_id,
        {{ delivered_identity_email('delivered_contact_id', 'email') }}

),

event_counts_judged as (

    -- Plain equi-joins on the identity's key; attribution_rejection_reason on the identity's
    -- person gives its verdict, and `unattributed` to the events with no identity.
    select
        event_counts.event_count,
        coalesce(event_identities.is_repointed, false) as is_repointed,
        {{ attribution_rejection_reason(
            "event_identities.contact_id", "event_counts.delivered_contact_id"
        ) }} as rejection_reason
    from event_counts
    left join event_identities
        on
            {{ delivered_identity_matches('event_counts', 'event_identities') }}

),

row_verdicts as (

    -- Accounts carry no person reference; contacts merged away are `merged`, not re-pointed.
    select
        'crm_accounts' as table_name,
        row_status,
        false as is_repointed,
        1 as row_count
    from base_accounts
    union all
    select
        'crm_contacts' as table_name,
        row_status,
        false as is_repointed,
        1 as row_count
    from base_contacts
    where row_status is null or row_status <> 'kept'
    union all
    -- an active record is kept, or merged into another person by the identity map
    select
        'crm_contacts' as table_name,
        case when is_merged then 'merged' else 'kept' end as row_status,
        false as is_repointed,
        1 as row_count
    from contact_identities
    where has_contact_record
    union all
    select
        'crm_opportunities' as table_name,
        row_status,
        false as is_repointed,
        1 as row_count
    from base_opportunities
    where row_status is null or row_status <> 'kept'
    union all
    -- a deal is kept whoever its contact is
    select
        'crm_opportunities' as table_name,
        'kept' as row_status,
        is_repointed,
        1 as row_count
    from attributed_opportunities
    union all
    select
        'sales_activities' as table_name,
        row_status,
        false as is_repointed,
        1 as row_count
    from base_sales_activities
    where row_status is null or row_status <> 'kept'
    union all
    select
        'sales_activities' as table_name,
        case when rejection_reason is null then 'kept' else 'rejected' end as row_status,
        is_repointed,
        1 as row_count
    from attributed_sales_activities
    union all
    select
        'engagement_events' as table_name,
        row_status,
        false as is_repointed,
        1 as row_count
    from base_events
    where row_status is null or row_status <> 'kept'
    union all
    select
        'engagement_events' as table_name,
        case when rejection_reason is null then 'kept' else 'rejected' end as row_status,
        is_repointed,
        event_count as row_count
    from event_counts_judged
    union all
    select
        'form_submissions' as table_name,
        row_status,
        false as is_repointed,
        1 as row_count
    from base_form_submissions
    where row_status is null or row_status <> 'kept'
    union all
    select
        'form_submissions' as table_name,
        case when rejection_reason is null then 'kept' else 'rejected' end as row_status,
        is_repointed,
        1 as row_count
    from attributed_form_submissions

),

counted as (

    select
        table_name,
        -- bigint, like the count(*) these sums replace (DuckDB sums bigints as int128)
        cast(sum(row_count) as {{ dbt.type_bigint() }}) as raw_rows,
        cast(
            sum(case when row_status = 'kept' then row_count else 0 end)
            as {{ dbt.type_bigint() }}
        ) as kept_rows,
        cast(
            sum(case when row_status = 'duplicate' then row_count else 0 end)
            as {{ dbt.type_bigint() }}
        ) as duplicate_rows,
        cast(
            sum(case when row_status = 'merged' then row_count else 0 end)
            as {{ dbt.type_bigint() }}
        ) as merged_rows,
        cast(
            sum(case when row_status = 'rejected' then row_count else 0 end)
            as {{ dbt.type_bigint() }}
        ) as rejected_rows,
        cast(
            sum(case when row_status = 'kept' and is_repointed then row_count else 0 end)
            as {{ dbt.type_bigint() }}
        ) as repointed_rows
    from row_verdicts
    group by table_name

),

reconciled as (

    select
        raw_tables.table_name,
        coalesce(counted.raw_rows, 0) as raw_rows,
        coalesce(counted.kept_rows, 0) as kept_rows,
        coalesce(counted.duplicate_rows, 0) as duplicate_rows,
        coalesce(counted.merged_rows, 0) as merged_rows,
        coalesce(counted.rejected_rows, 0) as rejected_rows,
        coalesce(counted.repointed_rows, 0) as repointed_rows
    from raw_tables
    left join counted
        on raw_tables.table_name = counted.table_name

),

final as (

    select
        *,
        raw_rows = kept_rows + duplicate_rows + merged_rows + rejected_rows as is_balanced
    from reconciled

)

select * from final
