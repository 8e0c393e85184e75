{#-
    Row reconciliation: one row per raw table proving that every raw row ends in exactly one
    of kept, duplicate, merged or rejected (CONTRACT.md section 3).
    Steps:
      1. stack the verdicts of the six base models (each 1:1 with its raw table; a singular
         test compares their row counts with the sources').
      2. count each verdict per table, starting from the list of raw tables so a table with
         no rows still gets its (zero) row.
      3. is_balanced: raw_rows = kept + duplicate + merged + rejected; a verdict outside the
         four (or NULL) leaves the table unbalanced.
-#}

with

base_accounts as (

    select * from {{ ref('base_crm__accounts') }}

),

base_contacts as (

    select * from {{ ref('base_crm__contacts') }}

),

base_opportunities as (

    select * from {{ ref('base_crm__opportunities') }}

),

base_sales_activities as (

    select * from {{ ref('base_crm__sales_activities') }}

),

base_events as (

    select * from {{ ref('base_engagement__events') }}

),

base_form_submissions as (

    select * from {{ ref('base_engagement__form_submissions') }}

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

row_verdicts as (

    -- Accounts carry no person reference; contacts merged away are `merged`, not re-pointed.
    select
        'crm_accounts' as table_name,
        row_status,
        false as is_repointed
    from base_accounts
    union all
    select
        'crm_contacts' as table_name,
        row_status,
        false as is_repointed
    from base_contacts
    union all
    select
        'crm_opportunities' as table_name,
        row_status,
        is_repointed
    from base_opportunities
    union all
    select
        'sales_activities' as table_name,
        row_status,
        is_repointed
    from base_sales_activities
    union all
    select
        'engagement_events' as table_name,
        row_status,
        is_repointed
    from base_events
    union all
    select
        'form_submissions' as table_name,
        row_status,
        is_repointed
    from base_form_submissions

),

counted as (

    select
        table_name,
        count(*) as raw_rows,
        count(case when row_status = 'kept' then 1 end) as kept_rows,
        count(case when row_status = 'duplicate' then 1 end) as duplicate_rows,
        count(case when row_status = 'merged' then 1 end) as merged_rows,
        count(case when row_status = 'rejected' then 1 end) as rejected_rows,
        count(case when row_status = 'kept' and is_repointed then 1 end) as repointed_rows
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
