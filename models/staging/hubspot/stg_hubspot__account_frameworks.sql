-- One row per kept account of base_hubspot__accounts and framework it lists: macro
-- list_account_frameworks (macros/staging/).
{{ list_account_frameworks(ref('base_hubspot__accounts')) }}
