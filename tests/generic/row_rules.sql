{#- Every row-level rule of one model (or source table) in ONE query over it (issue 17).

    The rules stay declared as ordinary dbt tests in the model's YAML (not_null,
    accepted_values, unique, unique_combination_of_columns): they are the one home of the
    rules, dbt docs show them and a person can still run any of them alone. This test, declared
    once per model (`data_tests: [row_rules]`), reads at execution time from `graph` the tests
    of those kinds attached to its model (and only to it) whose severity is its own (a model
    with warn rules declares a second one with `config: {severity: warn}`), and evaluates them
    all in one scan: every rule is a boolean per row (a key rule: whether the row's value is
    among the key's duplicated values, found by a grouped pass `group by key having count(*) >
    1` and joined back; on a large relation that hash aggregate and a join with an empty side
    cost a fraction of a window count's partitioned sort, measured in docs/benchmarks.md),
    honouring each test's `where` config and arguments like the built-ins (NULLs pass
    not-null-free rules: accepted_values and unique ignore them; composite keys compare NULLs
    as equal, like tests/generic/unique_combination_of_columns.sql).

    One row per failing row and rule (unique rules: every row sharing a duplicated value):
    rule (the individual test's name), rule_kind, model_name, column_name, failing_value (as
    text; NULL for not_null) and row_key (the model's key from its unwhere'd unique test, as
    text, columns joined by '|'). With store_failures the rows stay in schema test_failures:
    `select rule, count(*) from test_failures.<this test> group by rule`.

    `rows_written_at` (a timestamp column: when the run that wrote the row started): only the
    rows written after the last run in which this test passed with the same rules are
    checked (ops.row_rules_verified, appended by macro record_row_rules_verified), and a key
    rule compares their keys with every row. For incremental models that stamp what they
    write (judge_engagement_events: _judged_at); docs/data_quality.md says what keeps it a
    gate. Not on Spark (full check).

    The daily selector (selectors.yml) leaves the covered individual tests out; the
    pipeline's dbt gate (dbt_build.py) names each failing rule. Portable: dbt's cross-db
    type_string / concat; on Spark a key is a window count per key instead of the grouped pass
    (planning the joined-back pass over the widest model, int_contacts_scored, ran the driver
    out of memory in the Spark parity test). -#}
{% test row_rules(model, rows_written_at=none) %}

{%- set covered_kinds = ["not_null", "unique", "accepted_values", "unique_combination_of_columns"] -%}
{%- set own_severity = (config.get("severity") or "error") | lower -%}
{%- set rules = [] -%}
{%- set key_rules = [] -%}
{%- set keys = [] -%}
{%- set single_keys = [] -%}
{%- set model_names = [] -%}
{%- if execute -%}
    {#- The node whose relation this test reads: a model, seed or snapshot, or a source. -#}
    {%- set owners = [] -%}
    {#- Jinja filters (selectattr, sort) run in Python; a Jinja loop over the whole graph in
        each of ~90 tests cost ~20 ms per test (docs/benchmarks.md, session 9). -#}
    {%- for node in graph.nodes.values() | selectattr("resource_type", "in", ["model", "seed", "snapshot"]) -%}
        {%- if (node.schema | lower) == (model.schema | lower)
            and ((node.alias or node.name) | lower) == (model.identifier | lower) -%}
            {%- do owners.append(node.unique_id) -%}
            {%- do model_names.append(node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for source in graph.sources.values() -%}
        {%- if (source.schema | lower) == (model.schema | lower)
            and ((source.identifier or source.name) | lower) == (model.identifier | lower) -%}
            {%- do owners.append(source.unique_id) -%}
            {%- do model_names.append(source.source_name ~ "." ~ source.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- the tests on exactly this one node: depends_on.nodes == [owner] -#}
    {%- set owned_by = [] -%}
    {%- for owner in owners %}{% do owned_by.append([owner]) %}{% endfor -%}
    {%- set owned_tests = graph.nodes.values()
        | selectattr("resource_type", "equalto", "test")
        | selectattr("depends_on.nodes", "in", owned_by)
        | sort(attribute="unique_id") -%}
    {%- for test in owned_tests -%}
        {%- set meta = test.test_metadata -%}
        {%- if meta and meta["name"] in covered_kinds and not meta["namespace"] -%}
            {%- set kwargs = meta["kwargs"] -%}
            {%- set where = test.config["where"] -%}
            {%- set in_scope = "(" ~ where ~ ")" if where else "true" -%}
            {%- set kind = meta["name"] -%}
            {%- if kind == "unique_combination_of_columns" -%}
                {%- set columns = kwargs["combination_of_columns"] -%}
            {%- else -%}
                {%- set columns = [kwargs["column_name"]] -%}
            {%- endif -%}
            {#- the row's key: the first unwhere'd composite key, else the first unique column -#}
            {%- if kind == "unique_combination_of_columns" and not where and not keys -%}
                {%- do keys.extend(columns) -%}
            {%- elif kind == "unique" and not where and not single_keys -%}
                {%- do single_keys.extend(columns) -%}
            {%- endif -%}
            {%- if (test.config["severity"] or "error") | lower == own_severity -%}
                {%- set column = columns[0] -%}
                {%- if kind == "not_null" -%}
                    {%- set failed = "coalesce(" ~ in_scope ~ " and " ~ column ~ " is null, false)" -%}
                    {%- set shown = [] -%}
                {%- elif kind == "accepted_values" -%}
                    {%- set quoted = [] -%}
                    {%- for accepted in kwargs["values"] -%}
                        {%- do quoted.append("'" ~ accepted ~ "'" if kwargs.get("quote", true) else accepted | string) -%}
                    {%- endfor -%}
                    {%- set failed = "coalesce(" ~ in_scope ~ " and " ~ column ~ " not in (" ~ quoted | join(", ") ~ "), false)" -%}
                    {%- set shown = columns -%}
                {%- else -%}
                    {%- set number = rules | length + 1 -%}
                    {%- set counted = in_scope ~ " and " ~ column ~ " is not null" if kind == "unique" else in_scope -%}
                    {%- set shown = columns -%}
                    {%- if target.type == "spark" -%}
                        {#- Spark: a window count per key (the grouped pass joined back ran
                            out of driver memory planning the widest model's query) -#}
                        {%- set failed = "coalesce(" ~ counted ~ ", false) and sum(case when " ~ counted
                            ~ " then 1 else 0 end) over (partition by " ~ columns | join(", ") ~ ") > 1" -%}
                    {%- else -%}
                        {#- a key: its duplicated values found by a grouped pass (duplicates_<n>,
                            below), joined back to flag every row that shares one -#}
                        {%- set failed = "coalesce(" ~ counted ~ ", false) and duplicates_" ~ number
                            ~ ".is_duplicated is not null" -%}
                        {%- do key_rules.append({"number": number, "counted": counted, "columns": columns,
                            "null_safe": kind != "unique"}) -%}
                    {%- endif -%}
                {%- endif -%}
                {%- do rules.append({
                    "name": test.name, "kind": kind, "column": columns | join(", "),
                    "failed": failed, "shown": shown}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- set model_name = (model_names | first) or model.identifier -%}
{%- if not keys %}{% do keys.extend(single_keys) %}{% endif -%}

{#- rows_written_at: only the rows written since the last run in which this test passed with
    the same rules (ops.row_rules_verified, written by macro record_row_rules_verified at the
    end of each run) are checked; a key's rows are compared with every row. -#}
{%- set written_since = none -%}
{%- set state_key = none -%}
{%- if rows_written_at and rules and execute and target.type != "spark" -%}
    {#- the key names the model, the severity and every rule as compiled (a changed rule,
        `where` or var is a new key: every row is checked again) -#}
    {%- set state_key = local_md5(tojson([owners, own_severity, rows_written_at, rules, key_rules])) -%}
    {%- set verified = load_cached_relation(ops_relation("row_rules_verified")) -%}
    {%- if verified is not none -%}
        {%- set found = run_query(
            "select cast(max(verified_through) as " ~ dbt.type_string() ~ "), "
            ~ "coalesce(max(verified_through) < " ~ snapshot_get_time() ~ ", false) from "
            ~ verified ~ " where rules_key = '" ~ state_key ~ "'") -%}
        {%- set through = found.columns[0].values()[0] if found and found.rows | length else none -%}
        {#- a clock that went back past the last verification: check every row -#}
        {%- if through and found.columns[1].values()[0] -%}
            {%- set written_since = rows_written_at ~ " > cast('" ~ through ~ "' as timestamp)" -%}
        {%- endif -%}
    {%- endif -%}
{%- endif -%}

{%- if not rules %}

-- no row-level rules of this severity on {{ model_name }}: nothing can fail
select
    cast(null as {{ dbt.type_string() }}) as rule,
    cast(null as {{ dbt.type_string() }}) as rule_kind,
    cast(null as {{ dbt.type_string() }}) as model_name,
    cast(null as {{ dbt.type_string() }}) as column_name,
    cast(null as {{ dbt.type_string() }}) as failing_value,
    cast(null as {{ dbt.type_string() }}) as row_key
from (select 1 as nothing) as no_rules
where 1 = 0

{%- else %}

{#- Columns shown in the output (offending values, the row's key) travel raw through the
    scan and are cast to text only for failing rows. -#}
{%- set carried = [] %}
{%- for rule in rules %}{% for column in rule.shown %}{% if column not in carried %}{% do carried.append(column) %}{% endif %}{% endfor %}{% endfor %}
{%- for column in keys %}{% if column not in carried %}{% do carried.append(column) %}{% endif %}{% endfor %}
{%- set texts = [] %}
{%- for shown in [keys] + rules | map(attribute="shown") | list %}
{%- if not shown %}
{%- do texts.append("cast(null as " ~ dbt.type_string() ~ ")") %}
{%- elif shown | length == 1 %}
{%- do texts.append("cast(failing.carried_" ~ carried.index(shown[0]) ~ " as " ~ dbt.type_string() ~ ")") %}
{%- else %}
{%- set parts = [] %}
{%- for column in shown %}
{%- do parts.append("coalesce(cast(failing.carried_" ~ carried.index(column) ~ " as " ~ dbt.type_string() ~ "), 'NULL')") %}
{%- if not loop.last %}{% do parts.append("'|'") %}{% endif %}
{%- endfor %}
{%- do texts.append(dbt.concat(parts)) %}
{%- endif %}
{%- endfor %}

{%- if state_key %}
-- row_rules state key: {{ state_key }}
{%- endif %}
with
{%- for key in key_rules %}
{%- if written_since %}

-- the key values of the rows written since the last verification
touched_{{ key.number }} as (

    select distinct
        {%- for column in key.columns %}
        {{ column }} as touched_{{ loop.index0 }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
    where ({{ key.counted }}) and {{ written_since }}

),
{%- endif %}

-- the values of a key held by more than one row in scope (empty when the key holds)
duplicates_{{ key.number }} as (

    select
        {%- for column in key.columns %}
        {{ column }} as key_{{ loop.index0 }},
        {%- endfor %}
        true as is_duplicated
    from {{ model }}
    {%- if written_since %}
    inner join touched_{{ key.number }}
        on
        {%- for column in key.columns %}
        {{ "and " if not loop.first }}{{ column }} {{ "is not distinct from" if key.null_safe else "=" }} touched_{{ key.number }}.touched_{{ loop.index0 }}
        {%- endfor %}
    {%- endif %}
    where {{ key.counted }}
    group by {{ key.columns | join(", ") }}
    having count(*) > 1

),
{%- endfor %}

-- one scan: every rule a flag per row, the keys' duplicates joined back
checked as (

    select
        {%- for column in carried %}
        {{ column }} as carried_{{ loop.index0 }},
        {%- endfor %}
        {%- for rule in rules %}
        {{ rule.failed }} as failed_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }} as scanned
    {%- for key in key_rules %}
    left join duplicates_{{ key.number }}
        on
        {%- for column in key.columns %}
        {{ "and " if not loop.first }}scanned.{{ column }} {{ "is not distinct from" if key.null_safe else "=" }} duplicates_{{ key.number }}.key_{{ loop.index0 }}
        {%- endfor %}
    {%- endfor %}
    {%- if written_since %}
    where {{ written_since }}
    {%- endif %}

),

failing as (

    select * from checked
    where
        {%- for rule in rules %}
        {{ "or " if not loop.first }}failed_{{ loop.index }}
        {%- endfor %}

),

rule_list as (

    {%- for rule in rules %}
    select
        {{ loop.index }} as rule_id,
        '{{ rule.name | replace("'", "''") }}' as rule,
        '{{ rule.kind }}' as rule_kind,
        '{{ rule.column | replace("'", "''") }}' as column_name
    {{ "union all" if not loop.last }}
    {%- endfor %}

)

-- only failing rows meet the (small) rule list: one output row per failing row and rule
select
    rule_list.rule,
    rule_list.rule_kind,
    cast('{{ model_name | replace("'", "''") }}' as {{ dbt.type_string() }}) as model_name,
    rule_list.column_name,
    case rule_list.rule_id
        {%- for rule in rules %}
        when {{ loop.index }} then {{ texts[loop.index] }}
        {%- endfor %}
    end as failing_value,
    {{ texts[0] }} as row_key
from failing
cross join rule_list
where
    case rule_list.rule_id
        {%- for rule in rules %}
        when {{ loop.index }} then failing.failed_{{ loop.index }}
        {%- endfor %}
    end

{%- endif %}

{% endtest %}
