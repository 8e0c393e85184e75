-- The two teams routing can hand a person to (SCORING_MODEL.md, Routing step 5): the
-- specialist team of the person's intent_topic, and the regional SDR team of the person's
-- country, else the account's. Countries the region seed does not list (Latin America among
-- them: there is no LATAM team) and unknown countries go to the fallback SDR team
-- (routing_owner_teams, owner_role fallback_sdr).
with

contacts as (

    select * from {{ ref('int_contacts_merged') }}

),

accounts as (

    select * from {{ staged_relation('stg', 'accounts') }}

),

contacts_scored as (

    select * from {{ ref('int_contacts_scored') }}

),

region_teams as (

    select * from {{ ref('scoring_region_teams') }}

),

topic_teams as (

    select * from {{ ref('scoring_topic_teams') }}

),

fallback_team as (

    select owner_team
    from {{ ref('routing_owner_teams') }}
    where owner_role = 'fallback_sdr'

),

located as (

    select
        contacts.contact_id,
        contacts_scored.intent_topic,
        upper(coalesce(contacts.country_code, accounts.country_code)) as country_code
    from contacts
    inner join contacts_scored
        on contacts.contact_id = contacts_scored.contact_id
    left join accounts
        on contacts.account_id = accounts.account_id

),

assigned as (

    select
        located.contact_id,
        located.country_code,
        region_teams.sales_region,
        located.intent_topic,
        topic_teams.owner_team as specialist_team,
        coalesce(region_teams.owner_team, fallback_team.owner_team) as regional_sdr_team
    from located
    left join region_teams
        on located.country_code = upper(region_teams.country_code)
    left join topic_teams
        on located.intent_topic = topic_teams.topic
    cross join fallback_team

)

select * from assigned
