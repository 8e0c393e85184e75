{#-
    The identity map: every contact_id that stands for an active person -> the surviving
    person's contact_id. Identity is resolved here, once, for every source: the staging
    chains deliver active contact records (and HubSpot its explicit merges) with the ids and
    emails the CRM has.
    Steps:
      1. explicit merges (HubSpot: stg_hubspot__contact_merges; the files export records
         none): a merged id whose survivor is an active record belongs to the survivor's
         person, whether or not it has a contact record of its own, and takes no part in
         email matching (its address is a merged-away record's).
      2. email matching, over the other records: records sharing a normalised email are one
         person; the survivor is the earliest created_at (NULL created_at last; ties: the
         smallest contact_id), the others are merged into it. A record without an email is a
         person on its own.
    Everything that names a contact (opportunities, activities, events, forms) is re-pointed
    through it; a deleted, rejected or unknown contact_id is absent, so it resolves to nobody.
-#}

{%- set has_explicit_merges = var('crm_source', 'files') == 'hubspot' %}

with

contacts as (

    select * from {{ staged_relation('stg', 'contacts') }}

),

contact_merges as (

    {% if has_explicit_merges %}
        select * from {{ ref('stg_hubspot__contact_merges') }}
    {% else %}
        -- the files export records no merges: the email decides (CONTRACT.md)
        select
            cast(null as {{ dbt.type_string() }}) as merged_contact_id,
            cast(null as {{ dbt.type_string() }}) as survivor_contact_id
        from contacts
        where false
    {% endif %}

),

merges_to_active_survivors as (

    select
        contact_merges.merged_contact_id,
        contact_merges.survivor_contact_id
    from contact_merges
    inner join contacts as survivors
        on contact_merges.survivor_contact_id = survivors.contact_id

),

email_matched_records as (

    select contacts.*
    from contacts
    left join merges_to_active_survivors
        on contacts.contact_id = merges_to_active_survivors.merged_contact_id
    where merges_to_active_survivors.merged_contact_id is null

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
    from email_matched_records

),

merged_explicitly as (

    -- the person's email, as every identity of a person carries it
    select
        merges_to_active_survivors.merged_contact_id as contact_id,
        survivor_people.person_id,
        survivor_people.email,
        records.contact_id is not null as has_contact_record
    from merges_to_active_survivors
    inner join matched_by_email as survivor_people
        on merges_to_active_survivors.survivor_contact_id = survivor_people.contact_id
    left join contacts as records
        on merges_to_active_survivors.merged_contact_id = records.contact_id

),

identities as (

    select
        contact_id,
        person_id,
        email,
        contact_id <> person_id as is_merged,
        true as has_contact_record
    from matched_by_email
    union all
    select
        contact_id,
        person_id,
        email,
        true as is_merged,
        has_contact_record
    from merged_explicitly

)

select * from identities
