{#- The level whose threshold a score reaches: the highest level with score >= its minimum;
    the last (lowest) level takes everything below the others; a NULL score gives NULL.

    `thresholds` is a relation (ref of a thresholds seed, or a CTE name) holding one row per
    level in `level_column` / `min_score_column`. The threshold values are read from it, so a
    RevOps edit of the seed changes the cut-offs; `levels` names the levels, highest first,
    because they are part of the published contract, not configuration. -#}
{% macro score_to_level(
    score_expr,
    thresholds,
    levels,
    level_column="level",
    min_score_column="min_score"
) -%}
    case
        when {{ score_expr }} is null then null
        {%- for level in levels[:-1] %}
        when {{ score_expr }} >= (
            select min({{ min_score_column }}) from {{ thresholds }}
            where {{ level_column }} = '{{ level }}'
        ) then '{{ level }}'
        {%- endfor %}
        else '{{ levels[-1] }}'
    end
{%- endmacro %}
