-- The kept sales activities of base_hubspot__sales_activities: one row per activity_id: macro
-- keep_sales_activities (macros/staging/).
{{ keep_sales_activities(ref('base_hubspot__sales_activities')) }}
