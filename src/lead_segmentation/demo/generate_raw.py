"""Generate the demo raw data: the six raw tables of the contract, dirty on purpose.

    lead-segmentation-generate-demo --scale 1 --seed 42 --out data/raw \
        [--as-of 2026-06-30] [--format csv|parquet]

Writes `<table>.csv` (or `.parquet`) per raw table with exactly the columns of
`raw_schema.py`, plus `_manifest.json` (the parameters and row counts; the loader
ignores it). Same scale, seed and as-of date -> byte-identical files.

The data tells a story the marts can show: twelve months of history ending at the as-of date;
accounts with industries, sizes, countries, compliance frameworks and a security posture
(some of it unknown); people whose titles cover every persona of the scoring model; a
minority of people in an active evaluation (pricing pages, case studies, demo and assessment
requests), more often at high-risk accounts; sales follow-up after forms; opportunities more
likely, and more often won, at high-risk accounts with active evaluations.

Every kind of dirt CONTRACT.md lists appears at a low rate (the rates are the constants below;
each kind appears at least MIN_DIRTY_ROWS times even at tiny scales): re-exported versions
(some with the exact same updated_at), soft deletes, empty keys, one person under two contact
ids, malformed and messy emails, messy websites / industries / countries / frameworks /
titles, invalid employee counts, duplicate deliveries, unattributed events and forms, unknown
event types, clock-skewed future timestamps, bounced and opted-out people.

Sizes at scale 1 (linear in --scale): 2,000 accounts, 20,000 contacts, 400,000 events,
8,000 form submissions, 1,000 opportunities, 10,000 sales activities (plus the dirt rows).
Events are generated as numeric arrays and written in chunks, so scale 25 fits in a few GB.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lead_segmentation.raw_schema import (
    CLOUD_PROVIDERS,
    DUCKDB_TYPES,
    EVENT_TYPES,
    HAS_BUDGET,
    IDENTITY_PROVIDERS,
    LEAD_SOURCES,
    OPPORTUNITY_STAGES,
    RAW_KEYS,
    RAW_TABLES,
    SERVICE_LINES,
    TIMELINES,
    TOPICS,
)
from lead_segmentation.sql import quote_literal

# --------------------------------------------------------------------------------------------
# Sizes and time
# --------------------------------------------------------------------------------------------

# Rows per table at scale 1, before dirt rows are added; linear in --scale.
BASE_ROWS = {
    "crm_accounts": 2_000,
    "crm_contacts": 20_000,
    "crm_opportunities": 1_000,
    "form_submissions": 8_000,
    "sales_activities": 10_000,
    "engagement_events": 400_000,
}
# Floors that keep tiny scales (tests) meaningful.
MIN_ROWS = {
    "crm_accounts": 20,
    "crm_contacts": 100,
    "crm_opportunities": 10,
    "form_submissions": 50,
    "sales_activities": 50,
    "engagement_events": 2_000,
}
MAX_SCALE = 100.0
HISTORY_DAYS = 365  # history ends at the as-of date (inclusive)
EVENT_CHUNK_ROWS = 500_000  # events are turned into strings and written this many at a time

# Weekday and business-hour patterns: a weekend day is redrawn WEEKEND_REDRAWS times, each time
# kept with probability WEEKEND_KEEP (~10% of activity lands on weekends); OFF_HOURS_SHARE of
# timestamps fall at any hour, the rest around 13:30 UTC (a mostly transatlantic audience).
WEEKEND_KEEP = 0.3
WEEKEND_REDRAWS = 3
OFF_HOURS_SHARE = 0.08

# The tables below read better packed than one item per line.
# fmt: off
# --------------------------------------------------------------------------------------------
# Dirt rates: share of a table's rows affected; each kind at least MIN_DIRTY_ROWS rows.
# --------------------------------------------------------------------------------------------

MIN_DIRTY_ROWS = 2

# Accounts, contacts, opportunities: export versions, soft deletes, empty keys.
# reexported: a second version (older or newer state); tie_version: a second version with the
# same updated_at (the later line wins); soft_deleted: the latest version is_deleted.
VERSION_DIRT = {
    "crm_accounts":
        {"reexported": 0.04, "tie_version": 0.005, "soft_deleted": 0.01, "empty_id": 0.002},
    "crm_contacts":
        {"reexported": 0.04, "tie_version": 0.005, "soft_deleted": 0.01, "empty_id": 0.002},
    "crm_opportunities":
        {"reexported": 0.06, "tie_version": 0.01, "soft_deleted": 0.01, "empty_id": 0.003},
}
ACCOUNT_DIRT = {
    "website_missing": 0.03,  # half NULL, half ""
    "industry_unmappable": 0.02,
    "industry_missing": 0.03,  # half NULL, half ""
    "employees_missing": 0.03,
    "employees_invalid": 0.01,  # 0 or negative
    "country_missing": 0.03,
    "country_garbage": 0.005,
    "competitor": 0.002,  # accounts that are competitors (their website is a competitor's)
}
ACCOUNT_UNKNOWN = {
    "frameworks_null": 0.15,  # NULL = unknown; the rest without a framework get "" = known none
    "posture_all_unknown": 0.08,  # no enrichment at all: every posture boolean NULL
    "posture_each_unknown": 0.07,  # each boolean NULL independently
    "team_size_unknown": 0.20,
    "eol_unknown": 0.25,
    "exposed_unknown": 0.25,
    "revenue_unknown": 0.10,
    "cloud_unknown": 0.05,
    "idp_unknown": 0.08,
    "incident_recent": 0.12,  # last_incident_at within the year before as-of
    "incident_older": 0.08,
}
CONTACT_DIRT = {
    "duplicate_person": 0.02,  # a second contact id for the same email (case/space variant)
    "malformed_email": 0.01,  # john.doe@ / john at acme.com / jane@acme
    "messy_email": 0.05,  # case and whitespace
    "free_mail": 0.07,
    "competitor_email": 0.005,
    "no_account": 0.03,
    "unknown_account": 0.01,
    "messy_title": 0.06,
    "missing_title": 0.03,
    "opted_out": 0.03,
    "bounced": 0.02,
}
EVENT_DIRT = {
    "duplicate_delivery": 0.01,  # same event_id again, later loaded_at
    "email_only": 0.03,  # empty contact_id, an email to match
    "unattributed": 0.003,  # neither contact_id nor a known email
    "unknown_contact": 0.003,  # a contact_id the CRM does not know
    "unknown_type": 0.005,  # page_scroll, chat_started
    "future": 0.002,  # up to 5 days after as-of (clock skew)
    "far_future": 0.00002,  # years ahead
    "empty_id": 0.0005,
}
FORM_DIRT = {
    "email_only": 0.05,
    "unattributed": 0.005,
    "unknown_contact": 0.005,
    "future": 0.005,
    "far_future": 0.0005,
    "duplicate_delivery": 0.005,
    "empty_id": 0.002,
}
ACTIVITY_DIRT = {"duplicate_delivery": 0.005, "empty_id": 0.002}
OPPORTUNITY_NO_PRIMARY_CONTACT = 0.04

# --------------------------------------------------------------------------------------------
# Story parameters
# --------------------------------------------------------------------------------------------

# Chance that a person is in an active evaluation: base + slope * account_risk ** 1.3, times
# the persona factor (PERSONAS). About 7% of people overall, 2-3x more at high-risk accounts.
EVALUATION_BASE = 0.02
EVALUATION_RISK_SLOPE = 0.16
EVALUATION_RECENT_SHARE = 0.45  # evaluations still running at as-of
EVALUATION_ENGAGEMENT = 5.0  # evaluators generate this many times more events
HIGH_INTENT_FORM_SHARE = 0.28  # of forms: demo_request, contact_sales, assessment_request
# Form mix within high-intent and low-intent forms.
HIGH_INTENT_FORMS = {"demo_request": 0.45, "contact_sales": 0.2, "assessment_request": 0.35}
LOW_INTENT_FORMS = {"content_download": 0.6, "webinar_registration": 0.4}

# Planted effects (issue 16): a known truth the backtest, the learner and the experiment view
# must recover (tests/end_to_end/test_backtest_recovery.py). Sales follow-up of a form books a
# meeting (the person becomes an SQL; deals follow at evaluating accounts) with a probability
# that rises with
# - the form: PLANTED_FORM_MEETING_LIFT (demo_request the strongest signal of all);
# - the fit: security and IT leaders (+PLANTED_LEADER_MEETING_LIFT), riskier accounts, active
#   evaluations (see _outcome);
# - the speed of the first response: PLANTED_RESPONSE_FACTOR (within an hour, a day, later).
# The treatment is the program's fast response: people in the holdout group (the md5 bucket
# of the routing spec, HOLDOUT_PCT) get the baseline response, a day or more later, so their
# follow-ups convert less; that difference is the planted treatment effect. The meeting falls
# PLANTED_MEETING_DELAY_DAYS after a first touch: conversion follows a signal in the weeks after
# it, so a score as of a date before the meeting can see it coming.
PLANTED_FORM_MEETING_LIFT = {"demo_request": 0.35, "contact_sales": 0.15,
                             "assessment_request": 0.05}
PLANTED_LEADER_MEETING_LIFT = 0.08
PLANTED_RESPONSE_FACTOR = ((3_600, 1.0), (86_400, 0.6), (None, 0.25))  # (seconds up to, factor)
PLANTED_MEETING_DELAY_DAYS = (7, 36)
HOLDOUT_PCT = 10  # var holdout_pct of dbt_project.yml

# Personas of SCORING_MODEL.md: (name, titles with weights, evaluation factor, fit factor).
PERSONAS = [
    ("security_executive", {"CISO": 3, "Chief Information Security Officer": 2,
                            "Chief Security Officer": 0.5, "VP of Security": 1, "VP Security": 0.5,
                            "Head of Security": 1}, 1.5, 1.6),
    ("security_leader", {"Director of Security": 1, "Security Director": 0.5,
                         "IT Security Manager": 2, "Information Security Manager": 1,
                         "SOC Manager": 1}, 1.4, 1.5),
    ("it_leader", {"CIO": 1.5, "CTO": 1.5, "Chief Information Officer": 0.5,
                   "Chief Technology Officer": 0.5, "Director of IT": 1.5, "IT Director": 1.5,
                   "VP of IT": 0.5, "Head of IT": 1, "IT Manager": 3}, 1.2, 1.3),
    ("risk_compliance", {"Compliance Manager": 1.5, "Risk Analyst": 1, "GRC Lead": 0.7,
                         "Internal Audit Manager": 0.5, "Privacy Officer": 0.5,
                         "Chief Risk Officer": 0.3, "Compliance Officer": 0.8}, 1.2, 1.3),
    ("security_practitioner", {"Security Engineer": 3, "Sr. Security Engineer": 1,
                               "Security Architect": 1, "Security Analyst": 2, "SOC Analyst": 2,
                               "Penetration Tester": 0.5, "DevSecOps Engineer": 0.7}, 1.0, 1.0),
    ("student", {"Student": 1, "Intern": 0.7, "IT Intern": 0.3, "Graduate Student": 0.3}, 0.3, 0.2),
    # "Director" and "Production Director" contain "cto" only as a substring.
    ("other", {"Marketing Director": 1, "Director of Marketing": 1, "Sales": 0.5,
               "Sales Manager": 1, "Account Executive": 0.7, "Software Engineer": 2,
               "Network Engineer": 1.5, "Systems Administrator": 2, "Office Manager": 0.7,
               "CFO": 0.7, "Procurement Specialist": 0.5, "Production Director": 0.5,
               "Owner": 0.5, "Consultant": 1}, 0.4, 0.4),
]
STUDENT, OTHER = 5, 6

# Canonical industry -> (weight, regulated, spellings seen in the CRM).
INDUSTRIES = {
    "financial_services": (0.16, True, ["Financial Services", "FinServ", "Banking", "Fin. Services",
                                        "Insurance", "financial services"]),
    "healthcare": (0.14, True, ["Healthcare", "health care", "Hospitals",
                                "Hospital & Health Care"]),
    "government": (0.06, True, ["Government", "Public Sector", "Government Administration"]),
    "energy_utilities": (0.05, True, ["Utilities", "Energy", "Oil & Gas"]),
    "technology_saas": (0.15, False, ["Software", "SaaS", "Information Technology",
                                      "Computer Software"]),
    "manufacturing": (0.10, False, ["Manufacturing", "Industrial Automation", "Automotive"]),
    "retail_ecommerce": (0.08, False, ["Retail", "E-commerce", "eCommerce"]),
    "education": (0.05, False, ["Education", "Higher Education"]),
    "professional_services": (0.07, False, ["Professional Services", "Legal Services",
                                            "Consulting"]),
    "media": (0.03, False, ["Media", "Entertainment"]),
    "logistics": (0.03, False, ["Logistics", "Transportation"]),
    "hospitality": (0.02, False, ["Hospitality"]),
    "nonprofit": (0.02, False, ["Non-Profit"]),
}
UNMAPPABLE_INDUSTRIES = ["Widgets", "Misc.", "Conglomerate", "TBD"]
INDUSTRY_NAME_SUFFIX = {
    "financial_services": ["Bank", "Financial", "Capital", "Insurance", "Credit Union"],
    "healthcare": ["Health", "Medical Center", "Hospital", "Clinic"],
    "government": ["County", "City Council", "Transit Authority"],
    "energy_utilities": ["Energy", "Power", "Water"],
    "technology_saas": ["Software", "Labs", "Cloud", "Systems"],
}

# ISO-2 -> (weight, spellings; the first is the most common, the region's TLD).
COUNTRIES = {
    "US": (0.42, ["US", "USA", "United States", "u.s.", "U.S.A.", "United States of America"],
           ".com"),
    "GB": (0.12, ["UK", "United Kingdom", "GB", "Great Britain", "England"], ".co.uk"),
    "DE": (0.08, ["DE", "Germany", "Deutschland"], ".de"),
    "CA": (0.05, ["CA", "Canada"], ".ca"),
    "FR": (0.04, ["FR", "France"], ".fr"),
    "NL": (0.03, ["NL", "Netherlands", "The Netherlands", "Holland"], ".nl"),
    "IE": (0.02, ["IE", "Ireland"], ".ie"),
    "SE": (0.015, ["SE", "Sweden"], ".se"),
    "NO": (0.01, ["NO", "Norway"], ".no"),
    "DK": (0.01, ["DK", "Denmark"], ".dk"),
    "FI": (0.01, ["FI", "Finland"], ".fi"),
    "ES": (0.02, ["ES", "Spain", "España"], ".es"),
    "IT": (0.02, ["IT", "Italy"], ".it"),
    "CH": (0.015, ["CH", "Switzerland"], ".ch"),
    "AU": (0.03, ["AU", "Australia"], ".com.au"),
    "NZ": (0.01, ["NZ", "New Zealand"], ".co.nz"),
    "SG": (0.02, ["SG", "Singapore"], ".sg"),
    "JP": (0.02, ["JP", "Japan"], ".jp"),
    "IN": (0.03, ["IN", "India"], ".in"),
    "BR": (0.02, ["BR", "Brazil"], ".com.br"),
    "AE": (0.01, ["AE", "United Arab Emirates", "UAE"], ".ae"),
}
GARBAGE_COUNTRIES = ["N/A", "??", "Earth", "123", "-"]
GDPR_COUNTRIES = {"GB", "DE", "FR", "NL", "IE", "SE", "NO", "DK", "FI", "ES", "IT"}

# Canonical framework -> spellings. Frameworks an account is subject to, by industry.
FRAMEWORK_SPELLINGS = {
    "pci dss": ["PCI DSS", "pci-dss", "PCI", "PCI-DSS"],
    "hipaa": ["HIPAA", "hipaa"],
    "soc 2": ["SOC2", "SOC 2", "soc2"],
    "iso 27001": ["ISO27001", "iso 27001", "ISO 27001"],
    "gdpr": ["GDPR", "gdpr"],
    "nis2": ["NIS2", "nis2"],
    "sox": ["SOX"],
    "cmmc": ["CMMC"],
    "fedramp": ["FedRAMP"],
    "dora": ["DORA"],
}
FRAMEWORK_ODDS = {
    "financial_services": {"pci dss": 0.6, "soc 2": 0.4, "sox": 0.3, "iso 27001": 0.2},
    "healthcare": {"hipaa": 0.8, "soc 2": 0.2, "iso 27001": 0.1},
    "government": {"fedramp": 0.3, "cmmc": 0.3, "iso 27001": 0.2},
    "energy_utilities": {"iso 27001": 0.4, "nis2": 0.2},
    "technology_saas": {"soc 2": 0.7, "iso 27001": 0.4, "pci dss": 0.1},
    "retail_ecommerce": {"pci dss": 0.75, "soc 2": 0.1},
    "manufacturing": {"iso 27001": 0.3, "cmmc": 0.1},
    "professional_services": {"soc 2": 0.3, "iso 27001": 0.25},
}
DEFAULT_FRAMEWORK_ODDS = {"iso 27001": 0.1, "soc 2": 0.1}
US_ONLY_FRAMEWORKS = {"hipaa", "fedramp", "cmmc", "sox"}
SCORED_FRAMEWORKS = {"pci dss", "hipaa", "soc 2", "iso 27001", "gdpr", "nis2", "cmmc", "fedramp",
                     "dora"}
FRAMEWORK_SEPARATORS = ["; ", ";", ", ", " ; "]

FREE_MAIL_DOMAINS = {"gmail.com": 0.5, "yahoo.com": 0.15, "hotmail.com": 0.1, "outlook.com": 0.12,
                     "icloud.com": 0.05, "aol.com": 0.02, "proton.me": 0.03, "gmx.com": 0.03}
COMPETITOR_DOMAINS = ["crowdstrike.com", "paloaltonetworks.com", "sentinelone.com", "rapid7.com",
                      "arcticwolf.com", "secureworks.com"]

FIRST_NAMES = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
               "David", "Elizabeth", "William", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
               "Priya", "Rahul", "Wei", "Mei", "Hiroshi", "Yuki", "Lars", "Ingrid", "Jürgen",
               "Anna", "Luca", "Sofia", "Mateo", "Camila", "Olivia", "Noah", "Emma", "Aisha",
               "Omar", "Fatima", "Sean", "Siobhán", "Pierre", "Chloé", "Hans", "Greta", "Ananya",
               "Kwame", "Amara", "Diego", "Lucía", "Erik", "Astrid", "Grace"]
LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
              "Rodriguez", "Martinez", "Lee", "Walker", "Hall", "Young", "King", "Wright", "Scott",
              "Green", "Baker", "Adams", "Patel", "Shah", "Kumar", "Singh", "Wang", "Zhang",
              "Tanaka", "Sato", "Müller", "Schmidt", "Fischer", "Weber", "Rossi", "Dubois",
              "Martin", "O'Brien", "Murphy", "Kelly", "Nielsen", "Johansson", "Novak", "Kowalski",
              "Silva", "Santos", "Okafor", "Mensah", "Cohen", "Nguyen", "Kim", "Park"]
NAME_PREFIXES = ["North", "South", "Blue", "Red", "Silver", "Iron", "Bright", "Summit", "Harbor",
                 "Pioneer", "Evergreen", "Granite", "Cedar", "Atlas", "Apex", "Beacon", "Crescent",
                 "Keystone", "Liberty", "Meridian", "Orion", "Pinnacle", "Quantum", "River",
                 "Sterling", "Vertex", "Willow", "Zenith", "Lake", "Frontier", "Oak", "Falcon"]
NAME_STEMS = ["field", "stone", "bridge", "point", "line", "view", "gate", "wood", "crest", "way",
              "core", "path", "ridge", "well", "haven", "port", "dale", "mark"]
GENERIC_NAME_SUFFIXES = ["Inc.", "Group", "LLC", "Partners", "Holdings", "Ltd", "Co."]

LIFECYCLE_BASE = {"subscriber": 0.22, "lead": 0.48, "mql": 0.1, "sql": 0.04, "customer": 0.04,
                  "other": 0.12}
LEAD_SOURCE_WEIGHTS = [0.3, 0.15, 0.25, 0.08, 0.1, 0.12]  # in raw_schema.LEAD_SOURCES order

# Event types as generated: the contract's eight, then the unknown ones staging must reject.
UNKNOWN_EVENT_TYPES = ["page_scroll", "chat_started"]
EVENT_LABELS = EVENT_TYPES + UNKNOWN_EVENT_TYPES
EV = {name: code for code, name in enumerate(EVENT_LABELS)}
EMAIL_EVENTS = [EV["email_open"], EV["email_click"], EV["unsubscribe"], EV["email_bounce"]]
# Event mix outside an evaluation, and inside one (unsubscribe/bounce are planted separately).
BACKGROUND_EVENT_MIX = {"page_view": 0.46, "email_open": 0.33, "email_click": 0.1,
                        "case_study_view": 0.05, "pricing_page_view": 0.03,
                        "webinar_attended": 0.02, "unsubscribe": 0.001}
EVALUATION_EVENT_MIX = {"page_view": 0.3, "pricing_page_view": 0.2, "case_study_view": 0.2,
                        "email_click": 0.1, "email_open": 0.12, "webinar_attended": 0.08}
EVALUATION_WINDOW_SHARE = 0.6  # of an evaluator's events, inside the evaluation window
VENDOR_SITE = "https://www.bastioncyber.com"
SOURCE_SYSTEMS = ["web_analytics", "marketing_automation", "webinar_platform", "chat_widget"]

SDR_OWNERS = [f"usr_sdr_{i:02d}" for i in range(1, 17)]
AE_OWNERS = [f"usr_ae_{i:02d}" for i in range(1, 7)]
SERVICE_LINE_BY_TOPIC = {"incident_response": "incident_response", "compliance": "grc",
                         "identity": "iam", "cloud": "cloud_security",
                         "vulnerability_management": "pen_testing", "mdr": "mdr", "general": "mdr"}
SERVICE_LINE_MEDIAN_USD = {"mdr": 90_000, "incident_response": 45_000, "pen_testing": 25_000,
                           "grc": 40_000, "iam": 60_000, "cloud_security": 55_000,
                           "awareness_training": 15_000}

# fmt: on

EPOCH = dt.date(1970, 1, 1)
DAY = 86_400
HOUR = 3_600
# Independent random streams per table: a change in one table never shifts another.
STREAMS = {
    "accounts": 1,
    "contacts": 2,
    "forms": 3,
    "activities": 4,
    "opportunities": 5,
    "events": 6,
    "versions": 7,
}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Clock:
    """Normal data lies in [start, end): the `history_days` (default twelve months) up to and
    including as_of."""

    as_of: dt.date
    history_days: int = HISTORY_DAYS

    @property
    def end_day(self) -> int:  # first epoch day after as_of
        return (self.as_of - EPOCH).days + 1

    @property
    def start_day(self) -> int:
        return self.end_day - self.history_days

    @property
    def end(self) -> int:
        return self.end_day * DAY

    @property
    def start(self) -> int:
        return self.start_day * DAY


def table_sizes(scale: float) -> dict[str, int]:
    return {t: max(MIN_ROWS[t], int(round(BASE_ROWS[t] * scale))) for t in BASE_ROWS}


def _count(rate: float, n: int) -> int:
    return min(n, max(MIN_DIRTY_ROWS, int(round(rate * n))))


def _partition(rng: np.random.Generator, n: int, rates: dict[str, float]) -> dict[str, np.ndarray]:
    """Disjoint sorted row picks per dirt kind, so one kind never hides another."""
    order = rng.permutation(n)
    picks, at = {}, 0
    for kind, rate in rates.items():
        k = min(_count(rate, n), n - at)
        picks[kind] = np.sort(order[at : at + k])
        at += k
    return picks


def _weights(values: Iterable[float]) -> np.ndarray:
    w = np.asarray(list(values), dtype=float)
    return w / w.sum()


def _business_times(rng: np.random.Generator, day_lo, day_hi) -> np.ndarray:
    """Epoch seconds: a day in [day_lo, day_hi) per element, thinned on weekends, mostly in
    business hours."""
    day_lo = np.asarray(day_lo, dtype=np.int64)
    span = np.maximum(np.asarray(day_hi, dtype=np.int64) - day_lo, 1)
    n = len(day_lo)
    day = day_lo + (rng.random(n) * span).astype(np.int64)
    for _ in range(WEEKEND_REDRAWS):
        weekend = (day + 3) % 7 >= 5  # 1970-01-01 was a Thursday; Monday = 0
        redraw = weekend & (rng.random(n) >= WEEKEND_KEEP)
        day[redraw] = day_lo[redraw] + (rng.random(int(redraw.sum())) * span[redraw]).astype(
            np.int64
        )
    office = np.clip(rng.normal(13.5 * HOUR, 2.5 * HOUR, n), 7 * HOUR, 20 * HOUR - 1)
    seconds = np.where(rng.random(n) < OFF_HOURS_SHARE, rng.integers(0, DAY, n), office)
    return day * DAY + seconds.astype(np.int64)


def _next_business_time(ts: int, rng: np.random.Generator) -> int:
    """A sales rep acts during business hours: nights and weekends move to the next morning."""
    day, seconds = divmod(ts, DAY)
    if 8 * HOUR <= seconds < 19 * HOUR and (day + 3) % 7 < 5:
        return ts
    if seconds >= 19 * HOUR:
        day += 1
    while (day + 3) % 7 >= 5:
        day += 1
    return day * DAY + 8 * HOUR + int(rng.integers(0, 3 * HOUR))


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _fmt_id(prefix: str, number: int, width: int) -> str:
    return f"{prefix}_{number:0{width}d}"


def _arrow_table(table: str, columns: dict[str, list]) -> pa.Table:
    """Python columns (timestamps as epoch seconds, dates as epoch days) -> typed Arrow."""
    arrays = {}
    for name, logical in RAW_TABLES[table]:
        values = columns[name]
        if logical == "timestamp":
            arrays[name] = pa.array(values, type=pa.int64()).cast(pa.timestamp("s"))
        elif logical == "date":
            arrays[name] = pa.array(values, type=pa.int32()).cast(pa.date32())
        else:
            arrow_type = {
                "text": pa.string(),
                "integer": pa.int64(),
                "double": pa.float64(),
                "boolean": pa.bool_(),
            }[logical]
            arrays[name] = pa.array(values, type=arrow_type)
    return pa.table(arrays)


def _materialise(columns: dict[str, list], rows: list[tuple[int, dict | None]]) -> dict[str, list]:
    """Rows as (source index, overrides) -> new columns."""
    return {
        name: [values[i] if not ov or name not in ov else ov[name] for i, ov in rows]
        for name, values in columns.items()
    }


def _with_versions(
    rng: np.random.Generator,
    table: str,
    columns: dict[str, list],
    clock: Clock,
    stale: Callable[[int], dict],
    floor_col: str | None = None,
) -> dict[str, list]:
    """Turn one row per record into a CRM export with versions, soft deletes and empty keys.

    `stale(i)` returns the fields of an older state of record i. The export holds, in order:
    every record once (ids ascending), then re-exported versions sorted by updated_at. Half of
    the re-exported records have the older state first (an export in write order), half have it
    last (a stale copy appended later: only updated_at tells which is current). Tie versions
    have the same updated_at as the current state and sit on an earlier line (the later line
    wins). Soft deletes are either a later deleted version or a deleted single row.
    """
    key = RAW_KEYS[table]
    rates = VERSION_DIRT[table]
    n = len(columns[key])
    picks = _partition(
        rng,
        n,
        {
            "stale_first": rates["reexported"] / 2,
            "stale_last": rates["reexported"] / 2,
            "tie": rates["tie_version"],
            "deleted_version": rates["soft_deleted"] / 2,
            "deleted_in_place": rates["soft_deleted"] / 2,
            "empty_id": rates["empty_id"],
        },
    )
    updated = columns["updated_at"]

    def older(i: int) -> dict:
        floor = columns[floor_col][i] if floor_col else clock.start
        earlier = max(floor, updated[i] - int(rng.integers(HOUR, 60 * DAY)))
        if earlier >= updated[i]:
            earlier = updated[i] - 60
        return {**stale(i), "updated_at": earlier}

    head: dict[int, dict | None] = {i: None for i in range(n)}
    tail: list[tuple[int, dict | None]] = []
    for i in picks["stale_first"]:
        head[i] = older(i)
        tail.append((i, None))
    for i in picks["stale_last"]:
        tail.append((i, older(i)))
    for i in picks["tie"]:
        head[i] = {**stale(i), "updated_at": updated[i]}
        tail.append((i, None))
    for i in picks["deleted_version"]:
        later = min(clock.end - 1, updated[i] + int(rng.integers(HOUR, 30 * DAY)))
        tail.append((i, {"is_deleted": True, "updated_at": later}))
    for i in picks["deleted_in_place"]:
        head[i] = {"is_deleted": True}
    for i in picks["empty_id"]:
        tail.append((i, {key: None}))

    def tail_order(item: tuple[int, dict | None]):
        i, ov = item
        ts = (ov or {}).get("updated_at", updated[i])
        return (ts, columns[key][i], 0 if ov and key in ov else 1)

    tail.sort(key=tail_order)
    return _materialise(columns, list(head.items()) + tail)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


class TableWriter:
    """Writes one raw table, chunk by chunk, with DuckDB's COPY; casts every column to the raw
    schema's type and order. The file appears under its final name only when complete."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str, out_dir: Path, fmt: str):
        self.con, self.table, self.fmt = con, table, fmt
        self.path = out_dir / f"{table}.{fmt}"
        self.parts: list[Path] = []
        self.rows = 0
        self.select = ", ".join(
            f'cast("{name}" as {DUCKDB_TYPES[logical]}) as "{name}"'
            for name, logical in RAW_TABLES[table]
        )

    def write(self, chunk: pa.Table) -> None:
        expected = {name for name, _ in RAW_TABLES[self.table]}
        if set(chunk.column_names) != expected:
            raise ValueError(
                f"{self.table}: columns {sorted(chunk.column_names)} != {sorted(expected)}"
            )
        part = self.path.parent / f".{self.table}.part{len(self.parts)}.{self.fmt}"
        self.con.register("_chunk", chunk)
        if self.fmt == "csv":
            header = "false" if self.parts else "true"  # the parts are concatenated
            options = f"format csv, header {header}, delimiter ',', quote '\"'"
        else:
            options = "format parquet, compression zstd"
        self.con.execute(
            f"copy (select {self.select} from _chunk) to {quote_literal(part)} ({options})"
        )
        self.con.unregister("_chunk")
        self.parts.append(part)
        self.rows += chunk.num_rows

    def close(self) -> int:
        final_tmp = self.path.parent / f".{self.table}.{self.fmt}.tmp"
        if self.fmt == "csv":
            # Header only in the first part: the parts concatenate into one CSV file.
            with final_tmp.open("wb") as out:
                for part in self.parts:
                    with part.open("rb") as src:
                        while block := src.read(1 << 24):
                            out.write(block)
        elif len(self.parts) == 1:
            self.parts[0].replace(final_tmp)
        else:
            files = ", ".join(quote_literal(p) for p in self.parts)
            self.con.execute(
                f"copy (select * from read_parquet([{files}])) to {quote_literal(final_tmp)}"
                " (format parquet, compression zstd)"
            )
        for part in self.parts:
            part.unlink(missing_ok=True)
        final_tmp.replace(self.path)
        return self.rows


