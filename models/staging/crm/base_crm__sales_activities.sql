-- Every row of raw.sales_activities (1:1, key _line_number), cleaned, with its verdict: macro
-- judge_sales_activities (macros/staging/).
{{ judge_sales_activities(source('crm', 'sales_activities')) }}
