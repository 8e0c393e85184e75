-- The no-dbt lower bound of the scoring engine: the same per-person outputs as
-- intermediate.int_contacts_scored (docs/architecture.md), computed by one hand-written DuckDB
-- statement from the staging tables (the person records from intermediate.int_contacts_merged:
-- identity is resolved after staging; the events from temp relation bare_events, which
-- bare_sql_events_from_staging.sql or bare_sql_events_from_raw.sql creates first), with the
-- shipped v1 defaults (SCORING_MODEL.md) written
-- in as literals. Used by scripts/dev/bench.py only: the project's SQL is the dbt models; this is
-- what the same work costs without dbt, seeds, macros, portability or tests, and the bench
-- checks it against the pandas reference (tests/reference/scoring_model.py) before timing it.
--
-- DuckDB-only on purpose (qualify, getvariable, date_diff, any_value). The scoring date comes
-- from a variable: SET VARIABLE as_of = DATE '2026-06-30'; the result is the temporary table
-- bare_scores.

create or replace temp table bare_scores as

with

intent_catalog (signal_source, signal_name, points, half_life_days, cap_points, stage_order, stage_window) as (
    values
    ('form', 'demo_request', 40, 21, null, 1, 30),
    ('form', 'contact_sales', 40, 21, null, 1, 30),
    ('form', 'assessment_request', 35, 21, null, 2, 30),
    ('event', 'webinar_attended', 15, 30, null, 3, 60),
    ('event', 'pricing_page_view', 12, 7, 36, 2, 30),
    ('form', 'content_download', 10, 30, null, 3, 60),
    ('event', 'case_study_view', 6, 14, 18, 2, 30),
    ('form', 'webinar_registration', 5, 30, null, 3, 60),
    ('event', 'email_click', 3, 7, 9, null, null),
    ('event', 'page_view', 1, 7, 10, null, null),
    ('event', 'email_open', 0, null, null, null, null),
    ('event', 'email_bounce', 0, null, null, null, null),
    ('event', 'unsubscribe', -25, 90, null, null, null)
),

persona_keywords (persona, match_order, points, keyword) as (
    select persona, match_order, points, unnest(keywords)
    from (
        values
        ('security_executive', 1, 25, ['ciso', 'chief information security officer', 'chief security officer', 'vp security', 'vp of security', 'head of security']),
        ('security_leader', 2, 20, ['security director', 'director of security', 'security manager', 'soc manager']),
        ('it_leader', 3, 15, ['cio', 'cto', 'chief information officer', 'chief technology officer', 'it director', 'director of it', 'vp it', 'vp of it', 'head of it', 'it manager']),
        ('risk_compliance', 4, 15, ['compliance', 'risk', 'grc', 'audit', 'privacy']),
        ('security_practitioner', 5, 10, ['security engineer', 'security architect', 'security analyst', 'soc analyst', 'penetration tester', 'devsecops']),
        ('student', 6, -20, ['student', 'intern'])
    ) as t (persona, match_order, points, keywords)
),

-- Intent ------------------------------------------------------------------------------------

activities as (
    select contact_id, 'event' as signal_source, event_type as signal_name, occurred_at, topic,
        date_diff('day', cast(occurred_at as date), getvariable('as_of')) as age_days
    from bare_events as events
    union all
    select contact_id, 'form', form_name, submitted_at, primary_interest,
        date_diff('day', cast(submitted_at as date), getvariable('as_of'))
    from (select * from intermediate.int_form_submissions_attributed where rejection_reason is null) as forms
),

activity_flags as (
    select contact_id,
        bool_or(signal_name = 'unsubscribe' and age_days >= 0) as has_unsubscribe_event,
        bool_or(signal_name = 'email_bounce' and age_days >= 0) as has_bounce_event,
        count(*) filter (where age_days < 0) as future_events_excluded
    from activities
    group by contact_id
),

