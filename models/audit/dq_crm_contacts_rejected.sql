-- Rejected contact rows, traceable to their file line: the raw table's columns, values as
-- cleaned by base_crm__contacts (email normalised, job title trimmed) except country, shown
-- as delivered.
with

base_contacts as (

    select * from {{ staged_relation('base', 'contacts') }}

),

rejected as (

    select
        contact_id,
        account_id,
        email,
        first_name,
        last_name,
        phone,
        job_title,
        country_raw as country,
        lead_source,
        lifecycle_stage,
        email_opt_out,
        email_status,
        created_at,
        updated_at,
        is_deleted,
        _line_number,
        rejection_reason
    from base_contacts
    where row_status = 'rejected'

)

select * from rejected
