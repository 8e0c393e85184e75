"""The pandas reference of the scoring model, on tiny hand-built staging frames.

Each case is a rule of SCORING_MODEL.md (or a reading listed at the top of
tests/reference/scoring_model.py) with the numbers worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from reference.scoring_model import (
    STAGING_COLUMNS,
    fit_grade_of,
    intent_level_of,
    persona_of,
    risk_level_of,
    score_contacts,
)

AS_OF = dt.date(2026, 6, 30)


def days_ago(days: int, hour: int = 12) -> dt.datetime:
    """A timestamp `days` whole days before AS_OF (negative = in the future)."""
    return dt.datetime.combine(AS_OF, dt.time(hour)) - dt.timedelta(days=days)


def frame(model: str, rows: list[dict]) -> pd.DataFrame:
    """A staging frame with every column the reference reads (unset columns NULL)."""
    columns = STAGING_COLUMNS[model]
    for row in rows:
        unknown = set(row) - set(columns)
        assert not unknown, f"{model} has no columns {unknown}"
    return pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)


def contact(contact_id: str = "c1", **values) -> dict:
    return {"contact_id": contact_id, **values}


def event(contact_id: str, event_type: str, age: int, topic: str | None = None, hour: int = 12) -> dict:
    return {
        "event_id": f"e-{contact_id}-{event_type}-{age}-{topic}-{hour}",
        "contact_id": contact_id,
        "event_type": event_type,
        "occurred_at": days_ago(age, hour),
        "topic": topic,
    }


def form(
    contact_id: str, form_name: str, age: int, topic: str | None = None, deadline=None, hour: int = 12
) -> dict:
    return {
        "submission_id": f"f-{contact_id}-{form_name}-{age}-{hour}",
        "contact_id": contact_id,
        "form_name": form_name,
        "submitted_at": days_ago(age, hour),
        "primary_interest": topic,
        "compliance_deadline": deadline,
    }


def score(contacts, accounts=(), frameworks=(), events=(), forms=()) -> pd.DataFrame:
    result = score_contacts(
        frame("stg_crm__accounts", list(accounts)),
        frame("stg_crm__account_frameworks", list(frameworks)),
        frame("stg_crm__contacts", list(contacts)),
        frame("stg_engagement__events", list(events)),
        frame("stg_engagement__form_submissions", list(forms)),
        AS_OF,
    )
    return result.set_index("contact_id", drop=False)


def one(contacts, **kwargs) -> pd.Series:
    result = score(contacts, **kwargs)
    assert len(result) == 1
    return result.iloc[0]


# ---------------------------------------------------------------------------------------------
# Fit
# ---------------------------------------------------------------------------------------------


def clean_title(title: str | None) -> str | None:
    """job_title_clean as staging makes it: lower, runs of non-alphanumerics -> one space."""
    return None if title is None else re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


@pytest.mark.parametrize(
    ("title", "persona"),
    [
        ("Director of Marketing", "other"),  # holds the letters c-t-o, not the word cto
        ("CISO", "security_executive"),
        ("Chief Information Security Officer", "security_executive"),
        ("Deputy CISO", "security_executive"),
        ("VP, Security", "security_executive"),
        ("VP of Security", "security_executive"),
        ("IT Security Manager", "security_leader"),  # not it_leader: `it manager` is not in it
        ("Director of IT", "it_leader"),
        ("CTO", "it_leader"),
        ("CIO-Office Lead", "it_leader"),
        ("Sr. GRC Analyst", "risk_compliance"),
        ("Security Risk Analyst", "risk_compliance"),  # risk_compliance comes before practitioner
        ("Senior Security Engineer", "security_practitioner"),
        ("DevSecOps Lead", "security_practitioner"),
        ("Security Intern", "student"),
        ("International Sales Manager", "other"),  # `intern` is not a whole word here
        ("Auditorium Manager", "other"),
        ("Directory Services Admin", "other"),
        ("Marketing Director", "other"),
        (None, "other"),
        ("", "other"),
    ],
)
def test_persona_keywords_match_whole_words_in_spec_order(title, persona):
    assert persona_of(pd.Series([clean_title(title)], dtype=object)).iloc[0] == persona


def test_persona_points_and_reason_code():
    row = one([contact(job_title_clean="ciso")])
    assert (row.persona, row.fit_score, row.reason_codes) == (
        "security_executive",
        25,
        "fit:persona_security_executive(+25)",
    )
    assert one([contact(job_title_clean="soc analyst")]).fit_score == 10


@pytest.mark.parametrize(
    ("industry", "points"),
    [
        ("financial_services", 20),
        ("healthcare", 20),
        ("government", 20),
        ("energy_utilities", 20),
        ("technology_saas", 15),
        ("manufacturing", 10),
        ("retail_ecommerce", 10),
        ("education", 10),
        ("professional_services", 10),
        ("other", 5),
        ("hospitality", 5),
        (None, 0),
    ],
)
def test_industry_points(industry, points):
    row = one([contact(account_id="a1")], accounts=[{"account_id": "a1", "industry": industry}])
    assert row.fit_score == points


@pytest.mark.parametrize(
    ("employees", "points"),
    [(None, 0), (1, 0), (49, 0), (50, 10), (199, 10), (200, 20), (4999, 20), (5000, 15), (250000, 15)],
)
def test_size_bands(employees, points):
    row = one([contact(account_id="a1")], accounts=[{"account_id": "a1", "employee_count": employees}])
    assert row.fit_score == points


def test_region_uses_the_persons_country_else_the_accounts():
    accounts = [{"account_id": "a1", "country_code": "DE"}]
    result = score(
        [
            contact("own_target", account_id="a1", country_code="US"),
            contact("own_other", account_id="a1", country_code="BR"),  # the person's country wins
            contact("from_account", account_id="a1"),
            contact("none"),
        ],
        accounts=accounts,
    )
    assert result.fit_score.to_dict() == {"own_target": 10, "own_other": 0, "from_account": 10, "none": 0}


def test_unknown_account_gives_no_account_attributes():
    row = one(
        [contact(account_id="ghost", country_code=None)],
        accounts=[{"account_id": "a1", "industry": "healthcare", "country_code": "US"}],
    )
    assert pd.isna(row.account_id)
    assert row.fit_score == 0
    assert (row.risk_level, row.risk_band, row.risk_known_inputs) == ("unknown", "unknown", 0)
    assert pd.isna(row.risk_score) and pd.isna(row.account_intent_score)


def test_free_email_is_negative_and_clamped_at_zero():
    # student (-20) + free mail (-15) = -35 -> clamped to 0
    row = one([contact(email_domain="gmail.com", job_title_clean="student")])
    assert (row.fit_score, row.fit_grade, bool(row.is_free_email)) == (0, "D", True)
    assert row.reason_codes == "fit:persona_student(-20); fit:free_email(-15)"


def test_fit_upper_bound_with_the_shipped_model():
    row = one(
        [contact(account_id="a1", job_title_clean="ciso", country_code="US", email_domain="bank.com")],
        accounts=[{"account_id": "a1", "industry": "financial_services", "employee_count": 1000}],
    )
    assert row.fit_score == 75  # 20 + 20 + 25 + 10: the 100 cap is never reached by defaults
    assert row.fit_grade == "A"


@pytest.mark.parametrize("where", ["email", "website"])
def test_competitor_fit_is_zero(where):
    email_domain = "crowdstrike.com" if where == "email" else "bank.com"
    website = "crowdstrike.com" if where == "website" else "bank.com"
    row = one(
        [contact(account_id="a1", job_title_clean="ciso", email_domain=email_domain)],
        accounts=[{"account_id": "a1", "industry": "healthcare", "website_domain": website}],
    )
    assert (row.fit_score, row.fit_grade, bool(row.is_competitor)) == (0, "D", True)
    assert (
        row.reason_codes
        == "fit:competitor(-45); fit:persona_security_executive(+25); fit:industry_regulated(+20)"
    )


def test_competitor_domain_matches_exactly():
    row = one([contact(email_domain="mail.crowdstrike.com")])
    assert not row.is_competitor


@pytest.mark.parametrize(
    ("fit", "grade"), [(100, "A"), (65, "A"), (64, "B"), (45, "B"), (44, "C"), (25, "C"), (24, "D"), (0, "D")]
)
def test_fit_grade_thresholds(fit, grade):
    assert fit_grade_of(pd.Series([fit])).iloc[0] == grade


# ---------------------------------------------------------------------------------------------
# Risk
# ---------------------------------------------------------------------------------------------


def risk_of(account: dict, frameworks=(), forms=(), contacts=None) -> pd.Series:
    contacts = contacts or [contact(account_id="a1")]
    return score(
        contacts, accounts=[{"account_id": "a1", **account}], frameworks=frameworks, forms=forms
    ).iloc[0]


@pytest.mark.parametrize(
    ("account", "points"),
    [
        ({"industry": "government"}, 15),
        ({"industry": "technology_saas"}, 0),
        ({"eol_software_count": 1}, 15),
        ({"eol_software_count": 0}, 0),
        ({"exposed_services_count": 1}, 15),
        ({"exposed_services_count": 4}, 15),
        ({"exposed_services_count": 5}, 25),
        ({"exposed_services_count": 0}, 0),
        ({"has_edr": False}, 10),
        ({"has_edr": True}, 0),
        ({"has_24x7_soc": False}, 10),
        ({"security_team_size": 2}, 10),
        ({"security_team_size": 3}, 0),
        ({"security_team_size": 0}, 10),
        ({"has_siem": False}, 10),
        ({"has_mfa": False}, 15),
        ({"identity_provider": "none"}, 10),
        ({"identity_provider": "okta"}, 0),
        ({"last_incident_at": days_ago(0)}, 25),
        ({"last_incident_at": days_ago(365)}, 25),
        ({"last_incident_at": days_ago(366)}, 0),
        ({"last_incident_at": days_ago(-1)}, 0),  # a future incident date is ignored
        ({}, 0),  # NULL booleans are unknown, not false
    ],
)
def test_risk_signals(account, points):
    assert risk_of(account).risk_score == points


def test_frameworks_count_distinct_listed_ones_up_to_three():
    def frameworks(*names):
        return [{"account_id": "a1", "framework": n} for n in names]

    assert risk_of({}, frameworks("pci dss")).risk_score == 10
    assert risk_of({}, frameworks("pci dss", "hipaa", "soc 2")).risk_score == 30
    assert risk_of({}, frameworks("pci dss", "hipaa", "soc 2", "gdpr", "dora")).risk_score == 30
    assert risk_of({}, frameworks("pci dss", "pci dss")).risk_score == 10
    assert risk_of({}, frameworks("sox", "nist csf")).risk_score == 0  # not in the listed nine


@pytest.mark.parametrize(("deadline_in_days", "points"), [(0, 15), (180, 15), (181, 0), (-1, 0)])
def test_audit_deadline_window(deadline_in_days, points):
    deadline = AS_OF + dt.timedelta(days=deadline_in_days)
    contacts = [contact("c1", account_id="a1"), contact("c2", account_id="a1")]
    row = risk_of({}, forms=[form("c2", "content_download", 400, deadline=deadline)], contacts=contacts)
    assert row.risk_score == points  # c1 inherits the account's deadline stated by c2


def test_audit_deadline_on_a_future_form_is_ignored():
    deadline = AS_OF + dt.timedelta(days=30)
    assert risk_of({}, forms=[form("c1", "demo_request", -2, deadline=deadline)]).risk_score == 0


def test_unknown_level_with_three_known_inputs_and_known_with_four():
    three = {"has_edr": False, "has_mfa": False, "has_siem": False}  # 35 points
    row = risk_of(three)
    assert (row.risk_score, row.risk_known_inputs, row.risk_level, row.risk_band) == (
        35,
        3,
        "unknown",
        "unknown",
    )
    row = risk_of({**three, "security_team_size": 10})
    assert (row.risk_score, row.risk_known_inputs, row.risk_level, row.risk_band) == (
        35,
        4,
        "medium",
        "medium",
    )


def test_empty_frameworks_string_is_a_known_input():
    assert risk_of({"compliance_frameworks": ""}).risk_known_inputs == 1
    assert risk_of({"compliance_frameworks": None}).risk_known_inputs == 0


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (100, "critical"),
        (70, "critical"),
        (69, "high"),
        (45, "high"),
        (44, "medium"),
        (20, "medium"),
        (19, "low"),
        (0, "low"),
    ],
)
def test_risk_level_thresholds(score, level):
    assert risk_level_of(pd.Series([score]), pd.Series([10])).iloc[0] == level


@pytest.mark.parametrize(
    ("account", "primary"),
    [
        # incident 25 vs exposure 25 (identity 15): incident wins the tie
        ({"last_incident_at": days_ago(10), "exposed_services_count": 9, "has_mfa": False}, "incident"),
        # compliance 15 vs exposure 15
        ({"industry": "healthcare", "eol_software_count": 2}, "compliance"),
        # exposure 10 vs identity 10 vs operational 10
        ({"has_edr": False, "identity_provider": "none", "has_siem": False}, "exposure"),
        # identity 10 vs operational 10
        ({"identity_provider": "none", "has_siem": False}, "identity"),
        # the most points win before the order: operational 20 > identity 15
        ({"has_siem": False, "has_24x7_soc": False, "has_mfa": False}, "operational"),
        ({}, None),
    ],
)
def test_primary_risk_category_and_ties(account, primary):
    row = risk_of(account)
    assert (None if pd.isna(row.primary_risk_category) else row.primary_risk_category) == primary


def test_primary_risk_category_incident_beats_compliance_on_a_tie():
    # compliance: regulated 15 + one framework 10 = 25; incident 25
    row = risk_of(
        {"industry": "healthcare", "last_incident_at": days_ago(30)},
        frameworks=[{"account_id": "a1", "framework": "hipaa"}],
    )
    assert (row.risk_score, row.primary_risk_category) == (50, "incident")


# ---------------------------------------------------------------------------------------------
# Intent
# ---------------------------------------------------------------------------------------------


def intent_of(events=(), forms=()) -> pd.Series:
    return one([contact()], events=events, forms=forms)


@pytest.mark.parametrize(("age", "score"), [(0, 40.0), (21, 20.0), (42, 10.0), (63, 5.0), (10, 28.75)])
def test_decay_by_half_lives(age, score):
    # 40 x 0.5^(10/21) = 28.7549...
    assert intent_of(forms=[form("c1", "demo_request", age)]).contact_intent_score == score


def test_caps_apply_to_the_signals_decayed_sum():
    row = intent_of(events=[event("c1", "pricing_page_view", 0, hour=h) for h in range(5)])
    assert row.contact_intent_score == 36.0  # 5 x 12 = 60, capped at 36
    row = intent_of(events=[event("c1", "page_view", 0, hour=h) for h in range(15)])
    assert row.contact_intent_score == 10.0
    row = intent_of(events=[event("c1", "email_click", 7, hour=h) for h in range(5)])
    assert row.contact_intent_score == 7.5  # 5 x 1.5 under the cap of 9
    row = intent_of(events=[event("c1", "case_study_view", 0, hour=h) for h in range(4)])
    assert row.contact_intent_score == 18.0


@pytest.mark.parametrize(("age", "score"), [(180, 0.23), (181, 0.0), (-1, 0.0)])
def test_window_boundaries(age, score):
    # webinar_attended 15 x 0.5^(180/30) = 0.234375
    assert intent_of(events=[event("c1", "webinar_attended", age)]).contact_intent_score == score


def test_future_events_are_excluded_and_counted():
    row = intent_of(
        events=[event("c1", "webinar_attended", -1), event("c1", "unsubscribe", -3)],
        forms=[form("c1", "demo_request", -1, topic="mdr")],
    )
    assert (row.contact_intent_score, row.buying_stage, row.future_events_excluded) == (0.0, "none", 3)
    assert not row.has_unsubscribe_event and pd.isna(row.intent_topic)


def test_unsubscribe_pulls_the_score_to_zero_not_below():
    row = intent_of(events=[event("c1", "page_view", 0), event("c1", "unsubscribe", 0)])
    assert row.contact_intent_score == 0.0
    assert bool(row.has_unsubscribe_event)
    row = intent_of(events=[event("c1", "unsubscribe", 90)], forms=[form("c1", "demo_request", 0)])
    assert row.contact_intent_score == 27.5  # 40 - 25 x 0.5


def test_passive_signals_never_score():
    row = intent_of(events=[event("c1", "email_open", 0), event("c1", "email_bounce", 0)])
    assert (row.contact_intent_score, row.buying_stage, bool(row.has_bounce_event)) == (0.0, "none", True)
    assert pd.isna(row.reason_codes)


def test_suppression_flags_look_beyond_the_scoring_window():
    row = intent_of(events=[event("c1", "unsubscribe", 400), event("c1", "email_bounce", 500)])
    assert bool(row.has_unsubscribe_event) and bool(row.has_bounce_event)


@pytest.mark.parametrize(
    ("score", "level"), [(40.0, "high"), (39.99, "mid"), (15.0, "mid"), (14.99, "low"), (0, "low")]
)
def test_intent_level_thresholds(score, level):
    assert intent_level_of(pd.Series([score])).iloc[0] == level


def test_topic_is_the_one_with_most_decayed_points_forms_under_primary_interest():
    row = intent_of(
        events=[event("c1", "pricing_page_view", 0, topic="cloud")],  # 12
        forms=[form("c1", "content_download", 1, topic="compliance")],  # 9.77
    )
    assert row.intent_topic == "cloud"
    row = intent_of(
        events=[event("c1", "page_view", 0, topic="cloud")],
        forms=[form("c1", "demo_request", 5, topic="identity")],
    )
    assert row.intent_topic == "identity"


def test_topic_tie_goes_to_the_most_recent_event():
    row = intent_of(
        events=[
            event("c1", "page_view", 3, topic="mdr", hour=9),
            event("c1", "page_view", 3, topic="cloud", hour=8),
        ]
    )
    assert row.intent_topic == "mdr"
    row = intent_of(
        events=[
            event("c1", "page_view", 3, topic="mdr", hour=8),
            event("c1", "page_view", 3, topic="cloud", hour=9),
        ]
    )
    assert row.intent_topic == "cloud"


def test_topic_ignores_negative_signals():
    # reading R13: only positive-point signals say what a person is interested in
    row = intent_of(
        events=[
            event("c1", "page_view", 0, topic="compliance"),
            event("c1", "unsubscribe", 0, topic="compliance"),
        ]
    )
    assert row.intent_topic == "compliance"
    row = intent_of(
        events=[event("c1", "unsubscribe", 0, topic="mdr")],
        forms=[
            form("c1", "content_download", 0, topic="cloud"),
            form("c1", "webinar_registration", 0, topic="mdr"),
        ],
    )
    assert row.intent_topic == "cloud"  # cloud 10 beats mdr 5; the unsubscribe does not count


def test_topic_is_null_without_topic_points():
    assert pd.isna(intent_of(events=[event("c1", "page_view", 0)]).intent_topic)
    assert pd.isna(intent_of(events=[event("c1", "email_open", 0, topic="mdr")]).intent_topic)
    assert pd.isna(intent_of(events=[event("c1", "page_view", 200, topic="mdr")]).intent_topic)


@pytest.mark.parametrize(
    ("events", "forms", "stage"),
    [
        ([], [("demo_request", 30)], "decision"),
        ([], [("contact_sales", 0)], "decision"),
        ([], [("demo_request", 31)], "awareness"),  # still a positive event within 90 days
        ([("pricing_page_view", 30)], [], "evaluation"),
        ([("case_study_view", 1)], [("assessment_request", 40)], "evaluation"),
        ([("webinar_attended", 60)], [], "consideration"),
        ([], [("webinar_registration", 61)], "awareness"),
        ([("page_view", 90)], [], "awareness"),
        ([("email_click", 91)], [], "none"),
        ([("email_open", 1), ("unsubscribe", 1)], [], "none"),
        ([("pricing_page_view", 5), ("page_view", 1)], [("demo_request", 29)], "decision"),
    ],
)
def test_buying_stage(events, forms, stage):
    row = intent_of(
        events=[event("c1", name, age) for name, age in events],
        forms=[form("c1", name, age) for name, age in forms],
    )
    assert row.buying_stage == stage


def test_account_intent_sums_its_active_peoples_scores():
    result = score(
        [contact("c1", account_id="a1"), contact("c2", account_id="a1"), contact("c3", account_id="a2")],
        accounts=[{"account_id": "a1"}, {"account_id": "a2"}],
        forms=[form("c1", "demo_request", 21), form("c2", "content_download", 0)],
    )
    assert result.contact_intent_score.to_dict() == {"c1": 20.0, "c2": 10.0, "c3": 0.0}
    assert result.account_intent_score.to_dict() == {"c1": 30.0, "c2": 30.0, "c3": 0.0}


def test_events_of_people_not_in_contacts_are_ignored():
    result = score([contact("c1")], events=[event("c9", "page_view", 0)])
    assert list(result.contact_id) == ["c1"] and result.contact_intent_score.iloc[0] == 0.0


# ---------------------------------------------------------------------------------------------
# Reason codes
# ---------------------------------------------------------------------------------------------


def test_reason_code_format_and_order_from_the_spec():
    row = one(
        [contact(account_id="a1", job_title_clean="chief information security officer")],
        accounts=[{"account_id": "a1", "last_incident_at": days_ago(100)}],
        forms=[form("c1", "demo_request", 0)],
        events=[event("c1", "page_view", 2)],
    )
    assert row.reason_codes == (
        "intent:demo_request(+40.0); fit:persona_security_executive(+25); risk:recent_incident(+25)"
    )


def test_reason_code_ties_intent_then_fit_then_risk_then_code():
    row = one(
        [contact(account_id="a1", job_title_clean="security manager", country_code="US")],  # +20, +10
        accounts=[{"account_id": "a1", "industry": "healthcare", "has_edr": False}],  # fit +20; risk +15, +10
        forms=[form("c1", "demo_request", 21)],  # +20.0
    )
    assert row.reason_codes == (
        "intent:demo_request(+20.0); fit:industry_regulated(+20); fit:persona_security_leader(+20)"
    )


def test_reason_codes_rank_by_absolute_points_and_show_negatives():
    row = one(
        [contact(email_domain="gmail.com", job_title_clean="soc analyst")],  # -15, +10
        events=[event("c1", "unsubscribe", 0), event("c1", "page_view", 0)],  # -25.0, +1.0
    )
    assert (
        row.reason_codes
        == "intent:unsubscribe(-25.0); fit:free_email(-15); fit:persona_security_practitioner(+10)"
    )


def test_intent_reasons_are_after_caps_with_one_decimal_and_zero_is_no_reason():
    row = one(
        [contact()],
        events=[event("c1", "pricing_page_view", 1, hour=h) for h in range(6)]  # 6 x 10.69 -> cap 36
        + [event("c1", "page_view", 170)],  # 1 x 0.5^(170/7) -> shows as 0.0
    )
    assert row.reason_codes == "intent:pricing_page_view(+36.0)"


def test_no_contributions_means_no_reason_codes():
    assert pd.isna(one([contact()]).reason_codes)


def test_attribute_events_gives_each_event_its_person():
    """The reference's own attribution: a given contact_id decides alone (a merged id names
    its survivor; an unknown one names nobody even when its email would resolve), else the
    email; events naming nobody are left out."""
    from reference.scoring_model import EVENT_COLUMNS_DELIVERED, attribute_events

    identities = pd.DataFrame(
        {
            "contact_id": ["c1", "c2", "c3"],
            "person_id": ["c1", "c1", "c3"],
            "email": ["ann@acme.com", "ann@acme.com", "bob@beta.io"],
        }
    )
    delivered = [
        ("e1", None, "ann@acme.com"),
        ("e2", "c2", None),
        ("e3", "c3", "ann@acme.com"),
        ("e4", "c9", "ann@acme.com"),
        ("e5", None, "zed@nowhere.org"),
        ("e6", None, None),
    ]
    events = pd.DataFrame(
        [
            {"event_id": e, "delivered_contact_id": c, "email": m, "event_type": "page_view",
             "occurred_at": days_ago(1), "topic": None}
            for e, c, m in delivered
        ],
        columns=EVENT_COLUMNS_DELIVERED,
    )
    attributed = attribute_events(events, identities)
    assert list(attributed.columns) == STAGING_COLUMNS["stg_engagement__events"]
    assert dict(zip(attributed["event_id"], attributed["contact_id"])) == {"e1": "c1", "e2": "c1", "e3": "c3"}
