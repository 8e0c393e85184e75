-- One row per kept account and distinct framework it lists (canonical names; unmapped ones as
-- cleaned). Split from stg_crm__accounts.compliance_frameworks, which base_crm__accounts has
-- already normalised, deduplicated and joined by `; `: accounts with '' (known none) or NULL
-- (unknown) have no row here.
with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

framework_parts as (

    select
        account_id,
        {{ split_to_rows('compliance_frameworks', ';') }} as framework_text
    from accounts

),

frameworks as (

    select
        account_id,
        trim(framework_text) as framework
    from framework_parts
    where trim(framework_text) <> ''

)

select * from frameworks
