{#- The level whose threshold a score reaches: the highest level with score >= its minimum;
    the last (lowest) level takes everything below the others; a NULL score gives NULL.

    `thresholds` is either
    - a list of [level, min_score] pairs: numbers in any order, or SQL expressions (e.g. columns
      of a pivoted thresholds row) highest first, or
    - a relation (ref of a thresholds seed, or a CTE name) holding one row per level in
      `level_column` / `min_score_column`. The threshold values are read from it, so a RevOps
      edit of the seed changes the cut-offs; `levels` names the levels, highest first, because
      they are part of the published contract (accepted values), not configuration. -#}
{% macro score_to_level(
    score_expr,
    thresholds,
    levels=none,
    level_column="level",
    min_score_column="min_score"
) -%}
    {%- if thresholds is string or thresholds is not sequence -%}
        {%- if not levels -%}
            {{ exceptions.raise_compiler_error(
                "score_to_level: `levels` (highest first) is required with a relation") }}
        {%- endif -%}
        {%- set pairs = [] -%}
        {%- for level in levels -%}
            {%- do pairs.append([
                level,
                "(select min(" ~ min_score_column ~ ") from " ~ thresholds
                ~ " where " ~ level_column ~ " = '" ~ level ~ "')",
            ]) -%}
        {%- endfor -%}
    {%- else -%}
        {%- set numeric = thresholds | map(attribute="1") | select("number") | list -%}
        {%- if numeric | length == thresholds | length -%}
            {%- set pairs = thresholds | sort(attribute="1", reverse=true) -%}
        {%- else -%}
            {%- set pairs = thresholds -%}
        {%- endif -%}
    {%- endif -%}
    case
        when {{ score_expr }} is null then null
        {%- for pair in pairs[:-1] %}
        when {{ score_expr }} >= {{ pair[1] }} then '{{ pair[0] }}'
        {%- endfor %}
        else '{{ pairs[-1][0] }}'
    end
{%- endmacro %}
