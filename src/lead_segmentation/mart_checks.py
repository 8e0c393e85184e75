"""Mart checks (gate `mart_checks`, exit 5): contract-level Great Expectations suites, as code.

Run by pipeline.py after `dbt build` and before publishing, on the work database.
They re-check, independently of dbt's own tests, the promises CONTRACT.md section 3 makes to
BI and the CRM sync, so that a scoring-seed edit, a model change or a dbt test that was
weakened cannot publish a broken mart:

  marts.lead_scores      the contract's columns; one row per person (contact_id unique, not
                         null); every segment known; scores, grades, levels in range; as_of_date
                         is the run's as-of
  marts.lead_routing     one row per person; priority 1..5; suppressed rows carry motion
                         `suppressed` and no owner, priority, SLA; other rows have an owner
  marts.segment_matrix   exactly the 12 risk band x intent level cells, each segment known and
                         each known segment present; shares and rates within 0..1
  marts.segment_kpis     one row per week x segment x experiment group; counts >= 0, rates 0..1
  marts.reconciliation   across models (computed in DuckDB): lead_scores holds exactly the active
                         people of staging, lead_routing the same people, and the matrix's
                         contacts add up to lead_scores' rows
  audit.dq_row_reconciliation  every raw row accounted for (kept + duplicate + merged +
                         rejected = raw), raw_rows equal to what was loaded, and each table's
                         rejected share under marts.max_rejected_share of the thresholds file
  marts.population       what a RevOps lead expects to be a minority of the scored people:
                         suppressed, with an invalid or missing email, without a known account
                         (marts.population; judged by the Wilson test of the thresholds file,
                         so a 20-person batch is not judged like 20,000)
  marts.score_shift      the segment distribution against the run published before (read
                         read-only from the published file): population stability index over
                         the segments, minus the noise expected from the two sizes, under
                         marts.score_shift.max_segment_psi. Skipped, with a note, when nothing
                         was published yet or the published run used another scoring_version

The marts are one row per person (or smaller), so GX validates the real frames, not samples.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from lead_segmentation import raw_schema
from lead_segmentation.contract import CONTRACT_COLUMNS, staged_model
from lead_segmentation.gates import Finding, Gate, GateFailed
from lead_segmentation.gx_runner import GxSession, findings_of
from lead_segmentation.quality_config import QualityConfig
from lead_segmentation.seeds import seed_column

RECONCILIATION_COLUMNS = [
    "raw_rows",
    "kept_rows",
    "duplicate_rows",
    "merged_rows",
    "rejected_rows",
]
# The column naming the raw table in audit.dq_row_reconciliation (the first one present).
RECONCILIATION_TABLE_COLUMNS = ["raw_table", "table_name", "source_table", "table"]

# The scoring model's domains, read from their seeds (the one home the dbt tests use too).
# `unknown` risk (too few inputs, no account) and buying stage `none` are not seed rows: they
# are what the scoring models write when no row applies.
FIT_GRADES = list(seed_column("scoring/scoring_fit_grades", "fit_grade"))
RISK_LEVELS = [*seed_column("scoring/scoring_risk_levels", "risk_level"), "unknown"]
RISK_BANDS = list(seed_column("scoring/scoring_segment_matrix", "risk_band"))
INTENT_LEVELS = list(seed_column("scoring/scoring_intent_levels", "intent_level"))
BUYING_STAGES = ["none", *seed_column("scoring/scoring_buying_stages", "buying_stage")]
LEAD_STATUSES = ["lead", "mql", "sql", "customer"]
QUALIFICATION_OUTCOMES = ["qualified", "nurture", "unqualified", "disqualified_for_now"]
EXPERIMENT_GROUPS = list(seed_column("routing/routing_experiment_groups", "experiment_group"))
KNOWN_SEGMENTS = "the segments of seed scoring_segment_matrix"
# One row per active person, whatever the source (identity is intermediate; docs/architecture.md).
PERSON_SOURCE = "intermediate.int_contacts_merged"


def staging_relations(source: str = "files") -> dict[str, str]:
    """The staging tables the checks read besides the marts, for a build on CRM `source`
    (contract.staged_model: each source has its own staging chain)."""
    return {
        "persons": PERSON_SOURCE,
        "accounts": f"staging.{staged_model('stg', 'accounts', source)}",
        "contact_rows": f"staging.{staged_model('base', 'contacts', source)}",
    }


@dataclasses.dataclass
class MartCheckReport:
    checks_run: int
    row_counts: dict[str, int]
    docs_index: Path | None
    notes: list[str] = dataclasses.field(default_factory=list)  # checks skipped, and why


def _bound(value, open_end: str) -> str:
    return open_end if value is None else str(value)


class _Suite:
    """Collects the expectations of one frame, each with its check name and look-up query."""

    def __init__(self, relation: str):
        import great_expectations.expectations as gxe

        self.gxe = gxe
        self.relation = relation
        self.expectations: list = []

    def add(
        self, kind: str, check: str, *, look_where: str | None = None, look: str | None = None, **kwargs
    ):
        if look is None and look_where is not None:
            look = f"select * from {self.relation} where {look_where}"
        cls = getattr(self.gxe, kind)
        meta = {"check": f"{self.relation}.{check}"}
        if look:
            meta["look"] = look
        self.expectations.append(cls(meta=meta, **kwargs))

    def in_set(
        self,
        column: str,
        values,
        *,
        check: str | None = None,
        not_null: bool = True,
        set_name: str | None = None,
    ):
        listed = ", ".join(repr(v) for v in values)
        self.add(
            "ExpectColumnValuesToBeInSet",
            check or f"{column}.accepted_values",
            column=column,
            value_set=list(values),
            description=f"{column} is one of {set_name or listed}",
            look_where=f"{column} not in ({listed})",
        )
        if not_null:
            self.not_null(column)

    def not_null(
        self, column: str, *, row_condition: str | None = None, where: str = "", check: str | None = None
    ):
        kwargs = {}
        if row_condition:
            kwargs = {"row_condition": row_condition, "condition_parser": "pandas"}
        self.add(
            "ExpectColumnValuesToNotBeNull",
            check or f"{column}.not_null",
            column=column,
            description=f"{column} is never null" + (f" when {where}" if where else ""),
            look_where=f"{column} is null" + (f" and {where}" if where else ""),
            **kwargs,
        )

    def between(self, column: str, low=None, high=None, *, check: str | None = None):
        bounds = " and ".join(
            part
            for part in (
                f"{column} >= {low}" if low is not None else "",
                f"{column} <= {high}" if high is not None else "",
            )
            if part
        )
        self.add(
            "ExpectColumnValuesToBeBetween",
            check or f"{column}.range",
            column=column,
            min_value=low,
            max_value=high,
            description=f"{column} lies within {_bound(low, '-inf')}..{_bound(high, 'inf')}",
            look_where=f"not ({bounds})",
        )

    def unique(self, column: str):
        self.add(
            "ExpectColumnValuesToBeUnique",
            f"{column}.unique",
            column=column,
            description=f"{column} is unique (one row per {column})",
            look=f"select {column}, count(*) as copies from {self.relation} group by all having count(*) > 1",
        )

    def is_run_as_of(self, as_of):
        self.add(
            "ExpectColumnValuesToBeInSet",
            "as_of_date.is_run_as_of",
            column="as_of_date",
            value_set=[as_of.isoformat()],
            description=f"as_of_date is the run's as-of ({as_of})",
            look_where=f"as_of_date <> date '{as_of}' or as_of_date is null",
        )

    def columns(self, expected: Sequence[str], present: list[str]):
        missing = [c for c in expected if c not in present]
        extra = [c for c in present if c not in expected]
        detail = "the columns differ from CONTRACT.md section 3"
        if missing:
            detail += f"; missing: {', '.join(missing)}"
        if extra:
            detail += f"; not in the contract: {', '.join(extra)}"
        self.expectations.append(
            self.gxe.ExpectTableColumnsToMatchSet(
                column_set=expected,
                exact_match=True,
                description=f"{self.relation} has exactly the contract's columns",
                meta={
                    "check": f"{self.relation}.columns",
                    "detail": detail,
                    "look": f"describe {self.relation}",
                },
            )
        )


def _frame(con: duckdb.DuckDBPyConnection, relation: str, columns: Sequence[str]) -> pd.DataFrame:
    present = _columns(con, *relation.split("."))
    # as_of_date as ISO text: compared with the run's as-of, and GX suites keep strings exactly.
    wanted = [
        f"cast({c} as varchar) as {c}" if c == "as_of_date" else c for c in columns if c in present
    ]
    return con.execute(f"select {', '.join(wanted)} from {relation}").df()


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def _lead_scores(present: list[str], as_of: dt.date, config: QualityConfig) -> _Suite:
    s = _Suite("marts.lead_scores")
    s.columns(CONTRACT_COLUMNS["lead_scores"], present)
    s.not_null("contact_id")
    s.unique("contact_id")
    s.add(
        "ExpectTableRowCountToBeBetween",
        "row_count",
        min_value=config.min_lead_scores_rows,
        description=f"at least {config.min_lead_scores_rows} person(s) scored (marts.min_lead_scores_rows)",
        look="select count(*) from marts.lead_scores",
    )
    s.in_set("segment", config.known_segments, check="segment.known", set_name=KNOWN_SEGMENTS)
    s.between("fit_score", 0, 100)
    s.not_null("fit_score")
    s.in_set("fit_grade", FIT_GRADES)
    s.between("risk_score", 0)
    s.in_set("risk_level", RISK_LEVELS)
    s.between("contact_intent_score", 0)
    s.not_null("contact_intent_score")
    s.between("account_intent_score", 0)
    s.in_set("intent_level", INTENT_LEVELS)
    s.in_set("buying_stage", BUYING_STAGES)
    s.in_set("lead_status", LEAD_STATUSES)
    s.in_set("qualification_outcome", QUALIFICATION_OUTCOMES)
    s.not_null("is_holdout")
    s.not_null("is_marketing_qualified")
    s.not_null("is_sales_qualified")
    s.not_null("scoring_version")
    s.is_run_as_of(as_of)
    return s


def _lead_routing(present: list[str], config: QualityConfig) -> _Suite:
    s = _Suite("marts.lead_routing")
    s.columns(CONTRACT_COLUMNS["lead_routing"], present)
    s.not_null("contact_id")
    s.unique("contact_id")
    s.in_set("segment", config.known_segments, check="segment.known", set_name=KNOWN_SEGMENTS)
    s.not_null("is_suppressed")
    s.not_null("is_holdout")
    s.not_null("record_hash")
    s.between("priority", 1, 5)
    suppressed = "is_suppressed == True"
    for column in ("owner_team", "priority", "sla_hours", "sla_due_at"):
        s.add(
            "ExpectColumnValuesToBeNull",
            f"suppressed.{column}_is_null",
            column=column,
            row_condition=suppressed,
            condition_parser="pandas",
            description=f"a suppressed person has no {column} (the sync clears it in the CRM)",
            look_where=f"is_suppressed and {column} is not null",
        )
    s.add(
        "ExpectColumnValuesToBeInSet",
        "suppressed.motion",
        column="motion",
        value_set=["suppressed"],
        row_condition=suppressed,
        condition_parser="pandas",
        description="a suppressed person's motion is `suppressed`",
        look_where="is_suppressed and motion is distinct from 'suppressed'",
    )
    s.not_null(
        "suppression_reason",
        row_condition=suppressed,
        where="is_suppressed",
        check="suppressed.reason_given",
    )
    active = "is_suppressed == False"
    s.not_null("owner_team", row_condition=active, where="not is_suppressed", check="active.owner_team")
    s.not_null("motion", row_condition=active, where="not is_suppressed", check="active.motion")
    s.add(
        "ExpectColumnValuesToNotBeInSet",
        "active.motion_not_suppressed",
        column="motion",
        value_set=["suppressed"],
        row_condition=active,
        condition_parser="pandas",
        description="a person who is not suppressed does not carry motion `suppressed`",
        look_where="not is_suppressed and motion = 'suppressed'",
    )
    s.add(
        "ExpectColumnValuesToBeNull",
        "active.no_suppression_reason",
        column="suppression_reason",
        row_condition=active,
        condition_parser="pandas",
        description="a person who is not suppressed has no suppression_reason",
        look_where="not is_suppressed and suppression_reason is not null",
    )
    return s


def _segment_matrix(present: list[str], as_of: dt.date, config: QualityConfig) -> _Suite:
    s = _Suite("marts.segment_matrix")
    s.columns(CONTRACT_COLUMNS["segment_matrix"], present)
    cells = len(RISK_BANDS) * len(INTENT_LEVELS)
    s.add(
        "ExpectTableRowCountToBeBetween",
        "row_count",
        min_value=cells,
        max_value=cells,
        description=f"exactly {cells} cells (risk band x intent level, zero-filled)",
        look="select risk_band, intent_level, count(*) from marts.segment_matrix group by all order by all",
    )
    s.add(
        "ExpectCompoundColumnsToBeUnique",
        "cell.unique",
        column_list=["risk_band", "intent_level"],
        description="one row per risk band x intent level",
        look=(
            "select risk_band, intent_level, count(*) from marts.segment_matrix "
            "group by all having count(*) > 1"
        ),
    )
    s.in_set("risk_band", RISK_BANDS)
    s.in_set("intent_level", INTENT_LEVELS)
    s.in_set("segment", config.known_segments, check="segment.known", set_name=KNOWN_SEGMENTS)
    s.add(
        "ExpectColumnDistinctValuesToContainSet",
        "segment.all_present",
        column="segment",
        value_set=list(config.known_segments),
        description="every known segment has its cell",
        look="select segment from marts.segment_matrix order by segment",
    )
    s.unique("segment")
    s.between("contacts", 0)
    s.not_null("contacts")
    s.between("accounts", 0)
    for column in ("share_of_contacts", "mql_rate", "sql_rate", "opportunity_rate", "won_rate"):
        s.between(column, 0, 1)
    s.is_run_as_of(as_of)
    return s


def _segment_kpis(present: list[str], config: QualityConfig) -> _Suite:
    s = _Suite("marts.segment_kpis")
    s.columns(CONTRACT_COLUMNS["segment_kpis"], present)
    s.add(
        "ExpectCompoundColumnsToBeUnique",
        "grain.unique",
        column_list=["week_start", "segment", "experiment_group"],
        description="one row per week x segment x experiment group",
        look=(
            "select week_start, segment, experiment_group, count(*) from marts.segment_kpis "
            "group by all having count(*) > 1"
        ),
    )
    s.not_null("week_start")
    s.in_set("segment", config.known_segments, check="segment.known", set_name=KNOWN_SEGMENTS)
    s.in_set("experiment_group", EXPERIMENT_GROUPS)
    for column in (
        "leads_entered",
        "mqls",
        "sqls",
        "meetings_booked",
        "opportunities_created",
        "opportunities_won",
        "pipeline_usd",
        "won_usd",
        "median_first_response_minutes",
    ):
        s.between(column, 0)
    for column in ("sla_met_rate", "bounce_rate"):
        s.between(column, 0, 1)
    return s


def _reconciliation_metrics(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Cross-model invariants, computed in DuckDB on the full tables."""
    return con.execute(
        f"""
        with persons as (select contact_id from {PERSON_SOURCE}),
        scores as (select contact_id from marts.lead_scores),
        routing as (select contact_id from marts.lead_routing)
        select
            (select count(*) from scores) as lead_scores_rows,
            (select count(*) from persons where contact_id not in (select contact_id from scores))
                as persons_missing_from_lead_scores,
            (select count(*) from scores where contact_id not in (select contact_id from persons))
                as lead_scores_not_active_persons,
            (select count(*) from scores where contact_id not in (select contact_id from routing))
                + (select count(*) from routing where contact_id not in (select contact_id from scores))
                as routing_people_mismatch,
            (select coalesce(sum(contacts), 0) from marts.segment_matrix) - (select count(*) from scores)
                as matrix_contacts_minus_lead_scores
        """
    ).df()


