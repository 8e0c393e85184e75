-- The kept sales activities of base_crm__sales_activities: one row per activity_id: macro
-- keep_sales_activities (macros/staging/).
{{ keep_sales_activities(ref('base_crm__sales_activities')) }}
