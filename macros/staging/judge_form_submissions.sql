{#-
    Every form submission of `relation`, cleaned and given its verdict.
    Steps:
      1. clean: ids trimmed (empty -> NULL), email normalised, categories lower/trimmed.
         submission_key names the submission (its id; every row without one shares the key
         `missing_id`). The contact and email stay as delivered:
         int_form_submissions_attributed resolves them to a person (and rejects the kept
         submissions that name nobody: unattributed / unknown_contact).
      2. incremental runs only: choose the submissions to (re)judge, all deliveries of each:
         a. every submission whose deliveries differ from the rows held (a new delivery, one
            at another file line, or one whose values changed: a connector's table is the
            current state, e.g. HubSpot's answers come from the contact's properties). Forms
            carry no delivery time to bound a batch by, and the table is small, so the
            comparison is exact and needs no lookback window;
         b. every submission held whose is_future flag changed with the scoring date.
         Submissions not chosen keep their rows: the result equals a full rebuild.
      3. dedupe: of several deliveries of one submission_id the lowest _line_number survives
         (forms carry no delivery time of their own); the others are `duplicate`.
      4. judge the surviving delivery: the first failing check gives its rejection_reason.
    A duplicate of a rejected delivery is `duplicate`, not `rejected`: the verdict belongs to
    the submission (its surviving delivery), so each submission is rejected once.
    `relation`: the rows in the shape of raw form_submissions (CONTRACT.md section 1), e.g.
    source('engagement', 'form_submissions') or a connector's adapter model; the
    base_<folder>__form_submissions model of each source folder is this macro on its
    relation, and holds the incremental config (delete+insert on submission_key): `this`
    and the rows held are that model's.
-#}
{% macro judge_form_submissions(relation) -%}
{#- The values a delivery is re-judged on when they change (step 2a). -#}
{%- set compared = [
    'submission_id', 'delivered_contact_id', 'email', 'form_name', 'submitted_at',
    'primary_interest', 'timeline', 'compliance_deadline', 'has_budget',
] -%}
{%- set cleaned_values = [] -%}
{%- set held_values = [] -%}
{%- for column in compared -%}
    {%- do cleaned_values.append('cleaned.' ~ column) -%}
    {%- do held_values.append('held.' ~ column) -%}
{%- endfor %}

with

source as (

    select * from {{ relation }}

),

-- The contract's form names (the one list); any other form is rejected.
form_names as (

    select * from {{ ref('engagement_form_names') }}

),

{% if is_incremental() %}

    held as (

        select * from {{ this }}

    ),

{% endif %}

cleaned as (

    select
        submitted_at,
        compliance_deadline,
        _line_number,
        _loaded_at,
        nullif(trim(submission_id), '') as submission_id,
        nullif(trim(contact_id), '') as delivered_contact_id,
        {{ normalize_email('email') }} as email,
        {{ clean_category('form_name') }} as form_name,
        {{ clean_category('primary_interest') }} as primary_interest,
        {{ clean_category('timeline') }} as timeline,
        {{ clean_category('has_budget') }} as has_budget,
        coalesce(nullif(trim(submission_id), ''), 'missing_id') as submission_key
    from source

),

{% if is_incremental() %}

    changed_deliveries as (

        -- Step 2a: a delivery on one side only (new, gone, moved to another file line, or
        -- with other values).
        select coalesce(cleaned.submission_key, held.submission_key) as submission_key
        from cleaned
        full outer join held
            on
                cleaned.submission_key = held.submission_key
                and cleaned._line_number = held._line_number
                -- the same values (NULL equal to NULL), compared as one hash per side: an
                -- equality the join can hash on (an OR per column made DuckDB plan a nested
                -- loop: 83 s of a scale-25 incremental day)
                and {{ record_hash(cleaned_values) }}
                = {{ record_hash(held_values) }}
        where
            cleaned.submission_key is null
            or held.submission_key is null

    ),

    held_with_changed_inputs as (

        -- Step 2b: held rows whose future flag would differ today.
        select held.submission_key
        from held
        where
            held.is_future is distinct from (
                cast(held.submitted_at as date) > {{ as_of_date() }}
            )

    ),

    keys_to_process as (

        select submission_key from changed_deliveries
        union
        select submission_key from held_with_changed_inputs

    ),

    to_process as (

        select cleaned.*
        from cleaned
        inner join keys_to_process
            on cleaned.submission_key = keys_to_process.submission_key

    ),

{% else %}

    to_process as (

        select * from cleaned

    ),

{% endif %}

ranked as (

    select
        *,
        row_number() over (
            partition by submission_key
            order by _line_number asc
        ) as delivery_rank
    from to_process

),

judged as (

    select
        ranked.*,
        case
            when ranked.submission_id is null then 'missing_id'
            -- later deliveries are duplicates: they are not judged themselves
            when ranked.delivery_rank > 1 then null
            -- a NULL form_name matches no known form either
            when form_names.form_name is null then 'unknown_form_name'
            when ranked.submitted_at is null then 'missing_timestamp'
        end as rejection_reason
    from ranked
    left join form_names
        on ranked.form_name = form_names.form_name

),

final as (

    select
        submission_id,
        delivered_contact_id,
        email,
        form_name,
        submitted_at,
        primary_interest,
        timeline,
        compliance_deadline,
        has_budget,
        rejection_reason,
        _line_number,
        _loaded_at,
        submission_key,
        delivery_rank,
        cast(submitted_at as date) > {{ as_of_date() }} as is_future,
        case
            when rejection_reason is not null then 'rejected'
            when delivery_rank > 1 then 'duplicate'
            else 'kept'
        end as row_status
    from judged

)

select * from final
{%- endmacro %}
