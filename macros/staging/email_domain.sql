{#- The domain of a valid, already normalised email (normalize_email): the text after the last
    `@`. NULL when the email is not valid (is_valid_email), so a malformed address never
    yields a domain that looks real. -#}
{% macro email_domain(normalized_email) -%}
    case
        when {{ is_valid_email(normalized_email) }}
            then {{ regex_replace_all(normalized_email, "^.*@", "") }}
    end
{%- endmacro %}
