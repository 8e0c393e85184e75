{#- dbt-spark's snapshot materialization, extended to plain Parquet tables (the project's own
    materialization wins over the adapter's). dbt-spark refuses snapshots unless the table
    format can MERGE (delta, iceberg, hudi); none of those is available to a local pyspark
    without downloading jars. For Parquet the merge is done as a rewrite with the same
    semantics as dbt-spark's spark__snapshot_merge_sql: the current rows of updated or
    deleted keys get their valid_to, new versions are appended (unless their dbt_scd_id is
    already there), all into a side table that then replaces the snapshot's contents with
    `insert overwrite`. Not atomic (Parquet has no transactions): a run that dies between the
    two statements is repaired by re-running it, as the side table still holds the result.
    delta / iceberg / hudi keep dbt-spark's MERGE. -#}
{% materialization snapshot, adapter="spark" %}

    {%- set target_table = model.get("alias", model.get("name")) -%}
    {%- set strategy_name = config.get("strategy") -%}
    {%- set file_format = config.get("file_format") or "parquet" -%}
    {%- set can_merge = file_format in ["delta", "iceberg", "hudi"] -%}
    {%- set grant_config = config.get("grants") -%}

    {%- set target_relation_exists, target_relation = get_or_create_relation(
        database=none,
        schema=model.schema,
        identifier=target_table,
        type="table") -%}

    {%- if file_format not in ["delta", "iceberg", "hudi", "parquet"] -%}
        {%- do exceptions.raise_compiler_error(
            "Invalid file format for a snapshot: " ~ file_format
            ~ " (expected delta, iceberg, hudi or parquet)") -%}
    {%- endif -%}

    {%- if target_relation_exists and can_merge
        and not (target_relation.is_delta or target_relation.is_iceberg
            or target_relation.is_hudi) -%}
        {%- do exceptions.raise_compiler_error(
            "The existing table " ~ model.schema ~ "." ~ target_table
            ~ " is not in a format that supports merge; it cannot become " ~ file_format) -%}
    {%- endif -%}

    {%- if not adapter.check_schema_exists(model.database, model.schema) -%}
        {%- do create_schema(model.schema) -%}
    {%- endif -%}

    {%- if not target_relation.is_table -%}
        {%- do exceptions.relation_wrong_type(target_relation, "table") -%}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set strategy_macro = strategy_dispatch(strategy_name) -%}
    {%- set strategy = strategy_macro(
        model, "snapshotted_data", "source_data", model["config"], target_relation_exists) -%}

    {%- if not target_relation_exists -%}

        {%- set build_sql = build_snapshot_table(strategy, model["compiled_code"]) -%}
        {%- set final_sql = create_table_as(False, target_relation, build_sql) -%}

    {%- else -%}

        {%- set columns = config.get("snapshot_table_column_names")
            or get_snapshot_table_column_names() -%}
        {{ adapter.valid_snapshot_target(target_relation, columns) }}

        {%- set staging_table = spark_build_snapshot_staging_table(
            strategy, sql, target_relation) -%}
        {%- do adapter.expand_target_column_types(
            from_relation=staging_table, to_relation=target_relation) -%}

        {%- set dbt_only_columns = [
            "dbt_change_type", "DBT_CHANGE_TYPE", "dbt_unique_key", "DBT_UNIQUE_KEY"] -%}
        {%- set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
            | rejectattr("name", "in", dbt_only_columns) | list -%}
        {%- do create_columns(target_relation, missing_columns) -%}

        {%- if can_merge -%}
            {%- set source_columns = adapter.get_columns_in_relation(staging_table)
                | rejectattr("name", "in", dbt_only_columns) | list -%}
            {%- set quoted_source_columns = [] -%}
            {%- for column in source_columns -%}
                {%- do quoted_source_columns.append(adapter.quote(column.name)) -%}
            {%- endfor -%}
            {%- set final_sql = snapshot_merge_sql(
                target=target_relation,
                source=staging_table,
                insert_cols=quoted_source_columns) -%}
        {%- else -%}
            {%- set rewrite_relation = api.Relation.create(
                identifier=target_table ~ "__dbt_rewrite",
                schema=target_relation.schema,
                database=none,
                type="table") -%}
            {%- set target_columns = adapter.get_columns_in_relation(target_relation) -%}
            {%- set staging_names = adapter.get_columns_in_relation(staging_table)
                | map(attribute="name") | map("lower") | list -%}
            {%- set valid_to = columns.dbt_valid_to -%}
            {%- set valid_to_current = config.get("dbt_valid_to_current") -%}
            {%- set is_current -%}
                {%- if valid_to_current -%}
                    (target_rows.{{ valid_to }} = {{ valid_to_current }}
                        or target_rows.{{ valid_to }} is null)
                {%- else -%}
                    target_rows.{{ valid_to }} is null
                {%- endif -%}
            {%- endset -%}
            {%- set kept_list = [] -%}
            {%- set inserted_list = [] -%}
            {%- for column in target_columns -%}
                {%- set name = adapter.quote(column.name) -%}
                {%- if column.name | lower == valid_to | lower -%}
                    {%- do kept_list.append(
                        "case when closing.dbt_scd_id is not null and " ~ is_current
                        ~ " then closing." ~ name ~ " else target_rows." ~ name ~ " end as "
                        ~ name) -%}
                {%- else -%}
                    {%- do kept_list.append("target_rows." ~ name) -%}
                {%- endif -%}
                {%- if column.name | lower in staging_names -%}
                    {%- do inserted_list.append("cast(staged." ~ name ~ " as "
                        ~ column.data_type ~ ") as " ~ name) -%}
                {%- else -%}
                    {%- do inserted_list.append(
                        "cast(null as " ~ column.data_type ~ ") as " ~ name) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set scd_id = columns.dbt_scd_id -%}
            {%- do adapter.drop_relation(rewrite_relation) -%}
            {%- call statement("build_snapshot_rewrite") -%}
                create table {{ rewrite_relation }} using parquet as
                with closing as (
                    select {{ scd_id }} as dbt_scd_id, {{ valid_to }}
                    from {{ staging_table }}
                    where dbt_change_type in ('update', 'delete')
                )
                select {{ kept_list | join(", ") }}
                from {{ target_relation }} as target_rows
                left join closing
                    on target_rows.{{ scd_id }} = closing.dbt_scd_id
                union all
                select {{ inserted_list | join(", ") }}
                from {{ staging_table }} as staged
                where
                    staged.dbt_change_type = 'insert'
                    and not exists (
                        select 1 from {{ target_relation }} as existing
                        where existing.{{ scd_id }} = staged.{{ scd_id }}
                    )
            {%- endcall -%}
            {%- set final_sql -%}
                insert overwrite table {{ target_relation }}
                select * from {{ rewrite_relation }}
            {%- endset -%}
        {%- endif -%}

    {%- endif -%}

    {%- call statement("main") -%}
        {{ final_sql }}
    {%- endcall -%}

    {%- if rewrite_relation is defined -%}
        {%- do adapter.drop_relation(rewrite_relation) -%}
    {%- endif -%}

    {%- set should_revoke = should_revoke(target_relation_exists, full_refresh_mode) -%}
    {%- do apply_grants(target_relation, grant_config, should_revoke) -%}
    {%- do persist_docs(target_relation, model) -%}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}

    {%- if staging_table is defined -%}
        {%- do post_snapshot(staging_table) -%}
    {%- endif -%}

    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({"relations": [target_relation]}) }}

{% endmaterialization %}
