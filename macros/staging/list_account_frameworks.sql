{#-
    One row per kept account and distinct framework it lists (canonical names; unmapped ones as
    cleaned). Split from the kept rows' compliance_frameworks, which the base model has
    already normalised, deduplicated and joined by `; `: accounts with '' (known none) or NULL
    (unknown) have no row here. Reads the base model, as stg_crm__accounts does (a staging
    model never reads an stg_ model).
    `base_relation`: the base_<folder>__accounts model of the source's folder; the
    stg_<folder>__account_frameworks model of each source folder is this macro on it.
-#}
{% macro list_account_frameworks(base_relation) -%}
with

base_accounts as (

    select * from {{ base_relation }}

),

framework_parts as (

    select
        account_id,
        {{ split_to_rows('compliance_frameworks', ';') }} as framework_text
    from base_accounts
    where row_status = 'kept'

),

frameworks as (

    select
        account_id,
        trim(framework_text) as framework
    from framework_parts
    where trim(framework_text) <> ''

)

select * from frameworks
{%- endmacro %}
