-- The identity map: every contact_id that stands for an active person (kept, or merged into
-- another contact sharing its email) -> the surviving person's contact_id. Everything that
-- names a contact (opportunities, activities, events, forms) is re-pointed through it; a
-- deleted, rejected or unknown contact_id is absent, so it resolves to nobody.
with

base_contacts as (

    select * from {{ staged_relation('base', 'contacts') }}

),

identities as (

    select
        contact_id,
        person_id,
        email,
        row_status = 'merged' as is_merged
    from base_contacts
    where row_status in ('kept', 'merged')

)

select * from identities