scored_rows as (
    select a.contact_id, a.signal_name, a.occurred_at, a.topic, a.age_days, c.points,
        c.cap_points, c.stage_order, c.stage_window,
        c.points * coalesce(pow(0.5, a.age_days / c.half_life_days), 1.0) as row_points
    from activities as a
    join intent_catalog as c using (signal_source, signal_name)
    where a.age_days between 0 and 180
),

signal_points as (
    select contact_id, signal_name,
        least(sum(row_points), coalesce(any_value(cap_points), 1e300)) as decayed_points
    from scored_rows
    group by contact_id, signal_name
),

intent_totals as (
    select contact_id, round(greatest(sum(decayed_points), 0), 2) as contact_intent_score
    from signal_points
    group by contact_id
),

intent_topics as (
    select contact_id, topic as intent_topic
    from scored_rows
    where points > 0 and topic is not null
    group by contact_id, topic
    qualify row_number() over (
        partition by contact_id
        order by round(sum(row_points), 9) desc, max(occurred_at) desc, topic
    ) = 1
),

buying_stages as (
    select contact_id,
        min(case
            when age_days <= stage_window then stage_order
            when points > 0 and age_days <= 90 then 4
        end) as stage_order
    from scored_rows
    group by contact_id
),

-- Fit ---------------------------------------------------------------------------------------

people as (
    select c.contact_id, a.account_id, c.job_title_clean, c.email_domain, a.industry,
        a.employee_count, a.website_domain, coalesce(c.country_code, a.country_code) as country_code
    from intermediate.int_contacts_merged as c
    left join staging.stg_crm__accounts as a on c.account_id = a.account_id
),

personas as (
    select p.contact_id, k.persona, k.points
    from people as p
    join persona_keywords as k on contains(' ' || p.job_title_clean || ' ', ' ' || k.keyword || ' ')
    qualify row_number() over (partition by p.contact_id order by k.match_order) = 1
),

