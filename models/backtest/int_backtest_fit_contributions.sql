{#-
    Fit as of each backtest date T, in long form: one row per as_of_date x person x rule that
    applies, from the person's and account's versions at T. The rules are the shipped model's:
    the macro fit_contributions, as in int_contacts_fit_itemized, keyed by as_of_date too.
    tests/end_to_end/test_backtest_point_in_time.py checks that scoring as of the run's own
    date gives the shipped scores for every person.
-#}

with

people_at_dates as (

    select * from {{ ref('int_backtest_contacts_as_of') }}

),

accounts_at_dates as (

    select * from {{ ref('int_backtest_accounts_as_of') }}

),

people as (

    select
        people_at_dates.as_of_date,
        people_at_dates.contact_id,
        people_at_dates.job_title_clean,
        people_at_dates.email_domain,
        accounts_at_dates.industry,
        accounts_at_dates.employee_count,
        accounts_at_dates.website_domain,
        coalesce(people_at_dates.country_code, accounts_at_dates.country_code) as country_code
    from people_at_dates
    left join accounts_at_dates
        on
            people_at_dates.as_of_date = accounts_at_dates.as_of_date
            and people_at_dates.account_id = accounts_at_dates.account_id

),

contributions as (

    {{ fit_contributions('people', ['as_of_date', 'contact_id']) }}

)

select * from contributions
