{#- Exponential decay: points x 0.5 ^ (age_days / half_life_days), as a double. A NULL
    half-life means the signal does not decay (the catalog leaves it empty for passive,
    zero-point signals), so the points are returned as they are. -#}
{% macro decayed_points(points, age_days, half_life_days) -%}
    case
        when {{ half_life_days }} is null then cast({{ points }} as double)
        else
            cast({{ points }} as double)
            * power(0.5, cast({{ age_days }} as double) / {{ half_life_days }})
    end
{%- endmacro %}
