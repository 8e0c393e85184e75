-- Every row of base_hubspot__crm_contacts (HubSpot as raw crm_contacts) (1:1, key _line_number),
-- cleaned, with its verdict: macro judge_crm_contacts (macros/staging/).
{{ judge_crm_contacts(ref('base_hubspot__crm_contacts')) }}
