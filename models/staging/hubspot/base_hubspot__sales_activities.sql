-- Every row of base_hubspot__raw_sales_activities (HubSpot engagements as raw sales_activities;
-- that adapter is named raw_ because the entity takes this name) (1:1, key _line_number),
-- cleaned, with its verdict: macro judge_sales_activities (macros/staging/).
{{ judge_sales_activities(ref('base_hubspot__raw_sales_activities')) }}