def _reconciliation(frame: pd.DataFrame) -> _Suite:
    s = _Suite("marts.reconciliation")
    row = frame.iloc[0]

    def zero(column: str, description: str, look: str):
        value = int(row[column])
        s.expectations.append(
            s.gxe.ExpectColumnValuesToBeBetween(
                column=column,
                min_value=0,
                max_value=0,
                description=description,
                meta={
                    "check": f"marts.reconciliation.{column}",
                    "rows": abs(value),
                    "detail": f"{description}: off by {value:+,}",
                    "look": look,
                },
            )
        )

    zero(
        "persons_missing_from_lead_scores",
        "every active person (staging) has a lead_scores row",
        f"select * from {PERSON_SOURCE} where contact_id not in (select contact_id from marts.lead_scores)",
    )
    zero(
        "lead_scores_not_active_persons",
        "lead_scores holds only active people (not deleted, not merged away)",
        f"select * from marts.lead_scores where contact_id not in (select contact_id from {PERSON_SOURCE})",
    )
    zero(
        "routing_people_mismatch",
        "lead_routing holds exactly lead_scores' people",
        "select contact_id from marts.lead_scores except select contact_id from marts.lead_routing "
        "union all select contact_id from marts.lead_routing except select contact_id from marts.lead_scores",
    )
    zero(
        "matrix_contacts_minus_lead_scores",
        "the segment matrix's contacts add up to lead_scores' rows",
        "select segment, contacts, (select count(*) from marts.lead_scores as s where s.segment = m.segment) "
        "as lead_scores_rows from marts.segment_matrix as m order by segment",
    )
    return s


