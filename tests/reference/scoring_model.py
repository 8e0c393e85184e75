"""Reference implementation of the shipped scoring model (SCORING_MODEL.md v1) in pandas.

Covers the spec's sections Fit, Risk, Intent and Reason codes. It is independent of the dbt
project on purpose: every weight, keyword, half-life, cap and threshold below is hard-coded
from the spec text (nothing is read from seeds/scoring/), so comparing it with the SQL engine
catches SQL translation mistakes and seed transcription mistakes alike.

Input: pandas frames of the staging models (docs/architecture.md, "Staging"). Output: one row
per person of stg_crm__contacts with the columns of int_contacts_scored.
`score_from_duckdb` does the same straight from a built DuckDB file; it doubles as the "what a
team would write in pandas" baseline, so it is vectorised (merge/groupby), not row loops.

Readings of what the spec leaves open (what a RevOps user would expect):

R1  Dates. age_days = (as_of - date(occurred_at)).days. A dated row after as_of (age < 0) is
    ignored everywhere: scores, topic, stage, suppression flags, audit deadlines.
    future_events_excluded counts the person's future events plus future form submissions.
R2  Intent window: an event or form counts for intent when 0 <= age_days <= 180 (both ends in).
R3  Account attributes (industry, size, website domain, country, risk) come from the person's
    account only when it is a known account (a row of stg_crm__accounts); otherwise they are
    unknown and the output's account_id is NULL.
R4  Region: the person's country_code when not NULL, else the account's. Country codes are
    compared case-insensitively.
R5  Free-mail and competitor domains match the whole domain exactly (`mail.crowdstrike.com` is
    not `crowdstrike.com`): the spec lists domains, not suffixes.
R6  Competitor: fit_score 0 (grade D). The contribution `fit:competitor` carries the points it
    removed, i.e. minus the clamped score the person would otherwise have had, so the reason
    reads `fit:competitor(-45)`; the other fit contributions stay listed as they are.
R7  Persona keywords match whole words of job_title_clean, tried in the spec's order (first
    match wins); a NULL or unmatched title is `other`.
R8  Risk for a person without a known account: risk_score NULL, risk_level and risk_band
    `unknown`, primary_risk_category NULL, risk_known_inputs 0.
R9  risk:compliance_frameworks is one contribution of 10 x (distinct listed frameworks of the
    account, at most 3), counted from stg_crm__account_frameworks; unlisted frameworks score 0.
R10 risk:audit_deadline: any non-future form (of any age) of an active person whose account_id
    is the account, stating as_of <= compliance_deadline <= as_of + 180 days.
R11 risk:recent_incident: 0 <= (as_of - date(last_incident_at)).days <= 365.
R12 primary_risk_category compares category point totals; NULL when risk_score is 0.
R13 intent_topic: per topic, the sum of the uncapped decayed points of the person's in-window
    events and forms with positive points (forms under primary_interest; negative signals
    such as unsubscribe say nothing about what a person is interested in, so they do not
    count); NULL when none. Ties (equal to 1e-9) go to
    the topic of the most recent event among the tied topics, then alphabetical. `general`
    is a topic like any other.
R14 buying_stage: the windows are 0..30 / 0..60 / 0..90 days. "awareness = any other event
    with positive points within 90 days" reads as any positive-points signal of any type
    within 90 days not already qualifying a later stage (a demo request 45 days ago is
    awareness, not none).
R15 has_unsubscribe_event / has_bounce_event: any non-future event of that type at any age:
    suppression is not bounded by the 180-day scoring window.
R16 account_intent_score: the sum of the account's active people's (already rounded)
    contact_intent_score, rounded to 2 decimals; NULL for a person without a known account.
R17 Reason codes: contributions are fit (integers), risk of the person's known account
    (integers, also when the level is unknown) and intent per signal after decay and caps.
    Ranked by absolute points as displayed (intent rounded to one decimal), ties intent, fit,
    risk, then code ascending. A contribution displaying as 0 is not a reason. Fewer than
    three reasons -> as many as there are; none -> NULL. Format `code(+25)` / `code(-15)` /
    `intent:signal(+40.0)`, joined by `; `. Intent codes are `intent:<signal>`.
R18 Rounding is half away from zero at the stated decimals, like SQL round() on a double.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------
# The shipped model v1, transcribed from SCORING_MODEL.md
# --------------------------------------------------------------------------------------------

REGULATED_INDUSTRIES = ("financial_services", "healthcare", "government", "energy_utilities")
CORE_INDUSTRIES = ("manufacturing", "retail_ecommerce", "education", "professional_services")

# Persona rules in the spec's order: the first matching persona wins.
PERSONAS: list[tuple[str, int, tuple[str, ...]]] = [
    (
        "security_executive",
        25,
        (
            "ciso",
            "chief information security officer",
            "chief security officer",
            "vp security",
            "vp of security",
            "head of security",
        ),
    ),
    (
        "security_leader",
        20,
        ("security director", "director of security", "security manager", "soc manager"),
    ),
    (
        "it_leader",
        15,
        (
            "cio",
            "cto",
            "chief information officer",
            "chief technology officer",
            "it director",
            "director of it",
            "vp it",
            "vp of it",
            "head of it",
            "it manager",
        ),
    ),
    ("risk_compliance", 15, ("compliance", "risk", "grc", "audit", "privacy")),
    (
        "security_practitioner",
        10,
        (
            "security engineer",
            "security architect",
            "security analyst",
            "soc analyst",
            "penetration tester",
            "devsecops",
        ),
    ),
    ("student", -20, ("student", "intern")),
]

TARGET_REGIONS = ("US", "CA", "GB", "IE", "DE", "FR", "NL", "SE", "NO", "DK", "FI", "AU", "NZ")
FREE_EMAIL_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "aol.com",
    "icloud.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "mail.com",
)
COMPETITOR_DOMAINS = (
    "crowdstrike.com",
    "paloaltonetworks.com",
    "sentinelone.com",
    "rapid7.com",
    "arcticwolf.com",
    "secureworks.com",
)
FIT_GRADES = ((65, "A"), (45, "B"), (25, "C"))  # else D

KNOWN_FRAMEWORKS = (
    "pci dss",
    "hipaa",
    "soc 2",
    "iso 27001",
    "gdpr",
    "nis2",
    "cmmc",
    "fedramp",
    "dora",
)
MAX_FRAMEWORKS_COUNTED = 3
AUDIT_DEADLINE_DAYS = 180
INCIDENT_DAYS = 365
RISK_LEVELS = ((70, "critical"), (45, "high"), (20, "medium"))  # else low
MIN_KNOWN_RISK_INPUTS = 4
RISK_INPUTS = (
    "industry",
    "compliance_frameworks",
    "eol_software_count",
    "exposed_services_count",
    "has_edr",
    "has_24x7_soc",
    "security_team_size",
    "has_siem",
    "has_mfa",
    "identity_provider",
)
# Tie-break order for primary_risk_category.
RISK_CATEGORY_ORDER = ("incident", "compliance", "exposure", "identity", "operational")
RISK_BANDS = {"critical": "high", "high": "high", "medium": "medium", "low": "low", "unknown": "unknown"}

# signal -> (points, half-life in days, cap per person after decay)
INTENT_SIGNALS: dict[str, tuple[float, float | None, float | None]] = {
    "demo_request": (40, 21, None),
    "contact_sales": (40, 21, None),
    "assessment_request": (35, 21, None),
    "webinar_attended": (15, 30, None),
    "pricing_page_view": (12, 7, 36),
    "content_download": (10, 30, None),
    "case_study_view": (6, 14, 18),
    "webinar_registration": (5, 30, None),
    "email_click": (3, 7, 9),
    "page_view": (1, 7, 10),
    "email_open": (0, None, None),
    "email_bounce": (0, None, None),
    "unsubscribe": (-25, 90, None),
}
INTENT_WINDOW_DAYS = 180
INTENT_LEVELS = ((40, "high"), (15, "mid"))  # else low
# buying stages, latest first: (stage, signals, window in days)
BUYING_STAGES = (
    ("decision", ("demo_request", "contact_sales"), 30),
    ("evaluation", ("assessment_request", "pricing_page_view", "case_study_view"), 30),
    ("consideration", ("webinar_attended", "content_download", "webinar_registration"), 60),
    ("awareness", tuple(s for s, (p, _, _) in INTENT_SIGNALS.items() if p > 0), 90),
)

REASON_CODE_COUNT = 3
SOURCE_ORDER = {"intent": 0, "fit": 1, "risk": 2}  # reason-code tie-break

OUTPUT_COLUMNS = [
    "contact_id",
    "account_id",
    "persona",
    "fit_score",
    "fit_grade",
    "is_free_email",
    "is_competitor",
    "risk_score",
    "risk_level",
    "risk_band",
    "primary_risk_category",
    "risk_known_inputs",
    "contact_intent_score",
    "account_intent_score",
    "intent_level",
    "intent_topic",
    "buying_stage",
    "reason_codes",
    "has_unsubscribe_event",
    "has_bounce_event",
    "future_events_excluded",
]

# The staging columns the reference reads (docs/architecture.md, "Staging").
STAGING_COLUMNS: dict[str, list[str]] = {
    "stg_crm__accounts": [
        "account_id",
        "website_domain",
        "industry",
        "employee_count",
        "country_code",
        "compliance_frameworks",
        "has_siem",
        "has_edr",
        "has_mfa",
        "has_24x7_soc",
        "identity_provider",
        "security_team_size",
        "eol_software_count",
        "exposed_services_count",
        "last_incident_at",
    ],
    "stg_crm__account_frameworks": ["account_id", "framework"],
    "stg_crm__contacts": ["contact_id", "account_id", "email_domain", "job_title_clean", "country_code"],
    "stg_engagement__events": ["event_id", "contact_id", "event_type", "occurred_at", "topic"],
    "stg_engagement__form_submissions": [
        "submission_id",
        "contact_id",
        "form_name",
        "submitted_at",
        "primary_interest",
        "compliance_deadline",
    ],
}


# Where a frame is read when it is not the staging model of its name: forms are attributed
# to people in the intermediate layer (docs/architecture.md), the rows scoring uses are those
# without a rejection_reason. Events are attributed here (read_staging, attribute_events).
STAGING_RELATIONS = {
    # the person records: contact records merged by identity (int_contacts_merged)
    "stg_crm__contacts": "intermediate.int_contacts_merged",
    "stg_engagement__form_submissions": (
        "intermediate.int_form_submissions_attributed where rejection_reason is null"
    ),
}

# The kept events as staged (the identity as delivered) and the identity map: the reference
# attributes the events itself (attribute_events) instead of reading dbt's attribution.
EVENT_COLUMNS_DELIVERED = ["event_id", "delivered_contact_id", "email", "event_type", "occurred_at", "topic"]
IDENTITY_MAP = "intermediate.int_contact_identities_resolved"


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def round_half_away(values, decimals: int):
    """Round like SQL round() on a double (R18): half away from zero."""
    scale = 10.0**decimals
    arr = np.asarray(values, dtype="float64")
    return np.sign(arr) * np.floor(np.abs(arr) * scale + 0.5) / scale


def _age_days(timestamps: pd.Series, as_of: dt.date) -> pd.Series:
    """Whole days from the date of each timestamp to as_of (negative = future); NaN if NULL."""
    dates = pd.to_datetime(timestamps).dt.normalize()
    return (pd.Timestamp(as_of) - dates).dt.days


def _number(values: pd.Series) -> pd.Series:
    """A numeric column as float64 with NaN for NULL (comparisons then give plain booleans)."""
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _is_false(values: pd.Series) -> pd.Series:
    """True where a nullable boolean is known and false (NULL is not false)."""
    return values.astype("boolean").eq(False).fillna(False).astype(bool)


def _title_has_keyword(titles: pd.Series, keyword: str) -> pd.Series:
    """Whole-word match on job_title_clean: ' title ' contains ' keyword '."""
    padded = " " + titles.fillna("") + " "
    return padded.str.contains(f" {keyword} ", regex=False)


def _threshold_label(scores: pd.Series, thresholds, otherwise: str) -> pd.Series:
    conditions = [scores >= limit for limit, _ in thresholds]
    return pd.Series(
        np.select(conditions, [label for _, label in thresholds], default=otherwise),
        index=scores.index,
        dtype=object,
    )


def _contributions(ids: pd.Series, codes: pd.Series, points, id_column: str) -> pd.DataFrame:
    """A long frame of (id, reason_code, points) for the rows that have a code."""
    frame = pd.DataFrame({id_column: ids.values, "reason_code": codes.values, "points": points})
    return frame[frame["reason_code"].notna()]


def _require(frame: pd.DataFrame, model: str) -> pd.DataFrame:
    missing = [c for c in STAGING_COLUMNS[model] if c not in frame.columns]
    if missing:
        raise KeyError(f"{model} is missing columns {missing}")
    return frame


# --------------------------------------------------------------------------------------------
# Fit
# --------------------------------------------------------------------------------------------


def persona_of(titles: pd.Series) -> pd.Series:
    """The first persona (spec order) with a keyword in the title; `other` otherwise (R7)."""
    persona = pd.Series(None, index=titles.index, dtype=object)
    for name, _, keywords in PERSONAS:
        hit = pd.Series(False, index=titles.index)
        for keyword in keywords:
            hit |= _title_has_keyword(titles, keyword)
        persona = persona.where(persona.notna() | ~hit, name)
    return persona.fillna("other")


def fit_grade_of(scores: pd.Series) -> pd.Series:
    return _threshold_label(scores, FIT_GRADES, "D")


def score_fit(contacts: pd.DataFrame, accounts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per person: persona, fit_score, fit_grade, is_free_email, is_competitor; plus the long
    frame of fit contributions (contact_id, reason_code, points)."""
    account_columns = ["account_id", "industry", "employee_count", "website_domain", "country_code"]
    people = contacts[["contact_id", "account_id", "email_domain", "job_title_clean", "country_code"]].merge(
        accounts[account_columns].rename(columns={"country_code": "account_country_code"}),
        on="account_id",
        how="left",
        indicator="account_match",
    )
    people["known_account"] = people["account_match"].eq("both")
    ids = people["contact_id"]

    industry = people["industry"].where(people["known_account"])
    industry_code = np.select(
        [
            industry.isin(REGULATED_INDUSTRIES),
            industry.isin(["technology_saas"]),
            industry.isin(CORE_INDUSTRIES),
            industry.notna(),
        ],
        ["fit:industry_regulated", "fit:industry_tech", "fit:industry_core", "fit:industry_other"],
        default="fit:industry_unknown",
    )
    industry_points = np.select(
        [
            industry.isin(REGULATED_INDUSTRIES),
            industry.isin(["technology_saas"]),
            industry.isin(CORE_INDUSTRIES),
            industry.notna(),
        ],
        [20, 15, 10, 5],
        default=0,
    )

    employees = _number(people["employee_count"])
    size_code = np.select(
        [employees.between(200, 4999), employees >= 5000, employees.between(50, 199)],
        ["fit:size_midmarket", "fit:size_enterprise", "fit:size_smb"],
        default=None,
    )
    size_points = np.select(
        [employees.between(200, 4999), employees >= 5000, employees.between(50, 199)],
        [20, 15, 10],
        default=0,
    )

    persona = persona_of(people["job_title_clean"])
    persona_points = persona.map({name: points for name, points, _ in PERSONAS}).fillna(0)
    persona_code = ("fit:persona_" + persona).where(persona.ne("other"))

    country = people["country_code"].fillna(people["account_country_code"]).str.upper()
    region_code = pd.Series(
        np.where(country.isin(TARGET_REGIONS), "fit:region_target", None), index=ids.index
    )

    email_domain = people["email_domain"].str.lower()
    website_domain = people["website_domain"].where(people["known_account"]).str.lower()
    is_free_email = email_domain.isin(FREE_EMAIL_DOMAINS)
    free_code = pd.Series(np.where(is_free_email, "fit:free_email", None), index=ids.index)
    is_competitor = email_domain.isin(COMPETITOR_DOMAINS) | website_domain.isin(COMPETITOR_DOMAINS)

    contributions = pd.concat(
        [
            _contributions(ids, pd.Series(industry_code), industry_points, "contact_id"),
            _contributions(ids, pd.Series(size_code), size_points, "contact_id"),
            _contributions(ids, persona_code, persona_points.values, "contact_id"),
            _contributions(ids, region_code, 10, "contact_id"),
            _contributions(ids, free_code, -15, "contact_id"),
        ],
        ignore_index=True,
    )
    points = contributions.groupby("contact_id")["points"].sum().reindex(ids).fillna(0).values
    score_without_competitor = np.clip(points, 0, 100)

    # R6: the competitor rule removes whatever the person would have scored.
    competitor = _contributions(
        ids[is_competitor.values],
        pd.Series("fit:competitor", index=ids[is_competitor.values].index),
        -score_without_competitor[is_competitor.values],
        "contact_id",
    )
    contributions = pd.concat([contributions, competitor], ignore_index=True)

    fit = pd.DataFrame(
        {
            "contact_id": ids.values,
            "known_account_id": people["account_id"].where(people["known_account"]).values,
            "persona": persona.values,
            "fit_score": np.where(is_competitor, 0, score_without_competitor).astype("int64"),
            "is_free_email": is_free_email.values,
            "is_competitor": is_competitor.values,
        }
    )
    fit["fit_grade"] = fit_grade_of(fit["fit_score"])
    contributions["source"] = "fit"
    return fit, contributions


