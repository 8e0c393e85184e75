{#- The person's experiment bucket 0..99: the first 8 hex digits of md5(key) read as a number,
    mod 100 (SCORING_MODEL.md, Routing step 4). Deterministic and stable across runs and
    engines, so a person never switches between holdout and treatment. -#}
{% macro holdout_bucket(key_expr) -%}
    ({{ hex_to_bigint("substr(" ~ dbt.hash(key_expr) ~ ", 1, 8)", 8) }} % 100)
{%- endmacro %}
