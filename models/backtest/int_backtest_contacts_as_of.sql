{#-
    Each active person as known at each backtest date T (one row per as_of_date x person who
    existed then): the CRM record versions current at T, not today's.
    Steps:
      1. versions: every export version of every record that stands for a person today (the
         survivor and the records merged into it; today's identity map, docs/backtest.md).
      2. version at T, per record: the latest version updated by T (ties: the later line, as
         staging orders them; a NULL updated_at is the oldest); a record whose every version
         was updated after T is represented by its earliest version for its profile (title,
         email, country, account: the export holds no older state) but not for its lifecycle
         stage, a status that a later edit may have moved (unknown at T: a lead). A record
         exists at T when created by T and its version then is not deleted.
      3. person at T: the survivor's own attributes; the furthest lifecycle stage of the
         person's records (crm_lifecycle_stages' funnel order, as a merge keeps it); the survivor's account, else
         the most recently updated record's (as int_contacts_merged). The person exists at T
         when the survivor record does (it is the earliest created).
-#}

with

as_of_dates as (

    select * from {{ ref('int_backtest_as_of_dates') }}

),

base_contacts as (

    select * from {{ staged_relation('base', 'contacts') }}

),

contact_identities as (

    select * from {{ ref('int_contact_identities_resolved') }}

),

lifecycle_stages as (

    select * from {{ ref('crm_lifecycle_stages') }}

),

record_versions as (

    select
        contact_identities.person_id,
        base_contacts.contact_id,
        base_contacts.account_id,
        base_contacts.email_domain,
        base_contacts.job_title_clean,
        base_contacts.country_code,
        base_contacts.lifecycle_stage,
        base_contacts.created_at,
        base_contacts.updated_at,
        base_contacts._line_number,
        coalesce(base_contacts.is_deleted, false) as is_deleted,
        case when base_contacts.contact_id = contact_identities.person_id then 1 else 0 end
            as is_survivor
    from base_contacts
    inner join contact_identities
        on base_contacts.contact_id = contact_identities.contact_id

),

versions_at_dates as (

    select
        record_versions.*,
        as_of_dates.as_of_date,
        (
            record_versions.updated_at is null
            or cast(record_versions.updated_at as date) <= as_of_dates.as_of_date
        ) as is_known
    from record_versions
    cross join as_of_dates
    where
        record_versions.created_at is null
        or cast(record_versions.created_at as date) <= as_of_dates.as_of_date

),

ranked_versions as (

    select
        *,
        row_number() over (
            partition by as_of_date, contact_id
            order by
                case when is_known then 0 else 1 end asc,
                case when is_known then updated_at end desc nulls last,
                case when not is_known then updated_at end asc,
                case when is_known then _line_number end desc,
                _line_number asc
        ) as version_pick
    from versions_at_dates

),

records_at_dates as (

    -- Funnel order of crm_lifecycle_stages (as int_contacts_merged): furthest highest, an
    -- unlisted stage 0, no stage (or one not known at T) -1.
    select
        ranked_versions.*,
        case when ranked_versions.is_known then ranked_versions.lifecycle_stage end
            as lifecycle_stage_at_date,
        case
            when not ranked_versions.is_known or ranked_versions.lifecycle_stage is null then -1
            else coalesce(lifecycle_stages.funnel_rank, 0)
        end as lifecycle_rank
    from ranked_versions
    left join lifecycle_stages
        on ranked_versions.lifecycle_stage = lifecycle_stages.lifecycle_stage
    where
        ranked_versions.version_pick = 1
        and not ranked_versions.is_deleted

),

lifecycle_ranked as (

    select
        as_of_date,
        person_id,
        lifecycle_stage_at_date as lifecycle_stage,
        row_number() over (
            partition by as_of_date, person_id
            order by lifecycle_rank desc, is_survivor desc, contact_id asc
        ) as pick
    from records_at_dates

),

account_ranked as (

    select
        as_of_date,
        person_id,
        account_id,
        row_number() over (
            partition by as_of_date, person_id
            order by
                case when account_id is null then 1 else 0 end asc,
                is_survivor desc,
                updated_at desc nulls last,
                contact_id asc
        ) as pick
    from records_at_dates

),

survivors as (

    select * from records_at_dates
    where is_survivor = 1

),

people as (

    select
        survivors.as_of_date,
        survivors.person_id as contact_id,
        account_ranked.account_id,
        survivors.email_domain,
        survivors.job_title_clean,
        survivors.country_code,
        lifecycle_ranked.lifecycle_stage,
        survivors.created_at
    from survivors
    inner join lifecycle_ranked
        on
            survivors.as_of_date = lifecycle_ranked.as_of_date
            and survivors.person_id = lifecycle_ranked.person_id
            and lifecycle_ranked.pick = 1
    inner join account_ranked
        on
            survivors.as_of_date = account_ranked.as_of_date
            and survivors.person_id = account_ranked.person_id
            and account_ranked.pick = 1

)

select * from people
