-- Per person: whether they are the primary contact of an opportunity created by as_of_date,
-- and of one won by as_of_date. The outcome side of "score versus outcome" (lead_scores) and
-- of the matrix's conversion rates (segment_matrix). Rows dated after as_of_date are ignored.
with

opportunities as (

    select * from {{ ref('int_opportunities_attributed') }}

),

opportunity_contacts as (

    select
        primary_contact_id as contact_id,
        max(
            case
                when
                    is_won
                    and closed_at is not null
                    and {{ age_in_days('closed_at') }} >= 0
                    then 1
                else 0
            end
        ) = 1 as has_won_opportunity
    from opportunities
    where
        primary_contact_id is not null
        and {{ age_in_days('created_at') }} >= 0
    group by primary_contact_id

)

select * from opportunity_contacts