# --------------------------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Accounts:
    """The truth behind the account rows, for the tables that depend on it."""

    ids: list[str]
    domains: list[str]
    country: list[str]  # ISO-2
    employees: np.ndarray
    regulated: np.ndarray
    has_frameworks: np.ndarray
    risk: np.ndarray  # 0..1: about the scoring model's risk points / 100
    topic: np.ndarray  # index into TOPICS: the account's most pressing need
    is_competitor: np.ndarray


def _website(rng: np.random.Generator, domain: str) -> str:
    name, _, rest = domain.partition(".")
    forms = [
        f"https://www.{name.capitalize()}.{rest}/about",
        domain,
        f"WWW.{domain.upper()}",
        f"http://{domain}",
        f"https://{domain}/",
        f"www.{domain}",
        f"https://www.{domain}",
        f"https://{domain}:443/",
    ]
    return forms[int(rng.choice(len(forms), p=_weights([2, 3, 1, 1, 1, 1, 3, 0.2])))]


def _frameworks_text(rng: np.random.Generator, frameworks: list[str]) -> str:
    spelled = [
        FRAMEWORK_SPELLINGS[f][int(rng.integers(len(FRAMEWORK_SPELLINGS[f])))] for f in frameworks
    ]
    text = FRAMEWORK_SEPARATORS[int(rng.integers(len(FRAMEWORK_SEPARATORS)))].join(spelled)
    return f" {text} " if rng.random() < 0.05 else text