def _population_metrics(
    con: duckdb.DuckDBPyConnection, config: QualityConfig, relations: dict[str, str]
) -> pd.DataFrame:
    """Counts of the scored people a RevOps lead watches, and their Wilson-judged shares
    (`relations`: staging_relations of the build's source)."""
    people, suppressed, invalid_email, without_account = con.execute(
        f"""
        select
            count(*),
            count(*) filter (where routing.is_suppressed),
            count(*) filter (where not coalesce(persons.is_email_valid, false)),
            count(*) filter (where accounts.account_id is null)
        from marts.lead_scores as scores
        left join marts.lead_routing as routing on scores.contact_id = routing.contact_id
        left join {relations["persons"]} as persons on scores.contact_id = persons.contact_id
        left join {relations["accounts"]} as accounts on scores.account_id = accounts.account_id
        """
    ).fetchone()
    test = config.share_test
    row = {"people": people}
    for name, count in (
        ("suppressed", suppressed),
        ("invalid_email", invalid_email),
        ("without_account", without_account),
    ):
        row[f"{name}_rows"] = count
        row[f"{name}_share"] = count / people if people else 0.0
        # The share the check judges: its Wilson lower bound, 0 below the minimum row count.
        row[f"{name}_judged_share"] = test.lower_bound(count, people) if count >= test.min_rows else 0.0
    return pd.DataFrame([row])


