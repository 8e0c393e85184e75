-- Every row of base_hubspot__crm_opportunities (HubSpot as raw crm_opportunities) (1:1, key
-- _line_number), cleaned, with its verdict: macro judge_crm_opportunities (macros/staging/).
{{ judge_crm_opportunities(ref('base_hubspot__crm_opportunities')) }}
