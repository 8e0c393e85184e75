-- Fails for every raw table whose rows are not all accounted for: raw_rows must equal
-- kept + duplicate + merged + rejected (recomputed here rather than trusting is_balanced).
-- That it can fail is shown by the unit test row_reconciliation_flags_unaccounted_rows.
with

reconciliation as (

    select * from {{ ref('dq_row_reconciliation') }}

),

unbalanced as (

    select
        table_name,
        raw_rows,
        kept_rows,
        duplicate_rows,
        merged_rows,
        rejected_rows,
        is_balanced,
        raw_rows - (kept_rows + duplicate_rows + merged_rows + rejected_rows) as unaccounted_rows
    from reconciliation
    where
        raw_rows <> kept_rows + duplicate_rows + merged_rows + rejected_rows
        or not is_balanced

)

select * from unbalanced
