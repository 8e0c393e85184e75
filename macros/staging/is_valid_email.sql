{#- True when an already normalised email (see normalize_email) is well formed: one @, a
    local part of the usual characters, a dotted domain with a 2+ letter TLD. NULL -> false. -#}
{% macro is_valid_email(normalized_email) -%}
    coalesce(
        {{ regex_matches(normalized_email, "^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$") }},
        false
    )
{%- endmacro %}
