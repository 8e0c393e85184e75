{#- A website as its bare domain: lower-cased and trimmed, then the scheme (`https://`, or a
    bare `//`), a leading `www.`, and everything from the first `/`, `?`, `#` or `:` (path,
    query, fragment, port) removed, as are trailing dots; empty -> NULL.
    `https://www.Acme.com/about` -> `acme.com`, `acme.com:8443` -> `acme.com`. -#}
{% macro website_domain(expression) -%}
    {%- set lowered = "lower(trim(" ~ expression ~ "))" -%}
    {%- set without_scheme = regex_replace_all(lowered, "^([a-z][a-z0-9+.-]*:)?//", "") -%}
    {%- set without_www = regex_replace_all(without_scheme, "^www[.]", "") -%}
    {%- set host = regex_replace_all(without_www, "[/?#:].*$", "") -%}
    nullif({{ regex_replace_all(host, "[.]+$", "") }}, '')
{%- endmacro %}
