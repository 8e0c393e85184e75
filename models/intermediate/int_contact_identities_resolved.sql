{#-
    The identity map: every contact_id that stands for an active person -> the surviving
    person's contact_id. Identity is resolved here, once, for every source: the staging
    chains deliver active contact records with the ids and emails the CRM has.
    Steps:
      1. records: the active contact records of the source (stg_<folder>__contacts).
      2. email matching: records sharing a normalised email are one person; the survivor is
         the earliest created_at (NULL created_at last; ties: the smallest contact_id), the
         others are merged into it. A record without an email is a person on its own.
    Everything that names a contact (opportunities, activities, events, forms) is re-pointed
    through it; a deleted, rejected or unknown contact_id is absent, so it resolves to nobody.
-#}
with

contacts as (

    select * from {{ staged_relation('stg', 'contacts') }}

),

matched_by_email as (

    select
        contact_id,
        email,
        case
            when email is null then contact_id
            else first_value(contact_id) over (
                partition by email
                order by created_at asc nulls last, contact_id asc
            )
        end as person_id
    from contacts

),

identities as (

    select
        contact_id,
        person_id,
        email,
        contact_id <> person_id as is_merged
    from matched_by_email

)

select * from identities