POPULATION_CHECKS = [
    # (metric, config key, what it means, where to look: formatted with staging_relations)
    (
        "suppressed",
        "max_suppressed_share",
        "are suppressed (the CRM sync would clear them all)",
        "select suppression_reason, count(*) from marts.lead_routing where is_suppressed group by all",
    ),
    (
        "invalid_email",
        "max_invalid_email_share",
        "have an invalid or missing email",
        "select count(*) from {persons} where not is_email_valid  -- the rows: "
        "{contact_rows} where not is_email_valid (personal data: query, never export)",
    ),
    (
        "without_account",
        "max_without_account_share",
        "have no known account (no account_id, or one the CRM export does not hold)",
        "select count(*) from marts.lead_scores as s left join {accounts} as a "
        "using (account_id) where a.account_id is null",
    ),
]


def _population(frame: pd.DataFrame, config: QualityConfig, relations: dict[str, str]) -> _Suite:
    s = _Suite("marts.population")
    row = frame.iloc[0]
    people = int(row["people"])
    for name, key, what, look in POPULATION_CHECKS:
        limit = getattr(config.population, key)
        rows = int(row[f"{name}_rows"])
        s.expectations.append(
            s.gxe.ExpectColumnValuesToBeBetween(
                column=f"{name}_judged_share",
                min_value=0,
                max_value=limit,
                description=f"at most {limit:.0%} of the scored people {what}",
                meta={
                    "check": f"marts.population.{name}_share",
                    "rows": rows,
                    "detail": (
                        f"{rows:,} of {people:,} scored people ({row[f'{name}_share']:.1%}) {what}; "
                        f"{config.share_test.describe(limit)} (config marts.population.{key}). A "
                        "broken export or mapping, not a real population"
                    ),
                    "look": look.format(**relations),
                },
            )
        )
    return s


