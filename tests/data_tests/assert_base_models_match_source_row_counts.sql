-- dq_row_reconciliation counts raw rows from the base models (the raw relations are read only in
-- staging), so each base model must hold exactly one row per raw row: a join that fans out
-- or a filter that drops rows would otherwise go unnoticed. Fails per table that differs.
-- The engagement tables as the source delivers them: the loaded files or the HubSpot adapters,
-- and with Segment its adapter too (the base events are both sources' base models together).
{%- set engagement_files = var('crm_source', 'files') == 'files' %}
{%- set delivered_events = [
    source('engagement', 'engagement_events') if engagement_files
        else ref('base_hubspot__engagement_events'),
] %}
{%- if segment_enabled() %}
    {%- do delivered_events.append(ref('base_segment__engagement_events')) %}
{%- endif %}
{%- set delivered_form_submissions = source('engagement', 'form_submissions')
    if engagement_files else ref('base_hubspot__raw_form_submissions') %}

with

row_counts as (

    select
        'crm_accounts' as table_name,
        (select count(*) from {{ raw_relation('crm_accounts') }}) as source_rows,
        (select count(*) from {{ ref('base_crm__accounts') }}) as base_rows
    union all
    select
        'crm_contacts' as table_name,
        (select count(*) from {{ raw_relation('crm_contacts') }}) as source_rows,
        (select count(*) from {{ ref('base_crm__contacts') }}) as base_rows
    union all
    select
        'crm_opportunities' as table_name,
        (select count(*) from {{ raw_relation('crm_opportunities') }}) as source_rows,
        (select count(*) from {{ ref('base_crm__opportunities') }}) as base_rows
    union all
    select
        'sales_activities' as table_name,
        (select count(*) from {{ raw_relation('sales_activities') }}) as source_rows,
        (select count(*) from {{ ref('base_crm__sales_activities') }}) as base_rows
    union all
    select
        'engagement_events' as table_name,
        (
            {%- for relation in delivered_events %}
                (select count(*) from {{ relation }}){{ " +" if not loop.last }}
            {%- endfor %}
        ) as source_rows,
        (select count(*) from {{ staged_relation('base', 'events') }}) as base_rows
    union all
    select
        'form_submissions' as table_name,
        (select count(*) from {{ delivered_form_submissions }}) as source_rows,
        (select count(*) from {{ staged_relation('base', 'form_submissions') }}) as base_rows

),

mismatched as (

    select *
    from row_counts
    where source_rows <> base_rows

)

select * from mismatched
