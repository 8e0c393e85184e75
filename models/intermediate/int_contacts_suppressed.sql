-- Why a person must not be worked (SCORING_MODEL.md, Routing step 1). The first reason that
-- applies wins: opted_out, then undeliverable, then competitor. suppression_detail names the
-- exact cause for routing_reason. A missing email counts as malformed: there is no address
-- to deliver to (is_email_valid is false for NULL).
with

contacts as (

    select * from {{ ref('int_contacts_merged') }}

),

contacts_scored as (

    select * from {{ ref('int_contacts_scored') }}

),

flagged as (

    select
        contacts.contact_id,
        coalesce(contacts.email_opt_out, false) as has_crm_opt_out,
        coalesce(contacts_scored.has_unsubscribe_event, false) as has_unsubscribe_event,
        coalesce(contacts.email_status = 'bounced', false) as has_bounced_status,
        coalesce(contacts_scored.has_bounce_event, false) as has_bounce_event,
        not coalesce(contacts.is_email_valid, false) as has_malformed_email,
        coalesce(contacts_scored.is_competitor, false) as is_competitor
    from contacts
    inner join contacts_scored
        on contacts.contact_id = contacts_scored.contact_id

),

reasoned as (

    select
        contact_id,
        has_crm_opt_out,
        has_unsubscribe_event,
        has_bounced_status,
        has_bounce_event,
        has_malformed_email,
        is_competitor,
        -- A bounce by status or event, whatever else applies: bounce_rate counts it.
        (has_bounced_status or has_bounce_event) as has_bounced,
        case
            when has_crm_opt_out or has_unsubscribe_event then 'opted_out'
            when has_bounced_status or has_bounce_event or has_malformed_email
                then 'undeliverable'
            when is_competitor then 'competitor'
        end as suppression_reason,
        case
            when has_crm_opt_out then 'email opt-out in the CRM'
            when has_unsubscribe_event then 'unsubscribe event'
            when has_bounced_status then 'email status bounced'
            when has_bounce_event then 'email bounce event'
            when has_malformed_email then 'malformed or missing email'
            when is_competitor then 'competitor email or website domain'
        end as suppression_detail
    from flagged

),

suppressed as (

    select
        contact_id,
        suppression_reason,
        suppression_detail,
        has_crm_opt_out,
        has_unsubscribe_event,
        has_bounced_status,
        has_bounce_event,
        has_malformed_email,
        is_competitor,
        has_bounced,
        suppression_reason is not null as is_suppressed
    from reasoned

)

select * from suppressed
