{#- True when the keyword (one or more words) occurs as whole words in the text. Both must be
    cleaned the same way: lower-case words separated by single spaces (job_title_clean), so a
    space on each side marks a word boundary: `cto` does not match `director`. NULL -> false. -#}
{% macro matches_whole_word(text_expr, keyword_expr) -%}
    coalesce(
        {{ dbt.concat(["' '", text_expr, "' '"]) }}
        like {{ dbt.concat(["'% '", keyword_expr, "' %'"]) }},
        false
    )
{%- endmacro %}
