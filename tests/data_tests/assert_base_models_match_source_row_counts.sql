-- dq_row_reconciliation counts raw rows from the base models (the raw relations are read only in
-- staging), so each base model must hold exactly one row per raw row: a join that fans out
-- or a filter that drops rows would otherwise go unnoticed. Fails per table that differs.
-- The tables as the source delivers them: the loaded files or the HubSpot adapters (the
-- models each source's base models judge), and with Segment its adapter too (the base events
-- are both sources' base models together).
{%- set files = var('crm_source', 'files') == 'files' %}
{%- set delivered = {
    'crm_accounts': source('crm', 'crm_accounts') if files
        else ref('base_hubspot__crm_accounts'),
    'crm_contacts': source('crm', 'crm_contacts') if files
        else ref('base_hubspot__crm_contacts'),
    'crm_opportunities': source('crm', 'crm_opportunities') if files
        else ref('base_hubspot__crm_opportunities'),
    'sales_activities': source('crm', 'sales_activities') if files
        else ref('base_hubspot__raw_sales_activities'),
} %}
{%- set delivered_events = [
    source('engagement', 'engagement_events') if files
        else ref('base_hubspot__engagement_events'),
] %}
{%- if segment_enabled() %}
    {%- do delivered_events.append(ref('base_segment__engagement_events')) %}
{%- endif %}
{%- set delivered_form_submissions = source('engagement', 'form_submissions')
    if files else ref('base_hubspot__raw_form_submissions') %}

with

row_counts as (

    select
        'crm_accounts' as table_name,
        (select count(*) from {{ delivered['crm_accounts'] }}) as source_rows,
        (select count(*) from {{ staged_relation('base', 'accounts') }}) as base_rows
    union all
    select
        'crm_contacts' as table_name,
        (select count(*) from {{ delivered['crm_contacts'] }}) as source_rows,
        (select count(*) from {{ staged_relation('base', 'contacts') }}) as base_rows
    union all
    select
        'crm_opportunities' as table_name,
        (select count(*) from {{ delivered['crm_opportunities'] }}) as source_rows,
        (select count(*) from {{ staged_relation('base', 'opportunities') }}) as base_rows
    union all
    select
        'sales_activities' as table_name,
        (select count(*) from {{ delivered['sales_activities'] }}) as source_rows,
        (select count(*) from {{ staged_relation('base', 'sales_activities') }}) as base_rows
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
