"""The dbt models the Python side names, in one place: the public marts and their columns
(CONTRACT.md section 3, with contracts v1.1-v1.3, CHANGELOG.md) and the clean staging models.

One list for every module that reads the marts (mart checks, publish, run log, report, CRM
sync). The dbt contracts in the marts' YAML enforce the same columns and types in the build;
tests/test_conventions.py checks that the two agree, and tests/lead_segmentation/test_contract.py
that the staging list names the project's stg_ models.
"""

from __future__ import annotations

# The schema where a run keeps records for later runs: the run log, the seeds' fingerprint,
# the erasure register, dbt's scoring date and verified row rules. The dbt side names it in
# macro ops_relation; tests/test_one_home.py keeps the two equal.
OPS_SCHEMA = "ops"

# Contract v1.1 additions: the run stamp (scoring_version, as_of_date) on every mart (issue 4;
# CONTRACT.md lists it on lead_scores only), and lead_scores.has_opportunity /
# has_won_opportunity for score versus outcome. Contract v1.3: lead_scores.is_marketing_qualified /
# is_sales_qualified, the one MQL / SQL definition for readers of the public marts.
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
        "is_marketing_qualified",
        "is_sales_qualified",
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

# The public marts (CONTRACT.md section 3): what is published, counted and reported.
PUBLIC_MARTS: tuple[str, ...] = tuple(CONTRACT_COLUMNS)

# Contract v1.2 (CHANGELOG.md): the backtest's public mart (issue 16, docs/backtest.md), built
# only when asked (pipeline --backtest), so not one of the marts every run must publish: the
# publish step copies it when the work database holds it.
BACKTEST_CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "score_backtest": (
        "as_of_date",
        "horizon_days",
        "is_horizon_complete",
        "score_name",
        "outcome",
        "bucket_type",
        "bucket",
        "people",
        "positives",
        "rate",
        "lift",
        "pipeline_usd",
        "auc",
        "top_decile_lift",
        "mql_precision",
        "mql_recall",
        "scoring_version",
        "run_as_of_date",
    ),
}
BACKTEST_MARTS: tuple[str, ...] = tuple(BACKTEST_CONTRACT_COLUMNS)

# The staging folder of each entity's chain with the files source; any other source (var
# crm_source, pipeline --source) has one folder of its own name, and Segment's web events (var
# segment_enabled) join the events. Python's side of macro staged_relation (the same switch
# in dbt; tests/lead_segmentation/test_contract.py checks both name the same models): a
# reader of a staging table names it with staged_models / staged_model, never by a literal.
FILES_STAGING_FOLDERS: dict[str, str] = {
    "accounts": "crm",
    "account_frameworks": "crm",
    "contacts": "crm",
    "opportunities": "crm",
    "sales_activities": "crm",
    "events": "engagement",
    "form_submissions": "engagement",
}
CRM_SOURCES: tuple[str, ...] = ("files", "hubspot")
# The entity each raw contract table becomes (their stg_ models are a run's staging layer).
STAGED_ENTITIES: tuple[str, ...] = (
    "accounts",
    "contacts",
    "opportunities",
    "sales_activities",
    "events",
    "form_submissions",
)


def staged_models(
    layer: str, entity: str, source: str = "files", segment_enabled: bool = False
) -> tuple[str, ...]:
    """The staging models (schema staging) holding `entity` for a build from `source`: the
    `base` one (every row with its verdict) or the `stg` one (the kept rows); with Segment,
    the events are two models (the CRM source's and Segment's)."""
    if layer not in ("base", "stg"):
        raise ValueError(f"layer must be 'base' or 'stg', not {layer!r}")
    if source not in CRM_SOURCES:
        raise ValueError(f"unknown CRM source {source!r}")
    folder = FILES_STAGING_FOLDERS[entity] if source == "files" else source
    models = (f"{layer}_{folder}__{entity}",)
    if entity == "events" and segment_enabled:
        models += (f"{layer}_segment__events",)
    return models


def staged_model(layer: str, entity: str, source: str = "files") -> str:
    """The one staging model of the CRM source holding `entity` (Segment's events apart)."""
    return staged_models(layer, entity, source)[0]


def staging_models(source: str = "files", segment_enabled: bool = False) -> tuple[str, ...]:
    """The clean staging models (docs/architecture.md) counted as a run's staging layer."""
    return tuple(
        model
        for entity in STAGED_ENTITIES
        for model in staged_models("stg", entity, source, segment_enabled)
    )


STAGING_MODELS: tuple[str, ...] = staging_models()
