{#-
    The current version of every opportunity that is neither deleted, keyless nor in an unknown
    stage: one row per opportunity_id, its primary contact as delivered
    (int_opportunities_attributed re-points it to the surviving person).
    `base_relation`: the base_<folder>__opportunities model of the source's folder; the
    stg_<folder>__opportunities model of each source folder is this macro on it.
-#}
{% macro keep_crm_opportunities(base_relation) -%}
with

base_opportunities as (

    select * from {{ base_relation }}

),

kept as (

    select
        opportunity_id,
        account_id,
        delivered_primary_contact_id,
        service_line,
        stage,
        is_closed,
        is_won,
        amount_usd,
        created_at,
        closed_at,
        updated_at
    from base_opportunities
    where row_status = 'kept'

)

select * from kept
{%- endmacro %}