def segment_psi(old: dict[str, int], new: dict[str, int]) -> tuple[float, float]:
    """(population stability index of the segment shares, the PSI expected from sampling
    noise alone for these sizes). Half a person is added to every segment so that an empty
    one does not make the index infinite. Under no change, PSI * n is about chi-square with
    k - 1 degrees of freedom (1/n = 1/n_old + 1/n_new), so its expected value is the noise."""
    segments = sorted(set(old) | set(new))
    k = len(segments)
    n_old = sum(old.values()) + 0.5 * k
    n_new = sum(new.values()) + 0.5 * k
    psi = 0.0
    for segment in segments:
        p_old = (old.get(segment, 0) + 0.5) / n_old
        p_new = (new.get(segment, 0) + 0.5) / n_new
        psi += (p_new - p_old) * math.log(p_new / p_old)
    noise = (k - 1) * (1 / n_old + 1 / n_new)
    return psi, noise


def _score_shift_metrics(
    con: duckdb.DuckDBPyConnection, published_db: Path | None
) -> tuple[pd.DataFrame | None, str | None]:
    """PSI of the segment distribution against the published run; (None, why) when skipped."""
    if published_db is None or not Path(published_db).is_file():
        return None, "score shift: no previous published run; skipped"
    new_version = con.execute("select max(scoring_version) from marts.lead_scores").fetchone()[0]
    new = dict(con.execute("select segment, count(*) from marts.lead_scores group by all").fetchall())
    try:
        # Read-only and closed at once: BI may hold the file; only the publish step replaces it.
        with duckdb.connect(str(published_db), read_only=True) as published:
            old_version, old_as_of = published.execute(
                "select max(scoring_version), max(as_of_date) from marts.lead_scores"
            ).fetchone()
            old = dict(
                published.execute("select segment, count(*) from marts.lead_scores group by all").fetchall()
            )
    except duckdb.Error as exc:
        return None, f"score shift: the published file could not be read ({type(exc).__name__}); skipped"
    if not old:
        return None, "score shift: the published run scored nobody; skipped"
    if old_version != new_version:
        return None, (
            f"score shift: the published run used scoring_version {old_version}, this one "
            f"{new_version}: a new model is expected to move people; skipped"
        )
    psi, noise = segment_psi(old, new)
    moved = sorted(
        set(old) | set(new),
        key=lambda seg: -abs(new.get(seg, 0) / sum(new.values()) - old.get(seg, 0) / sum(old.values())),
    )[:3]
    return (
        pd.DataFrame(
            [
                {
                    "segment_psi": psi,
                    "noise_psi": noise,
                    "judged_segment_psi": max(0.0, psi - noise),
                    "people_before": sum(old.values()),
                    "people_now": sum(new.values()),
                    "published_as_of": str(old_as_of),
                    "most_moved": ", ".join(
                        f"{seg} {old.get(seg, 0):,} -> {new.get(seg, 0):,}" for seg in moved
                    ),
                }
            ]
        ),
        None,
    )


