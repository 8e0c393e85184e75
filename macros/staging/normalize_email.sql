{#- Email as identity key (CONTRACT.md: people sharing the normalised email are one person):
    invisible format characters (zero-width space/joiners, word joiner, BOM, soft hyphen)
    removed wherever they are; leading and trailing whitespace of any kind (tab, newline,
    NBSP, the Unicode spaces and line separators) removed; lower-cased; empty -> NULL.
    The characters are spelled as Jinja escapes and land in the SQL as plain characters:
    no regex backslash, so DuckDB (RE2) and Spark (Java) read the same class. -#}
{% macro normalize_email(expression) -%}
    {%- set invisible = "[\u00ad\u200b\u200c\u200d\u2060\ufeff]" -%}
    {%- set blank = "[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]" -%}
    {%- set without_invisible = regex_replace_all(expression, invisible, "") -%}
    nullif(lower({{ regex_replace_all(without_invisible, "^" ~ blank ~ "+|" ~ blank ~ "+$", "") }}), '')
{%- endmacro %}
