-- One row per kept account and distinct framework it lists (canonical names; unmapped ones as
-- cleaned). Split from the kept rows' compliance_frameworks, which base_crm__accounts has
-- already normalised, deduplicated and joined by `; `: accounts with '' (known none) or NULL
-- (unknown) have no row here. Reads the base model, as stg_crm__accounts does (a staging
-- model never reads an stg_ model).
with

base_accounts as (

    select * from {{ ref('base_crm__accounts') }}

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