def _score_shift(frame: pd.DataFrame, config: QualityConfig) -> _Suite:
    s = _Suite("marts.score_shift")
    row = frame.iloc[0]
    limit = config.score_shift.max_segment_psi
    s.expectations.append(
        s.gxe.ExpectColumnValuesToBeBetween(
            column="judged_segment_psi",
            min_value=0,
            max_value=limit,
            description=(
                f"the segment distribution moved by a PSI of at most {limit:g} (beyond sampling noise) "
                "since the published run"
            ),
            meta={
                "check": "marts.score_shift.segment_psi",
                "rows": int(row["people_now"]),
                "detail": (
                    f"segments moved by a PSI of {row['segment_psi']:.3f} against the run published for "
                    f"{row['published_as_of']} ({int(row['people_before']):,} -> {int(row['people_now']):,} "
                    f"people; {row['noise_psi']:.3f} of it expected from sampling noise); at most "
                    f"{limit:g} beyond the noise allowed (config marts.score_shift.max_segment_psi). "
                    f"Most moved: {row['most_moved']}. A renamed event type or a broken feed moves "
                    "scores silently; if the shift is real, rerun with --accept-score-shift"
                ),
                "look": (
                    "select segment, count(*) from marts.lead_scores group by all  -- on the work "
                    "database and on the published file"
                ),
            },
        )
    )
    return s


