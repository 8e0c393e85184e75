{#- Fails with one row per combination of `combination_of_columns` that occurs more than once
    (NULLs compare as equal: a NULL in a key column is a duplicate like any other value), so a
    composite primary key is tested like `unique` tests a single column. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

grouped as (

    select
        {%- for column in combination_of_columns %}
        {{ column }},
        {%- endfor %}
        count(*) as copies
    from {{ model }}
    group by
        {%- for column in combination_of_columns %}
        {{ column }}{{ "," if not loop.last }}
        {%- endfor %}

),

duplicated as (

    select * from grouped
    where copies > 1

)

select * from duplicated

{% endtest %}
