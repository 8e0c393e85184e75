-- One row per active contact record of base_hubspot__contacts, identities as delivered (which
-- records are one person is int_contact_identities_resolved): macro keep_crm_contacts
-- (macros/staging/).
{{ keep_crm_contacts(ref('base_hubspot__contacts')) }}