def _alias(rng_u: float, aliases: list[str], pick: int) -> str:
    """The first spelling half the time, else any spelling."""
    return aliases[0] if rng_u < 0.5 else aliases[pick % len(aliases)]


def build_accounts(
    rng: np.random.Generator, n: int, clock: Clock
) -> tuple[dict[str, list], Accounts]:
    industry_names, country_codes = list(INDUSTRIES), list(COUNTRIES)
    industry = rng.choice(len(industry_names), n, p=_weights(v[0] for v in INDUSTRIES.values()))
    country = rng.choice(len(country_codes), n, p=_weights(v[0] for v in COUNTRIES.values()))
    employees = np.clip(np.round(np.exp(rng.normal(np.log(600), 1.6, n))), 2, 250_000).astype(
        np.int64
    )
    # Maturity drives the posture: bigger companies are somewhat better defended.
    maturity = np.clip(rng.beta(2, 2.5, n) + 0.06 * np.log10(employees) - 0.12, 0, 1)
    u = rng.random((n, 8))
    picks = rng.integers(0, 1_000_000, (n, 4))
    has_siem = rng.random(n) < 0.2 + 0.7 * maturity
    has_edr = rng.random(n) < 0.35 + 0.6 * maturity
    has_mfa = rng.random(n) < 0.4 + 0.55 * maturity
    has_soc = rng.random(n) < 0.05 + 0.6 * maturity**1.5
    team = rng.poisson(np.maximum(employees / 400 * (0.5 + maturity), 0.3))
    size_factor = np.log10(employees + 10)
    eol = rng.poisson(2.5 * (1 - maturity) ** 2 * size_factor)
    exposed = rng.poisson(1.6 * (1 - maturity) ** 2 * size_factor)
    cloud = rng.choice(len(CLOUD_PROVIDERS), n, p=_weights([0.37, 0.32, 0.1, 0.16, 0.05]))
    idp = rng.choice(len(IDENTITY_PROVIDERS), n, p=_weights([0.3, 0.37, 0.05, 0.1, 0.13]))
    revenue = np.round(employees * np.exp(rng.normal(np.log(180_000), 0.5, n)), -3)
    updated = _business_times(rng, np.full(n, clock.start_day), np.full(n, clock.end_day))
    incident_recent_at = clock.end - rng.integers(DAY, 364 * DAY, n)
    incident_older_at = clock.end - rng.integers(400 * DAY, 1500 * DAY, n)

    dirt = {k: set(v.tolist()) for k, v in _partition(rng, n, ACCOUNT_DIRT).items()}
    unknown = {k: rng.random(n) < rate for k, rate in ACCOUNT_UNKNOWN.items()}
    incident_recent = unknown["incident_recent"] & (rng.random(n) < 1.3 - maturity)
    incident_older = unknown["incident_older"] & ~incident_recent
    posture_unknown = unknown["posture_all_unknown"][:, None] | (
        rng.random((n, 4)) < ACCOUNT_UNKNOWN["posture_each_unknown"]
    )

    cols: dict[str, list] = {name: [] for name, _ in RAW_TABLES["crm_accounts"]}
    acc = Accounts(
        ids=[],
        domains=[],
        country=[],
        employees=employees,
        regulated=np.zeros(n, bool),
        has_frameworks=np.zeros(n, bool),
        risk=np.zeros(n),
        topic=np.zeros(n, np.int64),
        is_competitor=np.zeros(n, bool),
    )
    taken: set[str] = set()
    for i in range(n):
        ind, iso = industry_names[industry[i]], country_codes[country[i]]
        regulated, spellings = INDUSTRIES[ind][1], INDUSTRIES[ind][2]
        if i in dirt["competitor"]:  # a competitor that shows up in the CRM
            domain = COMPETITOR_DOMAINS[len(taken) % len(COMPETITOR_DOMAINS)]
            while domain in taken:
                domain = "the" + domain
            name, ind, regulated = domain.split(".")[0].capitalize(), "technology_saas", False
            spellings = INDUSTRIES[ind][2]
        else:
            root = (
                NAME_PREFIXES[picks[i, 0] % len(NAME_PREFIXES)]
                + NAME_STEMS[picks[i, 1] % len(NAME_STEMS)]
            )
            if ind == "professional_services" and u[i, 0] < 0.3:  # a name with a comma
                a, b = (
                    LAST_NAMES[picks[i, 2] % len(LAST_NAMES)],
                    LAST_NAMES[picks[i, 3] % len(LAST_NAMES)],
                )
                name, root = f"{a}, {b} & Partners", a + b
            else:
                suffixes = INDUSTRY_NAME_SUFFIX.get(ind, GENERIC_NAME_SUFFIXES)
                name = f"{root} {suffixes[picks[i, 2] % len(suffixes)]}"
            tld = COUNTRIES[iso][2]
            if iso == "US" and ind in ("government", "education"):
                tld = ".gov" if ind == "government" else ".edu"
            base = _ascii_slug(root)
            domain, k = base + tld, 2
            while domain in taken:
                domain, k = f"{base}{k}{tld}", k + 1
        taken.add(domain)

        # Frameworks by industry, the GDPR family in Europe. NULL = unknown, "" = known none.
        odds = dict(FRAMEWORK_ODDS.get(ind, DEFAULT_FRAMEWORK_ODDS))
        if iso in GDPR_COUNTRIES:
            odds["gdpr"] = 0.7
            if regulated:
                odds["nis2"] = 0.45
            if ind == "financial_services":
                odds["dora"] = 0.5
        draws = rng.random(len(odds))
        frameworks = [
            f
            for (f, p), d in zip(sorted(odds.items()), draws, strict=True)
            if d < (p * 0.1 if iso != "US" and f in US_ONLY_FRAMEWORKS else p)
        ]
        rng.shuffle(frameworks)
        if unknown["frameworks_null"][i]:
            frameworks_text = None
        else:
            frameworks_text = _frameworks_text(rng, frameworks) if frameworks else ""

        # The messy text the CRM holds.
        website = (None if i % 2 else "") if i in dirt["website_missing"] else _website(rng, domain)
        if i in dirt["industry_missing"]:
            industry_text = None if i % 2 else ""
        elif i in dirt["industry_unmappable"]:
            industry_text = UNMAPPABLE_INDUSTRIES[i % len(UNMAPPABLE_INDUSTRIES)]
        else:
            industry_text = _alias(u[i, 1], spellings, picks[i, 3])
        if i in dirt["country_missing"]:
            country_text = None if i % 2 else ""
        elif i in dirt["country_garbage"]:
            country_text = GARBAGE_COUNTRIES[i % len(GARBAGE_COUNTRIES)]
        else:
            country_text = _alias(u[i, 2], COUNTRIES[iso][1], picks[i, 0])
        if i in dirt["employees_missing"]:
            employee_count = None
        elif i in dirt["employees_invalid"]:
            employee_count = 0 if i % 2 else -int(1 + picks[i, 1] % 500)
        else:
            employee_count = int(employees[i])
        cloud_text = None if unknown["cloud_unknown"][i] else CLOUD_PROVIDERS[cloud[i]]
        if cloud_text and u[i, 3] < 0.02:
            cloud_text = cloud_text.upper()
        idp_text = None if unknown["idp_unknown"][i] else IDENTITY_PROVIDERS[idp[i]]
        siem, edr, mfa, soc = (
            None if posture_unknown[i, j] else bool(v)
            for j, v in enumerate((has_siem[i], has_edr[i], has_mfa[i], has_soc[i]))
        )
        team_size = None if unknown["team_size_unknown"][i] else int(team[i])
        eol_count = None if unknown["eol_unknown"][i] else int(eol[i])
        exposed_count = None if unknown["exposed_unknown"][i] else int(exposed[i])
        incident = (
            int(incident_recent_at[i])
            if incident_recent[i]
            else int(incident_older_at[i])
            if incident_older[i]
            else None
        )

        # The risk a scorer will see (unknown inputs score nothing) and the need it points to.
        n_scored = len(set(frameworks) & SCORED_FRAMEWORKS) if frameworks_text else 0
        exposed_points = 0 if not exposed_count else (25 if exposed_count >= 5 else 15)
        points = {
            "incident": 25 * bool(incident_recent[i]),
            "compliance": 15 * regulated + 10 * min(3, n_scored),
            "exposure": 15 * bool(eol_count) + exposed_points + 10 * (edr is False),
            "identity": 15 * (mfa is False) + 10 * (idp_text == "none"),
            "operational": 10 * (soc is False)
            + 10 * (siem is False)
            + 10 * (team_size is not None and team_size < 3),
        }
        topic = {
            "incident": "incident_response",
            "compliance": "compliance",
            "exposure": "vulnerability_management",
            "identity": "identity",
            "operational": "mdr",
        }[max(points, key=points.__getitem__)]
        if cloud_text in ("aws", "multi", "gcp") and u[i, 4] < 0.25:
            topic = "cloud"
        acc.ids.append(_fmt_id("acc", i + 1, 6))
        acc.domains.append(domain)
        acc.country.append(iso)
        acc.regulated[i], acc.has_frameworks[i] = regulated, bool(frameworks_text)
        acc.risk[i] = min(1.0, sum(points.values()) / 100)
        acc.topic[i] = TOPICS.index(topic)
        acc.is_competitor[i] = i in dirt["competitor"]

        row = {
            "account_id": acc.ids[-1],
            "account_name": name,
            "website": website,
            "industry": industry_text,
            "employee_count": employee_count,
            "annual_revenue_usd": None if unknown["revenue_unknown"][i] else float(revenue[i]),
            "country": country_text,
            "compliance_frameworks": frameworks_text,
            "cloud_provider": cloud_text,
            "identity_provider": idp_text,
            "has_siem": siem,
            "has_edr": edr,
            "has_mfa": mfa,
            "has_24x7_soc": soc,
            "security_team_size": team_size,
            "eol_software_count": eol_count,
            "exposed_services_count": exposed_count,
            "last_incident_at": incident,
            "updated_at": int(updated[i]),
            "is_deleted": False,
        }
        for column, value in row.items():
            cols[column].append(value)

    def stale(i: int) -> dict:
        """An older enrichment: a smaller headcount, another website spelling, MFA and
        frameworks not yet known."""
        older: dict = {"has_mfa": None}
        if cols["employee_count"][i] and cols["employee_count"][i] > 0:
            older["employee_count"] = max(
                1, int(cols["employee_count"][i] * rng.uniform(0.7, 0.95))
            )
        if cols["website"][i]:
            older["website"] = _website(rng, acc.domains[i])
        if cols["compliance_frameworks"][i]:
            older["compliance_frameworks"] = None
        return older

    return _with_versions(rng, "crm_accounts", cols, clock, stale), acc


