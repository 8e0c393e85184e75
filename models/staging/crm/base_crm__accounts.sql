-- Every row of raw.crm_accounts (1:1, key _line_number), cleaned, with its verdict: macro
-- judge_crm_accounts (macros/staging/).
{{ judge_crm_accounts(source('crm', 'crm_accounts')) }}
