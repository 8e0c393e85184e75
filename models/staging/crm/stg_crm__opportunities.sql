-- The kept opportunities of base_crm__opportunities: one row per opportunity_id: macro
-- keep_crm_opportunities (macros/staging/).
{{ keep_crm_opportunities(ref('base_crm__opportunities')) }}