# --------------------------------------------------------------------------------------------
# People (contacts)
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class People:
    """One entry per real person (the first contact record of each), the truth behind the
    contact rows, forms, events and activities."""

    contact_id: list[str]
    alt_id: list[str | None]  # a second contact id of the same person (merged by staging)
    email: list[str]  # lower-case email as systems carry it (a malformed one stays malformed)
    email_variant: list[str]  # the same email with case/whitespace noise
    account: np.ndarray  # index into accounts; -1 = none or unknown
    persona: np.ndarray  # index into PERSONAS
    risk: np.ndarray  # the account's risk (0.15 without a known account)
    topic: np.ndarray  # index into TOPICS
    evaluator: np.ndarray  # in an active evaluation at some point of the year
    weight: np.ndarray  # engagement propensity
    first_day: np.ndarray  # epoch day from which the person is active
    window_start: np.ndarray  # evaluation window [start, end) in epoch days
    window_end: np.ndarray
    opted_out: np.ndarray
    bounced: np.ndarray
    undeliverable: np.ndarray  # malformed email
    competitor: np.ndarray
    lifecycle: list[str]
    # When a meeting or a deal moved the person's stage (epoch seconds): the CRM record is
    # updated then, so its current version is stamped no earlier (the backtest reads the
    # stage a version shows from its updated_at on).
    stage_changed_at: dict[int, int] = dataclasses.field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.contact_id)

    def crm_id(self, i: int, use_alt: bool) -> str:
        return self.alt_id[i] if use_alt and self.alt_id[i] else self.contact_id[i]


def _capitalised_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.capitalize()


def _messy_email(email: str, style: int) -> str:
    """`  John.Doe@Acme.com `, `JOHN.DOE@ACME.COM`, `John.Doe@Acme.com`, `john.doe@acme.com `."""
    return [
        f"  {_capitalised_email(email)} ",
        email.upper(),
        _capitalised_email(email),
        email + " ",
    ][style % 4]


def _malformed_email(email: str, style: int) -> str:
    """`john.doe@`, `john.doe at acme.com`, `john.doe@acme`."""
    local, _, domain = email.partition("@")
    return [local + "@", f"{local} at {domain}", f"{local}@{domain.split('.')[0]}"][style % 3]


def _messy_title(title: str, style: int) -> str:
    if title.startswith("VP ") or title.startswith("VP of "):
        return (
            title.replace("VP of ", "VP, ").replace("VP ", "VP, ")
            if style % 2
            else f"  {title.upper()}"
        )
    return [
        title.upper(),
        f"  {title} ",
        title.replace(" ", "  "),
        title.lower(),
        title + ".",
        title + " (acting)" if title.startswith("Sr.") or " " not in title else "Sr. " + title,
    ][style % 6]


CALLING_CODES = {
    "US": 1,
    "CA": 1,
    "GB": 44,
    "DE": 49,
    "FR": 33,
    "NL": 31,
    "IE": 353,
    "SE": 46,
    "NO": 47,
    "DK": 45,
    "FI": 358,
    "ES": 34,
    "IT": 39,
    "CH": 41,
    "AU": 61,
    "NZ": 64,
    "SG": 65,
    "JP": 81,
    "IN": 91,
    "BR": 55,
    "AE": 971,
}


def _phone(iso: str, digits: np.ndarray) -> str:
    d = "".join(str(x) for x in digits)
    if iso in ("US", "CA"):
        return (
            f"+1 ({d[:3]}) {d[3:6]}-{d[6:10]}" if digits[0] % 2 else f"{d[:3]}-{d[3:6]}-{d[6:10]}"
        )
    if iso == "GB":
        return f"+44 20 {d[:4]} {d[4:8]}"
    return f"+{CALLING_CODES[iso]} {d[:3]} {d[3:6]} {d[6:10]}"


