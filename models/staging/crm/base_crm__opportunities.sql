-- Every row of raw.crm_opportunities (1:1, key _line_number), cleaned, with its verdict: macro
-- judge_crm_opportunities (macros/staging/).
{{ judge_crm_opportunities(source('crm', 'crm_opportunities')) }}
