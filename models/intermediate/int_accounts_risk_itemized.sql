-- Risk, per account, in long form: one row per signal that fires, with its category, reason
-- code and points. The rules are risk_contributions (macros/scoring), which the backtest
-- (int_backtest_risk_contributions) applies to the versions of accounts at past dates; this
-- model brings today's accounts, their listed frameworks and their people's stated deadlines.
with

accounts as (

    select * from {{ staged_relation('stg', 'accounts') }}

),

account_frameworks as (

    select * from {{ staged_relation('stg', 'account_frameworks') }}

),

contacts as (

    select * from {{ ref('int_contacts_merged') }}

),

form_submissions as (

    select * from {{ ref('int_form_submissions_attributed') }}
    -- submissions attributed to a person (the others are rejected)
    where rejection_reason is null

),

stated_deadlines as (

    -- Days from the scoring date to each stated deadline; a future-dated submission is
    -- ignored like every row dated after the scoring date.
    select
        contact_id,
        {{ dbt.datediff(as_of_date(), 'compliance_deadline', 'day') }}
            as days_to_deadline
    from form_submissions
    where {{ age_in_days('submitted_at') }} >= 0

),

account_deadlines as (

    select
        contacts.account_id,
        stated_deadlines.days_to_deadline
    from stated_deadlines
    inner join contacts
        on stated_deadlines.contact_id = contacts.contact_id

),

contributions as (

    {{ risk_contributions('accounts', 'account_frameworks', 'account_deadlines') }}

)

select * from contributions
