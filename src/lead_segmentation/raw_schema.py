"""The raw layer's schema: the single source of truth for the six raw tables.

The contract (CONTRACT.md section 1) lists these tables and columns. The generator writes
them, the loader enforces them and the raw-data checks validate them, all from this module,
so the three can never disagree.

Logical types: text, integer, double, boolean, timestamp, date.
"""

from __future__ import annotations

from lead_segmentation.seeds import seed_column

RAW_TABLES: dict[str, list[tuple[str, str]]] = {
    "crm_accounts": [
        ("account_id", "text"),
        ("account_name", "text"),
        ("website", "text"),
        ("industry", "text"),
        ("employee_count", "integer"),
        ("annual_revenue_usd", "double"),
        ("country", "text"),
        ("compliance_frameworks", "text"),
        ("cloud_provider", "text"),
        ("identity_provider", "text"),
        ("has_siem", "boolean"),
        ("has_edr", "boolean"),
        ("has_mfa", "boolean"),
        ("has_24x7_soc", "boolean"),
        ("security_team_size", "integer"),
        ("eol_software_count", "integer"),
        ("exposed_services_count", "integer"),
        ("last_incident_at", "timestamp"),
        ("updated_at", "timestamp"),
        ("is_deleted", "boolean"),
    ],
    "crm_contacts": [
        ("contact_id", "text"),
        ("account_id", "text"),
        ("email", "text"),
        ("first_name", "text"),
        ("last_name", "text"),
        ("phone", "text"),
        ("job_title", "text"),
        ("country", "text"),
        ("lead_source", "text"),
        ("lifecycle_stage", "text"),
        ("email_opt_out", "boolean"),
        ("email_status", "text"),
        ("created_at", "timestamp"),
        ("updated_at", "timestamp"),
        ("is_deleted", "boolean"),
    ],
    "crm_opportunities": [
        ("opportunity_id", "text"),
        ("account_id", "text"),
        ("primary_contact_id", "text"),
        ("service_line", "text"),
        ("stage", "text"),
        ("amount_usd", "double"),
        ("created_at", "timestamp"),
        ("closed_at", "timestamp"),
        ("updated_at", "timestamp"),
        ("is_deleted", "boolean"),
    ],
    "engagement_events": [
        ("event_id", "text"),
        ("contact_id", "text"),
        ("email", "text"),
        ("event_type", "text"),
        ("occurred_at", "timestamp"),
        ("page_url", "text"),
        ("campaign_id", "text"),
        ("source_system", "text"),
        ("topic", "text"),
        ("loaded_at", "timestamp"),
    ],
    "form_submissions": [
        ("submission_id", "text"),
        ("contact_id", "text"),
        ("email", "text"),
        ("form_name", "text"),
        ("submitted_at", "timestamp"),
        ("primary_interest", "text"),
        ("timeline", "text"),
        ("compliance_deadline", "date"),
        ("has_budget", "text"),
    ],
    "sales_activities": [
        ("activity_id", "text"),
        ("contact_id", "text"),
        ("owner_id", "text"),
        ("activity_type", "text"),
        ("occurred_at", "timestamp"),
        ("disposition", "text"),
    ],
}

# The key column of each raw table (may be empty in raw data: staging rejects those rows).
# Columns that hold a person's personal data (GDPR): the erasure (erasure.py) clears
# them in every table of the work database; ids are kept. Any new column of this kind in the
# contract belongs here.
PERSONAL_COLUMNS: list[str] = ["email", "first_name", "last_name", "phone"]

RAW_KEYS: dict[str, str] = {
    "crm_accounts": "account_id",
    "crm_contacts": "contact_id",
    "crm_opportunities": "opportunity_id",
    "engagement_events": "event_id",
    "form_submissions": "submission_id",
    "sales_activities": "activity_id",
}

# Columns the loader adds to every raw table (lineage back to the file).
LOADER_COLUMNS: list[tuple[str, str]] = [
    ("_line_number", "integer"),  # 1-based data line in the CSV (header excluded); row number in Parquet
    ("_loaded_at", "timestamp"),  # when the loader ran (UTC)
]

# Logical type -> DuckDB type.
DUCKDB_TYPES = {
    "text": "VARCHAR",
    "integer": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
}

# Accepted categorical values the raw layer documents (anything else is dirt staging handles).
# The lists the dbt project also tests against are read from their seeds (lead_segmentation.seeds).
EVENT_TYPES = list(seed_column("staging/engagement_event_types", "event_type"))
FORM_NAMES = list(seed_column("staging/engagement_form_names", "form_name"))
TOPICS = list(seed_column("scoring/scoring_topics", "topic"))
LIFECYCLE_STAGES = list(seed_column("staging/crm_lifecycle_stages", "lifecycle_stage"))
EMAIL_STATUSES = ["valid", "bounced", "unknown"]
LEAD_SOURCES = ["inbound_form", "webinar", "outbound_list", "partner", "paid_social", "organic"]
SERVICE_LINES = [
    "mdr",
    "incident_response",
    "pen_testing",
    "grc",
    "iam",
    "cloud_security",
    "awareness_training",
]
OPPORTUNITY_STAGES = ["discovery", "scoping", "proposal", "negotiation", "closed_won", "closed_lost"]
ACTIVITY_TYPES = ["call", "email", "meeting"]
DISPOSITIONS = list(seed_column("routing/routing_dispositions", "disposition"))
TIMELINES = ["now", "0-3 months", "3-6 months", "6-12 months", "12+ months", "researching"]
HAS_BUDGET = ["yes", "no", "unknown"]
CLOUD_PROVIDERS = ["aws", "azure", "gcp", "multi", "none"]
IDENTITY_PROVIDERS = ["okta", "entra", "ping", "google", "none"]


def columns(table: str) -> list[str]:
    return [name for name, _ in RAW_TABLES[table]]
