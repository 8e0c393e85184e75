"""The published marts' columns: CONTRACT.md section 3, with contract v1.1 (CHANGELOG.md).

One list for every script that reads the marts (the mart checks, the CRM sync). The dbt
contracts in models/marts/_marts__models.yml enforce the same columns and types in the build;
tests/test_conventions.py checks that the two agree.
"""

from __future__ import annotations

# Contract v1.1 additions: the run stamp (scoring_version, as_of_date) on every mart (issue 4;
# CONTRACT.md lists it on lead_scores only), and lead_scores.has_opportunity /
# has_won_opportunity for score versus outcome.
CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "lead_scores": (
        "contact_id",
        "account_id",
        "fit_score",
        "fit_grade",
        "persona",
        "risk_score",
        "risk_level",
        "primary_risk_category",
        "contact_intent_score",
        "account_intent_score",
        "intent_level",
        "intent_topic",
        "buying_stage",
        "segment",
        "lead_status",
        "qualification_outcome",
        "reason_codes",
        "is_holdout",
        "has_opportunity",
        "has_won_opportunity",
        "scoring_version",
        "as_of_date",
    ),
    "segment_matrix": (
        "as_of_date",
        "risk_band",
        "intent_level",
        "segment",
        "motion",
        "sla_hours",
        "contacts",
        "accounts",
        "share_of_contacts",
        "mql_rate",
        "sql_rate",
        "opportunity_rate",
        "won_rate",
        "scoring_version",
    ),
    "lead_routing": (
        "contact_id",
        "account_id",
        "segment",
        "motion",
        "owner_team",
        "priority",
        "sla_hours",
        "sla_due_at",
        "next_action",
        "routing_reason",
        "is_suppressed",
        "suppression_reason",
        "is_holdout",
        "record_hash",
        "updated_at",
        "scoring_version",
        "as_of_date",
    ),
    "segment_kpis": (
        "week_start",
        "segment",
        "experiment_group",
        "leads_entered",
        "mqls",
        "sqls",
        "meetings_booked",
        "opportunities_created",
        "opportunities_won",
        "pipeline_usd",
        "won_usd",
        "median_first_response_minutes",
        "sla_met_rate",
        "bounce_rate",
        "scoring_version",
        "as_of_date",
    ),
}

MARTS = tuple(CONTRACT_COLUMNS)