# --------------------------------------------------------------------------------------------
# Risk
# --------------------------------------------------------------------------------------------


def risk_level_of(scores: pd.Series, known_inputs: pd.Series) -> pd.Series:
    level = _threshold_label(scores, RISK_LEVELS, "low")
    return level.where(known_inputs >= MIN_KNOWN_RISK_INPUTS, "unknown")


def score_risk(
    accounts: pd.DataFrame,
    account_frameworks: pd.DataFrame,
    contacts: pd.DataFrame,
    forms: pd.DataFrame,
    as_of: dt.date,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per account: risk_score, risk_level, primary_risk_category, risk_known_inputs; plus the
    long frame of risk contributions (account_id, risk_category, reason_code, points)."""
    acc = accounts.reset_index(drop=True)
    ids = acc["account_id"]

    frameworks = account_frameworks[account_frameworks["framework"].isin(KNOWN_FRAMEWORKS)]
    framework_count = (
        frameworks.drop_duplicates(["account_id", "framework"])
        .groupby("account_id")
        .size()
        .reindex(ids)
        .fillna(0)
    )
    framework_points = 10 * np.minimum(framework_count.values, MAX_FRAMEWORKS_COUNTED)

    # R10: a stated deadline in as_of..as_of+180 on any non-future form of a person there.
    form_people = forms[["contact_id", "submitted_at", "compliance_deadline"]].merge(
        contacts[["contact_id", "account_id"]], on="contact_id", how="inner"
    )
    deadline_in_days = (pd.to_datetime(form_people["compliance_deadline"]) - pd.Timestamp(as_of)).dt.days
    stated = form_people[
        (_age_days(form_people["submitted_at"], as_of) >= 0)
        & deadline_in_days.between(0, AUDIT_DEADLINE_DAYS)
    ]
    has_deadline = ids.isin(stated["account_id"])

    eol = _number(acc["eol_software_count"])
    exposed = _number(acc["exposed_services_count"])
    team = _number(acc["security_team_size"])
    incident_age = _age_days(acc["last_incident_at"], as_of)

    # (category, reason code, points per account: 0 = signal absent)
    signals = [
        (
            "compliance",
            "risk:regulated_industry",
            np.where(acc["industry"].isin(REGULATED_INDUSTRIES), 15, 0),
        ),
        ("compliance", "risk:compliance_frameworks", framework_points),
        ("compliance", "risk:audit_deadline", np.where(has_deadline, 15, 0)),
        ("exposure", "risk:eol_software", np.where(eol >= 1, 15, 0)),
        ("exposure", "risk:exposed_services", np.select([exposed >= 5, exposed >= 1], [25, 15], default=0)),
        ("exposure", "risk:no_edr", np.where(_is_false(acc["has_edr"]), 10, 0)),
        ("operational", "risk:no_24x7_soc", np.where(_is_false(acc["has_24x7_soc"]), 10, 0)),
        ("operational", "risk:small_security_team", np.where(team < 3, 10, 0)),
        ("operational", "risk:no_siem", np.where(_is_false(acc["has_siem"]), 10, 0)),
        ("identity", "risk:no_mfa", np.where(_is_false(acc["has_mfa"]), 15, 0)),
        ("identity", "risk:no_identity_provider", np.where(acc["identity_provider"].isin(["none"]), 10, 0)),
        ("incident", "risk:recent_incident", np.where(incident_age.between(0, INCIDENT_DAYS), 25, 0)),
    ]
    contributions = pd.concat(
        [
            pd.DataFrame(
                {"account_id": ids.values, "risk_category": category, "reason_code": code, "points": points}
            )
            for category, code, points in signals
        ],
        ignore_index=True,
    )
    contributions = contributions[contributions["points"] != 0].reset_index(drop=True)

    risk_score = contributions.groupby("account_id")["points"].sum().reindex(ids).fillna(0).astype("int64")
    known_inputs = acc[list(RISK_INPUTS)].notna().sum(axis=1)

    by_category = contributions.groupby(["account_id", "risk_category"], as_index=False)["points"].sum()
    by_category["category_rank"] = by_category["risk_category"].map(RISK_CATEGORY_ORDER.index)
    primary = (
        by_category.sort_values(["account_id", "points", "category_rank"], ascending=[True, False, True])
        .drop_duplicates("account_id")
        .set_index("account_id")["risk_category"]
        .reindex(ids)
    )

    risk = pd.DataFrame(
        {
            "account_id": ids.values,
            "risk_score": risk_score.values,
            "risk_known_inputs": known_inputs.values.astype("int64"),
            "primary_risk_category": primary.values,  # no contributions -> score 0 -> NULL
        }
    )
    risk["risk_level"] = risk_level_of(risk["risk_score"], risk["risk_known_inputs"])
    contributions["source"] = "risk"
    return risk, contributions


# --------------------------------------------------------------------------------------------
# Intent
# --------------------------------------------------------------------------------------------


def decayed_points(points, age_days, half_life):
    """points x 0.5 ^ (age_days / half_life)."""
    return points * np.power(0.5, age_days / half_life)


def _intent_rows(
    contacts: pd.DataFrame, events: pd.DataFrame, forms: pd.DataFrame, as_of: dt.date
) -> pd.DataFrame:
    """Events and forms as one frame: contact_id, signal, occurred_at, topic, age_days."""
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "contact_id": events["contact_id"].values,
                    "signal": events["event_type"].values,
                    "occurred_at": pd.to_datetime(events["occurred_at"]).values,
                    "topic": events["topic"].values,
                }
            ),
            pd.DataFrame(
                {
                    "contact_id": forms["contact_id"].values,
                    "signal": forms["form_name"].values,
                    "occurred_at": pd.to_datetime(forms["submitted_at"]).values,
                    "topic": forms["primary_interest"].values,
                }
            ),
        ],
        ignore_index=True,
    )
    rows = rows[rows["contact_id"].isin(contacts["contact_id"]) & rows["occurred_at"].notna()]
    rows = rows.assign(age_days=_age_days(rows["occurred_at"], as_of))
    config = pd.DataFrame.from_dict(
        INTENT_SIGNALS, orient="index", columns=["base_points", "half_life", "cap"]
    )
    rows = rows.merge(config, left_on="signal", right_index=True, how="left")
    rows["decayed"] = np.where(
        rows["half_life"].notna(),
        decayed_points(rows["base_points"], rows["age_days"], rows["half_life"]),
        0.0,
    )
    return rows


def buying_stage_of(rows: pd.DataFrame, contact_ids: pd.Series) -> pd.Series:
    stage = pd.Series(None, index=contact_ids.values, dtype=object)
    for name, signals, window in BUYING_STAGES:
        hit = rows[rows["signal"].isin(signals) & rows["age_days"].between(0, window)]["contact_id"].unique()
        stage = stage.where(stage.notna() | ~stage.index.isin(hit), name)
    return stage.fillna("none")


def intent_topic_of(rows: pd.DataFrame, contact_ids: pd.Series) -> pd.Series:
    """R13: the topic with the most decayed points; ties -> most recent event's topic."""
    scored = rows[
        rows["topic"].notna()
        & rows["age_days"].between(0, INTENT_WINDOW_DAYS)
        & (rows["base_points"] > 0)
    ]
    topics = scored.groupby(["contact_id", "topic"], as_index=False).agg(
        points=("decayed", "sum"), last_occurred_at=("occurred_at", "max")
    )
    topics = topics[topics["points"] > 0]
    topics["points_key"] = topics["points"].round(9)  # sums of equal terms in another order tie
    best = topics.sort_values(
        ["contact_id", "points_key", "last_occurred_at", "topic"], ascending=[True, False, False, True]
    ).drop_duplicates("contact_id")
    return best.set_index("contact_id")["topic"].reindex(contact_ids.values)


def intent_level_of(scores: pd.Series) -> pd.Series:
    return _threshold_label(scores, INTENT_LEVELS, "low")


def score_intent(
    contacts: pd.DataFrame, events: pd.DataFrame, forms: pd.DataFrame, as_of: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Per person: contact_intent_score, intent_level, intent_topic, buying_stage, suppression
    flags, future_events_excluded; plus intent contributions per signal (after caps) and the
    unrounded scores (for the differential test's rounding-boundary tolerance)."""
    ids = contacts["contact_id"]
    rows = _intent_rows(contacts, events, forms, as_of)
    current = rows[rows["age_days"] >= 0]
    in_window = current[(current["age_days"] <= INTENT_WINDOW_DAYS) & current["half_life"].notna()]

    signals = in_window.groupby(["contact_id", "signal"], as_index=False).agg(
        points=("decayed", "sum"), cap=("cap", "first")
    )
    signals["points"] = np.where(
        signals["cap"].notna(), np.minimum(signals["points"], signals["cap"]), signals["points"]
    )

    raw = signals.groupby("contact_id")["points"].sum().reindex(ids.values).fillna(0.0)
    unrounded = raw.clip(lower=0)
    score = pd.Series(round_half_away(unrounded.values, 2), index=ids.values)

    future_counts = rows[rows["age_days"] < 0].groupby("contact_id").size()
    intent = pd.DataFrame(
        {
            "contact_id": ids.values,
            "contact_intent_score": score.values,
            "intent_level": intent_level_of(score).values,
            "intent_topic": intent_topic_of(rows[rows["age_days"] >= 0], ids).values,
            "buying_stage": buying_stage_of(current, ids).values,
            "has_unsubscribe_event": ids.isin(
                current.loc[current["signal"].isin(["unsubscribe"]), "contact_id"]
            ).values,
            "has_bounce_event": ids.isin(
                current.loc[current["signal"].isin(["email_bounce"]), "contact_id"]
            ).values,
            "future_events_excluded": future_counts.reindex(ids.values).fillna(0).astype("int64").values,
        }
    )
    contributions = pd.DataFrame(
        {
            "contact_id": signals["contact_id"],
            "reason_code": "intent:" + signals["signal"],
            "points": signals["points"],
            "source": "intent",
        }
    )
    return intent, contributions, unrounded


# --------------------------------------------------------------------------------------------
# Reason codes
# --------------------------------------------------------------------------------------------


def reason_codes_of(contributions: pd.DataFrame, contact_ids: pd.Series) -> pd.Series:
    """R17: the top three contributions by displayed absolute points, formatted and joined."""
    reasons = contributions[["contact_id", "reason_code", "points", "source"]].copy()
    is_intent = reasons["source"].eq("intent")
    reasons["shown"] = np.where(
        is_intent, round_half_away(reasons["points"], 1), round_half_away(reasons["points"], 0)
    )
    reasons = reasons[reasons["shown"] != 0]
    reasons["magnitude"] = reasons["shown"].abs()
    reasons["source_rank"] = reasons["source"].map(SOURCE_ORDER)
    reasons = reasons.sort_values(
        ["contact_id", "magnitude", "source_rank", "reason_code"], ascending=[True, False, True, True]
    )
    top = reasons.groupby("contact_id", sort=False).head(REASON_CODE_COUNT).copy()
    if top.empty:
        return pd.Series(None, index=contact_ids.values, dtype=object)
    intent_rows = top["source"].eq("intent")
    shown = pd.Series("", index=top.index, dtype=object)
    shown[intent_rows] = top.loc[intent_rows, "shown"].map("{:+.1f}".format)
    shown[~intent_rows] = top.loc[~intent_rows, "shown"].astype("int64").map("{:+d}".format)
    top["text"] = top["reason_code"] + "(" + shown + ")"
    # Join the (up to three) ranked texts per person column-wise: faster than a groupby join.
    top["rank"] = top.groupby("contact_id", sort=False).cumcount()
    wide = top.pivot(index="contact_id", columns="rank", values="text")
    joined = wide[0]
    for rank in range(1, REASON_CODE_COUNT):
        if rank in wide.columns:
            joined = joined.where(wide[rank].isna(), joined + "; " + wide[rank])
    return joined.reindex(contact_ids.values)


# --------------------------------------------------------------------------------------------
# Everything together
# --------------------------------------------------------------------------------------------


def score_contacts(
    accounts: pd.DataFrame,
    account_frameworks: pd.DataFrame,
    contacts: pd.DataFrame,
    events: pd.DataFrame,
    form_submissions: pd.DataFrame,
    as_of: dt.date,
    *,
    with_unrounded: bool = False,
) -> pd.DataFrame:
    """One row per person of stg_crm__contacts with int_contacts_scored's columns.

    with_unrounded adds `contact_intent_score_unrounded` (for rounding-boundary tolerance)."""
    _require(accounts, "stg_crm__accounts")
    _require(account_frameworks, "stg_crm__account_frameworks")
    _require(contacts, "stg_crm__contacts")
    _require(events, "stg_engagement__events")
    _require(form_submissions, "stg_engagement__form_submissions")
    contacts = contacts.reset_index(drop=True)

    fit, fit_contributions = score_fit(contacts, accounts)
    risk, risk_contributions = score_risk(accounts, account_frameworks, contacts, form_submissions, as_of)
    intent, intent_contributions, unrounded = score_intent(contacts, events, form_submissions, as_of)

    people = fit.merge(intent, on="contact_id", how="left")
    people = people.merge(
        risk.rename(columns={"account_id": "known_account_id"}), on="known_account_id", how="left"
    )
    people = people.rename(columns={"known_account_id": "account_id"})

    # R8: without a known account, risk is unknown (score NULL, no inputs known).
    people["risk_score"] = people["risk_score"].astype("Int64")
    people["risk_known_inputs"] = people["risk_known_inputs"].fillna(0).astype("int64")
    people["risk_level"] = people["risk_level"].fillna("unknown")
    people["risk_band"] = people["risk_level"].map(RISK_BANDS)

    # R16: account intent = sum of its people's rounded scores; NULL without a known account.
    account_intent = people.groupby("account_id")["contact_intent_score"].sum()
    people["account_intent_score"] = round_half_away(
        people["account_id"].map(account_intent).astype(float), 2
    )

    # Reason codes: a person's risk contributions are their account's.
    person_risk = risk_contributions.merge(
        people[["contact_id", "account_id"]], on="account_id", how="inner"
    ).drop(columns=["account_id"])
    everything = pd.concat([intent_contributions, fit_contributions, person_risk], ignore_index=True)
    people["reason_codes"] = reason_codes_of(everything, people["contact_id"]).values

    result = people[OUTPUT_COLUMNS].copy()
    if with_unrounded:
        result["contact_intent_score_unrounded"] = unrounded.values
    return result


def attribute_events(events: pd.DataFrame, identities: pd.DataFrame) -> pd.DataFrame:
    """The events (columns EVENT_COLUMNS_DELIVERED) that name a person, in the shape of
    STAGING_COLUMNS["stg_engagement__events"], contact_id the person (docs/architecture.md,
    attribution): a given contact_id decides alone (its person in the identity map, columns
    contact_id / person_id / email; an unknown one names nobody and the email is not tried),
    else the normalised email (identities sharing an email are one person)."""
    person_by_contact_id = identities.set_index("contact_id")["person_id"]
    person_by_email = identities.dropna(subset=["email"]).groupby("email")["person_id"].min()
    given = events["delivered_contact_id"].notna().to_numpy()
    person = np.where(
        given,
        events["delivered_contact_id"].map(person_by_contact_id).to_numpy(),
        events["email"].map(person_by_email).to_numpy(),
    )
    attributed = events.assign(contact_id=person)
    attributed = attributed[attributed["contact_id"].notna()]
    return attributed[STAGING_COLUMNS["stg_engagement__events"]].reset_index(drop=True)


def read_staging(database_path: str | Path) -> dict[str, pd.DataFrame]:
    """The staging frames the reference needs, read from schema `staging` of a DuckDB file
    (the events attributed here, from the staged events and the identity map)."""
    import duckdb

    with duckdb.connect(str(database_path), read_only=True) as con:
        frames = {
            model: con.execute(
                f"select {', '.join(columns)} from {STAGING_RELATIONS.get(model, 'staging.' + model)}"
            ).df()
            for model, columns in STAGING_COLUMNS.items()
            if model != "stg_engagement__events"
        }
        events = con.execute(
            f"select {', '.join(EVENT_COLUMNS_DELIVERED)} from staging.stg_engagement__events"
        ).df()
        identities = con.execute(f"select contact_id, person_id, email from {IDENTITY_MAP}").df()
    frames["stg_engagement__events"] = attribute_events(events, identities)
    return frames


def score_from_duckdb(
    database_path: str | Path, as_of: dt.date, *, with_unrounded: bool = False
) -> pd.DataFrame:
    """Read the staging tables of a built DuckDB file and score every person."""
    frames = read_staging(database_path)
    return score_contacts(
        frames["stg_crm__accounts"],
        frames["stg_crm__account_frameworks"],
        frames["stg_crm__contacts"],
        frames["stg_engagement__events"],
        frames["stg_engagement__form_submissions"],
        as_of,
        with_unrounded=with_unrounded,
    )
