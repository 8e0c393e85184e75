-- The reverse-ETL source: one row per active person (CONTRACT.md section 3). The routing
-- itself is int_contacts_routed; this adds updated_at, the time the person's current routing
-- (record_hash) was first recorded, read from the current row of lead_routing_snapshot. A
-- rebuild with unchanged routing keeps updated_at; a changed field moves it. When the
-- snapshot has not recorded this hash yet (a run without `dbt snapshot`), updated_at is this
-- run's time on the snapshot clock, which the next snapshot will record.
with

contacts_routed as (

    select * from {{ ref('int_contacts_routed') }}

),

routing_snapshot as (

    select * from {{ ref('lead_routing_snapshot') }}

),

current_versions as (

    select
        contact_id,
        record_hash,
        valid_from
    from routing_snapshot
    where valid_to is null

),

stamped as (

    select
        contacts_routed.contact_id,
        contacts_routed.account_id,
        contacts_routed.segment,
        contacts_routed.motion,
        contacts_routed.owner_team,
        contacts_routed.priority,
        contacts_routed.sla_hours,
        contacts_routed.sla_due_at,
        contacts_routed.next_action,
        contacts_routed.routing_reason,
        contacts_routed.is_suppressed,
        contacts_routed.suppression_reason,
        contacts_routed.is_holdout,
        contacts_routed.record_hash,
        coalesce(current_versions.valid_from, {{ snapshot_get_time() }}) as updated_at
    from contacts_routed
    left join current_versions
        on
            contacts_routed.contact_id = current_versions.contact_id
            and contacts_routed.record_hash = current_versions.record_hash

),

typed as (

    select
        cast(contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(motion as {{ dbt.type_string() }}) as motion,
        cast(owner_team as {{ dbt.type_string() }}) as owner_team,
        cast(priority as integer) as priority,
        cast(sla_hours as integer) as sla_hours,
        cast(sla_due_at as timestamp) as sla_due_at,
        cast(next_action as {{ dbt.type_string() }}) as next_action,
        cast(routing_reason as {{ dbt.type_string() }}) as routing_reason,
        cast(is_suppressed as boolean) as is_suppressed,
        cast(suppression_reason as {{ dbt.type_string() }}) as suppression_reason,
        cast(is_holdout as boolean) as is_holdout,
        cast(record_hash as {{ dbt.type_string() }}) as record_hash,
        cast(updated_at as timestamp) as updated_at,
        -- The run stamp every mart carries (not part of record_hash: it moves every day).
        cast('{{ var("scoring_version") }}' as {{ dbt.type_string() }}) as scoring_version,
        cast({{ as_of_date() }} as date) as as_of_date
    from stamped

)

select * from typed
