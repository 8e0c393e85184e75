{#- One setting of a parameter seed (rows `parameter`, `value`), as an aggregate over the seed's
    rows: max(case when parameter = '<name>' then value end). A setting missing from the seed
    would make that aggregate NULL and silently switch its rule off, so when dbt runs the
    model (run, build) against a built seed, the macro looks the name up and stops the
    model's compilation naming the missing setting. -#}
{% macro parameter_value(seed_name, name) -%}
    {#- Only when dbt runs models (run, build): parse, compile, docs and sqlfluff's templater
        must not need the database; in a unit test the seed is a mocked CTE. -#}
    {%- if execute and flags.WHICH in ("run", "build") and model.resource_type != "unit_test" -%}
        {%- set relation = ref(seed_name) -%}
        {%- set built = adapter.get_relation(
            database=relation.database,
            schema=relation.schema,
            identifier=relation.identifier,
        ) if relation.schema and relation.identifier else none -%}
        {%- if built is not none -%}
            {%- set found = run_query(
                "select count(*) from " ~ built ~ " where parameter = '" ~ name ~ "'"
            ).columns[0].values()[0] -%}
            {%- if found == 0 -%}
                {{ exceptions.raise_compiler_error(
                    "parameter '" ~ name ~ "' is missing from seed " ~ seed_name
                    ~ " (seeds/.../" ~ seed_name ~ ".csv): add the row; without it the rule"
                    ~ " that reads it would be switched off") }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    max(case when parameter = '{{ name }}' then value end)
{%- endmacro %}
