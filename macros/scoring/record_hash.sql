{#- md5 over a list of columns, for change detection (lead_routing.record_hash). NULL-safe and
    unambiguous: each value is cast to text and written as `<length>:<text>`, a NULL as `~`,
    joined by `|`; so NULL differs from '' and from the text 'null', and no two different
    rows can give the same input text. Type-stable: an integer and a bigint (or a varchar and
    a string) of the same value hash the same. Timestamps must be naive (their text form).
    The parts are joined by one concat_ws call (no part is NULL, so it drops none): a chain
    of `||` copies the growing text once per operator, which cost DuckDB twice the time on
    lead routing's thirteen columns (docs/benchmarks.md, issue 17 session 8). -#}
{% macro record_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- set as_text = "cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")" -%}
        {%- do parts.append(
            "coalesce("
            ~ dbt.concat(["cast(" ~ dbt.length(as_text) ~ " as " ~ dbt.type_string() ~ ")", "':'", as_text])
            ~ ", '~')"
        ) -%}
    {%- endfor -%}
    {{ dbt.hash("concat_ws('|', " ~ parts | join(", ") ~ ")") }}
{%- endmacro %}