fit_rules as (
    select p.contact_id, p.account_id,
        coalesce(pe.persona, 'other') as persona,
        case
            when p.industry is null then 'fit:industry_unknown'
            when p.industry in ('financial_services', 'healthcare', 'government', 'energy_utilities') then 'fit:industry_regulated'
            when p.industry = 'technology_saas' then 'fit:industry_tech'
            when p.industry in ('manufacturing', 'retail_ecommerce', 'education', 'professional_services') then 'fit:industry_core'
            else 'fit:industry_other'
        end as industry_code,
        case
            when p.industry is null then 0
            when p.industry in ('financial_services', 'healthcare', 'government', 'energy_utilities') then 20
            when p.industry = 'technology_saas' then 15
            when p.industry in ('manufacturing', 'retail_ecommerce', 'education', 'professional_services') then 10
            else 5
        end as industry_points,
        case when p.employee_count >= 5000 then 'fit:size_enterprise' when p.employee_count >= 200 then 'fit:size_midmarket'
            when p.employee_count >= 50 then 'fit:size_smb' end as size_code,
        case when p.employee_count >= 5000 then 15 when p.employee_count >= 200 then 20
            when p.employee_count >= 50 then 10 else 0 end as size_points,
        coalesce(pe.points, 0) as persona_points,
        case when p.country_code in ('US', 'CA', 'GB', 'IE', 'DE', 'FR', 'NL', 'SE', 'NO', 'DK', 'FI', 'AU', 'NZ') then 10 else 0 end as region_points,
        coalesce(p.email_domain in ('gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'aol.com', 'icloud.com', 'proton.me', 'protonmail.com', 'gmx.com', 'mail.com'), false) as is_free_email,
        coalesce(p.email_domain in ('crowdstrike.com', 'paloaltonetworks.com', 'sentinelone.com', 'rapid7.com', 'arcticwolf.com', 'secureworks.com'), false)
            or coalesce(p.website_domain in ('crowdstrike.com', 'paloaltonetworks.com', 'sentinelone.com', 'rapid7.com', 'arcticwolf.com', 'secureworks.com'), false) as is_competitor
    from people as p
    left join personas as pe on p.contact_id = pe.contact_id
),

fit as (
    select *,
        greatest(least(industry_points + size_points + persona_points + region_points
            - case when is_free_email then 15 else 0 end, 100), 0) as clamped_points
    from fit_rules
),

-- Risk --------------------------------------------------------------------------------------

deadline_accounts as (
    select distinct c.account_id
    from (select * from intermediate.int_form_submissions_attributed where rejection_reason is null) as f
    join intermediate.int_contacts_merged as c on f.contact_id = c.contact_id
    where date_diff('day', cast(f.submitted_at as date), getvariable('as_of')) >= 0
      and date_diff('day', getvariable('as_of'), f.compliance_deadline) between 0 and 180
),

framework_counts as (
    select account_id, least(count(distinct framework), 3) as frameworks
    from staging.stg_crm__account_frameworks
    where framework in ('pci dss', 'hipaa', 'soc 2', 'iso 27001', 'gdpr', 'nis2', 'cmmc', 'fedramp', 'dora')
    group by account_id
),

risk_signals as (
    select a.account_id, s.category, s.code, s.points
    from staging.stg_crm__accounts as a
    left join framework_counts as fc on a.account_id = fc.account_id
    left join deadline_accounts as d on a.account_id = d.account_id
    cross join lateral (
        values
        ('compliance', 'risk:regulated_industry', case when a.industry in ('financial_services', 'healthcare', 'government', 'energy_utilities') then 15 end),
        ('compliance', 'risk:compliance_frameworks', 10 * fc.frameworks),
        ('compliance', 'risk:audit_deadline', case when d.account_id is not null then 15 end),
        ('exposure', 'risk:eol_software', case when a.eol_software_count >= 1 then 15 end),
        ('exposure', 'risk:exposed_services', case when a.exposed_services_count >= 5 then 25 when a.exposed_services_count >= 1 then 15 end),
        ('exposure', 'risk:no_edr', case when not a.has_edr then 10 end),
        ('operational', 'risk:no_24x7_soc', case when not a.has_24x7_soc then 10 end),
        ('operational', 'risk:small_security_team', case when a.security_team_size < 3 then 10 end),
        ('operational', 'risk:no_siem', case when not a.has_siem then 10 end),
        ('identity', 'risk:no_mfa', case when not a.has_mfa then 15 end),
        ('identity', 'risk:no_identity_provider', case when a.identity_provider = 'none' then 10 end),
        ('incident', 'risk:recent_incident', case when date_diff('day', cast(a.last_incident_at as date), getvariable('as_of')) between 0 and 365 then 25 end)
    ) as s (category, code, points)
    where s.points is not null
),

risk as (
    select a.account_id,
        coalesce(t.risk_score, 0) as risk_score,
        (a.industry is not null)::int + (a.compliance_frameworks is not null)::int
        + (a.eol_software_count is not null)::int + (a.exposed_services_count is not null)::int
        + (a.has_edr is not null)::int + (a.has_24x7_soc is not null)::int
        + (a.security_team_size is not null)::int + (a.has_siem is not null)::int
        + (a.has_mfa is not null)::int + (a.identity_provider is not null)::int as risk_known_inputs,
        t.primary_risk_category
    from staging.stg_crm__accounts as a
    left join (
        select account_id, sum(category_points) as risk_score,
            case when sum(category_points) > 0 then arg_max(category, (category_points, -tie_order)) end as primary_risk_category
        from (
            select account_id, category, sum(points) as category_points,
                any_value(list_position(['incident', 'compliance', 'exposure', 'identity', 'operational'], category)) as tie_order
            from risk_signals
            group by account_id, category
        )
        group by account_id
    ) as t on a.account_id = t.account_id
),

-- Reasons -----------------------------------------------------------------------------------

contributions as (
    select contact_id, 1 as source_order, 'intent:' || signal_name as code, decayed_points as points,
        cast(round(abs(decayed_points) * 10) as bigint) as tenths
    from signal_points
    union all
    select contact_id, 2, code, points, abs(points) * 10
    from (
        select contact_id, unnest([industry_code, size_code, 'fit:persona_' || persona,
                case when region_points > 0 then 'fit:region_target' end,
                case when is_free_email then 'fit:free_email' end,
                case when is_competitor then 'fit:competitor' end]) as code,
            unnest([industry_points, size_points, persona_points, region_points,
                case when is_free_email then -15 end,
                case when is_competitor then -clamped_points end]) as points
        from fit
    )
    where code is not null
    union all
    select f.contact_id, 3, r.code, r.points, abs(r.points) * 10
    from fit as f
    join risk_signals as r on f.account_id = r.account_id
),

reasons as (
    select contact_id,
        string_agg(code || '(' || case when points < 0 then '-' else '+' end
            || case when source_order = 1
                then (tenths // 10)::varchar || '.' || (tenths % 10)::varchar
                else cast(abs(points) as bigint)::varchar end || ')', '; '
            order by tenths desc, source_order, code) as reason_codes
    from (
        select * from contributions where tenths > 0
        qualify row_number() over (partition by contact_id order by tenths desc, source_order, code) <= 3
    )
    group by contact_id
),

-- Per person --------------------------------------------------------------------------------

person_intent as (
    select f.contact_id, f.account_id,
        cast(coalesce(i.contact_intent_score, 0) as decimal(18, 2)) as contact_intent_score
    from fit as f
    left join intent_totals as i on f.contact_id = i.contact_id
),

account_intent as (
    select account_id, sum(contact_intent_score) as account_intent_score
    from person_intent
    where account_id is not null
    group by account_id
)

select
    f.contact_id,
    f.account_id,
    f.persona,
    case when f.is_competitor then 0 else f.clamped_points end as fit_score,
    case when f.is_competitor then 'D' when f.clamped_points >= 65 then 'A' when f.clamped_points >= 45 then 'B'
        when f.clamped_points >= 25 then 'C' else 'D' end as fit_grade,
    f.is_free_email,
    f.is_competitor,
    r.risk_score,
    case when r.account_id is null or r.risk_known_inputs < 4 then 'unknown'
        when r.risk_score >= 70 then 'critical' when r.risk_score >= 45 then 'high'
        when r.risk_score >= 20 then 'medium' else 'low' end as risk_level,
    case when r.account_id is null or r.risk_known_inputs < 4 then 'unknown'
        when r.risk_score >= 45 then 'high' when r.risk_score >= 20 then 'medium' else 'low' end as risk_band,
    r.primary_risk_category,
    coalesce(r.risk_known_inputs, 0) as risk_known_inputs,
    pi.contact_intent_score,
    ai.account_intent_score,
    case when pi.contact_intent_score >= 40 then 'high' when pi.contact_intent_score >= 15 then 'mid' else 'low' end as intent_level,
    t.intent_topic,
    case s.stage_order when 1 then 'decision' when 2 then 'evaluation' when 3 then 'consideration'
        when 4 then 'awareness' else 'none' end as buying_stage,
    re.reason_codes,
    coalesce(fl.has_unsubscribe_event, false) as has_unsubscribe_event,
    coalesce(fl.has_bounce_event, false) as has_bounce_event,
    coalesce(fl.future_events_excluded, 0) as future_events_excluded
from fit as f
left join risk as r on f.account_id = r.account_id
left join person_intent as pi on f.contact_id = pi.contact_id
left join account_intent as ai on f.account_id = ai.account_id
left join intent_topics as t on f.contact_id = t.contact_id
left join buying_stages as s on f.contact_id = s.contact_id
left join reasons as re on f.contact_id = re.contact_id
left join activity_flags as fl on f.contact_id = fl.contact_id;
