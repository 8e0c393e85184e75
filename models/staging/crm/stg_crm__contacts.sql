-- One row per active contact record of base_crm__contacts, identities as delivered (which records
-- are one person is int_contact_identities_resolved): macro keep_crm_contacts (macros/staging/).
-- A view: a filter of the base table that its two readers scan anyway (a table cost a second
-- write of every contact, docs/benchmarks.md issue 17 session 8).
{{ config(materialized='view') }}
{{ keep_crm_contacts(ref('base_crm__contacts')) }}
