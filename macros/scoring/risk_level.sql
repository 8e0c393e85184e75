{#- The risk level of an account: `unknown` when fewer than the configured minimum of risk
    inputs are known (the score is still reported), else the level of the risk score
    (scoring_risk_levels). `scored` names the relation or CTE with risk_score and
    risk_known_inputs, `min_known_inputs` the one with min_known_inputs, `risk_levels` the
    scoring_risk_levels rows. Used by int_accounts_risk_scored and
    int_backtest_contacts_scored. -#}
{% macro risk_level(scored, min_known_inputs='min_known_inputs', risk_levels='risk_levels') -%}
    case
        when {{ scored }}.risk_known_inputs < {{ min_known_inputs }}.min_known_inputs
            then 'unknown'
        else {{ score_to_level(
            scored ~ '.risk_score',
            risk_levels,
            levels=['critical', 'high', 'medium', 'low'],
            level_column='risk_level',
        ) }}
    end
{%- endmacro %}
