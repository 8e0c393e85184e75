-- Intent, per account: the sum of its active people's contact_intent_score (each already
-- rounded to 2 decimals) and how many of them show any intent. Every account has a row.
with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

contact_intent as (

    select * from {{ ref('int_contacts_intent_scored') }}

),

rolled_up as (

    select
        accounts.account_id,
        cast(
            round(coalesce(sum(contact_intent.contact_intent_score), 0), 2) as decimal(18, 2)
        ) as account_intent_score,
        cast(
            sum(case when contact_intent.contact_intent_score > 0 then 1 else 0 end) as integer
        ) as engaged_contacts
    from accounts
    left join contacts
        on accounts.account_id = contacts.account_id
    left join contact_intent
        on contacts.contact_id = contact_intent.contact_id
    group by accounts.account_id

)

select * from rolled_up
