-- The segment matrix as of as_of_date: every cell of scoring_segment_matrix (all 12, also the
-- empty ones, with 0 contacts) with its people, accounts and conversion so far. Conversion
-- is the share of the cell's people who reached the stage: mql_rate counts
-- is_marketing_qualified, sql_rate is_sales_qualified, opportunity_rate / won_rate
-- people who are the primary contact of an opportunity created / won by as_of_date. A rate
-- of an empty cell is NULL (no people, no rate), its counts and share are 0.
with

segment_matrix as (

    select * from {{ ref('scoring_segment_matrix') }}

),

contacts as (

    select * from {{ ref('int_contacts_enriched') }}

),

people as (

    select
        contact_id,
        account_id,
        segment,
        case when is_marketing_qualified then 1 else 0 end as mql_count,
        case when is_sales_qualified then 1 else 0 end as sql_count,
        case when has_opportunity then 1 else 0 end as opportunity_count,
        case when has_won_opportunity then 1 else 0 end as won_count
    from contacts

),

cells as (

    select
        segment,
        count(*) as contacts,
        count(distinct account_id) as accounts,  -- noqa: RF04
        sum(mql_count) as mqls,
        sum(sql_count) as sqls,
        sum(opportunity_count) as opportunity_contacts,
        sum(won_count) as won_contacts
    from people
    group by segment

),

totals as (

    select count(*) as all_contacts
    from people

),

filled as (

    select
        segment_matrix.risk_band,
        segment_matrix.intent_level,
        segment_matrix.segment,
        segment_matrix.motion,
        segment_matrix.sla_hours,
        totals.all_contacts,
        coalesce(cells.contacts, 0) as contacts,
        coalesce(cells.accounts, 0) as accounts,  -- noqa: RF04
        coalesce(cells.mqls, 0) as mqls,
        coalesce(cells.sqls, 0) as sqls,
        coalesce(cells.opportunity_contacts, 0) as opportunity_contacts,
        coalesce(cells.won_contacts, 0) as won_contacts
    from segment_matrix
    cross join totals
    left join cells
        on segment_matrix.segment = cells.segment

),

rated as (

    select
        cast({{ as_of_date() }} as date) as as_of_date,
        cast(risk_band as {{ dbt.type_string() }}) as risk_band,
        cast(intent_level as {{ dbt.type_string() }}) as intent_level,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(motion as {{ dbt.type_string() }}) as motion,
        cast(sla_hours as integer) as sla_hours,
        cast(contacts as bigint) as contacts,
        cast(accounts as bigint) as accounts,  -- noqa: RF04
        cast(
            case when all_contacts > 0 then round(1.0 * contacts / all_contacts, 4) else 0 end
            as double
        ) as share_of_contacts,
        cast(case when contacts > 0 then round(1.0 * mqls / contacts, 4) end as double)
            as mql_rate,
        cast(case when contacts > 0 then round(1.0 * sqls / contacts, 4) end as double)
            as sql_rate,
        cast(
            case when contacts > 0 then round(1.0 * opportunity_contacts / contacts, 4) end
            as double
        ) as opportunity_rate,
        cast(case when contacts > 0 then round(1.0 * won_contacts / contacts, 4) end as double)
            as won_rate,
        cast('{{ var("scoring_version") }}' as {{ dbt.type_string() }}) as scoring_version
    from filled

)

select * from rated
