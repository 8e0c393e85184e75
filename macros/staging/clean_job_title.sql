{#- A job title for whole-word keyword matching (job_title_clean): lower-cased, every run of
    characters other than a-z and 0-9 replaced by one space, trimmed; empty -> NULL.
    `VP, Security` -> `vp security`. ASCII only on purpose: the same pattern behaves the same
    on every engine (letters outside a-z separate words too). -#}
{% macro clean_job_title(expression) -%}
    nullif(trim({{ regex_replace_all("lower(" ~ expression ~ ")", "[^a-z0-9]+", " ") }}), '')
{%- endmacro %}
