-- One row per active contact record of base_hubspot__contacts, identities as delivered (which
-- records are one person is int_contact_identities_resolved): macro keep_crm_contacts
-- (macros/staging/). A view, like stg_crm__contacts: a filter of the base table that its
-- readers scan anyway (a table was a second write of every contact).
{{ config(materialized='view') }}
{{ keep_crm_contacts(ref('base_hubspot__contacts')) }}
