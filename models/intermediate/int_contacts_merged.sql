{#-
    One row per active person: the surviving contact record, with what its merged records add.
    Steps:
      1. the person's records: the active contact records of the source
         (stg_<folder>__contacts), each with its person from the identity map
         (int_contact_identities_resolved): the survivor and the records merged into it.
      2. carried to the person from any record: email_opt_out (true when any record opted
         out), email_status (`bounced` when any record bounced), the furthest lifecycle stage
         (as a CRM merge keeps it), and the account when the survivor has none.
      3. everything else is the survivor's own value; updated_at is the latest of the records.
    Only the people with merged records (~2% at scale 25) are ranked for the lifecycle stage
    and the account; a person of one record takes that record's values as they are.
-#}

with

contacts as (

    select * from {{ staged_relation('stg', 'contacts') }}

),

contact_identities as (

    select * from {{ ref('int_contact_identities_resolved') }}

),

lifecycle_stages as (

    select * from {{ ref('crm_lifecycle_stages') }}

),

person_records as (

    select
        contacts.*,
        contact_identities.person_id,
        case when contacts.contact_id = contact_identities.person_id then 1 else 0 end
            as survivor_first,
        -- Funnel order of crm_lifecycle_stages, furthest highest; an unlisted stage ranks
        -- with `other` below the funnel, an empty stage below everything.
        case
            when lifecycle_stages.funnel_rank is not null then lifecycle_stages.funnel_rank
            when contacts.lifecycle_stage is not null then 0
            else -1
        end as lifecycle_rank
    from contacts
    inner join contact_identities
        on contacts.contact_id = contact_identities.contact_id
    left join lifecycle_stages
        on contacts.lifecycle_stage = lifecycle_stages.lifecycle_stage

),

person_flags as (

    select
        person_id,
        count(*) - 1 as merged_contact_count,
        max(case when email_opt_out then 1 when not email_opt_out then 0 end) as opt_out_flag,
        max(case when email_status = 'bounced' then 1 else 0 end) as bounced_flag,
        max(updated_at) as updated_at
    from person_records
    group by person_id

),

merged_person_records as (

    -- Only people with merged records need the ranking below: the others (~98%) take their
    -- one record's values, without a sort of every record.
    select person_records.*
    from person_records
    inner join person_flags
        on person_records.person_id = person_flags.person_id
    where person_flags.merged_contact_count > 0

),

lifecycle_ranked as (

    select
        person_id,
        lifecycle_stage,
        row_number() over (
            partition by person_id
            order by lifecycle_rank desc, survivor_first desc, contact_id asc
        ) as pick
    from merged_person_records

),

account_ranked as (

    -- The survivor's account; without one, the most recently updated merged record's.
    select
        person_id,
        account_id,
        row_number() over (
            partition by person_id
            order by
                case when account_id is null then 1 else 0 end asc,
                survivor_first desc,
                updated_at desc nulls last,
                contact_id asc
        ) as pick
    from merged_person_records

),

survivors as (

    select * from person_records
    where survivor_first = 1

),

people as (

    select
        survivors.contact_id,
        survivors.email,
        survivors.email_domain,
        survivors.is_email_valid,
        survivors.first_name,
        survivors.last_name,
        survivors.phone,
        survivors.job_title,
        survivors.job_title_clean,
        survivors.country_code,
        survivors.lead_source,
        survivors.created_at,
        person_flags.updated_at,
        person_flags.merged_contact_count,
        -- one record: its own values; merged records: the picks ranked above
        case
            when person_flags.merged_contact_count = 0 then survivors.account_id
            else account_ranked.account_id
        end as account_id,
        case
            when person_flags.merged_contact_count = 0 then survivors.lifecycle_stage
            else lifecycle_ranked.lifecycle_stage
        end as lifecycle_stage,
        -- true when any record opted out; false when none did and one says false
        case
            when person_flags.opt_out_flag = 1 then true
            when person_flags.opt_out_flag = 0 then false
        end as email_opt_out,
        case
            when person_flags.bounced_flag = 1 then 'bounced'
            else survivors.email_status
        end as email_status
    from survivors
    inner join person_flags
        on survivors.person_id = person_flags.person_id
    left join lifecycle_ranked
        on
            survivors.person_id = lifecycle_ranked.person_id
            and lifecycle_ranked.pick = 1
    left join account_ranked
        on
            survivors.person_id = account_ranked.person_id
            and account_ranked.pick = 1

),

final as (

    -- the interface's column order (docs/architecture.md)
    select
        contact_id,
        account_id,
        email,
        email_domain,
        is_email_valid,
        first_name,
        last_name,
        phone,
        job_title,
        job_title_clean,
        country_code,
        lead_source,
        lifecycle_stage,
        email_opt_out,
        email_status,
        created_at,
        updated_at,
        merged_contact_count
    from people

)

select * from final
