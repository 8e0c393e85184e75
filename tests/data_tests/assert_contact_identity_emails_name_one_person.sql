-- The engagement models attribute by email through int_contact_identities_resolved, relying on
-- every identity that shares a normalised email carrying the same person_id. Fails for each
-- email that names more than one person (the attribution would have to guess).
with

contact_identities as (

    select * from {{ ref('int_contact_identities_resolved') }}

),

ambiguous_emails as (

    select
        email,
        count(distinct person_id) as people
    from contact_identities
    where email is not null
    group by email
    having count(distinct person_id) > 1

)

select * from ambiguous_emails