def _dq_frame(
    con, raw_counts: dict[str, int] | None, config: QualityConfig
) -> tuple[pd.DataFrame, str | None]:
    present = _columns(con, "audit", "dq_row_reconciliation")
    table_column = next((c for c in RECONCILIATION_TABLE_COLUMNS if c in present), None)
    if table_column is None:
        return pd.DataFrame(), None
    frame = con.execute(
        f"select {table_column} as raw_table, {', '.join(c for c in RECONCILIATION_COLUMNS if c in present)} "
        "from audit.dq_row_reconciliation"
    ).df()
    frame["raw_table"] = frame["raw_table"].astype(str).str.removeprefix("raw.")
    if all(c in frame for c in RECONCILIATION_COLUMNS):
        frame["unaccounted_rows"] = frame["raw_rows"] - (
            frame["kept_rows"] + frame["duplicate_rows"] + frame["merged_rows"] + frame["rejected_rows"]
        )
        frame["rejected_share"] = (
            frame["rejected_rows"] / frame["raw_rows"].where(frame["raw_rows"] > 0)
        ).fillna(0.0)
    # The same small-table allowance as the raw checks: a few rejected rows of a tiny table
    # are not a broken batch.
    allowance = config.small_table_allowance_rows / frame["raw_rows"].where(frame["raw_rows"] > 0)
    frame["max_rejected_share"] = (
        frame["raw_table"].map(config.max_rejected_share).combine(allowance.fillna(0.0), max)
    )
    if raw_counts is not None:
        frame["loaded_rows"] = frame["raw_table"].map(raw_counts)
        frame["raw_rows_minus_loaded"] = frame["raw_rows"] - frame["loaded_rows"]
    return frame, table_column


def _dq_suite(
    frame: pd.DataFrame, present: list[str], table_column: str | None, config: QualityConfig
) -> _Suite:
    s = _Suite("audit.dq_row_reconciliation")
    if table_column is None or not all(c in present for c in RECONCILIATION_COLUMNS):
        # Without these columns nothing below can run: report the shape (a contract break).
        s.columns([table_column or "raw_table", *RECONCILIATION_COLUMNS], present)
        return s
    s.add(
        "ExpectColumnDistinctValuesToEqualSet",
        "tables.all_present",
        column="raw_table",
        value_set=list(raw_schema.RAW_TABLES),
        description="one row per raw table of the contract",
        look=f"select {table_column} from audit.dq_row_reconciliation",
    )
    s.unique("raw_table")
    off = frame[frame["unaccounted_rows"] != 0]
    s.expectations.append(
        s.gxe.ExpectColumnValuesToBeBetween(
            column="unaccounted_rows",
            min_value=0,
            max_value=0,
            description=(
                "raw_rows = kept_rows + duplicate_rows + merged_rows + rejected_rows "
                "(nothing dropped silently)"
            ),
            meta={
                "check": "audit.dq_row_reconciliation.rows_accounted_for",
                "rows": int(off["unaccounted_rows"].abs().sum()),
                "detail": "raw rows not accounted for (raw_rows - kept - duplicate - merged - rejected): "
                + ", ".join(f"{r.raw_table} {int(r.unaccounted_rows):+,}" for r in off.itertuples()),
                "look": "select *, raw_rows - (kept_rows + duplicate_rows + merged_rows + rejected_rows) as "
                "unaccounted from audit.dq_row_reconciliation",
            },
        )
    )
    if "raw_rows_minus_loaded" in frame:
        s.add(
            "ExpectColumnValuesToBeBetween",
            "raw_rows_match_load",
            column="raw_rows_minus_loaded",
            min_value=0,
            max_value=0,
            description="raw_rows equals the rows this run loaded",
            look="select * from audit.dq_row_reconciliation",
        )
    over = frame[frame["rejected_share"] > frame["max_rejected_share"]]
    s.expectations.append(
        s.gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="max_rejected_share",
            column_B="rejected_share",
            or_equal=True,
            description="each table's rejected share stays under marts.max_rejected_share (thresholds file)",
            meta={
                "check": "audit.dq_row_reconciliation.rejected_share",
                "rows": int(over["rejected_rows"].sum()),
                "detail": "; ".join(
                    f"{r.raw_table}: {int(r.rejected_rows):,} of {int(r.raw_rows):,} rows rejected "
                    f"({r.rejected_share:.2%}), at most {config.max_rejected_share[r.raw_table]:.2%} "
                    f"(or {config.small_table_allowance_rows} rows) allowed (config marts.max_rejected_share)"
                    for r in over.itertuples()
                ),
                "look": "select table_name, rejection_reason, count(*) as rows from audit.dq_rejected_rows "
                "group by all order by rows desc (the rows: audit.dq_*_rejected)",
            },
        )
    )
    return s


