-- The kept accounts of base_hubspot__accounts: one row per account_id: macro keep_crm_accounts
-- (macros/staging/).
{{ keep_crm_accounts(ref('base_hubspot__accounts')) }}
