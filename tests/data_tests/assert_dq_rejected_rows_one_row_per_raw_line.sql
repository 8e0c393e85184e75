-- dq_rejected_rows' key is table_name + _line_number: a raw line rejected twice (a fan-out
-- in a base model) would be reported twice.
with

rejected_rows as (

    select * from {{ ref('dq_rejected_rows') }}

),

repeated_lines as (

    select
        table_name,
        _line_number,
        count(*) as listed_times
    from rejected_rows
    group by table_name, _line_number
    having count(*) > 1

)

select * from repeated_lines