def run_mart_checks(
    work_db: Path,
    as_of: dt.date,
    config: QualityConfig,
    session: GxSession,
    *,
    raw_counts: dict[str, int] | None = None,
    published_db: Path | None = None,
    accept_score_shift: bool = False,
    source: str = "files",
) -> MartCheckReport:
    """Validate the built marts in `work_db` (built from CRM `source`); raise
    GateFailed(MART_CHECKS) on any failure."""
    relations = staging_relations(source)
    con = duckdb.connect(str(work_db), read_only=True)
    con.execute("set enable_progress_bar = false")  # the job prints its own progress lines
    suites: list[tuple[_Suite, pd.DataFrame]] = []
    row_counts: dict[str, int] = {}
    findings: list[Finding] = []
    notes: list[str] = []
    try:
        tables = {
            f"{r[0]}.{r[1]}"
            for r in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        for relation in [
            *(f"marts.{m}" for m in CONTRACT_COLUMNS),
            "audit.dq_row_reconciliation",
            relations["persons"],
        ]:
            if relation not in tables:
                findings.append(
                    Finding(
                        f"{relation}.exists",
                        "the relation was not built",
                        look="the dbt build output above",
                    )
                )
        built = {m for m in CONTRACT_COLUMNS if f"marts.{m}" in tables}
        present = {name: _columns(con, "marts", name) for name in built}
        frames = {name: _frame(con, f"marts.{name}", CONTRACT_COLUMNS[name]) for name in built}
        row_counts = {name: len(frame) for name, frame in frames.items()}
        if "lead_scores" in built:
            suites.append((_lead_scores(present["lead_scores"], as_of, config), frames["lead_scores"]))
        if "lead_routing" in built:
            suites.append((_lead_routing(present["lead_routing"], config), frames["lead_routing"]))
        if "segment_matrix" in built:
            suites.append(
                (_segment_matrix(present["segment_matrix"], as_of, config), frames["segment_matrix"])
            )
        if "segment_kpis" in built:
            suites.append((_segment_kpis(present["segment_kpis"], config), frames["segment_kpis"]))
        if {"lead_scores", "lead_routing", "segment_matrix"} <= built and relations["persons"] in tables:
            reconciliation = _reconciliation_metrics(con)
            suites.append((_reconciliation(reconciliation), reconciliation))
        if {"lead_scores", "lead_routing"} <= built and {relations["persons"], relations["accounts"]} <= tables:
            population = _population_metrics(con, config, relations)
            suites.append((_population(population, config, relations), population))
        if "lead_scores" in built:
            shift, note = _score_shift_metrics(con, published_db)
            if note:
                notes.append(note)
            elif accept_score_shift:
                row = shift.iloc[0]
                notes.append(
                    f"score shift: PSI {row['segment_psi']:.3f} against the run published for "
                    f"{row['published_as_of']} accepted (--accept-score-shift)"
                )
            else:
                suites.append((_score_shift(shift, config), shift))
        if "audit.dq_row_reconciliation" in tables:
            dq_frame, table_column = _dq_frame(con, raw_counts, config)
            dq_present = _columns(con, "audit", "dq_row_reconciliation")
            suites.append((_dq_suite(dq_frame, dq_present, table_column, config), dq_frame))
    finally:
        con.close()

    results = []
    checks = 0
    for suite, frame in suites:
        checks += len(suite.expectations)
        results.append(session.validate(suite.relation, frame, suite.expectations))
    docs_index = session.build_docs()
    for result in results:
        if not result.success:
            findings.extend(findings_of(result, docs_page=session.page_of(result)))
    if findings:
        raise GateFailed(
            Gate.MART_CHECKS,
            findings,
            where=f"queries run on the work database {work_db}; GX Data Docs (online only: "
            f"CDN assets): {docs_index}",
        )
    return MartCheckReport(checks_run=checks, row_counts=row_counts, docs_index=docs_index, notes=notes)