def build_people(
    rng: np.random.Generator, n: int, clock: Clock, acc: Accounts
) -> tuple[dict[str, list], People]:
    """Contact rows (one per record, before versions) and the people behind them."""
    titles = [(title, p) for p, (_, pool, _, _) in enumerate(PERSONAS) for title in pool]
    title_weights = _weights(PERSONAS[p][1][t] for t, p in titles)
    title_idx = rng.choice(len(titles), n, p=title_weights)
    persona = np.array([titles[t][1] for t in title_idx], dtype=np.int64)
    size_weight = np.sqrt(acc.employees.astype(float))
    account = rng.choice(len(acc.ids), n, p=size_weight / size_weight.sum())

    # Disjoint dirt within a group; groups are independent.
    email_dirt = _partition(
        rng,
        n,
        {
            k: CONTACT_DIRT[k]
            for k in (
                "duplicate_person",
                "malformed_email",
                "messy_email",
                "free_mail",
                "competitor_email",
            )
        },
    )
    account_dirt = _partition(
        rng, n, {k: CONTACT_DIRT[k] for k in ("no_account", "unknown_account")}
    )
    title_dirt = _partition(rng, n, {k: CONTACT_DIRT[k] for k in ("messy_title", "missing_title")})
    status_dirt = _partition(rng, n, {k: CONTACT_DIRT[k] for k in ("opted_out", "bounced")})
    account[account_dirt["no_account"]] = -1
    account[account_dirt["unknown_account"]] = -2
    known = account >= 0

    risk = np.where(known, acc.risk[np.maximum(account, 0)], 0.15)
    competitor = np.zeros(n, bool)
    competitor[email_dirt["competitor_email"]] = True
    competitor |= known & acc.is_competitor[np.maximum(account, 0)]
    malformed = np.zeros(n, bool)
    malformed[email_dirt["malformed_email"]] = True
    opted_out = np.zeros(n, bool)
    opted_out[status_dirt["opted_out"]] = True
    bounced = np.zeros(n, bool)
    bounced[status_dirt["bounced"]] = True

    created = np.where(
        rng.random(n) < 0.55,
        clock.start - rng.integers(DAY, 900 * DAY, n),
        _business_times(rng, np.full(n, clock.start_day), np.full(n, clock.end_day)),
    )
    first_day = np.maximum(created // DAY, clock.start_day)
    updated = np.maximum(created + HOUR, _business_times(rng, first_day, np.full(n, clock.end_day)))
    updated = np.minimum(updated, clock.end - 1)

    persona_eval = np.array([p[2] for p in PERSONAS])
    p_eval = (EVALUATION_BASE + EVALUATION_RISK_SLOPE * risk**1.3) * persona_eval[persona]
    p_eval = np.where(competitor | malformed, p_eval * 0.5, p_eval)
    evaluator = rng.random(n) < p_eval
    weight = rng.lognormal(0, 0.9, n) * np.where(evaluator, EVALUATION_ENGAGEMENT, 1.0)
    weight = np.where(opted_out, weight * 0.5, weight)
    account_topic = acc.topic[np.maximum(account, 0)]
    topic = np.where(
        known & (rng.random(n) < 0.6), account_topic, rng.integers(0, len(TOPICS) - 1, n)
    )
    recent = rng.random(n) < EVALUATION_RECENT_SHARE
    window_start = np.where(
        recent,
        clock.end_day - rng.integers(5, 40, n),
        clock.start_day + rng.integers(0, clock.history_days - 30, n),
    )
    window_start = np.minimum(np.maximum(window_start, first_day), clock.end_day - 1)
    window_end = np.minimum(window_start + rng.integers(14, 60, n), clock.end_day)

    lifecycle_names = list(LIFECYCLE_BASE)
    lifecycle = [
        lifecycle_names[k]
        for k in rng.choice(len(lifecycle_names), n, p=_weights(LIFECYCLE_BASE.values()))
    ]
    for i in np.flatnonzero(evaluator & (rng.random(n) < 0.5)):  # evaluators often reached mql
        if lifecycle[i] in ("subscriber", "lead"):
            lifecycle[i] = "mql"
    lead_source = rng.choice(len(LEAD_SOURCES), n, p=_weights(LEAD_SOURCE_WEIGHTS))
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    u = rng.random((n, 6))
    styles = rng.integers(0, 1_000, (n, 4))
    phone_digits = rng.integers(0, 10, (n, 10))
    free_domains = list(FREE_MAIL_DOMAINS)
    free_pick = rng.choice(len(free_domains), n, p=_weights(FREE_MAIL_DOMAINS.values()))
    other_country = rng.integers(0, len(COUNTRIES), n)
    country_codes = list(COUNTRIES)

    cols: dict[str, list] = {name: [] for name, _ in RAW_TABLES["crm_contacts"]}
    people = People(
        contact_id=[],
        alt_id=[None] * n,
        email=[],
        email_variant=[],
        account=account,
        persona=persona,
        risk=risk,
        topic=topic,
        evaluator=evaluator,
        weight=weight,
        first_day=first_day,
        window_start=window_start,
        window_end=window_end,
        opted_out=opted_out,
        bounced=bounced,
        undeliverable=malformed,
        competitor=competitor,
        lifecycle=lifecycle,
    )
    sets = {k: set(v.tolist()) for k, v in email_dirt.items()}
    used: set[str] = set()
    for i in range(n):
        first_name, last_name = FIRST_NAMES[first[i]], LAST_NAMES[last[i]]
        a = int(account[i])
        if i in sets["free_mail"] or (a < 0 and u[i, 0] < 0.6):
            domain = free_domains[free_pick[i]]
        elif i in sets["competitor_email"]:
            domain = COMPETITOR_DOMAINS[styles[i, 0] % len(COMPETITOR_DOMAINS)]
        elif a >= 0:
            domain = acc.domains[a]
        else:  # a company the CRM has no account for
            domain = (
                _ascii_slug(NAME_PREFIXES[styles[i, 1] % len(NAME_PREFIXES)] + last_name) + ".com"
            )
        first_slug, last_slug = _ascii_slug(first_name), _ascii_slug(last_name)
        if u[i, 1] < 0.7:
            local = f"{first_slug}.{last_slug}"
        else:
            local = f"{first_slug[0]}{last_slug}" if u[i, 1] < 0.9 else first_slug
        email, k = f"{local}@{domain}", 2
        while email in used:
            email, k = f"{local}{k}@{domain}", k + 1
        used.add(email)
        if malformed[i]:  # unique too, or staging would merge two people on it
            bad = _malformed_email(email, styles[i, 2])
            email = bad if bad not in used else _malformed_email(email, 1)  # "x at domain"
            used.add(email)
        raw_email = _messy_email(email, styles[i, 2]) if i in sets["messy_email"] else email
        people.contact_id.append(_fmt_id("con", i + 1, 7))
        people.email.append(email)
        people.email_variant.append(_messy_email(email, styles[i, 3]))

        title = titles[title_idx[i]][0]
        if i in title_dirt["messy_title"]:
            title = _messy_title(title, styles[i, 3])
        iso = acc.country[a] if a >= 0 else None
        if iso and u[i, 2] < 0.65:
            country_text = _alias(u[i, 3], COUNTRIES[iso][1], styles[i, 0])
        elif u[i, 2] < 0.9:
            country_text = None
        else:
            country_text = _alias(
                u[i, 3], COUNTRIES[country_codes[other_country[i]]][1], styles[i, 1]
            )
        if malformed[i]:
            status = "unknown" if u[i, 4] < 0.4 else ("bounced" if u[i, 4] < 0.7 else "valid")
        else:
            status = "bounced" if bounced[i] else ("valid" if u[i, 4] < 0.82 else "unknown")
        row = {
            "contact_id": people.contact_id[-1],
            "account_id": acc.ids[a]
            if a >= 0
            else (None if a == -1 else f"acc_9{styles[i, 0]:05d}"),
            "email": raw_email,
            "first_name": first_name,
            "last_name": last_name,
            "phone": _phone(iso or "US", phone_digits[i]) if u[i, 5] < 0.75 else None,
            "job_title": title,
            "country": country_text,
            "lead_source": LEAD_SOURCES[lead_source[i]],
            "lifecycle_stage": None,
            "email_opt_out": bool(opted_out[i]),
            "email_status": status,
            "created_at": int(created[i]),
            "updated_at": int(updated[i]),
            "is_deleted": False,
        }
        for column, value in row.items():
            cols[column].append(value)
    for i in title_dirt["missing_title"]:
        cols["job_title"][i] = None

    # The same person under a second contact id: another import, the email in other case or
    # spacing. The earlier-created record survives, so sometimes the newer id does.
    next_id = n + 1
    du = rng.random((n, 6))
    for i in email_dirt["duplicate_person"]:
        i = int(i)
        alt = _fmt_id("con", next_id, 7)
        next_id += 1
        people.alt_id[i] = alt
        email = people.email[i]
        row = {column: cols[column][i] for column in cols}
        row.update(
            contact_id=alt,
            email=_messy_email(email, styles[i, 3]) if cols["email"][i] == email else email,
            lead_source=LEAD_SOURCES[(lead_source[i] + 1) % len(LEAD_SOURCES)],
            email_opt_out=bool(du[i, 0] < 0.15),
            email_status="bounced" if du[i, 1] < 0.1 else "valid",
        )
        shift = int(du[i, 2] * 200 * DAY) + HOUR
        if du[i, 3] < 0.25:
            row["created_at"] = cols["created_at"][i] - shift
        elif du[i, 3] < 0.35:
            row["created_at"] = cols["created_at"][i]  # a tie: the smaller contact_id survives
        else:
            row["created_at"] = min(cols["created_at"][i] + shift, clock.end - 2 * HOUR)
        row["updated_at"] = max(row["created_at"] + HOUR, cols["updated_at"][i])
        if du[i, 4] < 0.2:
            row["account_id"] = None
        if row["job_title"] and du[i, 5] < 0.3:
            row["job_title"] = _messy_title(row["job_title"].strip(), styles[i, 0])
        for column, value in row.items():
            cols[column].append(value)
    cols["_person"] = list(range(n)) + [int(i) for i in email_dirt["duplicate_person"]]
    return cols, people


def finalise_contacts(
    rng: np.random.Generator, cols: dict[str, list], people: People, clock: Clock
) -> dict[str, list]:
    """Lifecycle stages (known only after forms, activities and opportunities), then versions."""
    person = cols.pop("_person")
    for row, p in enumerate(person):
        is_alt = row >= people.n
        cols["lifecycle_stage"][row] = (
            (
                "lead"
                if people.lifecycle[p] in ("mql", "sql", "opportunity", "customer")
                else people.lifecycle[p]
            )
            if is_alt
            else people.lifecycle[p]
        )
        if not is_alt and p in people.stage_changed_at:
            cols["updated_at"][row] = max(
                cols["updated_at"][row], min(people.stage_changed_at[p] + HOUR, clock.end - 1)
            )

    def stale(i: int) -> dict:
        """Before the latest sync: an earlier stage, the title as first entered, not yet
        opted out or bounced."""
        stage = cols["lifecycle_stage"][i]
        older = {
            "lifecycle_stage": "lead"
            if stage in ("mql", "sql", "opportunity", "customer")
            else "subscriber",
            "email_opt_out": False,
            "email_status": "valid"
            if cols["email_status"][i] == "bounced"
            else cols["email_status"][i],
        }
        if cols["job_title"][i]:
            older["job_title"] = _messy_title(cols["job_title"][i].strip(), int(rng.integers(100)))
        return older

    return _with_versions(rng, "crm_contacts", cols, clock, stale, floor_col="created_at")


# --------------------------------------------------------------------------------------------
# Form submissions
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Forms:
    """What sales follow-up needs to know about each submission."""

    person: np.ndarray
    form: list[str]
    submitted_at: np.ndarray
    contact_id: list[str | None]
    resolvable: np.ndarray  # attributable to a known person


def _with_deliveries(
    rng: np.random.Generator, table: str, cols: dict[str, list], rates: dict[str, float]
) -> dict[str, list]:
    """Append second deliveries of some rows (identical, later lines) and blank some keys."""
    key = RAW_KEYS[table]
    n = len(cols[key])
    picks = _partition(
        rng, n, {"duplicate_delivery": rates["duplicate_delivery"], "empty_id": rates["empty_id"]}
    )
    rows: list[tuple[int, dict | None]] = [(i, None) for i in range(n)]
    for i in picks["empty_id"]:
        rows[i] = (i, {key: None})
    rows += [(int(i), None) for i in picks["duplicate_delivery"]]
    return _materialise(cols, rows)


def build_forms(
    rng: np.random.Generator, n: int, clock: Clock, people: People, acc: Accounts
) -> tuple[dict[str, list], Forms]:
    n_high = int(round(n * HIGH_INTENT_FORM_SHARE))
    evaluators = np.flatnonzero(people.evaluator)
    n_high_eval = int(round(n_high * 0.85)) if len(evaluators) else 0
    fit = np.array([p[3] for p in PERSONAS])[people.persona]

    def draw(count: int, candidates: np.ndarray, w: np.ndarray) -> np.ndarray:
        counts = rng.multinomial(count, w / w.sum())
        return np.repeat(candidates, counts)

    high_eval = draw(n_high_eval, evaluators, people.weight[evaluators])
    high_other = draw(n_high - n_high_eval, np.arange(people.n), fit * np.sqrt(people.weight))
    low = draw(n - n_high, np.arange(people.n), people.weight)
    person = np.concatenate([high_eval, high_other, low])
    in_window = np.concatenate([np.ones(len(high_eval), bool), np.zeros(n - len(high_eval), bool)])
    lo = np.where(in_window, people.window_start[person], people.first_day[person])
    hi = np.where(in_window, people.window_end[person], clock.end_day)
    submitted = _business_times(rng, lo, hi)
    high_names, low_names = list(HIGH_INTENT_FORMS), list(LOW_INTENT_FORMS)
    form_code = np.concatenate(
        [
            rng.choice(len(high_names), n_high, p=_weights(HIGH_INTENT_FORMS.values())),
            len(high_names)
            + rng.choice(len(low_names), n - n_high, p=_weights(LOW_INTENT_FORMS.values())),
        ]
    )
    order = np.lexsort((person, submitted))
    person, submitted, form_code = person[order], submitted[order], form_code[order]
    is_high = form_code < len(high_names)
    names = high_names + low_names

    dirt = _partition(
        rng,
        n,
        {
            k: FORM_DIRT[k]
            for k in ("email_only", "unattributed", "unknown_contact", "future", "far_future")
        },
    )
    u = rng.random((n, 8))
    other_topic = rng.integers(0, len(TOPICS), n)
    deadline_days = rng.integers(14, 330, n)
    timelines_high = rng.choice(
        len(TIMELINES) + 1, n, p=_weights([0.2, 0.35, 0.2, 0.1, 0.03, 0.05, 0.07])
    )
    timelines_low = rng.choice(
        len(TIMELINES) + 1, n, p=_weights([0.02, 0.05, 0.08, 0.12, 0.15, 0.3, 0.28])
    )
    budget_high = rng.choice(len(HAS_BUDGET) + 1, n, p=_weights([0.4, 0.12, 0.25, 0.23]))
    budget_low = rng.choice(len(HAS_BUDGET) + 1, n, p=_weights([0.1, 0.2, 0.3, 0.4]))
    deadline_base = submitted // DAY  # stated relative to when the form was really sent
    submitted[dirt["future"]] = clock.end + rng.integers(0, 5 * DAY, len(dirt["future"]))
    submitted[dirt["far_future"]] = clock.end + rng.integers(
        200 * DAY, 3000 * DAY, len(dirt["far_future"])
    )
    sets = {k: set(v.tolist()) for k, v in dirt.items()}

    cols: dict[str, list] = {name: [] for name, _ in RAW_TABLES["form_submissions"]}
    facts = Forms(person, [names[c] for c in form_code], submitted, [], np.ones(n, bool))
    for i in range(n):
        p = int(person[i])
        contact_id = people.crm_id(p, u[i, 0] < 0.3)
        email = people.email[p] if u[i, 1] < 0.8 else people.email_variant[p]
        if i in sets["email_only"]:
            contact_id = None
        elif i in sets["unattributed"]:
            contact_id, email = None, (None if u[i, 2] < 0.5 else f"anon.visitor{i}@gmail.com")
            facts.resolvable[i] = False
        elif i in sets["unknown_contact"]:
            contact_id, email = f"con_9{i % 1_000_000:06d}", None
            facts.resolvable[i] = False
        facts.contact_id.append(
            contact_id or (people.contact_id[p] if facts.resolvable[i] else None)
        )
        if u[i, 3] < 0.65:
            interest = TOPICS[people.topic[p]]
        elif u[i, 3] < 0.85:
            interest = TOPICS[other_topic[i]]
        else:
            interest = None if u[i, 3] < 0.97 else ""
        a = int(people.account[p])
        compliance_driven = interest == "compliance" or (
            a >= 0 and acc.regulated[a] and acc.has_frameworks[a]
        )
        deadline = None
        if u[i, 4] < (0.45 if compliance_driven else 0.04):
            deadline = int(deadline_base[i] + deadline_days[i])
        timeline = timelines_high[i] if is_high[i] else timelines_low[i]
        budget = budget_high[i] if is_high[i] else budget_low[i]
        row = {
            "submission_id": _fmt_id("sub", i + 1, 7),
            "contact_id": contact_id,
            "email": email,
            "form_name": names[form_code[i]],
            "submitted_at": int(submitted[i]),
            "primary_interest": interest,
            "timeline": TIMELINES[timeline] if timeline < len(TIMELINES) else None,
            "compliance_deadline": deadline,
            "has_budget": HAS_BUDGET[budget]
            if budget < len(HAS_BUDGET)
            else (None if u[i, 5] < 0.8 else ""),
        }
        for column, value in row.items():
            cols[column].append(value)
    return _with_deliveries(rng, "form_submissions", cols, FORM_DIRT), facts


# --------------------------------------------------------------------------------------------
# Sales activities
# --------------------------------------------------------------------------------------------


def _outcome(
    rng: np.random.Generator,
    people: People,
    p: int,
    high_intent: bool,
    outbound: bool,
    form: str | None = None,
    response_seconds: int | None = None,
) -> str:
    """How a sales sequence with this person ends (the planted effects: see
    PLANTED_FORM_MEETING_LIFT)."""
    if people.competitor[p] or people.persona[p] == STUDENT:
        return "not_a_fit" if rng.random() < 0.7 else "unresponsive"
    if people.undeliverable[p] or people.bounced[p]:
        return "bad_data" if rng.random() < 0.7 else "unresponsive"
    meeting = (
        0.08
        + 0.3 * people.risk[p]
        + 0.15 * people.evaluator[p]
        + PLANTED_LEADER_MEETING_LIFT * (people.persona[p] <= 3)
    )
    if form is not None:
        meeting += PLANTED_FORM_MEETING_LIFT.get(form, 0.0)
    elif high_intent:
        meeting += 0.1
    meeting = min(0.85, meeting) * (0.35 if outbound else 1.0)
    if response_seconds is not None:
        meeting *= _response_factor(response_seconds)
    not_a_fit = 0.06 + 0.2 * (people.persona[p] == OTHER)
    draw = rng.random()
    if draw < meeting:
        return "meeting_booked"
    if draw < meeting + not_a_fit:
        return "not_a_fit"
    if draw < meeting + not_a_fit + 0.02:
        return "bad_data"
    return "unresponsive" if rng.random() < 0.55 else "connected"


def _response_factor(seconds: int) -> float:
    """How much of a follow-up's chance of a meeting is left after this first response time."""
    for limit, factor in PLANTED_RESPONSE_FACTOR:
        if limit is None or seconds <= limit:
            return factor
    raise AssertionError("unreachable")


def is_holdout(contact_id: str) -> bool:
    """The routing spec's holdout group: the first 8 hex digits of md5(contact_id), read as a
    number, mod 100 < HOLDOUT_PCT (macro holdout_bucket)."""
    return int(hashlib.md5(contact_id.encode()).hexdigest()[:8], 16) % 100 < HOLDOUT_PCT


def _sequence(rng: np.random.Generator, outcome: str) -> list[tuple[str, str, int]]:
    """(activity_type, disposition, days after the previous step) for one sequence."""

    def attempts(k: int) -> list[tuple[str, str, int]]:
        return [
            ("call" if rng.random() < 0.6 else "email", "no_answer", int(rng.integers(1, 4)))
            for _ in range(k)
        ]

    if outcome == "meeting_booked":
        # A first touch, then the meeting in the following weeks (PLANTED_MEETING_DELAY_DAYS).
        steps = attempts(int(rng.integers(1, 3))) + [
            (
                "call" if rng.random() < 0.7 else "email",
                "meeting_booked",
                int(rng.integers(*PLANTED_MEETING_DELAY_DAYS)),
            )
        ]
        if rng.random() < 0.75:
            steps.append(("meeting", "discovery_completed", int(rng.integers(2, 11))))
    elif outcome == "not_a_fit":
        steps = attempts(int(rng.integers(0, 2))) + [("call", "not_a_fit", 1)]
    elif outcome == "bad_data":
        steps = [("email" if rng.random() < 0.6 else "call", "bad_data", 0)]
    elif outcome == "connected":
        steps = attempts(int(rng.integers(0, 3))) + [("call", "connected", 1)]
    else:
        steps = attempts(int(rng.integers(2, 5))) + [("email", "unresponsive", 2)]
    return steps


def _first_response_seconds(rng: np.random.Generator, form: str, holdout: bool = False) -> int:
    """Minutes for the fast responders, hours for most, days for the slow ones. The holdout
    group gets the baseline's response (the regional SDR queue): a day or more."""
    fast_share = 0.4 if form in ("demo_request", "contact_sales") else 0.2
    draw = rng.random()
    if holdout:
        draw = 1.0
    if draw < fast_share:
        median = 15 * 60
    elif draw < fast_share + 0.45:
        median = 3 * HOUR
    else:
        median = 30 * HOUR
    return int(np.exp(rng.normal(np.log(median), 0.8)))


def build_activities(
    rng: np.random.Generator, n: int, clock: Clock, people: People, forms: Forms
) -> dict[str, list]:
    records: list[
        tuple[int, str, str, str, str]
    ] = []  # occurred_at, contact_id, owner, type, disposition

    def add_sequence(
        p: int,
        contact_id: str,
        start: int,
        high_intent: bool,
        outbound: bool,
        form: str | None = None,
        response_seconds: int | None = None,
    ) -> None:
        t = start
        outcome = _outcome(rng, people, p, high_intent, outbound, form, response_seconds)
        steps = _sequence(rng, outcome)
        for step, (activity_type, disposition, gap_days) in enumerate(steps):
            t = _next_business_time(t + (gap_days * DAY if step else 0), rng)
            if t >= clock.end:
                return
            owner = (
                AE_OWNERS[p % len(AE_OWNERS)]
                if activity_type == "meeting"
                else SDR_OWNERS[p % len(SDR_OWNERS)]
            )
            records.append((t, contact_id, owner, activity_type, disposition))
            recent_meeting = (
                disposition in ("meeting_booked", "discovery_completed")
                and t >= clock.end - 90 * DAY
            )
            if (
                recent_meeting
                and people.lifecycle[p] in ("subscriber", "lead", "mql", "other")
                and rng.random() < 0.6
            ):
                people.lifecycle[p] = "sql"
                people.stage_changed_at[p] = max(people.stage_changed_at.get(p, 0), t)
            t += int(rng.integers(HOUR, 6 * HOUR))

    # Follow-up of forms: high-intent ones mostly, content downloads of good personas sometimes.
    follow = rng.random(len(forms.form))
    for i, form in enumerate(forms.form):
        p = int(forms.person[i])
        if not forms.resolvable[i] or forms.submitted_at[i] >= clock.end:
            continue
        high_intent = form in HIGH_INTENT_FORMS
        if not (high_intent and follow[i] < 0.9) and not (
            form == "content_download" and people.persona[p] <= 4 and follow[i] < 0.35
        ):
            continue
        response = _first_response_seconds(rng, form, is_holdout(people.contact_id[p]))
        start = int(forms.submitted_at[i]) + response
        add_sequence(p, forms.contact_id[i], start, high_intent, False, form, response)

    # Outbound prospecting fills up to the table's size: good personas at riskier accounts.
    n_follow_up = len(records)
    fit = np.array([p[3] for p in PERSONAS])[people.persona]
    w = fit * (0.5 + people.risk)
    batch = 0
    while len(records) < n:
        brng = np.random.default_rng([int(rng.integers(2**31)), batch])
        targets = brng.choice(people.n, 256, p=w / w.sum())
        starts = _business_times(brng, np.full(256, clock.start_day), np.full(256, clock.end_day))
        for p, start in zip(targets, starts, strict=True):
            if len(records) >= n:
                break
            add_sequence(
                int(p), people.crm_id(int(p), brng.random() < 0.3), int(start), False, outbound=True
            )
        batch += 1
    del records[max(n, n_follow_up) :]  # the last outbound sequence may overshoot
    records.sort()
    cols = {
        "activity_id": [_fmt_id("act", i + 1, 7) for i in range(len(records))],
        "contact_id": [r[1] for r in records],
        "owner_id": [r[2] for r in records],
        "activity_type": [r[3] for r in records],
        "occurred_at": [r[0] for r in records],
        "disposition": [r[4] for r in records],
    }
    return _with_deliveries(rng, "sales_activities", cols, ACTIVITY_DIRT)


# --------------------------------------------------------------------------------------------
# Opportunities
# --------------------------------------------------------------------------------------------


def build_opportunities(
    rng: np.random.Generator, n: int, clock: Clock, people: People, acc: Accounts
) -> dict[str, list]:
    n_acc = len(acc.ids)
    known = people.account >= 0
    evaluating = np.bincount(people.account[known & people.evaluator], minlength=n_acc) > 0
    w = (
        (0.1 + acc.risk)
        * (1 + 3 * evaluating)
        * (0.5 + 0.2 * np.log10(acc.employees))
        * ~acc.is_competitor
    )
    account = rng.choice(n_acc, n, p=w / w.sum())
    # Candidate primary contacts per account: evaluators first, then by persona.
    order = np.lexsort((people.persona, ~people.evaluator, people.account))
    candidates: dict[int, list[int]] = {}
    for p in order[known[order]]:
        candidates.setdefault(int(people.account[p]), []).append(int(p))

    u = rng.random((n, 8))
    no_contact = set(_partition(rng, n, {"x": OPPORTUNITY_NO_PRIMARY_CONTACT})["x"].tolist())
    records = []
    for i in range(n):
        a = int(account[i])
        team = candidates.get(a, [])
        lead = team[0] if team and people.evaluator[team[0]] else None
        if lead is not None and u[i, 0] < 0.4:
            created_day = min(
                int(people.window_start[lead]) + int(3 + u[i, 1] * 27), clock.end_day - 1
            )
        else:
            created_day = clock.start_day + int(u[i, 1] * clock.history_days)
        created = int(_business_times(rng, [created_day], [created_day + 1])[0])
        created = min(created, clock.end - 2 * HOUR)
        age = clock.end_day - created_day
        duration = int(20 + u[i, 2] * 140)
        p_win = float(np.clip(0.12 + 0.35 * acc.risk[a] + 0.2 * evaluating[a], 0.05, 0.8))
        closed_at = None
        if created_day + duration < clock.end_day and u[i, 3] < (0.95 if age > 90 else 0.7):
            stage = "closed_won" if u[i, 4] < p_win else "closed_lost"
            closed_at = int(
                _business_times(rng, [created_day + duration], [created_day + duration + 1])[0]
            )
            closed_at = min(max(closed_at, created + HOUR), clock.end - HOUR)
            updated = min(clock.end - 1, closed_at + int(u[i, 5] * 3 * DAY))
        else:
            shifted = age + (u[i, 5] - 0.5) * 30
            stage = (
                "discovery"
                if shifted < 21
                else "scoping"
                if shifted < 45
                else "proposal"
                if shifted < 80
                else "negotiation"
            )
            updated = int(_business_times(rng, [created_day], [clock.end_day])[0])
            updated = min(max(updated, created + HOUR), clock.end - 1)
        topic = TOPICS[acc.topic[a]]
        if u[i, 6] < 0.7:
            service_line = SERVICE_LINE_BY_TOPIC[topic]
        elif u[i, 6] < 0.95:
            service_line = SERVICE_LINES[int(u[i, 7] * len(SERVICE_LINES))]
        else:
            service_line = "awareness_training"
        amount = np.exp(rng.normal(np.log(SERVICE_LINE_MEDIAN_USD[service_line]), 0.6))
        amount *= max(0.3, 1 + 0.25 * np.log10(acc.employees[a] / 500))
        person = None
        if team and i not in no_contact:
            person = (
                lead if lead is not None and u[i, 7] < 0.7 else team[int(rng.integers(len(team)))]
            )
        if person is not None:
            if stage == "closed_won":
                people.lifecycle[person] = "customer"
                people.stage_changed_at[person] = max(
                    people.stage_changed_at.get(person, 0), closed_at
                )
            elif closed_at is None and people.lifecycle[person] != "customer":
                people.lifecycle[person] = "opportunity"
                people.stage_changed_at[person] = max(
                    people.stage_changed_at.get(person, 0), created
                )
        records.append(
            {
                "account_id": acc.ids[a],
                "primary_contact_id": people.crm_id(person, rng.random() < 0.3)
                if person is not None
                else None,
                "service_line": service_line,
                "stage": stage,
                "amount_usd": float(round(amount, -2)),
                "created_at": created,
                "closed_at": closed_at,
                "updated_at": updated,
                "is_deleted": False,
            }
        )
    records.sort(key=lambda r: (r["created_at"], r["account_id"]))
    cols: dict[str, list] = {name: [] for name, _ in RAW_TABLES["crm_opportunities"]}
    for i, record in enumerate(records):
        cols["opportunity_id"].append(_fmt_id("opp", i + 1, 6))
        for column, value in record.items():
            cols[column].append(value)

    def stale(i: int) -> dict:
        """An earlier state of the deal: one stage back, a first amount, still open."""
        stage_index = OPPORTUNITY_STAGES.index(cols["stage"][i])
        earlier = OPPORTUNITY_STAGES[max(0, min(stage_index, 4) - 1)]
        return {
            "stage": earlier,
            "closed_at": None,
            "amount_usd": float(round(cols["amount_usd"][i] * rng.uniform(0.7, 1.1), -2)),
        }

    return _with_versions(rng, "crm_opportunities", cols, clock, stale, floor_col="created_at")


# --------------------------------------------------------------------------------------------
# Engagement events (numeric plan for all events, strings built chunk by chunk)
# --------------------------------------------------------------------------------------------

TOPIC_SLUG = {t: t.replace("_", "-") for t in TOPICS}
TOPIC_PAGE = {
    "incident_response": "/services/incident-response",
    "compliance": "/services/grc-compliance",
    "identity": "/services/identity-access",
    "cloud": "/services/cloud-security",
    "vulnerability_management": "/services/vulnerability-management",
    "mdr": "/services/mdr",
    "general": "/",
}
NO_TOPIC = len(TOPICS)  # topic code of an event without topic (NULL)
EMPTY_TOPIC = len(TOPICS) + 1  # topic code of an event whose topic is "" (an empty string)


def _url_catalogue() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Page URLs per (event type, topic): a flat list and (offset, count) per cell."""
    urls: list[str] = []
    offset = np.zeros((len(EVENT_LABELS), NO_TOPIC + 1), dtype=np.int32)
    count = np.zeros_like(offset)
    for t, event in enumerate(EVENT_LABELS):
        for k in range(NO_TOPIC + 1):
            topic = TOPICS[k] if k < NO_TOPIC else None
            slug = TOPIC_SLUG.get(topic or "", "")
            if event in ("page_view", "page_scroll"):
                paths = (
                    [
                        TOPIC_PAGE[topic],
                        f"/blog/{slug}-guide",
                        f"/blog/{slug}-checklist",
                        f"/resources/{slug}-report",
                    ]
                    if topic
                    else ["/", "/about", "/careers", "/blog", "/contact"]
                )
            elif event == "pricing_page_view":
                paths = ["/pricing", f"/pricing/{slug}"] if topic else ["/pricing"]
            elif event == "case_study_view":
                paths = (
                    [f"/customers/{slug}-case-study-{j}" for j in (1, 2, 3)]
                    if topic
                    else ["/customers"]
                )
            elif event == "webinar_attended":
                paths = [f"/webinars/{slug}-briefing"] if topic else ["/webinars"]
            elif event == "email_click":
                paths = [f"{TOPIC_PAGE[topic] if topic else '/'}?utm_medium=email"]
            elif event == "unsubscribe":
                paths = ["/email-preferences"]
            elif event == "chat_started":
                paths = ["/contact"]
            else:  # opens and bounces have no page
                paths = []
            offset[t, k], count[t, k] = len(urls), len(paths)
            urls += [VENDOR_SITE + path for path in paths]
    return urls, offset, count


@dataclasses.dataclass
class EventPlan:
    """One entry per event row, in file order (by loaded_at)."""

    seq: np.ndarray  # event number (event_id); a second delivery repeats it
    empty_id: np.ndarray
    contact_code: np.ndarray  # index into EventStrings.contact_ids; -1 = NULL
    email_code: np.ndarray  # index into EventStrings.emails; -1 = NULL
    event_type: np.ndarray
    occurred_at: np.ndarray
    topic: np.ndarray
    url_code: np.ndarray  # -1 = NULL
    campaign_code: np.ndarray  # -1 = NULL
    source_code: np.ndarray
    loaded_at: np.ndarray

    def __len__(self) -> int:
        return len(self.seq)


@dataclasses.dataclass
class EventStrings:
    contact_ids: pa.Array  # people's ids, their second ids, unknown ids
    emails: pa.Array  # people's emails, variants, unknown emails
    urls: pa.Array
    campaigns: pa.Array


def plan_events(
    rng: np.random.Generator, n: int, clock: Clock, people: People
) -> tuple[EventPlan, EventStrings]:
    P = people.n
    # Planted: an unsubscribe for most opted-out people, a bounce for most bounced ones.
    unsubscribers = np.flatnonzero(people.opted_out & (rng.random(P) < 0.85))
    bouncers = np.flatnonzero(people.bounced & (rng.random(P) < 0.85))
    n_dup = _count(EVENT_DIRT["duplicate_delivery"], n)
    n_main = max(0, n - n_dup - len(unsubscribers) - len(bouncers))

    counts = rng.multinomial(n_main, people.weight / people.weight.sum())
    person = np.repeat(np.arange(P, dtype=np.int32), counts)
    in_window = people.evaluator[person] & (rng.random(n_main) < EVALUATION_WINDOW_SHARE)
    event_type = np.empty(n_main, dtype=np.int8)
    for mask, mix in ((in_window, EVALUATION_EVENT_MIX), (~in_window, BACKGROUND_EVENT_MIX)):
        event_type[mask] = rng.choice(
            [EV[e] for e in mix], int(mask.sum()), p=_weights(mix.values())
        )
    lo = np.where(in_window, people.window_start[person], people.first_day[person])
    hi = np.where(in_window, people.window_end[person], clock.end_day)
    occurred = _business_times(rng, lo, hi)
    del lo, hi, in_window

    planted = np.concatenate([unsubscribers, bouncers]).astype(np.int32)
    person = np.concatenate([person, planted])
    event_type = np.concatenate(
        [
            event_type,
            np.full(len(unsubscribers), EV["unsubscribe"], np.int8),
            np.full(len(bouncers), EV["email_bounce"], np.int8),
        ]
    )
    occurred = np.concatenate(
        [
            occurred,
            _business_times(rng, people.first_day[planted], np.full(len(planted), clock.end_day)),
        ]
    )
    total = len(person)

    # Topic: web events mostly on the person's topic; email events often without one.
    is_email = np.isin(event_type, EMAIL_EVENTS)
    draw = rng.random(total)
    topic = np.where(draw < 0.6, people.topic[person], rng.integers(0, len(TOPICS), total)).astype(
        np.int8
    )
    topic[(draw >= 0.95) | (is_email & (rng.random(total) < 0.5))] = NO_TOPIC
    topic[np.isin(event_type, [EV["unsubscribe"], EV["email_bounce"]])] = NO_TOPIC
    topic[(topic == NO_TOPIC) & (rng.random(total) < 0.03)] = EMPTY_TOPIC
    del draw

    order = np.lexsort((person, occurred))  # event ids follow time
    person, event_type, occurred, topic, is_email = (
        a[order] for a in (person, event_type, occurred, topic, is_email)
    )
    seq = np.arange(total, dtype=np.int64)

    # Campaign of email and webinar events: the month they were sent and their topic.
    months = occurred.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    first_month = int(np.datetime64(clock.start, "s").astype("datetime64[M]").astype(np.int64))
    n_months = (
        int(np.datetime64(clock.end, "s").astype("datetime64[M]").astype(np.int64))
        - first_month
        + 1
    )
    campaign_topics = TOPICS + ["newsletter"]
    campaign_labels = [
        f"cmp_{np.datetime64(first_month + m, 'M').astype(dt.date):%Y%m}_{t}"
        for m in range(n_months)
        for t in campaign_topics
    ]
    has_campaign = is_email | (event_type == EV["webinar_attended"])
    campaign_code = np.where(
        has_campaign,
        (months - first_month) * len(campaign_topics) + np.minimum(topic, NO_TOPIC),
        -1,
    )
    campaign_code = campaign_code.astype(np.int32)
    del months, has_campaign

    urls, url_offset, url_count = _url_catalogue()
    url_topic = np.minimum(topic, NO_TOPIC)
    cell_count = url_count[event_type, url_topic]
    url_code = np.where(
        cell_count > 0,
        url_offset[event_type, url_topic]
        + (rng.random(total) * np.maximum(cell_count, 1)).astype(np.int32),
        -1,
    )
    url_code = url_code.astype(np.int32)
    del cell_count, url_topic
    source_code = np.where(
        is_email, 1, np.where(event_type == EV["webinar_attended"], 2, 0)
    ).astype(np.int8)

    # Attribution and dirt, on disjoint rows.
    dirt = _partition(
        rng,
        total,
        {
            k: EVENT_DIRT[k]
            for k in (
                "email_only",
                "unattributed",
                "unknown_contact",
                "unknown_type",
                "future",
                "far_future",
                "empty_id",
            )
        },
    )
    n_unknown = 500
    has_alt = np.array([a is not None for a in people.alt_id])
    use_alt = has_alt[person] & (rng.random(total) < 0.3)
    contact_code = np.where(use_alt, P + person, person).astype(np.int32)
    # Web events carry an email only when the visitor is identified by a form cookie.
    with_email = is_email | (rng.random(total) < 0.35)
    email_code = np.where(
        with_email, np.where(rng.random(total) < 0.9, person, P + person), -1
    ).astype(np.int32)
    rows = dirt["email_only"]
    contact_code[rows] = -1
    email_code[rows] = np.where(rng.random(len(rows)) < 0.5, person[rows], P + person[rows])
    rows = dirt["unattributed"]
    contact_code[rows] = -1
    email_code[rows] = np.where(
        rng.random(len(rows)) < 0.6, -1, 2 * P + rng.integers(0, n_unknown, len(rows))
    )
    rows = dirt["unknown_contact"]
    contact_code[rows] = 2 * P + rng.integers(0, n_unknown, len(rows))
    email_code[rows] = -1
    rows = dirt["unknown_type"]
    event_type[rows] = np.where(rng.random(len(rows)) < 0.6, EV["page_scroll"], EV["chat_started"])
    source_code[rows] = np.where(event_type[rows] == EV["chat_started"], 3, 0)
    campaign_code[rows] = -1
    del person, use_alt, with_email, is_email

    # Loaded minutes to hours later (a few backfills days later), never after the export.
    lag = 60 + rng.exponential(2 * HOUR, total).astype(np.int64)
    backfill = rng.random(total) < 0.02
    lag[backfill] += rng.integers(HOUR, 3 * DAY, int(backfill.sum()))
    loaded = np.minimum(occurred + lag, clock.end - 1)
    del lag, backfill
    # Clock skew: the device reported a future time; the load happened when it really occurred.
    occurred[dirt["future"]] = clock.end + rng.integers(0, 5 * DAY, len(dirt["future"]))
    occurred[dirt["far_future"]] = clock.end + rng.integers(
        200 * DAY, 3000 * DAY, len(dirt["far_future"])
    )
    empty_id = np.zeros(total, bool)
    empty_id[dirt["empty_id"]] = True

    # Second deliveries: the same event again, loaded later.
    eligible = np.flatnonzero((loaded < clock.end - 3 * DAY) & ~empty_id)
    dup = np.sort(rng.choice(eligible, min(n_dup, len(eligible)), replace=False))
    dup_loaded = loaded[dup] + rng.integers(60, 2 * DAY, len(dup))
    del eligible

    is_dup = np.concatenate([np.zeros(total, np.int8), np.ones(len(dup), np.int8)])
    columns = {
        "seq": seq,
        "empty_id": empty_id,
        "contact_code": contact_code,
        "email_code": email_code,
        "event_type": event_type,
        "occurred_at": occurred,
        "topic": topic,
        "url_code": url_code,
        "campaign_code": campaign_code,
        "source_code": source_code,
        "loaded_at": np.concatenate([loaded, dup_loaded]),
    }
    del (
        seq,
        empty_id,
        contact_code,
        email_code,
        event_type,
        occurred,
        topic,
        url_code,
        campaign_code,
        source_code,
        loaded,
    )
    for name, values in columns.items():
        if len(values) == total:
            columns[name] = np.concatenate([values, values[dup]])
    file_order = np.lexsort((is_dup, columns["seq"], columns["loaded_at"]))
    del is_dup
    for name in columns:  # one column at a time, so the unsorted copy is freed at once
        columns[name] = columns[name][file_order]
    plan = EventPlan(**columns)
    unknown_ids = [f"con_9{k:06d}" for k in range(n_unknown)]
    unknown_emails = [f"anon.visitor{k}@gmail.com" for k in range(n_unknown)]
    strings = EventStrings(
        contact_ids=pa.array(people.contact_id + people.alt_id + unknown_ids, pa.string()),
        emails=pa.array(people.email + people.email_variant + unknown_emails, pa.string()),
        urls=pa.array(urls, pa.string()),
        campaigns=pa.array(campaign_labels, pa.string()),
    )
    return plan, strings


def event_chunks(plan: EventPlan, strings: EventStrings) -> Iterable[pa.Table]:
    """The plan as Arrow tables of EVENT_CHUNK_ROWS rows, strings built with Arrow kernels."""
    event_labels = pa.array(EVENT_LABELS, pa.string())
    topic_labels = pa.array(TOPICS + [""], pa.string())
    sources = pa.array(SOURCE_SYSTEMS, pa.string())

    def lookup(labels: pa.Array, codes: np.ndarray) -> pa.Array:
        return labels.take(pa.array(np.maximum(codes, 0), mask=codes < 0))

    for a in range(0, len(plan), EVENT_CHUNK_ROWS):
        s = slice(a, a + EVENT_CHUNK_ROWS)
        number = pc.utf8_lpad(pc.cast(pa.array(plan.seq[s] + 1), pa.string()), 10, "0")
        event_id = pc.if_else(
            pa.array(plan.empty_id[s]),
            pa.scalar(None, pa.string()),
            pc.binary_join_element_wise("evt_", number, ""),
        )
        topic = plan.topic[s].astype(np.int64)
        topic = np.where(topic == NO_TOPIC, -1, np.where(topic == EMPTY_TOPIC, len(TOPICS), topic))
        yield pa.table(
            {
                "event_id": event_id,
                "contact_id": lookup(strings.contact_ids, plan.contact_code[s]),
                "email": lookup(strings.emails, plan.email_code[s]),
                "event_type": lookup(event_labels, plan.event_type[s].astype(np.int64)),
                "occurred_at": pa.array(plan.occurred_at[s].astype("datetime64[s]")),
                "page_url": lookup(strings.urls, plan.url_code[s]),
                "campaign_id": lookup(strings.campaigns, plan.campaign_code[s]),
                "source_system": lookup(sources, plan.source_code[s].astype(np.int64)),
                "topic": lookup(topic_labels, topic),
                "loaded_at": pa.array(plan.loaded_at[s].astype("datetime64[s]")),
            }
        )


# --------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------


def _log(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def generate(
    scale: float,
    seed: int,
    out_dir,
    as_of: dt.date,
    fmt: str = "csv",
    *,
    quiet: bool = False,
    history_days: int = HISTORY_DAYS,
) -> dict[str, int]:
    """Write the six raw tables to out_dir; return the rows written per table. `history_days`:
    how far back the data goes (the demo's continuing export generates a longer one and cuts
    it day by day: demo/continuing_export.py)."""
    if not (isinstance(scale, (int, float)) and 0 < scale <= MAX_SCALE):
        raise ValueError(f"scale must be a number in (0, {MAX_SCALE:g}], got {scale!r}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"format must be csv or parquet, got {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    other = "parquet" if fmt == "csv" else "csv"
    for table in RAW_TABLES:  # a stale file in the other format would make the folder ambiguous
        (out / f"{table}.{other}").unlink(missing_ok=True)
    clock = Clock(as_of, history_days)
    sizes = table_sizes(scale)
    rngs = {name: np.random.default_rng([seed, stream]) for name, stream in STREAMS.items()}
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = true")
    counts: dict[str, int] = {}
    started_all = time.monotonic()

    def write(table: str, chunks: Iterable[pa.Table], started: float) -> None:
        writer = TableWriter(con, table, out, fmt)
        for chunk in chunks:
            writer.write(chunk)
        counts[table] = writer.close()
        _log(
            quiet,
            f"[generate] {table:<20} {counts[table]:>12,} rows  {time.monotonic() - started:6.1f}s",
        )

    started = time.monotonic()
    accounts_cols, acc = build_accounts(rngs["accounts"], sizes["crm_accounts"], clock)
    write("crm_accounts", [_arrow_table("crm_accounts", accounts_cols)], started)
    del accounts_cols

    started = time.monotonic()
    contacts_cols, people = build_people(rngs["contacts"], sizes["crm_contacts"], clock, acc)
    contacts_seconds = time.monotonic() - started

    started = time.monotonic()
    forms_cols, forms = build_forms(rngs["forms"], sizes["form_submissions"], clock, people, acc)
    write("form_submissions", [_arrow_table("form_submissions", forms_cols)], started)
    del forms_cols

    started = time.monotonic()
    activities_cols = build_activities(
        rngs["activities"], sizes["sales_activities"], clock, people, forms
    )
    write("sales_activities", [_arrow_table("sales_activities", activities_cols)], started)
    del activities_cols, forms

    started = time.monotonic()
    opportunities_cols = build_opportunities(
        rngs["opportunities"], sizes["crm_opportunities"], clock, people, acc
    )
    write("crm_opportunities", [_arrow_table("crm_opportunities", opportunities_cols)], started)
    del opportunities_cols

    started = time.monotonic() - contacts_seconds
    contacts_cols = finalise_contacts(rngs["versions"], contacts_cols, people, clock)
    write("crm_contacts", [_arrow_table("crm_contacts", contacts_cols)], started)
    del contacts_cols

    started = time.monotonic()
    plan, strings = plan_events(rngs["events"], sizes["engagement_events"], clock, people)
    write("engagement_events", event_chunks(plan, strings), started)
    del plan, strings
    con.close()

    manifest = {
        "generator": "lead_segmentation.demo.generate_raw",
        "scale": scale,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "format": fmt,
        "rows": {table: counts[table] for table in RAW_TABLES},
    }
    (out / "_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    seconds = time.monotonic() - started_all
    _log(quiet, f"[generate] done: {sum(counts.values()):,} rows in {seconds:.1f}s -> {out}")
    return {table: counts[table] for table in RAW_TABLES}


def _scale_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= MAX_SCALE:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"must be > 0 and <= {MAX_SCALE:g}, got {text}")
    return value


def _seed_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        required=True,
        type=_scale_arg,
        help="size multiplier: 1 = 2,000 accounts, 400,000 events (fractions allowed)",
    )
    parser.add_argument(
        "--seed", required=True, type=_seed_arg, help="random seed (same seed -> same files)"
    )
    parser.add_argument(
        "--out", required=True, type=Path, help="folder to write <table>.csv|.parquet into"
    )
    parser.add_argument(
        "--as-of",
        type=_date_arg,
        default=dt.datetime.now(dt.UTC).date(),
        help="last day of the history (default: today, UTC)",
    )
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument(
        "--shape",
        choices=("contract", "hubspot"),
        default="contract",
        help="contract: the six raw tables (default); hubspot: the same population as HubSpot "
        "connector tables (Fivetran names) with its web events as Segment tables, for "
        "`--source hubspot` (CSV only; lead_segmentation.sources.hubspot_shape)",
    )
    args = parser.parse_args(argv)
    from lead_segmentation.owner_only import private_dir, restrict_new_files

    # The people are fake but shaped like personal data (names, emails, phones): owner-only.
    restrict_new_files()
    private_dir(args.out)
    if args.shape == "hubspot":
        import tempfile

        from lead_segmentation.sources.hubspot_shape import convert

        if args.format != "csv":
            parser.error("--shape hubspot writes CSV files")
        with tempfile.TemporaryDirectory(prefix="generate_raw_") as tmp:
            generate(args.scale, args.seed, Path(tmp), args.as_of, "csv")
            convert(Path(tmp), args.out)
        return 0
    generate(args.scale, args.seed, args.out, args.as_of, args.format)
    return 0


if __name__ == "__main__":
    sys.exit(main())
