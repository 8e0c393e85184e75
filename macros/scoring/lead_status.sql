{#- The lead status of a person (customer, sql, mql, lead): the one definition of MQL, used by
    int_contacts_qualified (today) and int_backtest_contacts_scored (as of past dates).
    `contacts` names the relation or CTE with lifecycle_stage, recent_sql_activities,
    fit_score and contact_intent_score; `thresholds` the one with the routing_parameters
    mql_min_fit_score, mql_min_intent_score, mql_high_intent_min_score and
    mql_high_intent_min_fit_score. A customer stays a customer; recent SQL activity or an
    SQL/opportunity stage makes an SQL; fit and intent both high enough, or very high intent
    with a lower fit floor, make an MQL. -#}
{% macro lead_status(contacts, thresholds='thresholds') -%}
    case
        when {{ contacts }}.lifecycle_stage = 'customer' then 'customer'
        when
            {{ contacts }}.recent_sql_activities > 0
            or {{ contacts }}.lifecycle_stage in ('sql', 'opportunity')
            then 'sql'
        when
            (
                {{ contacts }}.fit_score >= {{ thresholds }}.mql_min_fit_score
                and {{ contacts }}.contact_intent_score >= {{ thresholds }}.mql_min_intent_score
            )
            or (
                {{ contacts }}.contact_intent_score
                >= {{ thresholds }}.mql_high_intent_min_score
                and {{ contacts }}.fit_score >= {{ thresholds }}.mql_high_intent_min_fit_score
            )
            then 'mql'
        else 'lead'
    end
{%- endmacro %}
