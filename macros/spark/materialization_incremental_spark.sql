{#- dbt-spark's incremental materialization plus the `delete+insert` strategy for any file
    format (the project's own materialization wins over the adapter's). dbt-spark offers only
    append, insert_overwrite (whole partitions) and merge (delta / iceberg / hudi only, none of
    which a local pyspark has without downloading jars). delete+insert is what the project's
    incremental models mean on every engine: the rows of the new batch replace every stored row
    with the same unique_key. On Parquet it is done as a rewrite: the stored rows whose key is
    not in the batch, plus the batch, go to a side table that then replaces the model's
    contents with `insert overwrite` (Spark cannot overwrite a table it is reading). Not atomic
    (Parquet has no transactions); a failed run is repaired by `--full-refresh`. Every other
    strategy runs exactly as in dbt-spark. -#}
{% materialization incremental, adapter="spark", supported_languages=["sql", "python"] -%}

    {%- set raw_file_format = config.get("file_format", default="parquet") -%}
    {%- set raw_strategy = config.get("incremental_strategy") or "append" -%}
    {%- set grant_config = config.get("grants") -%}

    {%- set file_format = dbt_spark_validate_get_file_format(raw_file_format) -%}
    {%- if raw_strategy == "delete+insert" -%}
        {%- set strategy = raw_strategy -%}
        {%- if not config.get("unique_key") -%}
            {%- do exceptions.raise_compiler_error(
                "incremental_strategy delete+insert needs a unique_key") -%}
        {%- endif -%}
    {%- else -%}
        {%- set strategy = dbt_spark_validate_get_incremental_strategy(
            raw_strategy, file_format) -%}
    {%- endif -%}

    {%- set unique_key = config.get("unique_key", none) -%}
    {%- set partition_by = config.get("partition_by", none) -%}
    {%- set language = model["language"] -%}
    {%- set on_schema_change = incremental_validate_on_schema_change(
        config.get("on_schema_change"), default="ignore") -%}
    {%- set incremental_predicates = config.get("predicates", none)
        or config.get("incremental_predicates", none) -%}
    {%- set target_relation = this -%}
    {%- set existing_relation = load_relation(this) -%}
    {%- set tmp_relation = this.incorporate(
        path={"identifier": this.identifier ~ "__dbt_tmp"}) -%}
    {%- if language == "sql" -%}
        {%- set tmp_relation = tmp_relation.include(database=false, schema=false) -%}
    {%- endif -%}

    {%- if strategy in ["insert_overwrite", "microbatch"] and partition_by -%}
        {%- call statement() -%}
            set spark.sql.sources.partitionOverwriteMode = DYNAMIC
        {%- endcall -%}
    {%- endif -%}

    {{ run_hooks(pre_hooks) }}

    {%- if existing_relation is none -%}
        {%- call statement("main", language=language) -%}
            {{ create_table_as(False, target_relation, compiled_code, language) }}
        {%- endcall -%}
        {%- do persist_constraints(target_relation, model) -%}
    {%- elif existing_relation.is_view or should_full_refresh() -%}
        {%- set is_delta = (file_format == "delta" and existing_relation.is_delta) -%}
        {%- if not is_delta -%}
            {%- do adapter.drop_relation(existing_relation) -%}
        {%- endif -%}
        {%- call statement("main", language=language) -%}
            {{ create_table_as(False, target_relation, compiled_code, language) }}
        {%- endcall -%}
        {%- do persist_constraints(target_relation, model) -%}
    {%- else -%}
        {%- call statement("create_tmp_relation", language=language) -%}
            {{ create_table_as(True, tmp_relation, compiled_code, language) }}
        {%- endcall -%}
        {%- do process_schema_changes(on_schema_change, tmp_relation, existing_relation) -%}
        {%- if strategy == "delete+insert" -%}
            {%- set rewrite_relation = this.incorporate(
                path={"identifier": this.identifier ~ "__dbt_rewrite"}, type="table") -%}
            {%- set dest_columns = adapter.get_columns_in_relation(target_relation) -%}
            {%- set dest_cols_csv = dest_columns | map(attribute="quoted") | join(", ") -%}
            {%- set keys = [unique_key] if unique_key is string else unique_key -%}
            {%- set replaced = [] -%}
            {%- for key in keys -%}
                {%- do replaced.append(
                    "DBT_INTERNAL_SOURCE." ~ key ~ " = DBT_INTERNAL_DEST." ~ key) -%}
            {%- endfor -%}
            {%- for predicate in (incremental_predicates or []) -%}
                {%- do replaced.append(predicate) -%}
            {%- endfor -%}
            {%- do adapter.drop_relation(rewrite_relation) -%}
            {#- The batch is read twice below (keys to replace, rows to add): compute it once. -#}
            {%- call statement("cache_incremental_batch") -%}
                cache table {{ tmp_relation }}
            {%- endcall -%}
            {%- call statement("build_incremental_rewrite") -%}
                create table {{ rewrite_relation }} using parquet as
                select {{ dest_cols_csv }}
                from {{ target_relation }} as DBT_INTERNAL_DEST
                where not exists (
                    select 1 from {{ tmp_relation }} as DBT_INTERNAL_SOURCE
                    where {{ replaced | join(" and ") }}
                )
                union all
                select {{ dest_cols_csv }}
                from {{ tmp_relation }}
            {%- endcall -%}
            {%- call statement("main") -%}
                insert overwrite table {{ target_relation }}
                select {{ dest_cols_csv }} from {{ rewrite_relation }}
            {%- endcall -%}
            {%- do adapter.drop_relation(rewrite_relation) -%}
            {%- call statement("uncache_incremental_batch") -%}
                uncache table if exists {{ tmp_relation }}
            {%- endcall -%}
        {%- else -%}
            {%- call statement("main") -%}
                {{ dbt_spark_get_incremental_sql(
                    strategy, tmp_relation, target_relation, existing_relation, unique_key,
                    incremental_predicates) }}
            {%- endcall -%}
        {%- endif -%}
        {%- if language == "python" -%}
            {%- call statement("drop_relation") -%}
                drop table if exists {{ tmp_relation }}
            {%- endcall -%}
        {%- endif -%}
    {%- endif -%}

    {%- set should_revoke = should_revoke(existing_relation, full_refresh_mode) -%}
    {%- do apply_grants(target_relation, grant_config, should_revoke) -%}
    {%- do persist_docs(target_relation, model) -%}

    {{ run_hooks(post_hooks) }}

    {{ return({"relations": [target_relation]}) }}

{%- endmaterialization %}
