{#-
    Risk as of each backtest date T, in long form: one row per as_of_date x account x signal
    that fires, from the account's version at T. The rules are the shipped model's: the macro
    risk_contributions, as in int_accounts_risk_itemized, keyed by as_of_date too. Its inputs
    here: the frameworks listed in the version at T, the audit deadlines stated by T in forms
    of a person of the account at T, and the incident window counted back from T.
-#}

with

accounts_at_dates as (

    select * from {{ ref('int_backtest_accounts_as_of') }}

),

people_at_dates as (

    select * from {{ ref('int_backtest_contacts_as_of') }}

),

form_submissions as (

    select * from {{ ref('int_form_submissions_attributed') }}
    -- submissions attributed to a person (the others are rejected)
    where rejection_reason is null

),

framework_parts as (

    -- The version's list is already cleaned, mapped and joined by `; ` (base_crm__accounts).
    select
        as_of_date,
        account_id,
        {{ split_to_rows('compliance_frameworks', ';') }} as framework_text
    from accounts_at_dates

),

account_frameworks as (

    select
        as_of_date,
        account_id,
        trim(framework_text) as framework
    from framework_parts

),

stated_deadlines as (

    -- Forms submitted by T, by a person of the account at T.
    select
        people_at_dates.as_of_date,
        people_at_dates.account_id,
        {{ dbt.datediff(
            'people_at_dates.as_of_date', 'form_submissions.compliance_deadline', 'day'
        ) }} as days_to_deadline
    from form_submissions
    inner join people_at_dates
        on form_submissions.contact_id = people_at_dates.contact_id
    where
        {{ age_in_days('form_submissions.submitted_at', as_of='people_at_dates.as_of_date') }}
        >= 0
        and people_at_dates.account_id is not null

),

contributions as (

    {{ risk_contributions(
        'accounts_at_dates',
        'account_frameworks',
        'stated_deadlines',
        keys=['as_of_date', 'account_id'],
        as_of='accounts_at_dates.as_of_date'
    ) }}

)

select * from contributions
