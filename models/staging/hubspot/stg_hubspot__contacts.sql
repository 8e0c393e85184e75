-- One row per active person of base_hubspot__contacts: the survivor with what its merged records
-- add: macro keep_crm_contacts (macros/staging/).
{{ keep_crm_contacts(ref('base_hubspot__contacts')) }}
