-- Fit, per person, in long form: one row per rule that applies, so every fit point can be
-- traced to its rule. The rules are fit_contributions (macros/scoring), which the backtest
-- (int_backtest_fit_contributions) applies to the versions of people at past dates.
with

contacts as (

    select * from {{ ref('int_contacts_merged') }}

),

accounts as (

    select * from {{ staged_relation('stg', 'accounts') }}

),

people as (

    -- An account id that points to no known account gives no account attributes.
    select
        contacts.contact_id,
        contacts.job_title_clean,
        contacts.email_domain,
        accounts.industry,
        accounts.employee_count,
        accounts.website_domain,
        coalesce(contacts.country_code, accounts.country_code) as country_code
    from contacts
    left join accounts
        on contacts.account_id = accounts.account_id

),

contributions as (

    {{ fit_contributions('people', ['contact_id']) }}

)

select * from contributions
