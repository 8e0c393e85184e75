-- Every row of base_hubspot__crm_accounts (HubSpot as raw crm_accounts) (1:1, key _line_number),
-- cleaned, with its verdict: macro judge_crm_accounts (macros/staging/).
{{ judge_crm_accounts(ref('base_hubspot__crm_accounts')) }}
