-- macro connector_cast reads what real connector tables hold (docs/sources.md): fails with
-- each case whose typed value differs from the expected one.
with

cases as (

    select
        'unpadded hour' as case_name,
        {{ connector_cast("'2020-12-30 3:15:52'", 'timestamp') }} as actual_timestamp,
        cast('2020-12-30 03:15:52' as timestamp) as expected_timestamp
    union all
    select
        'utc suffix' as case_name,
        {{ connector_cast("' 2021-04-01 17:32:47 UTC '", 'timestamp') }} as actual_timestamp,
        cast('2021-04-01 17:32:47' as timestamp) as expected_timestamp
    union all
    select
        'iso t separator' as case_name,
        {{ connector_cast("'2023-11-02T11:00:00'", 'timestamp') }} as actual_timestamp,
        cast('2023-11-02 11:00:00' as timestamp) as expected_timestamp
    union all
    select
        'not a timestamp' as case_name,
        {{ connector_cast("'soon'", 'timestamp') }} as actual_timestamp,
        cast(null as timestamp) as expected_timestamp

),

text_cases as (

    select
        'md5 of empty (hex)' as case_name,
        {{ connector_cast("'d41d8cd98f00b204e9800998ecf8427e'", 'text') }} as actual_text,
        cast(null as {{ dbt.type_string() }}) as expected_text
    union all
    select
        'md5 of empty (base64)' as case_name,
        {{ connector_cast("' 1B2M2Y8AsgTpgAmY7PhCfg== '", 'text') }} as actual_text,
        cast(null as {{ dbt.type_string() }}) as expected_text
    union all
    select
        'empty kept' as case_name,
        {{ connector_cast("''", 'text', keep_empty=true) }} as actual_text,
        '' as expected_text
    union all
    select
        'decimal integer' as case_name,
        cast({{ connector_cast("'42.0'", 'integer') }} as {{ dbt.type_string() }}) as actual_text,
        '42' as expected_text
    union all
    select
        'boolean upper case' as case_name,
        cast({{ connector_cast("'FALSE'", 'boolean') }} as {{ dbt.type_string() }}) as actual_text,
        cast(false as {{ dbt.type_string() }}) as expected_text

),

failures as (

    select case_name
    from cases
    where
        actual_timestamp <> expected_timestamp
        or (actual_timestamp is null) <> (expected_timestamp is null)
    union all
    select case_name
    from text_cases
    where
        actual_text <> expected_text
        or (actual_text is null) <> (expected_text is null)

)

select * from failures
