{#- How many of the ten risk inputs of the spec are known on an account (0..10):
    compliance_frameworks '' (known none) counts as known. `accounts` names the relation or
    CTE of the account (today's in int_accounts_risk_scored, the version at T in
    int_backtest_contacts_scored). -#}
{% macro risk_known_inputs(accounts) -%}
    {%- set inputs = [
        'industry',
        'compliance_frameworks',
        'eol_software_count',
        'exposed_services_count',
        'has_edr',
        'has_24x7_soc',
        'security_team_size',
        'has_siem',
        'has_mfa',
        'identity_provider',
    ] -%}
    {%- for input in inputs %}
        {% if not loop.first %}+ {% endif -%}
        (case when {{ accounts }}.{{ input }} is not null then 1 else 0 end)
    {%- endfor %}
{%- endmacro %}
