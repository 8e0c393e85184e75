{#- The routing_parameters settings the lead_status macro reads, as select-list items over the
    seed's rows (call it in a select `from` routing_parameters): sql_activity_window_days,
    mql_min_fit_score, mql_min_intent_score, mql_high_intent_min_score and
    mql_high_intent_min_fit_score. One list for int_contacts_qualified (today) and
    int_backtest_contacts_scored (past dates); no trailing comma. -#}
{% macro lead_status_thresholds() -%}
    {{ parameter_value('routing_parameters', 'sql_activity_window_days') }}
        as sql_activity_window_days,
    {{ parameter_value('routing_parameters', 'mql_min_fit_score') }} as mql_min_fit_score,
    {{ parameter_value('routing_parameters', 'mql_min_intent_score') }}
        as mql_min_intent_score,
    {{ parameter_value('routing_parameters', 'mql_high_intent_min_score') }}
        as mql_high_intent_min_score,
    {{ parameter_value('routing_parameters', 'mql_high_intent_min_fit_score') }}
        as mql_high_intent_min_fit_score
{%- endmacro %}
