-- One row per kept account of base_crm__accounts and framework it lists: macro
-- list_account_frameworks (macros/staging/).
{{ list_account_frameworks(ref('base_crm__accounts')) }}
