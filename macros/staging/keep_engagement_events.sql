{#-
    The well-formed engagement events: one row per event_id, the contact and email as
    delivered (int_event_identities_attributed resolves them to a person). Future-dated
    events are kept and flagged (scoring excludes and counts them).
    `base_relation`: the base_<folder>__events model of the source's folder (macro
    judge_engagement_events); the stg_<folder>__events model of each source folder is this
    macro on it, a view (a copy of the kept rows would cost a second full write of the
    largest table on every run for a plain filter).
-#}
{% macro keep_engagement_events(base_relation) -%}
with

base_events as (

    select * from {{ base_relation }}

),

kept as (

    select
        {{ engagement_events_columns('stg') | join(',\n        ') }}
    from base_events
    where row_status = 'kept'

)

select * from kept
{%- endmacro %}
