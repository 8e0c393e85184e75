-- One row per active contact record of base_crm__contacts, identities as delivered (which records
-- are one person is int_contact_identities_resolved): macro keep_crm_contacts (macros/staging/).
{{ keep_crm_contacts(ref('base_crm__contacts')) }}
